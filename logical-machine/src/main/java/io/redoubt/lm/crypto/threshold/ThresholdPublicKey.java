package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.crypto.Digests;
import java.math.BigInteger;
import java.util.List;

/**
 * A site's threshold RSA public key as Shoup's dealer publishes it (Shoup 2000, "The Dealer"):
 * the RSA modulus n and exponent e, and the verification keys v (a random square mod n) and
 * v_i = v^{s_i} for servers i = 1..l, which let anyone check a server's partial signature
 * against its proof of correctness. Servers are numbered 1..l as in the paper;
 * {@code verificationKeys.get(i - 1)} is v_i.
 */
public record ThresholdPublicKey(
        BigInteger modulus,
        BigInteger publicExponent,
        BigInteger verificationBase,
        List<BigInteger> verificationKeys,
        int threshold,
        int servers) implements Encodable {

    public ThresholdPublicKey {
        RsaPublicKey.checkModulus(modulus);
        if (servers < 1 || servers > ThresholdParameters.SERVERS_MAX) {
            throw new IllegalArgumentException("servers (l) = " + servers + "; valid: 1.." + ThresholdParameters.SERVERS_MAX);
        }
        if (threshold < 1 || threshold > servers) {
            throw new IllegalArgumentException("threshold (k) = " + threshold + "; valid: 1.." + servers);
        }
        // The dealer picks e prime > l, so gcd(e, 4 Delta^2) = 1, which combining needs (Shoup 2000, "Combining Shares").
        if (publicExponent == null || publicExponent.compareTo(BigInteger.valueOf(servers)) <= 0
                || publicExponent.bitLength() > RsaPublicKey.PUBLIC_EXPONENT_BITS_MAX
                || !publicExponent.isProbablePrime(SafePrimes.PRIME_CERTAINTY)) {
            throw new IllegalArgumentException("public exponent must be a prime > l = " + servers + " of at most "
                    + RsaPublicKey.PUBLIC_EXPONENT_BITS_MAX + " bits, was " + publicExponent);
        }
        // 1 and -1 would make every proof of correctness trivially true.
        if (!BigIntegers.inUnitRange(verificationBase, modulus) || verificationBase.equals(BigInteger.ONE)
                || verificationBase.equals(modulus.subtract(BigInteger.ONE))) {
            throw new IllegalArgumentException("verification base v must be in 2..n-2");
        }
        verificationKeys = List.copyOf(verificationKeys);
        if (verificationKeys.size() != servers) {
            throw new IllegalArgumentException(verificationKeys.size() + " verification keys for l = " + servers + " servers");
        }
        for (int i = 0; i < servers; i++) {
            if (!BigIntegers.inUnitRange(verificationKeys.get(i), modulus)) {
                throw new IllegalArgumentException("verification key v_" + (i + 1) + " must be in 1..n-1");
            }
        }
    }

    /** v_i for server i in 1..l. */
    public BigInteger verificationKey(int serverIndex) {
        return verificationKeys.get(checkServerIndex(serverIndex) - 1);
    }

    int checkServerIndex(int serverIndex) {
        if (serverIndex < 1 || serverIndex > servers) {
            throw new IllegalArgumentException("server index " + serverIndex + "; valid: 1.." + servers);
        }
        return serverIndex;
    }

    /** What a verifier in another site needs: (n, e). */
    public RsaPublicKey rsaPublicKey() {
        return new RsaPublicKey(modulus, publicExponent);
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        w.i32(threshold).i32(servers);
        BigIntegers.write(w, modulus);
        BigIntegers.write(w, publicExponent);
        BigIntegers.write(w, verificationBase);
        w.list(verificationKeys, BigIntegers::write);
    }

    public static ThresholdPublicKey decode(CanonicalReader r) throws DecodeException {
        int threshold = r.count(ThresholdParameters.SERVERS_MAX, "threshold");
        int servers = r.count(ThresholdParameters.SERVERS_MAX, "servers");
        BigInteger n = BigIntegers.readNonNegative(r, RsaPublicKey.MODULUS_BYTES_MAX, "modulus");
        BigInteger e = BigIntegers.readNonNegative(r, RsaPublicKey.PUBLIC_EXPONENT_BITS_MAX / 8 + 1, "public exponent");
        BigInteger v = BigIntegers.readNonNegative(r, RsaPublicKey.MODULUS_BYTES_MAX, "verification base");
        List<BigInteger> vi = r.list(ThresholdParameters.SERVERS_MAX,
                in -> BigIntegers.readNonNegative(in, RsaPublicKey.MODULUS_BYTES_MAX, "verification key"));
        try {
            return new ThresholdPublicKey(n, e, v, vi, threshold, servers);
        } catch (IllegalArgumentException ex) {
            throw new DecodeException("invalid threshold public key: " + ex.getMessage());
        }
    }

    public static ThresholdPublicKey decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        ThresholdPublicKey k = decode(r);
        r.expectEnd();
        return k;
    }

    @Override
    public String toString() {
        return "ThresholdPublicKey(k=" + threshold + ", l=" + servers + ", " + modulus.bitLength() + " bits, sha256 "
                + Digests.sha256(encode()) + ")";
    }
}
