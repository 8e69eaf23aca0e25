package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.involving;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A member that voted the primary out alone, while the others stayed happily in the old view,
 * must not fall behind for good. It can never go back to the old view (its view change promised
 * not to), and once the others are idle and their tail announcements are spent nothing tells it
 * that it is behind. Found by the swarm (seeds 1511 and 1542 of `sim --swarm`: one PBFT server of
 * a site waited in view 1 for a minute while its site executed on in view 0).
 */
class PbftLoneViewChangeTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 2);

    @Test
    void aMemberWaitingAloneForANewViewFetchesWhatTheOldViewDecided() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 3; k++) c.submit(k % 3, p("before-" + k));
        c.deliverAll();

        // Member 3 suspects the primary alone: a payload reaches it, but nothing of its ordering does.
        c.submit(1, p("suspected"));
        c.deliverWhere(m -> m.to() == 3 && m.from() == 1);
        c.deliverWhere(involving(3).negate());
        c.dropWhere(involving(3));
        for (int k = 0; k < 2 && c.core(3).isViewActive(); k++) {
            if (c.armed(3, PbftCore.REQUEST)) c.fire(3, PbftCore.REQUEST);
            c.dropWhere(involving(3));
        }
        assertFalse(c.core(3).isViewActive(), c.core(3).describe());
        assertTrue(c.core(0).isViewActive() && c.core(0).view() == 0, c.core(0).describe());

        // The others go on in view 0 without it, and spend their tail announcements while it is cut off.
        for (int k = 0; k < 6; k++) c.submit(k % 3, p("without-3-" + k));
        for (int round = 0; round < 12; round++) {
            c.deliverWhere(involving(3).negate());
            c.dropWhere(involving(3));
            for (int i = 0; i < 3; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
        }
        c.dropWhere(involving(3));
        for (int i = 0; i < 3; i++) assertFalse(c.armed(i, PbftCore.RETRANSMIT), "member " + i + " still retransmitting");
        assertTrue(c.core(3).deliveredThrough() < c.core(0).deliveredThrough());

        // Healed. The others are idle; only member 3's own timers can move anything.
        for (int round = 0; round < 64 && c.core(3).deliveredThrough() < c.core(0).deliveredThrough(); round++) {
            for (int i = 0; i < 4; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        assertEquals(c.deliveredLog(0), c.deliveredLog(3), c.core(3).describe());
        assertEquals(List.of(), c.violations());
    }

    /**
     * The mirror image: the primary of view 0 restarts while the others install view 1, and its
     * query on restart is lost. Active in view 0 and sure it leads, it sends nothing the others
     * would answer with a view change; its stale pre-prepare must get it the new view instead.
     * Found by the swarm (seed 1226: server 0.0 stayed in view 0 while its site ran in view 1).
     */
    @Test
    void aRestartedPrimaryThatMissedTheNewViewIsHandedItWhenItSpeaksInTheOldView() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 3; k++) c.submit(k % 3 + 1, p("before-" + k));
        c.deliverAll();
        c.crash(0);
        c.submit(1, p("no-primary"));
        c.deliverAll();
        for (int round = 0; round < 4 && c.core(1).view() == 0; round++) {
            for (int i = 1; i < 4; i++) if (c.armed(i, PbftCore.REQUEST)) c.fire(i, PbftCore.REQUEST);
            c.deliverAll();
        }
        assertTrue(c.core(1).isViewActive() && c.core(1).view() == 1, c.core(1).describe());
        long decided = c.core(1).deliveredThrough();

        c.restart(0);
        c.dropWhere(involving(0)); // its query on restart is lost
        assertTrue(c.core(0).isViewActive() && c.core(0).view() == 0, c.core(0).describe());
        c.submit(0, p("from-the-old-primary")); // it proposes in view 0; the others see a stale pre-prepare
        c.deliverAll();
        for (int round = 0; round < 8 && c.core(0).deliveredThrough() <= decided; round++) {
            for (int i = 0; i < 4; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
            for (int i = 0; i < 4; i++) if (c.armed(i, PbftCore.REQUEST)) c.fire(i, PbftCore.REQUEST);
            c.deliverAll();
        }
        assertEquals(1, c.core(0).view(), c.core(0).describe());
        assertTrue(c.core(0).deliveredThrough() > decided, c.core(0).describe());
        assertEquals(c.deliveredLog(1), c.deliveredLog(0));
        assertEquals(List.of(), c.violations());
    }
}
