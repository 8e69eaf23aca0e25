package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Server i's signature share x_i = x^{2 Delta s_i} mod n on message representative x
 * (Shoup 2000, "Generating a Signature Share"). Received ones are untrusted: the value may be anything
 * non-negative until {@link ThresholdCombiner} has checked it. The receiver must set
 * {@code serverIndex} from the authenticated sender, never trust the index a peer claims.
 */
public record PartialSignature(int serverIndex, BigInteger value) implements Encodable {
    public PartialSignature {
        Objects.requireNonNull(value, "value");
        if (serverIndex < 1 || serverIndex > ThresholdParameters.SERVERS_MAX) {
            throw new IllegalArgumentException("server index " + serverIndex + "; valid: 1.." + ThresholdParameters.SERVERS_MAX);
        }
        if (value.signum() < 0) throw new IllegalArgumentException("partial signature must be >= 0");
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        w.i32(serverIndex);
        BigIntegers.write(w, value);
    }

    public static PartialSignature decode(CanonicalReader r) throws DecodeException {
        int index = r.i32();
        BigInteger x = BigIntegers.readNonNegative(r, RsaPublicKey.MODULUS_BYTES_MAX, "partial signature");
        try {
            return new PartialSignature(index, x);
        } catch (IllegalArgumentException ex) {
            throw new DecodeException("invalid partial signature: " + ex.getMessage());
        }
    }

    public static PartialSignature decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        PartialSignature p = decode(r);
        r.expectEnd();
        return p;
    }

    @Override
    public String toString() {
        return "PartialSignature(server " + serverIndex + ", " + value.bitLength() + " bits)";
    }
}
