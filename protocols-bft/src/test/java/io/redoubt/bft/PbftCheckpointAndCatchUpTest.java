package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.involving;
import static io.redoubt.bft.PbftTestCluster.to;
import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.assertPersistBeforeSend;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.SlotProof;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Group 3: checkpoints, garbage collection and state transfer (Castro and Liskov, OSDI '99, section 4.3; TOCS 2002, section 5.3). */
class PbftCheckpointAndCatchUpTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 2);

    // Castro and Liskov, section 4.3: a checkpoint with 2f+1 matching signed messages is stable; the
    // low watermark moves to it and the log below it is discarded, so memory stays bounded.
    @Test
    void stableCheckpointsMoveTheLowWatermarkAndKeepTheLogWithinTheWindow() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        int maxLog = 0;
        for (int k = 0; k < 60; k++) {
            c.submit(k % 4, p("c" + k));
            for (int step = 0; step < 40 && !c.pending().isEmpty(); step++) {
                c.deliver(c.pending().get(0));
                for (int i = 0; i < 4; i++) maxLog = Math.max(maxLog, c.core(i).logSize());
            }
        }
        c.deliverAll();
        long delivered = c.core(0).deliveredThrough();
        assertTrue(delivered >= 29, "60 payloads in batches of at most 2: " + delivered);
        for (int i = 0; i < 4; i++) {
            assertEquals(delivered, c.core(i).deliveredThrough());
            assertEquals(c.core(0).chainDigest(), c.core(i).chainDigest(), "identical hash chains");
            assertTrue(c.core(i).stableCheckpoint() >= delivered - 4, c.core(i).describe());
        }
        assertTrue(maxLog <= CONFIG.windowSlots(), "log size " + maxLog + " stays within the window");
        assertEquals(List.of(), c.violations());
        assertPersistBeforeSend(c);
    }

    // Castro and Liskov, TOCS 2002, section 5.3 (state transfer): a replica that fell behind the
    // others' low watermark learns of it from their checkpoints and fetches what it missed, with proof.
    @Test
    void aMemberCutOffWhileOthersMovedPastItsWindowCatchesUpWithProof() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 40; k++) {
            c.submit(k % 3, p("while-away-" + k));
            c.dropWhere(involving(3));
            c.deliverWhere(involving(3).negate());
        }
        long others = c.core(0).deliveredThrough();
        assertTrue(others >= 19 && c.core(0).stableCheckpoint() > 8, c.core(0).describe());
        assertEquals(-1, c.core(3).deliveredThrough());
        // Member 3 is back; a few more payloads produce checkpoints that tell it it is behind.
        for (int k = 0; k < 8; k++) c.submit(k % 3, p("after-" + k));
        c.deliverAll();
        for (int round = 0; round < 5 && c.core(3).deliveredThrough() < c.core(0).deliveredThrough(); round++) {
            if (c.armed(3, PbftCore.RETRANSMIT)) c.fire(3, PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        assertEquals(c.deliveredLog(0), c.deliveredLog(3));
        assertEquals(c.core(0).chainDigest(), c.core(3).chainDigest());
        // And it takes part again.
        c.submit(3, p("back"));
        c.deliverAll();
        for (int i = 0; i < 4; i++) assertTrue(c.deliveredLog(i).values().stream().anyMatch(b -> b.contains(p("back"))), "member " + i);
        assertEquals(List.of(), c.violations());
    }

    /** A cluster in which members 0..2 ordered 8 slots (checkpoints 3 and 7 stable) while member 3 heard nothing. */
    private static PbftTestCluster aheadWithoutMember3() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 8; k++) {
            c.submit(k % 3, p("r" + k));
            c.dropWhere(involving(3));
            c.deliverWhere(involving(3).negate());
        }
        assertEquals(7, c.core(0).deliveredThrough());
        return c;
    }

    private static List<Checkpoint> checkpointsAt(PbftTestCluster c, long seq) {
        List<Checkpoint> proof = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (Checkpoint cp : c.out(i).sentMessages(Checkpoint.class)) if (cp.sequence() == seq && !proof.contains(cp)) proof.add(cp);
        }
        return proof;
    }

    // State transfer by checkpoint proof: batches are accepted when their hash chain reproduces the
    // digest certified by a quorum of signed checkpoints; altered batches or a thin proof are refused.
    @Test
    void batchesProvedByACheckpointCertificateAreAcceptedAndAlteredOnesRefused() {
        PbftTestCluster c = aheadWithoutMember3();
        List<List<Bytes>> batches = new ArrayList<>(c.deliveredLog(0).values());
        List<Checkpoint> proof = checkpointsAt(c, 7);
        assertEquals(3, proof.size());
        List<List<Bytes>> altered = new ArrayList<>(batches);
        altered.set(5, List.of(p("altered")));
        c.core(3).onMessage(1, c.keys.sign(1, new FetchReply(0, List.of(new SlotProof(0, altered, proof, List.of())), 1, Bytes.EMPTY)));
        c.core(3).onMessage(1, c.keys.sign(1, new FetchReply(0, List.of(new SlotProof(0, batches, proof.subList(0, 2), List.of())), 1, Bytes.EMPTY)));
        assertEquals(List.of(Rejection.PROTOCOL_VIOLATION, Rejection.PROTOCOL_VIOLATION), c.out(3).rejectionReasons());
        assertEquals(-1, c.core(3).deliveredThrough());
        c.core(3).onMessage(1, c.keys.sign(1, new FetchReply(0, List.of(new SlotProof(0, batches, proof, List.of())), 1, Bytes.EMPTY)));
        assertEquals(7, c.core(3).deliveredThrough());
        assertEquals(7, c.core(3).stableCheckpoint());
        assertEquals(c.deliveredLog(0), c.deliveredLog(3));
        // Having fetched by checkpoint proof, member 3 can itself serve another member that lags.
        c.dropWhere(e -> true);
        c.core(3).onMessage(2, c.keys.sign(2, new PbftMessage.FetchRequest(0, 0, 7, 2, Bytes.EMPTY)));
        FetchReply served = c.out(3).sentMessages(FetchReply.class).get(0);
        assertEquals(1, served.proofs().size());
        assertEquals(8, served.proofs().get(0).batches().size());
    }

    // The largest reply a member serves (a newer stable checkpoint proof ahead of catchUpSlotsMax
    // committed slots) must decode at the member that asked: a laggard far behind, whose request
    // names an older stable checkpoint, is otherwise refused its catch-up for good.
    @Test
    void aFullFetchReplyAheadOfALaggardsCheckpointDecodes() throws Exception {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 60; k++) {
            c.submit(k % 3, p("while-away-" + k));
            c.dropWhere(involving(3));
            c.deliverWhere(involving(3).negate());
        }
        assertTrue(c.core(0).deliveredThrough() >= CONFIG.catchUpSlotsMax() + 1, c.core(0).describe());
        c.dropWhere(e -> true);
        c.core(0).onMessage(3, c.keys.sign(3, new PbftMessage.FetchRequest(0, 0, -1, 3, Bytes.EMPTY)));
        FetchReply served = c.out(0).sentMessages(FetchReply.class).get(0);
        long slots = served.proofs().stream().mapToLong(sp -> sp.batches().size()).sum();
        assertEquals(CONFIG.catchUpSlotsMax(), slots, "a full reply");
        assertTrue(served.proofs().get(0).batches().isEmpty(), "led by the stable checkpoint proof");
        PbftMessage decoded = PbftMessage.decode(served.encode(), CONFIG, 4);
        assertEquals(served, decoded);
    }

    // A member that restarts after the others finished and fell silent hears nothing that could
    // tell it it is behind: it must ask on its own (like the recovering replica of Castro and
    // Liskov, TOCS 2002, section 4.3, which queries the others before it rejoins).
    @Test
    void aMemberRestartedAfterTheOthersWentIdleAsksAndCatchesUp() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 4; k++) c.submit(k % 4, p("before-" + k));
        c.deliverAll();
        c.crash(2);
        for (int k = 0; k < 30; k++) c.submit(k % 2, p("while-down-" + k));
        c.deliverAll();
        long others = c.core(0).deliveredThrough();
        assertTrue(others > c.core(0).stableCheckpoint() && c.core(0).stableCheckpoint() > 8, c.core(0).describe());
        c.restart(2);
        c.deliverAll(); // no new payloads, no timers: only what the restarted member itself starts
        assertEquals(c.deliveredLog(0), c.deliveredLog(2));
        assertEquals(List.of(), c.violations());
    }

    // A member cut off while the last slots were decided, with the others idle afterwards, hears
    // nothing that tells it it is behind; the others announce their last commit to members not
    // known to hold it (a few times, further and further apart), and it fetches the rest.
    @Test
    void aMemberCutOffAtTheEndLearnsFromTheOthersTailAnnouncements() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 3; k++) c.submit(k % 3, p("before-" + k));
        c.deliverAll();
        for (int k = 0; k < 3; k++) {
            c.submit(k % 3, p("last-" + k));
            c.dropWhere(involving(3));
            c.deliverWhere(involving(3).negate());
        }
        c.dropWhere(involving(3)); // the last of it too
        assertTrue(c.core(3).deliveredThrough() < c.core(0).deliveredThrough());
        for (int round = 0; round < 8 && c.core(3).deliveredThrough() < c.core(0).deliveredThrough(); round++) {
            for (int i = 0; i < 4; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        assertEquals(c.deliveredLog(0), c.deliveredLog(3));
        // And the announcements stop: the timers fall silent within the bound.
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 4; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        for (int i = 0; i < 4; i++) assertTrue(!c.armed(i, PbftCore.RETRANSMIT), "member " + i + " still retransmitting");
        assertEquals(List.of(), c.violations());
    }

    // Castro and Liskov, section 4.3 / TOCS 2002, section 4.1: a restarted replica recovers what it
    // persisted: it re-delivers the decided prefix and keeps its view, checkpoint and votes.
    @Test
    void aRestartedMemberRedeliversItsDecidedPrefixAndRejoins() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 10; k++) c.submit(k % 4, p("pre-" + k));
        c.deliverAll();
        Map<Long, List<Bytes>> before = c.deliveredLog(2);
        c.crash(2);
        c.restart(2);
        assertEquals(before, c.deliveredLog(2), "the new incarnation re-delivers what was decided");
        assertEquals(c.core(0).stableCheckpoint(), c.core(2).stableCheckpoint());
        c.submit(2, p("after-restart"));
        c.deliverAll();
        for (int i = 0; i < 4; i++) assertTrue(c.deliveredLog(i).values().stream().anyMatch(b -> b.contains(p("after-restart"))));
        // The primary restarts too, in the middle of ordering.
        c.submit(1, p("in-flight"));
        c.deliverWhere(type(PbftMessage.Forward.class).and(to(0)));
        c.crash(0);
        c.restart(0);
        c.deliverAll();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        for (int i = 0; i < 4; i++) assertEquals(c.deliveredLog(0), c.deliveredLog(i), "member " + i);
        assertEquals(List.of(), c.violations());
        assertPersistBeforeSend(c);
    }
}
