package io.redoubt.lm.crypto.threshold;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Shoup's trusted dealer (Shoup 2000, "The Dealer"), run once per Byzantine site, offline:
 * <ol>
 *   <li>safe primes p = 2p'+1, q = 2q'+1; n = pq, m = p'q';</li>
 *   <li>e a prime > l (65537), d = e^{-1} mod m;</li>
 *   <li>f(X) = d + a_1 X + ... + a_{k-1} X^{k-1} with a_j uniform in [0, m); s_i = f(i) mod m;</li>
 *   <li>v a random square mod n (a generator of Q_n with overwhelming probability) and v_i = v^{s_i}.</li>
 * </ol>
 * Every random choice is drawn from the caller's {@link SecureRandom} and from nothing else, so
 * a seeded source (tests, the simulator: {@link SeededSecureRandom}) gives the same key every
 * time. Production deployments must pass a real, unseeded {@code SecureRandom} (for example
 * {@code SecureRandom.getInstanceStrong()}), and must erase p, q and d, which this class
 * never returns.
 */
public final class ThresholdDealer {
    /** The customary RSA exponent; Shoup needs e prime and > l, which it is for every l we allow. */
    static final BigInteger PUBLIC_EXPONENT = BigInteger.valueOf(65537);

    private ThresholdDealer() {}

    /** Deals a key of at least {@link ThresholdParameters#MODULUS_BITS_MIN} bits. */
    public static ThresholdKeyMaterial deal(ThresholdParameters parameters, SecureRandom random) {
        if (parameters.insecure()) {
            throw new IllegalArgumentException("modulusBits = " + parameters.modulusBits() + " is too small; valid: >= "
                    + ThresholdParameters.MODULUS_BITS_MIN + " (dealInsecureForTests takes smaller ones)");
        }
        return dealAnySize(parameters, random);
    }

    /** Deals a key of any size the parameters allow, down to 512 bits: for tests only. */
    public static ThresholdKeyMaterial dealInsecureForTests(ThresholdParameters parameters, SecureRandom random) {
        return dealAnySize(parameters, random);
    }

    private static ThresholdKeyMaterial dealAnySize(ThresholdParameters parameters, SecureRandom random) {
        int primeBits = parameters.modulusBits() / 2;
        BigInteger pPrime = SafePrimes.sophieGermainPrime(primeBits, random);
        BigInteger qPrime;
        do {
            qPrime = SafePrimes.sophieGermainPrime(primeBits, random);
        } while (qPrime.equals(pPrime));
        return dealFromSafePrimes(parameters, pPrime, qPrime, random);
    }

    /**
     * Steps 2-4 above for given p', q'. Package-private: lets tests and the benchmark deal
     * several (k, l) keys from one pair of slow-to-find 1024-bit safe primes.
     */
    static ThresholdKeyMaterial dealFromSafePrimes(ThresholdParameters parameters, BigInteger pPrime, BigInteger qPrime,
                                                   SecureRandom random) {
        BigInteger p = pPrime.shiftLeft(1).setBit(0);
        BigInteger q = qPrime.shiftLeft(1).setBit(0);
        BigInteger n = p.multiply(q);
        if (pPrime.equals(qPrime) || n.bitLength() != parameters.modulusBits()) {
            throw new IllegalArgumentException(
                    "p' and q' must be distinct and give an n of " + parameters.modulusBits() + " bits");
        }
        for (BigInteger prime : new BigInteger[] {pPrime, qPrime, p, q}) {
            if (!prime.isProbablePrime(SafePrimes.PRIME_CERTAINTY)) {
                throw new IllegalArgumentException("p', q', p, q must be prime");
            }
        }
        int k = parameters.threshold();
        int l = parameters.servers();
        BigInteger m = pPrime.multiply(qPrime);
        BigInteger e = publicExponentFor(l);
        if (pPrime.equals(e) || qPrime.equals(e) || pPrime.compareTo(BigInteger.valueOf(l)) <= 0
                || qPrime.compareTo(BigInteger.valueOf(l)) <= 0) {
            throw new IllegalArgumentException("p', q' must exceed l and differ from e"); // the dealer's primes exceed l
        }
        BigInteger d = e.modInverse(m);

        BigInteger[] coefficients = new BigInteger[k]; // f(X) = sum a_j X^j, a_0 = d
        coefficients[0] = d;
        for (int j = 1; j < k; j++) coefficients[j] = BigIntegers.uniformBelow(m, random);

        // v: the square of a uniform unit, so uniform in Q_n; 1 is excluded (it generates nothing).
        BigInteger v;
        do {
            BigInteger u = BigIntegers.uniformBelow(n, random);
            v = u.multiply(u).mod(n);
        } while (v.compareTo(BigInteger.ONE) <= 0 || !v.gcd(n).equals(BigInteger.ONE));

        List<KeyShare> shares = new ArrayList<>(l);
        List<BigInteger> verificationKeys = new ArrayList<>(l);
        for (int i = 1; i <= l; i++) {
            BigInteger s = evaluate(coefficients, i, m);
            shares.add(new KeyShare(i, s));
            verificationKeys.add(v.modPow(s, n));
        }
        return new ThresholdKeyMaterial(new ThresholdPublicKey(n, e, v, verificationKeys, k, l), shares);
    }

    /** e must be a prime larger than l (Shoup 2000, "The Dealer"). */
    static BigInteger publicExponentFor(int servers) {
        BigInteger l = BigInteger.valueOf(servers);
        return PUBLIC_EXPONENT.compareTo(l) > 0 ? PUBLIC_EXPONENT : l.nextProbablePrime();
    }

    /** f(x) mod m by Horner's rule. */
    static BigInteger evaluate(BigInteger[] coefficients, int x, BigInteger m) {
        BigInteger bx = BigInteger.valueOf(x);
        BigInteger acc = BigInteger.ZERO;
        for (int j = coefficients.length - 1; j >= 0; j--) acc = acc.multiply(bx).add(coefficients[j]).mod(m);
        return acc;
    }
}
