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
}
