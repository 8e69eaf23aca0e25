package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * The proof of correctness of Shoup 2000, "Generating a Signature Share": a Fiat-Shamir proof that the discrete
 * log of x_i^2 to base x~ = x^{4 Delta} equals the discrete log of v_i to base v (both are s_i).
 * The squares are there because only squares are known to live in the cyclic group Q_n where
 * the proof is sound; a partial x_i and -x_i therefore prove (and combine) alike.
 */
final class ShoupProof {
    /** L1 of the paper: challenge length, and the statistical slack of r over s_i * c ("L1 = 128"). */
    static final int CHALLENGE_BITS = 128;
    static final String DOMAIN = "redoubt/shoup-proof/v1";

    private ShoupProof() {}

    /** |n| + 2 L1: r has this many bits, so z = s_i c + r hides s_i (s_i c has at most |n| + L1 bits). */
    static int randomBits(BigInteger modulus) {
        return modulus.bitLength() + 2 * CHALLENGE_BITS;
    }

    /** z = s_i c + r < 2^{|n| + 2 L1} + 2^{|n| + L1} fits in one more bit; anything longer is not an honest proof. */
    static int responseBitsMax(BigInteger modulus) {
        return randomBits(modulus) + 1;
    }

    /**
     * The prover picks r uniform in [0, 2^{L(n) + 2 L1}), computes v' = v^r, x' = x~^r,
     * c = H'(v, x~, v_i, x_i^2, v', x') and z = s_i c + r; the proof is (z, c).
     */
    static CorrectnessProof prove(ThresholdPublicKey key, BigInteger share, BigInteger verificationKey,
                                  BigInteger xTilde, BigInteger partialValue, SecureRandom random) {
        BigInteger n = key.modulus();
        BigInteger v = key.verificationBase();
        BigInteger partialSquared = partialValue.multiply(partialValue).mod(n);
        BigInteger r = new BigInteger(randomBits(n), random);
        BigInteger vCommit = v.modPow(r, n);
        BigInteger xCommit = xTilde.modPow(r, n);
        BigInteger c = challenge(n, v, xTilde, verificationKey, partialSquared, vCommit, xCommit);
        return new CorrectnessProof(c, share.multiply(c).add(r));
    }

    /**
     * The verifier accepts iff c = H'(v, x~, v_i, x_i^2, v^z v_i^{-c}, x~^z x_i^{-2c}). The
     * caller has checked that 1 <= x_i < n. Never throws: a non-invertible x_i or v_i (which a
     * correct party never produces) is a rejection.
     */
    static boolean verify(ThresholdPublicKey key, BigInteger verificationKey, BigInteger xTilde,
                          BigInteger partialValue, CorrectnessProof proof) {
        BigInteger n = key.modulus();
        BigInteger c = proof.challenge();
        BigInteger z = proof.response();
        if (c.signum() < 0 || c.bitLength() > CHALLENGE_BITS || z.signum() < 0 || z.bitLength() > responseBitsMax(n)) {
            return false;
        }
        try {
            BigInteger v = key.verificationBase();
            BigInteger partialSquared = partialValue.multiply(partialValue).mod(n);
            BigInteger vCommit = v.modPow(z, n).multiply(verificationKey.modPow(c, n).modInverse(n)).mod(n);
            BigInteger xCommit = xTilde.modPow(z, n).multiply(partialSquared.modPow(c, n).modInverse(n)).mod(n);
            return c.equals(challenge(n, v, xTilde, verificationKey, partialSquared, vCommit, xCommit));
        } catch (ArithmeticException notInvertible) {
            return false;
        }
    }

    /**
     * H' of the paper, as the first L1 bits of SHA-256 over the length-prefixed group
     * elements. The modulus is hashed too, so a proof cannot be replayed under another key.
     */
    static BigInteger challenge(BigInteger n, BigInteger v, BigInteger xTilde, BigInteger vi,
                                BigInteger partialSquared, BigInteger vCommit, BigInteger xCommit) {
        CanonicalWriter w = new CanonicalWriter().utf8(DOMAIN);
        for (BigInteger element : new BigInteger[] {n, v, xTilde, vi, partialSquared, vCommit, xCommit}) {
            BigIntegers.write(w, element);
        }
        byte[] digest = Digests.sha256(w.toBytes()).unsafeArray();
        return new BigInteger(1, java.util.Arrays.copyOf(digest, CHALLENGE_BITS / 8));
    }
}
