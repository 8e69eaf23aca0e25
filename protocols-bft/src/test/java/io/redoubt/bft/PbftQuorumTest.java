package io.redoubt.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.core.Quorums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** Tier 3: quorum arithmetic against a simple oracle (Castro and Liskov, OSDI '99, section 4; Lane 2008, section 2.2.2). */
@Tag("property")
class PbftQuorumTest {

    // Lane 2008, section 2.2.2: "BFT ... requires acknowledgments from 2f + 1 out of 3f + 1 servers".
    @Test
    void quorumIsTwoFPlusOneWhenNIsThreeFPlusOne() {
        for (int f = 0; f <= 13; f++) {
            assertEquals(f, Quorums.byzantineFaultsTolerated(3 * f + 1));
            assertEquals(2 * f + 1, Quorums.byzantineQuorum(3 * f + 1), "n = " + (3 * f + 1));
        }
    }

    // Any two quorums intersect in at least f + 1 members (so in a correct one), and the n - f
    // correct members alone form a quorum (liveness), for every n from 1 to 40.
    @Test
    void anyTwoQuorumsShareAtLeastFPlusOneMembersAndCorrectMembersFormAQuorum() {
        for (int n = 1; n <= 40; n++) {
            int f = Quorums.byzantineFaultsTolerated(n);
            int q = Quorums.byzantineQuorum(n);
            assertTrue(3 * f + 1 <= n && n < 3 * (f + 1) + 1, "f = floor((n-1)/3) for n = " + n);
            assertEquals((int) Math.ceil((n + f + 1) / 2.0), q, "ceil((n+f+1)/2) for n = " + n);
            assertTrue(q <= n - f, "the correct members alone form a quorum, n = " + n);
            // Oracle: the smallest possible overlap of two q-subsets of n is 2q - n; check it
            // exhaustively on bit masks for small n, by the formula above that.
            int minOverlap = 2 * q - n;
            assertTrue(minOverlap >= f + 1, "two quorums of " + q + " out of " + n + " share only " + minOverlap);
            if (n <= 12) assertEquals(minOverlap, exhaustiveMinOverlap(n, q), "n = " + n);
        }
    }

    // n = 5 sites with F = 1 (Lane 2008, section 4.3: 3F+1 sites, or more).
    @Test
    void fiveMembersTolerateOneFaultWithAQuorumOfFour() {
        assertEquals(1, Quorums.byzantineFaultsTolerated(5));
        assertEquals(4, Quorums.byzantineQuorum(5));
    }

    private static int exhaustiveMinOverlap(int n, int q) {
        int best = n;
        for (int a = 0; a < 1 << n; a++) {
            if (Integer.bitCount(a) != q) continue;
            for (int b = 0; b < 1 << n; b++) {
                if (Integer.bitCount(b) == q) best = Math.min(best, Integer.bitCount(a & b));
            }
        }
        return best;
    }
}
