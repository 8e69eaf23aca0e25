package io.redoubt.lm.crypto.threshold;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dealer and the pure math under it (Shoup 2000, sections 2.1-2.3), checked against simple
 * oracles: trial division for the sieve, exact integer interpolation for the Lagrange
 * coefficients, and the public key's own commitments for the shares.
 */
class ThresholdDealerTest {

    // Shoup 2000, "The Dealer": p = 2p'+1 and q = 2q'+1 with p', q' prime, and n of the asked size.
    @ParameterizedTest
    @ValueSource(ints = {256, 384, 512})
    void safePrimeGenerationGivesPrimesPPrimeAnd2PPrimePlusOneOfExactlyTheAskedSize_shoupDealer(int bits) {
        for (long seed = 0; seed < 3; seed++) {
            BigInteger pPrime = SafePrimes.sophieGermainPrime(bits, SeededSecureRandom.fromSeed(seed));
            BigInteger p = pPrime.shiftLeft(1).add(BigInteger.ONE);
            assertTrue(pPrime.isProbablePrime(64), "p' prime");
            assertTrue(p.isProbablePrime(64), "p = 2p'+1 prime");
            assertEquals(bits, p.bitLength());
            assertTrue(p.testBit(bits - 2), "top two bits set, so that |pq| = 2 bits");
        }
    }

    // The sieve strikes out exactly the candidates c with a small prime factor in c or 2c+1
    // (oracle: residues mod each sieving prime, computed with BigInteger.mod).
    @Test
    void theSieveStrikesOutExactlyTheCandidatesWithASmallFactorInPPrimeOr2PPrimePlusOne() {
        int[] primes = SafePrimes.oddPrimesUpTo(SafePrimes.SIEVE_PRIME_MAX);
        assertEquals(82024, primes.length, "odd primes below 2^20"); // pi(2^20) = 82025, minus the prime 2
        Random rnd = new Random(5);
        for (int round = 0; round < 2; round++) {
            BigInteger start = new BigInteger(1023, rnd).setBit(1022).setBit(0);
            boolean[] struck = new boolean[600];
            SafePrimes.sieve(start, struck);
            boolean[] oracle = new boolean[struck.length];
            for (int r : primes) {
                long t = start.mod(BigInteger.valueOf(r)).longValue();
                for (int j = 0; j < oracle.length; j++) {
                    long c = (t + 2L * j) % r;
                    if (c == 0 || (2 * c + 1) % r == 0) oracle[j] = true;
                }
            }
            assertArrayEquals(oracle, struck);
        }
    }

    // Shoup 2000, "Combining Shares": lambda^S_{0,j} is an integer and Delta f(0) = sum lambda^S_{0,j} f(j)
    // for every polynomial of degree < k and every k-set S of 1..l (oracle: integer evaluation).
    @Test
    void lagrangeCoefficientsAreIntegersThatInterpolateDeltaTimesFAtZero_shoupCombiningShares() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int l = 1; l <= 16; l++) {
            BigInteger delta = ShoupMath.delta(l);
            for (int trial = 0; trial < 20; trial++) {
                int k = rnd.nextInt(1, l + 1);
                List<Integer> all = new ArrayList<>();
                for (int i = 1; i <= l; i++) all.add(i);
                java.util.Collections.shuffle(all, new Random(rnd.nextLong()));
                int[] set = all.subList(0, k).stream().mapToInt(Integer::intValue).sorted().toArray();
                BigInteger[] coefficients = new BigInteger[k];
                for (int c = 0; c < k; c++) coefficients[c] = new BigInteger(200, new Random(rnd.nextLong()));
                BigInteger sum = BigInteger.ZERO;
                for (int j : set) {
                    sum = sum.add(ShoupMath.lagrangeAtZero(delta, set, j).multiply(evaluateOverIntegers(coefficients, j)));
                }
                assertEquals(delta.multiply(coefficients[0]), sum, "l=" + l + " S=" + java.util.Arrays.toString(set));
            }
        }
        assertEquals(BigInteger.valueOf(20922789888000L), ShoupMath.delta(16));
    }

    // Shoup 2000, "The Dealer": e is a prime > l; v_i = v^{s_i}; n has the asked size.
    @Test
    void theDealtKeyHasAPrimeExponentAboveLAndVerificationKeysCommittingToEachShare_shoupDealer() {
        ThresholdKeyMaterial key = TestKeys.small(3, 7);
        ThresholdPublicKey pk = key.publicKey();
        assertEquals(512, pk.modulus().bitLength());
        assertEquals(BigInteger.valueOf(65537), pk.publicExponent());
        assertEquals(3, pk.threshold());
        assertEquals(7, pk.servers());
        assertEquals(7, key.shares().size());
        for (int i = 1; i <= 7; i++) {
            assertEquals(i, key.share(i).serverIndex());
            assertEquals(pk.verificationKey(i), pk.verificationBase().modPow(key.share(i).share(), pk.modulus()));
            assertTrue(key.share(i).share().compareTo(pk.modulus().shiftRight(2)) < 0, "s_i < m < n/4");
        }
        assertEquals(7, java.util.Set.copyOf(pk.verificationKeys()).size(), "distinct shares, distinct v_i");
        // e stays a prime above l beyond 65537 as well.
        assertEquals(BigInteger.valueOf(65537), ThresholdDealer.publicExponentFor(ThresholdParameters.SERVERS_MAX));
        BigInteger big = ThresholdDealer.publicExponentFor(70000);
        assertTrue(big.compareTo(BigInteger.valueOf(70000)) > 0 && big.isProbablePrime(64));
    }

    // STYLE.md (seeded randomness; run a seed twice and compare): the dealer draws only from the
    // caller's SecureRandom, so the same seed deals the same key and shares.
    @Test
    void keyGenerationIsDeterministicGivenADeterministicRandomSource() {
        ThresholdParameters params = new ThresholdParameters(2, 4, 768);
        ThresholdKeyMaterial a = ThresholdDealer.dealInsecureForTests(params, SeededSecureRandom.fromSeed(42));
        ThresholdKeyMaterial b = ThresholdDealer.dealInsecureForTests(params, SeededSecureRandom.fromSeed(42));
        ThresholdKeyMaterial c = ThresholdDealer.dealInsecureForTests(params, SeededSecureRandom.fromSeed(43));
        assertEquals(a.publicKey(), b.publicKey());
        assertEquals(a.shares(), b.shares());
        assertEquals(a.publicKey().encode(), b.publicKey().encode());
        assertNotEquals(a.publicKey().modulus(), c.publicKey().modulus());
        assertNotEquals(a.shares(), c.shares());
    }

    @Test
    void seededSecureRandomIsAReproducibleStreamIndependentOfHowItIsRead() {
        SecureRandom one = SeededSecureRandom.fromSeed(7);
        SecureRandom two = SeededSecureRandom.fromSeed(7);
        byte[] whole = new byte[100];
        one.nextBytes(whole);
        byte[] pieces = new byte[100];
        byte[] first = new byte[5];
        byte[] rest = new byte[95];
        two.nextBytes(first);
        two.nextBytes(rest);
        System.arraycopy(first, 0, pieces, 0, 5);
        System.arraycopy(rest, 0, pieces, 5, 95);
        assertArrayEquals(whole, pieces);

        byte[] other = new byte[100];
        SeededSecureRandom.fromSeed(8).nextBytes(other);
        assertFalse(java.util.Arrays.equals(whole, other));
        assertNotEquals(SeededSecureRandom.fromSeed(Bytes.ofUtf8("a")).nextLong(),
                SeededSecureRandom.fromSeed(Bytes.ofUtf8("b")).nextLong());

        SecureRandom reseededA = SeededSecureRandom.fromSeed(7);
        SecureRandom reseededB = SeededSecureRandom.fromSeed(7);
        reseededA.setSeed(new byte[] {1, 2});
        reseededB.setSeed(new byte[] {1, 2});
        assertEquals(reseededA.nextLong(), reseededB.nextLong());
    }

    @Test
    void theProductionDealerRefusesModuliBelow2048BitsAndParametersAreValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> ThresholdDealer.deal(new ThresholdParameters(2, 4, 1024), SeededSecureRandom.fromSeed(1)));
        assertEquals(new ThresholdParameters(2, 4, 2048), ThresholdParameters.forFaults(1));
        assertEquals(new ThresholdParameters(6, 16, 2048), ThresholdParameters.forFaults(5));
        assertEquals(new ThresholdParameters(3, 7, 2048), ThresholdParameters.of(3, 7));
        assertFalse(ThresholdParameters.of(3, 7).insecure());
        assertTrue(new ThresholdParameters(3, 7, 512).insecure());
        for (int[] bad : new int[][] {{0, 4, 2048}, {5, 4, 2048}, {1, 0, 2048}, {2, 129, 2048}, {2, 4, 510},
                {2, 4, 2049}, {2, 4, 8194}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ThresholdParameters(bad[0], bad[1], bad[2]));
            assertTrue(e.getMessage().contains("valid"), e.getMessage()); // names what would be valid
        }
        assertThrows(IllegalArgumentException.class, () -> ThresholdParameters.forFaults(-1));
    }

    // Shoup 2000, "Valid Signatures", treats H as a random oracle onto Z_n^*: the full-domain hash is deterministic, below
    // n, and reaches the top of the range (a plain 256-bit hash would not).
    @Test
    void theFullDomainHashIsDeterministicBelowNAndSpreadsOverTheWholeRange() {
        BigInteger n = TestKeys.small(2, 4).publicKey().modulus();
        int aboveHalf = 0;
        java.util.Set<BigInteger> seen = new java.util.HashSet<>();
        for (int i = 0; i < 400; i++) {
            Bytes m = Bytes.ofUtf8("message " + i);
            BigInteger x = FullDomainHash.representative(m, n);
            assertEquals(x, FullDomainHash.representative(m, n));
            assertTrue(x.signum() >= 0 && x.compareTo(n) < 0);
            if (x.compareTo(n.shiftRight(1)) > 0) aboveHalf++;
            seen.add(x);
        }
        assertEquals(400, seen.size());
        assertTrue(aboveHalf > 140 && aboveHalf < 260, "about half above n/2: " + aboveHalf);
    }

    private static BigInteger evaluateOverIntegers(BigInteger[] coefficients, int x) {
        BigInteger acc = BigInteger.ZERO;
        for (int c = coefficients.length - 1; c >= 0; c--) acc = acc.multiply(BigInteger.valueOf(x)).add(coefficients[c]);
        return acc;
    }
}
