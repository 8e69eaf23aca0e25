package io.redoubt.blink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.blink.LinkFaultSearch.SubProtocol;
import io.redoubt.blink.LinkFaultSearch.Worst;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Table 4.1 of Lane 2008 against the adversary's best placement of faulty servers, found by
 * trying every placement: for each sub-protocol, both directions (sender larger and sender
 * smaller) and f from 1 to 3 at each end, the longest run of blocked virtual links never exceeds
 * the table's VL_max bound and the correct links never fall below the table's fraction.
 */
class LinkFaultSearchTest {
    static final int F_MAX = 3;

    record Case(boolean senderByzantine, int fSender, boolean receiverByzantine, int fReceiver) {
        SubProtocol subProtocol() {
            return SubProtocol.of(senderByzantine, receiverByzantine);
        }

        int senderServers() {
            return LinkFaultSearch.servers(senderByzantine, fSender);
        }

        int receiverServers() {
            return LinkFaultSearch.servers(receiverByzantine, fReceiver);
        }

        @Override
        public String toString() {
            return subProtocol().label() + " " + senderServers() + " servers (f=" + fSender + ") -> " + receiverServers() + " (f=" + fReceiver + ")";
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (boolean sb : new boolean[] {true, false}) {
            for (boolean rb : new boolean[] {true, false}) {
                for (int fs = 1; fs <= F_MAX; fs++) for (int fr = 1; fr <= F_MAX; fr++) cases.add(new Case(sb, fs, rb, fr));
            }
        }
        return cases;
    }

    @Test
    void noPlacementBlocksMoreThanTable41AllowsNorLeavesFewerCorrectLinks() {
        int senderLarger = 0, senderSmaller = 0;
        for (Case c : cases()) {
            Worst w = LinkFaultSearch.search(c.senderByzantine(), c.fSender(), c.receiverByzantine(), c.fReceiver());
            int bound = c.subProtocol().vlMaxBound(c.fSender(), c.fReceiver());
            assertTrue(w.longestBlockedRun() <= bound, c + ": faulty senders " + w.faultySenders() + " and receivers " + w.faultyReceivers()
                    + " block " + w.longestBlockedRun() + " consecutive virtual links; Table 4.1 allows " + bound);
            double ratio = c.subProtocol().correctNumerator() / (double) c.subProtocol().correctDenominator();
            assertTrue(w.smallestCorrectFraction() >= ratio, c + ": " + w.smallestCorrectFraction() + " of the links correct, table " + ratio);
            // The adversary always blocks something: at least one faulty end on some link.
            assertTrue(w.longestBlockedRun() >= 1, c::toString);
            if (c.senderServers() > c.receiverServers()) senderLarger++;
            if (c.senderServers() < c.receiverServers()) senderSmaller++;
        }
        assertTrue(senderLarger > 0 && senderSmaller > 0, "both directions covered: " + senderLarger + " / " + senderSmaller);
    }

    /**
     * The search finds what Equation 4.1 says the adversary can do: with f_A < 2 f_B + 1 the worst
     * run is f_A + f_B (section 4.4.5), so the bound of 2 f_A is met exactly when f_A = f_B.
     */
    @Test
    void theSearchReachesEquation41WhereItIsTight() {
        for (int f = 1; f <= F_MAX; f++) {
            Worst w = LinkFaultSearch.search(true, f, true, f);
            assertEquals(2 * f, w.longestBlockedRun(), "(Byz, Byz) f = " + f + ": " + w);
        }
        // Equation 4.1 with f_A = 2, f_B = 1: floor(2/3) * 4 + 1 + 2 mod 3 = 3.
        assertEquals(3, LinkFaultSearch.search(true, 2, true, 1).longestBlockedRun());
        assertEquals(3, LinkFaultSearch.search(true, 1, true, 2).longestBlockedRun());
    }

    /** (benign, benign): crashed forwarders and crashed peers are each skipped once, f_A + f_B in all. */
    @Test
    void peerSkippingMeetsItsBoundExactly() {
        for (int fs = 1; fs <= F_MAX; fs++) {
            for (int fr = 1; fr <= F_MAX; fr++) {
                assertEquals(fs + fr, LinkFaultSearch.search(false, fs, false, fr).longestBlockedRun(), fs + ", " + fr);
            }
        }
    }

    /**
     * Why P is oriented by size: built from the sender's side (the sender's servers shifting per
     * series, the receiver's wrapping), a 3-server Paxos site sending to a 4-server PBFT site
     * loses three consecutive virtual links to one crashed sender and one faulty receiver, where
     * Table 4.1 allows max(floor(2.5), 1) = 2. Oriented by size, the worst is 2.
     */
    @Test
    void buildingTheOrderFromTheSendersSideBreaksTable41() {
        int s = 3, r = 4, lcm = 12;
        Worst senderSide = LinkFaultSearch.againstOrder(s, r, s * lcm, s * r,
                p -> new VirtualLink((int) ((p % lcm + p / lcm) % s), (int) (p % lcm % r)), 1, 1);
        int bound = SubProtocol.BENIGN_BYZANTINE.vlMaxBound(1, 1);
        assertEquals(2, bound);
        assertEquals(3, senderSide.longestBlockedRun(), senderSide.toString());
        assertEquals(2, LinkFaultSearch.search(false, 1, true, 1).longestBlockedRun());
    }

    @Test
    void subsetsAreAllVisitedOnce() {
        int[] count = {0};
        LinkFaultSearch.forEachSubset(7, 3, chosen -> {
            int k = 0;
            for (boolean b : chosen) if (b) k++;
            assertEquals(3, k);
            count[0]++;
        });
        assertEquals(35, count[0]);
    }
}
