package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.from;
import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Forward;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link PbftConfig#forwardToPrimaryFirst()}: a submitted payload goes to the primary alone, as a
 * PBFT client's request does (OSDI '99, section 4.1), and to every member only when the request
 * timer finds it unordered. Among logical machines each copy is a wide-area message and an event
 * its site must order, so sending to all at once cost every site a local ordering per update.
 */
class PbftForwardToPrimaryFirstTest {
    private static PbftConfig primaryFirst() {
        return cfg(16, 8, 8).withForwardToPrimaryFirst(true);
    }

    private static Set<Integer> forwardsFrom(PbftTestCluster c, int member) {
        Set<Integer> to = new TreeSet<>();
        for (PbftTestCluster.Envelope e : c.pending(type(Forward.class).and(from(member)))) to.add(e.to());
        return to;
    }

    @Test
    void aBackupsPayloadGoesToThePrimaryAloneAndIsOrderedEverywhere() {
        PbftTestCluster c = new PbftTestCluster(4, primaryFirst());
        c.startAll();
        c.submit(2, p("x"));
        assertEquals(Set.of(0), forwardsFrom(c, 2), "one forward, to the primary of view 0");
        c.deliverAll();
        for (int i = 0; i < 4; i++) assertEquals(List.of(p("x")), c.deliveredLog(i).get(0L), "member " + i);
        assertEquals(List.of(), c.violations());
    }

    @Test
    void thePrimarysOwnPayloadNeedsNoForwardAtAll() {
        PbftTestCluster c = new PbftTestCluster(4, primaryFirst());
        c.startAll();
        c.submit(0, p("own"));
        assertEquals(Set.of(), forwardsFrom(c, 0));
        c.deliverAll();
        for (int i = 0; i < 4; i++) assertEquals(List.of(p("own")), c.deliveredLog(i).get(0L), "member " + i);
    }

    @Test
    void withTheSwitchOffEveryMemberHearsAtOnce() {
        PbftTestCluster c = new PbftTestCluster(4, cfg(16, 8, 8));
        c.startAll();
        c.submit(2, p("x"));
        assertEquals(Set.of(0, 1, 3), forwardsFrom(c, 2));
    }

    // The primary ignores the payload (crashed here): the submitter's request timer sends it to
    // everyone, their timers start on it, and together they vote the primary out and order it.
    @Test
    void aPayloadThePrimaryIgnoresReachesEveryoneAtTheFirstTimeoutAndANewPrimaryOrdersIt() {
        PbftTestCluster c = new PbftTestCluster(4, primaryFirst());
        c.startAll();
        c.crash(0);
        c.submit(2, p("x"));
        c.deliverAll(); // the forward to the crashed primary is lost
        assertTrue(c.armed(2, PbftCore.REQUEST));
        assertTrue(!c.armed(1, PbftCore.REQUEST) && !c.armed(3, PbftCore.REQUEST), "the others have not heard of it yet");
        c.fire(2, PbftCore.REQUEST);
        assertEquals(Set.of(0, 1, 3), forwardsFrom(c, 2), "at its first timeout the submitter sends it to all");
        c.deliverAll();
        for (int tick = 0; tick < 4 && c.core(1).view() == 0; tick++) {
            for (int i = 1; i < 4; i++) if (c.armed(i, PbftCore.REQUEST)) c.fire(i, PbftCore.REQUEST);
            c.deliverAll();
        }
        for (int i = 1; i < 4; i++) {
            assertEquals(1, c.core(i).view(), "member " + i + ": " + c.core(i).describe());
            assertTrue(c.deliveredLog(i).values().stream().anyMatch(b -> b.contains(p("x"))), "member " + i + " ordered it");
        }
        assertEquals(List.of(), c.violations());
    }
}
