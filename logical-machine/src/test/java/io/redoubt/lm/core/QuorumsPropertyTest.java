package io.redoubt.lm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every formula of {@link Quorums} against a plain oracle that knows only the definitions
 * (section 4.2): it enumerates subsets by bit mask for small groups, and for larger ones reasons
 * from the counting identity |A ∩ B| >= |A| + |B| - n, searching sizes one by one.
 */
@Tag("property")
class QuorumsPropertyTest {
    private static final int EXHAUSTIVE_MAX = 10;
    private static final int N_MAX = 200;

    /** The least intersection of two q-subsets of n members, by enumeration (small n) or counting. */
    private static int leastIntersection(int n, int q) {
        if (n > EXHAUSTIVE_MAX) return Math.max(0, 2 * q - n);
        int least = Integer.MAX_VALUE;
        for (int a = 0; a < 1 << n; a++) {
            if (Integer.bitCount(a) != q) continue;
            for (int b = 0; b < 1 << n; b++) {
                if (Integer.bitCount(b) == q) least = Math.min(least, Integer.bitCount(a & b));
            }
        }
        return least;
    }

    /** Largest f with a group size of at least {@code perFault * f + 1}, by search. */
    private static int largestF(int n, int perFault) {
        int f = 0;
        while (perFault * (f + 1) + 1 <= n) f++;
        return f;
    }

    @Test
    void faultsToleratedAreTheLargestFForWhichTheGroupIsBigEnough() {
        for (int n = 1; n <= N_MAX; n++) {
            assertEquals(largestF(n, 2), Quorums.crashFaultsTolerated(n), "crash faults of n = " + n);
            assertEquals(largestF(n, 3), Quorums.byzantineFaultsTolerated(n), "Byzantine faults of n = " + n);
            assertEquals(n >= Quorums.benignGroupSize(Quorums.crashFaultsTolerated(n)), true);
            assertEquals(n >= Quorums.byzantineGroupSize(Quorums.byzantineFaultsTolerated(n)), true);
        }
    }

    @Test
    void majorityIsTheSmallestSizeAtWhichAnyTwoQuorumsIntersect() {
        for (int n = 1; n <= N_MAX; n++) {
            int smallest = 1;
            while (leastIntersection(n, smallest) < 1) smallest++;
            assertEquals(smallest, Quorums.majority(n), "n = " + n);
            // Liveness: the members left after f crashes still form a quorum.
            assertEquals(true, n - Quorums.crashFaultsTolerated(n) >= Quorums.majority(n), "n = " + n);
        }
    }

    @Test
    void byzantineQuorumIsTheSmallestSizeWhoseIntersectionsHoldACorrectMember() {
        for (int n = 1; n <= N_MAX; n++) {
            int f = Quorums.byzantineFaultsTolerated(n);
            int smallest = 1;
            while (leastIntersection(n, smallest) < f + 1) smallest++;
            assertEquals(smallest, Quorums.byzantineQuorum(n), "n = " + n);
            assertEquals(true, n - f >= Quorums.byzantineQuorum(n), "the correct members alone form a quorum, n = " + n);
            if (n == 3 * f + 1) assertEquals(2 * f + 1, Quorums.byzantineQuorum(n), "2f+1 when n = 3f+1");
        }
    }

    @Test
    void oneCorrectOutnumbersTheFaulty() {
        for (int f = 0; f <= 60; f++) {
            int k = Quorums.oneCorrect(f);
            // Any k voters drawn from a group with f faulty members include a correct one, and k is the least such count.
            assertEquals(true, k > f);
            assertEquals(false, k - 1 > f);
        }
    }

    @Test
    void nonsenseSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Quorums.majority(0));
        assertThrows(IllegalArgumentException.class, () -> Quorums.byzantineQuorum(-1));
        assertThrows(IllegalArgumentException.class, () -> Quorums.oneCorrect(-1));
    }
}
