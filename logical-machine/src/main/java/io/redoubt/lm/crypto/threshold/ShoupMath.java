package io.redoubt.lm.crypto.threshold;

import java.math.BigInteger;

/** The integer arithmetic of Shoup 2000 that signers and combiner share. */
final class ShoupMath {
    private ShoupMath() {}

    /** Delta = l!: it clears every denominator of the Lagrange coefficients below. */
    static BigInteger delta(int servers) {
        BigInteger f = BigInteger.ONE;
        for (int i = 2; i <= servers; i++) f = f.multiply(BigInteger.valueOf(i));
        return f;
    }

    /**
     * lambda^S_{0,j} = Delta * prod_{j' in S \ {j}} (0 - j') / prod_{j' in S \ {j}} (j - j')
     * (Shoup 2000, "Combining Shares"), an integer because Delta = l! is divisible by every such denominator. Then
     * Delta * f(0) = sum_{j in S} lambda^S_{0,j} f(j) for any polynomial f of degree < |S|.
     */
    static BigInteger lagrangeAtZero(BigInteger delta, int[] set, int j) {
        BigInteger numerator = delta;
        BigInteger denominator = BigInteger.ONE;
        for (int other : set) {
            if (other == j) continue;
            numerator = numerator.multiply(BigInteger.valueOf(-other));
            denominator = denominator.multiply(BigInteger.valueOf(j - other));
        }
        BigInteger[] qr = numerator.divideAndRemainder(denominator);
        if (qr[1].signum() != 0) {
            throw new IllegalStateException("lambda not an integer for S=" + java.util.Arrays.toString(set) + ", j=" + j
                    + "; the set must be distinct indices in 1..l with delta = l!");
        }
        return qr[0];
    }
}
