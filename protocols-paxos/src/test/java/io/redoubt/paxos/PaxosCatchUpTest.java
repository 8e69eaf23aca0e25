package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestCluster.from;
import static io.redoubt.paxos.PaxosTestCluster.to;
import static io.redoubt.paxos.PaxosTestCluster.type;
import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.testkit.RecordingOutbox.Delivered;
import io.redoubt.paxos.PaxosMessage.CatchUpReply;
import io.redoubt.paxos.PaxosMessage.CatchUpRequest;
import io.redoubt.paxos.PaxosMessage.Heartbeat;
import io.redoubt.paxos.PaxosMessage.HeartbeatAck;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import io.redoubt.paxos.PaxosTestCluster.Envelope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Group 6: a member that missed decisions learns how far the leader has decided (piggybacked on
 * proposals and heartbeats) and fetches the missing slots (Lane 2008, section 2.2.1 and the
 * PaxosCore class comment: "catch-up fills slots it never saw").
 */
class PaxosCatchUpTest {

    /** Three members; slots 0..k-1 decided by members 0 and 1 while every message to member 2 is lost. */
    private static PaxosTestCluster<Integer> member2Missed(int k, PaxosConfig config) {
        PaxosTestCluster<Integer> c = startedCluster(3, config);
        for (int i = 0; i < k; i++) c.submit(0, p("m" + i));
        while (!c.pending().isEmpty()) {
            c.dropWhere(to(2));
            c.deliverWhere(to(2).negate());
        }
        assertEquals(k - 1L, c.core(0).decidedThrough());
        assertTrue(c.deliveries(2).isEmpty());
        return c;
    }

    private static List<Delivered> expected(int k) {
        List<Delivered> d = new ArrayList<>();
        for (int i = 0; i < k; i++) d.add(new Delivered(i, batch("m" + i)));
        return d;
    }

    // Lane 2008, section 2.2.1: the leader's decidedThrough, piggybacked on a proposal, shows the
    // member it is behind; it asks for the missing slots and delivers them in order, exactly once.
    @Test
    void decidedThroughPiggybackedOnProposeTriggersCatchUpAndInOrderDelivery() {
        PaxosTestCluster<Integer> c = member2Missed(3, cfg(4, 1));
        c.submit(0, p("m3"));
        Envelope propose = c.only(type(Propose.class).and(to(2)));
        assertEquals(new Propose(0, 3, batch("m3"), 2), propose.message());
        c.deliver(propose);
        assertTrue(c.deliveries(2).isEmpty(), "slot 3 is decided at member 2 but cannot be delivered before 0..2");
        assertEquals(List.of(new CatchUpRequest(0)), c.out(2).sentTo(0, CatchUpRequest.class));
        c.deliver(c.only(type(CatchUpRequest.class)));
        Envelope reply = c.only(type(CatchUpReply.class));
        assertEquals(new CatchUpReply(2, List.of(new SlotReport(0, 0, batch("m0"), true),
                new SlotReport(1, 0, batch("m1"), true), new SlotReport(2, 0, batch("m2"), true))), reply.message());
        c.duplicate(reply);
        c.deliver(reply); // a duplicated reply changes nothing
        c.deliverAll();
        assertEquals(expected(4), c.deliveries(2), "missing slots delivered in order, once each");
        assertEquals(1, c.out(2).sentMessages(CatchUpRequest.class).size(), "one request was enough");
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // Lane 2008, section 2.2.1: with no new proposals, the leader's retransmit timer sends
    // heartbeats to members that look behind, which then catch up.
    @Test
    void heartbeatFromTheLeaderTriggersCatchUpOfAnIdleLaggingMember() {
        PaxosTestCluster<Integer> c = member2Missed(3, cfg(4, 1));
        assertTrue(c.armed(0, PaxosCore.RETRANSMIT));
        c.fire(0, PaxosCore.RETRANSMIT); // idle: a member behind is heartbeat at once
        Envelope hb = c.only(type(Heartbeat.class).and(to(2)));
        assertEquals(new Heartbeat(0, 2), hb.message());
        c.deliver(hb);
        assertEquals(List.of(new CatchUpRequest(0)), c.out(2).sentTo(0, CatchUpRequest.class));
        assertEquals(List.of(new HeartbeatAck(0, -1)), c.out(2).sentTo(0, HeartbeatAck.class));
        c.deliverAll();
        assertEquals(expected(3), c.deliveries(2));
        // Once everyone is up to date the leader stops heartbeating: its timer is not re-armed.
        while (c.armed(0, PaxosCore.RETRANSMIT)) {
            c.fire(0, PaxosCore.RETRANSMIT);
            c.deliverAll();
        }
        int hbs = c.out(0).sentMessages(Heartbeat.class).size();
        assertTrue(hbs <= 3, "heartbeats stop once no member lags: " + hbs);
    }

    // Lane 2008, section 2.2.1: a member that accepted a slot in the leader's view but missed the
    // other accepts learns the decision from the leader's decidedThrough, with no catch-up.
    @Test
    void memberThatAcceptedButMissedAcceptsLearnsTheDecisionFromTheLeaderWithoutCatchUp() {
        PaxosTestCluster<Integer> c = startedCluster(5, cfg(4, 1));
        c.submit(0, p("x"));
        c.deliver(c.only(type(Propose.class).and(to(4))));
        while (!c.pending().isEmpty()) {
            c.dropWhere(to(4));
            c.deliverWhere(to(4).negate());
        }
        assertEquals(batch("x"), c.core(0).decidedValue(0));
        assertTrue(c.out(4).persistedRecords().contains(new PaxosRecord.Accepted(0, 0, batch("x"))), "member 4 accepted x");
        assertNull(c.core(4).decidedValue(0), "but saw no other accept");
        c.fire(0, PaxosCore.RETRANSMIT);
        c.deliverWhere(type(Heartbeat.class).and(to(4)));
        assertEquals(List.of(new Delivered(0, batch("x"))), c.deliveries(4));
        assertTrue(c.out(4).sentMessages(CatchUpRequest.class).isEmpty(), "no catch-up needed");
    }

    // Lane 2008, section 2.2.1: catch-up replies are bounded (catchUpSlotsMax); a member far
    // behind keeps asking until it has everything, and delivers every slot once, in order.
    @Test
    void longCatchUpArrivesInBoundedRepliesAndIsDeliveredInOrderExactlyOnce() {
        PaxosConfig config = cfg(4, 1); // catchUpSlotsMax 16
        PaxosTestCluster<Integer> c = member2Missed(40, config);
        c.fire(0, PaxosCore.RETRANSMIT);
        c.deliverAll();
        assertEquals(expected(40), c.deliveries(2));
        List<CatchUpReply> replies = c.out(0).sentMessages(CatchUpReply.class);
        assertTrue(replies.size() >= 3, "40 slots need at least three replies of at most 16: " + replies.size());
        for (CatchUpReply r : replies) assertTrue(r.slots().size() <= 16);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // Lane 2008, section 2.2.1: a lost catch-up reply is retried on the retransmit timer, and the
    // retry goes to another member so that a crashed one cannot stall the lagging node.
    @Test
    void lostCatchUpReplyIsRetriedAtAnotherMember() {
        PaxosTestCluster<Integer> c = member2Missed(3, cfg(4, 1));
        c.fire(0, PaxosCore.RETRANSMIT);
        c.deliver(c.only(type(Heartbeat.class).and(to(2))));
        c.deliver(c.only(type(CatchUpRequest.class)));
        c.drop(c.only(type(CatchUpReply.class)));
        c.crash(0);
        assertTrue(c.armed(2, PaxosCore.RETRANSMIT));
        c.fire(2, PaxosCore.RETRANSMIT);
        Envelope retry = c.only(type(CatchUpRequest.class));
        assertEquals(1, retry.to(), "the retry rotates to member 1");
        assertEquals(new CatchUpRequest(0), retry.message());
        c.deliverAll();
        assertEquals(expected(3), c.deliveries(2));
        List<Bytes> learned = new ArrayList<>();
        for (PaxosRecord r : c.out(2).persistedRecords()) if (r instanceof PaxosRecord.Learned l) learned.addAll(l.value());
        assertEquals(batch("m0", "m1", "m2"), learned, "each missing slot is learned (and persisted) once");
    }

    // A catch-up reply answers a request from our next undecided slot with at most catchUpSlotsMax
    // slots. One reporting a slot far beyond that (garbage that decodes) is refused whole: learned,
    // it would make a later leader fill every slot up to it with no-ops.
    @Test
    void aCatchUpReplyReportingAFarSlotIsRefused() {
        PaxosTestCluster<Integer> c = member2Missed(2, cfg(4, 1));
        c.dropWhere(e -> true);
        long far = 1L << 50;
        c.core(2).onMessage(0, new CatchUpReply(far, List.of(new SlotReport(0, 0, batch("m0"), true),
                new SlotReport(far, 0, batch("bogus"), true))));
        assertEquals(List.of(io.redoubt.lm.core.Rejection.OUT_OF_WINDOW), c.out(2).rejectionReasons());
        assertEquals(-1, c.core(2).decidedThrough(), "nothing of the refused reply was learned");
        // A correct reply is still taken.
        c.core(2).onMessage(0, new CatchUpReply(1, List.of(new SlotReport(0, 0, batch("m0"), true),
                new SlotReport(1, 0, batch("m1"), true))));
        assertEquals(expected(2), c.deliveries(2));
    }

    /**
     * Under steady load a slot is always undecided when the leader's timer fires, and every
     * peer's last accept names the decided prefix as it was before that slot's decision. Neither
     * is a loss: a proposal is resent once a whole period old, and a peer is heartbeat once it is
     * behind what was decided a period before (among sites each resend, heartbeat and
     * acknowledgement costs an LM signature).
     */
    @Test
    void theLeaderResendsOnlyProposalsAWholePeriodOld() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(0, p("x"));
        c.dropWhere(e -> true); // slot 0's proposal is lost
        c.fire(0, PaxosCore.RETRANSMIT);
        assertEquals(2, c.out(0).sentMessages(Propose.class).size(), "a proposal made in this period is not resent yet");
        c.fire(0, PaxosCore.RETRANSMIT);
        assertEquals(4, c.out(0).sentMessages(Propose.class).size(), "a period later it is, to both peers");
        c.deliverAll();
        assertEquals(0L, c.core(1).decidedThrough());
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    @Test
    void peersThatKeepAcceptingAreNotHeartbeatButIdleOnesAre() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(0, p("x"));
        c.deliverAll();
        c.submit(0, p("y"));
        c.submit(0, p("z"));
        c.deliverAll(); // slots 1 and 2 decided; the accepts of slot 2 name slot 1 as decided
        c.submit(0, p("w"));
        c.dropWhere(e -> true); // slot 3 undecided: under load
        c.fire(0, PaxosCore.RETRANSMIT);
        assertTrue(c.out(0).sentMessages(Heartbeat.class).isEmpty(),
                "with a slot undecided, peers one decision behind are not heartbeat: their next accepts will say more");
        c.fire(0, PaxosCore.RETRANSMIT); // resends slot 3's proposal, now a period old
        c.deliverAll();
        assertEquals(3L, c.core(1).decidedThrough());
        // Idle now: a peer behind is heartbeat at each expiry until its acknowledgement says otherwise.
        for (int guard = 0; c.armed(0, PaxosCore.RETRANSMIT) && guard < 5; guard++) {
            c.fire(0, PaxosCore.RETRANSMIT);
            c.deliverAll();
        }
        assertTrue(c.out(0).sentMessages(Heartbeat.class).size() <= 4, "one round or two: " + c.out(0).sentMessages(Heartbeat.class));
        assertTrue(!c.armed(0, PaxosCore.RETRANSMIT), "their acknowledgements ended it");
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }
}
