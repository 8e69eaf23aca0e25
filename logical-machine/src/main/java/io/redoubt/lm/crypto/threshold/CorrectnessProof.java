package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A non-interactive proof (z, c) that a partial signature was made with the share behind v_i:
 * log_{x~}(x_i^2) = log_v(v_i) with x~ = x^{4 Delta} (Shoup 2000, "Generating a Signature Share",
 * the proof of correctness). The challenge c has {@link ShoupProof#CHALLENGE_BITS} (L1) bits.
 */
public record CorrectnessProof(BigInteger challenge, BigInteger response) implements Encodable {
    public CorrectnessProof {
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(response, "response");
        if (challenge.signum() < 0 || challenge.bitLength() > ShoupProof.CHALLENGE_BITS) {
            throw new IllegalArgumentException("challenge c must be in [0, 2^" + ShoupProof.CHALLENGE_BITS + ")");
        }
        if (response.signum() < 0) throw new IllegalArgumentException("response z must be >= 0");
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        BigIntegers.write(w, challenge);
        BigIntegers.write(w, response);
    }

    public static CorrectnessProof decode(CanonicalReader r) throws DecodeException {
        BigInteger c = BigIntegers.readNonNegative(r, ShoupProof.CHALLENGE_BITS / 8 + 1, "challenge");
        BigInteger z = BigIntegers.readNonNegative(r, BigIntegers.INTEGER_BYTES_MAX, "response");
        try {
            return new CorrectnessProof(c, z);
        } catch (IllegalArgumentException ex) {
            throw new DecodeException("invalid correctness proof: " + ex.getMessage());
        }
    }

    public static CorrectnessProof decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        CorrectnessProof p = decode(r);
        r.expectEnd();
        return p;
    }

    @Override
    public String toString() {
        return "CorrectnessProof(c=" + challenge.toString(16) + ", z: " + response.bitLength() + " bits)";
    }
}
