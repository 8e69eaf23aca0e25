package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.math.BigInteger;
import java.security.SecureRandom;

/** Canonical encoding of integers and the few number-theory helpers the scheme shares. */
final class BigIntegers {
    /** Room for the largest integer we encode: a proof response z of |n| + 2*L1 + 1 bits. */
    static final int INTEGER_BYTES_MAX = ThresholdParameters.MODULUS_BITS_MAX / 8 + 2 * ShoupProof.CHALLENGE_BITS / 8 + 2;

    private BigIntegers() {}

    /** Length-prefixed, big-endian, minimal two's complement (what {@link BigInteger#toByteArray} gives). */
    static void write(CanonicalWriter w, BigInteger v) {
        w.bytes(v.toByteArray());
    }

    /**
     * Reads a non-negative integer of at most {@code maxBytes} encoded bytes. A non-minimal
     * encoding (a redundant leading 0x00) is rejected, so every value has exactly one encoding.
     */
    static BigInteger readNonNegative(CanonicalReader r, int maxBytes, String what) throws DecodeException {
        byte[] a = r.bytes(maxBytes).unsafeArray();
        if (a.length == 0) throw new DecodeException(what + ": empty integer encoding");
        if (a[0] < 0) throw new DecodeException(what + " must be >= 0");
        if (a.length > 1 && a[0] == 0 && a[1] >= 0) throw new DecodeException(what + ": non-minimal integer encoding");
        return new BigInteger(a);
    }

    /** The byte length of a modulus, which is also the length of a signature (I2OSP, RFC 8017). */
    static int byteLength(BigInteger modulus) {
        return (modulus.bitLength() + 7) / 8;
    }

    /** {@code v} as exactly {@code length} unsigned big-endian bytes; {@code 0 <= v < 256^length}. */
    static Bytes toFixedLength(BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        int skip = raw.length > length ? raw.length - length : 0; // the sign byte of a value with its top bit set
        byte[] out = new byte[length];
        System.arraycopy(raw, skip, out, length - (raw.length - skip), raw.length - skip);
        return Bytes.wrap(out);
    }

    /** Uniform in [0, bound), by rejection, so that it depends only on the random stream. */
    static BigInteger uniformBelow(BigInteger bound, SecureRandom random) {
        int bits = bound.bitLength();
        while (true) {
            BigInteger candidate = new BigInteger(bits, random);
            if (candidate.compareTo(bound) < 0) return candidate;
        }
    }

    /** 1 <= v < n: the range every group element a server sends must be in. */
    static boolean inUnitRange(BigInteger v, BigInteger n) {
        return v != null && v.signum() > 0 && v.compareTo(n) < 0;
    }
}
