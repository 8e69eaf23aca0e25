package io.redoubt.lm.crypto.threshold;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Generates Sophie Germain primes p' such that p = 2p' + 1 is a safe prime, as Shoup's dealer
 * needs (Shoup 2000, "The Dealer": p = 2p' + 1 and q = 2q' + 1 with p', q' prime).
 *
 * <p>Safe primes are rare (roughly one in (ln p)^2 / 2.6 numbers), so testing random candidates
 * one by one would cost thousands of modular exponentiations. Instead a window of candidates
 * p', p'+2, p'+4, ... is sieved with the small odd primes r <= {@link #SIEVE_PRIME_MAX}: a
 * candidate is struck out if r divides p' or r divides 2p'+1 (that is, p' = (r-1)/2 mod r).
 * Only survivors get a base-2 Fermat test on p = 2p'+1, which rejects almost every one of them
 * at the cost of one exponentiation. A survivor of that gets a full probabilistic test of p';
 * if p' is prime, the passed Fermat test already proves p prime (Pocklington: p - 1 = 2p' with
 * p' prime and p' > sqrt(p), and 2^((p-1)/p') = 4 != 1 mod p), and p is tested once more
 * anyway because that is cheap next to the search.
 */
final class SafePrimes {
    /**
     * Sieving up to 2^20 instead of 2^17 leaves ~28% fewer survivors to exponentiate (survivors
     * fall as 1/(ln bound)^2) for a few ms more sieving per window: 2048-bit keys came out ~1/3
     * faster here. The bound does not change which prime is found, only how fast.
     */
    static final int SIEVE_PRIME_MAX = 1 << 20;
    /** Candidates per window: enough that most windows of 1023-bit candidates hold a safe prime. */
    static final int WINDOW_CANDIDATES = 1 << 18;
    /** BigInteger.isProbablePrime certainty: error probability below 2^-100 (plus Java's Lucas test). */
    static final int PRIME_CERTAINTY = 100;

    private static final int[] SIEVE_PRIMES = oddPrimesUpTo(SIEVE_PRIME_MAX);

    private SafePrimes() {}

    /**
     * A prime p' such that p = 2p'+1 is prime and p has exactly {@code safePrimeBits} bits with
     * its top two bits set, so that the product of two such primes has exactly twice as many
     * bits. The result depends only on the bytes drawn from {@code random}.
     *
     * <p>{@link BigInteger#isProbablePrime} draws its Miller-Rabin bases from an internal
     * random source; that only affects the (below 2^-100) chance of accepting a composite,
     * never which prime is returned, so generation stays deterministic for a seeded source.
     */
    static BigInteger sophieGermainPrime(int safePrimeBits, SecureRandom random) {
        // Candidates must exceed every sieving prime, or a sieving prime that is itself p' would be struck out.
        if (safePrimeBits < 64) throw new IllegalArgumentException("safePrimeBits = " + safePrimeBits + "; valid: >= 64");
        int candidateBits = safePrimeBits - 1; // p' has one bit fewer than p = 2p'+1
        boolean[] struckOut = new boolean[WINDOW_CANDIDATES];
        while (true) {
            // p has its top two bits set iff p' does (p' = (p-1)/2 shifts them down by one).
            BigInteger start = new BigInteger(candidateBits, random)
                    .setBit(candidateBits - 1).setBit(candidateBits - 2).setBit(0);
            java.util.Arrays.fill(struckOut, false);
            sieve(start, struckOut);
            for (int j = 0; j < WINDOW_CANDIDATES; j++) {
                if (struckOut[j]) continue;
                BigInteger pPrime = start.add(BigInteger.valueOf(2L * j));
                if (pPrime.bitLength() != candidateBits) break; // ran off the top of the range: draw again
                BigInteger p = pPrime.shiftLeft(1).setBit(0);
                if (!BigInteger.TWO.modPow(p.subtract(BigInteger.ONE), p).equals(BigInteger.ONE)) continue;
                if (!pPrime.isProbablePrime(PRIME_CERTAINTY)) continue;
                if (!p.isProbablePrime(PRIME_CERTAINTY)) continue;
                return pPrime;
            }
        }
    }

    /** Strikes out candidate j (start + 2j) when a small prime divides it or twice it plus one. */
    static void sieve(BigInteger start, boolean[] struckOut) {
        int[] words = magnitudeWords(start);
        int window = struckOut.length;
        for (int r : SIEVE_PRIMES) {
            int t = residue(words, r);
            long inverseOfTwo = (r + 1) / 2;
            // start + 2j = 0 mod r  <=>  j = -t / 2 mod r
            int first = (int) (((r - t) % r) * inverseOfTwo % r);
            // 2(start + 2j) + 1 = 0 mod r  <=>  start + 2j = (r-1)/2 mod r  <=>  j = ((r-1)/2 - t) / 2 mod r
            int second = (int) ((((r - 1) / 2 - t) % r + r) % r * inverseOfTwo % r);
            for (int j = first; j < window; j += r) struckOut[j] = true;
            for (int j = second; j < window; j += r) struckOut[j] = true;
        }
    }

    /** The magnitude as 32-bit words, most significant first. */
    private static int[] magnitudeWords(BigInteger v) {
        byte[] bytes = v.toByteArray();
        int wordCount = (bytes.length + 3) / 4;
        int[] words = new int[wordCount];
        for (int i = 0; i < bytes.length; i++) {
            int fromEnd = bytes.length - 1 - i;
            words[wordCount - 1 - fromEnd / 4] |= (bytes[i] & 0xff) << (8 * (fromEnd % 4));
        }
        return words;
    }

    /** v mod r for small r, by Horner over 32-bit words: cheaper than thousands of BigInteger.mod calls. */
    private static int residue(int[] words, int r) {
        long rem = 0;
        for (int w : words) rem = ((rem << 32) | (w & 0xffffffffL)) % r;
        return (int) rem;
    }

    static int[] oddPrimesUpTo(int max) {
        boolean[] composite = new boolean[max + 1];
        int count = 0;
        for (int i = 3; i <= max; i += 2) {
            if (composite[i]) continue;
            count++;
            for (long j = (long) i * i; j <= max; j += 2L * i) composite[(int) j] = true;
        }
        int[] primes = new int[count];
        int at = 0;
        for (int i = 3; i <= max; i += 2) if (!composite[i]) primes[at++] = i;
        return primes;
    }
}
