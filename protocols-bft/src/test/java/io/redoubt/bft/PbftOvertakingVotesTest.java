package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.from;
import static io.redoubt.bft.PbftTestCluster.to;
import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prepares and commits that overtake their pre-prepare are kept for it (Castro and Liskov,
 * OSDI '99, section 4.2: a replica logs the messages of its current view; the network may reorder
 * them). A slot first touched by such a vote must belong to the current view at once, or the
 * pre-prepare (or the next vote) "resets" it and throws the early votes away; the member then
 * waits for retransmissions. Written against the mutants PIT left alive in {@code PbftCore.onPrepare}
 * and {@code onCommit} (Slot.resetTo removed from either).
 */
class PbftOvertakingVotesTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4);

    @Test
    void votesThatArriveBeforeThePrePrepareCountOnceItArrives() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        // Slot 0: the others' prepares reach member 3 before the pre-prepare.
        c.submit(1, p("x"));
        c.deliverWhere(to(3).and(type(PrePrepare.class)).negate().and(to(3).and(type(Commit.class)).negate()));
        // Two pre-prepares: the slot committed at the primary without a word from member 3, so it sent it again.
        assertTrue(c.pending(to(3).and(type(PrePrepare.class))).size() == 2 && c.pending(to(3).and(type(Commit.class))).size() == 3);
        assertEquals(Map.of(0L, batch("x")), c.deliveredLog(0));
        c.deliverWhere(to(3).and(type(PrePrepare.class)));
        c.deliverWhere(to(3).and(type(Commit.class)).and(from(3).negate()));
        assertEquals(Map.of(0L, batch("x")), c.deliveredLog(3), "prepared on the pre-prepare with the prepares it already held: " + c.core(3).describe());

        // Slot 1: the others' commits reach member 3 first, then their prepares, then the pre-prepare.
        c.deliverAll();
        c.submit(1, p("y"));
        c.deliverWhere(to(3).negate());
        c.deliverWhere(to(3).and(type(Commit.class)));
        c.deliverWhere(to(3).and(type(Prepare.class)));
        assertEquals(2, c.pending(to(3).and(type(PrePrepare.class))).size(),
                "the pre-prepare is still on its way to member 3, twice (the primary sent it again on committing without member 3)");
        assertEquals(List.of(), c.pending(to(3).and(type(Prepare.class).or(type(Commit.class)))));
        c.deliverWhere(to(3).and(type(PrePrepare.class)));
        assertEquals(batch("y"), c.deliveredLog(3).get(1L), "committed on its own commit and the three it already held: " + c.core(3).describe());
        assertEquals(List.of(), c.violations());
    }
}
