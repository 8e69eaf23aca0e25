package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Server i's secret share s_i = f(i) mod m of the signing exponent d = f(0) (Shoup 2000,
 * "The Dealer"). Secret: keep it out of logs ({@link #toString} omits it).
 */
public record KeyShare(int serverIndex, BigInteger share) implements Encodable {
    public KeyShare {
        Objects.requireNonNull(share, "share");
        if (serverIndex < 1 || serverIndex > ThresholdParameters.SERVERS_MAX) {
            throw new IllegalArgumentException("server index " + serverIndex + "; valid: 1.." + ThresholdParameters.SERVERS_MAX);
        }
        if (share.signum() < 0) throw new IllegalArgumentException("share must be >= 0");
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        w.i32(serverIndex);
        BigIntegers.write(w, share);
    }

    public static KeyShare decode(CanonicalReader r) throws DecodeException {
        int index = r.i32();
        BigInteger s = BigIntegers.readNonNegative(r, RsaPublicKey.MODULUS_BYTES_MAX, "share");
        try {
            return new KeyShare(index, s);
        } catch (IllegalArgumentException ex) {
            throw new DecodeException("invalid key share: " + ex.getMessage());
        }
    }

    public static KeyShare decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        KeyShare s = decode(r);
        r.expectEnd();
        return s;
    }

    @Override
    public String toString() {
        return "KeyShare(server " + serverIndex + ")"; // never print the secret
    }
}
