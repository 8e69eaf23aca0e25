package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.crypto.Digests;
import java.math.BigInteger;

/**
 * The part of a site's threshold key that other sites need: a combined threshold signature is
 * a standard RSA signature (Shoup 2000, "Valid Signatures"), checked as y^e = H(M) mod n with
 * H the {@link FullDomainHash}. A signature is encoded as exactly {@code ceil(|n| / 8)}
 * big-endian bytes.
 */
public record RsaPublicKey(BigInteger modulus, BigInteger publicExponent) implements Encodable {
    /** Bounds e so that verifying is cheap and decoding cannot be made expensive. */
    public static final int PUBLIC_EXPONENT_BITS_MAX = 64;
    static final int MODULUS_BYTES_MAX = ThresholdParameters.MODULUS_BITS_MAX / 8 + 1;

    public RsaPublicKey {
        checkModulus(modulus);
        if (publicExponent == null || publicExponent.compareTo(BigInteger.valueOf(3)) < 0 || !publicExponent.testBit(0)
                || publicExponent.bitLength() > PUBLIC_EXPONENT_BITS_MAX) {
            throw new IllegalArgumentException("public exponent must be odd, >= 3 and at most "
                    + PUBLIC_EXPONENT_BITS_MAX + " bits, was " + publicExponent);
        }
    }

    static void checkModulus(BigInteger modulus) {
        if (modulus == null || !modulus.testBit(0) || modulus.bitLength() < ThresholdParameters.MODULUS_BITS_MIN_FOR_TESTS
                || modulus.bitLength() > ThresholdParameters.MODULUS_BITS_MAX) {
            throw new IllegalArgumentException("modulus must be odd with " + ThresholdParameters.MODULUS_BITS_MIN_FOR_TESTS
                    + ".." + ThresholdParameters.MODULUS_BITS_MAX + " bits, was "
                    + (modulus == null ? "null" : modulus.bitLength() + " bits"));
        }
    }

    /** The length of every signature under this key. */
    public int signatureBytes() {
        return BigIntegers.byteLength(modulus);
    }

    /** True iff {@code signature} is y with y^e = H(M) mod n. False, never an exception, for anything malformed. */
    public boolean verify(Bytes message, Bytes signature) {
        if (message == null || signature == null || signature.length() != signatureBytes()) return false;
        BigInteger y = new BigInteger(1, signature.unsafeArray());
        if (y.compareTo(modulus) >= 0) return false; // one value, one encoding: no y + n aliases
        return y.modPow(publicExponent, modulus).equals(FullDomainHash.representative(message, modulus));
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        BigIntegers.write(w, modulus);
        BigIntegers.write(w, publicExponent);
    }

    public static RsaPublicKey decode(CanonicalReader r) throws DecodeException {
        BigInteger n = BigIntegers.readNonNegative(r, MODULUS_BYTES_MAX, "modulus");
        BigInteger e = BigIntegers.readNonNegative(r, PUBLIC_EXPONENT_BITS_MAX / 8 + 1, "public exponent");
        try {
            return new RsaPublicKey(n, e);
        } catch (IllegalArgumentException ex) {
            throw new DecodeException("invalid RSA public key: " + ex.getMessage());
        }
    }

    public static RsaPublicKey decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        RsaPublicKey k = decode(r);
        r.expectEnd();
        return k;
    }

    @Override
    public String toString() {
        // the numbers run to hundreds of digits; a fingerprint of the encoding identifies the key
        return "RsaPublicKey(" + modulus.bitLength() + " bits, e=" + publicExponent + ", sha256 "
                + Digests.sha256(encode()) + ")";
    }
}
