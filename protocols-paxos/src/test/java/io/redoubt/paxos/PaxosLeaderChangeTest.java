package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestCluster.from;
import static io.redoubt.paxos.PaxosTestCluster.to;
import static io.redoubt.paxos.PaxosTestCluster.type;
import static io.redoubt.paxos.PaxosTestSupport.assertPersistBeforeSend;
import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.Forward;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import io.redoubt.paxos.PaxosTestCluster.Envelope;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Group 3: leader change. A value that may have been chosen is never lost: the new leader's
 * phase 1 finds it in a majority's promises and re-proposes it (Lamport, Paxos Made Simple, P2c;
 * Lane 2008, section 2.2.1), and slots nobody in that majority accepted are filled with no-ops.
 */
class PaxosLeaderChangeTest {

    private static Predicate<Envelope> proposeFor(long slot) {
        return type(Propose.class).and(e -> ((Propose) e.message()).slot() == slot);
    }

    /**
     * Fires the progress timer of follower {@code i} twice: the first firing retransmits its
     * forward, the second suspects the leader and moves to the next view (Lane 2008, section 4.8.2).
     */
    private static void suspectLeader(PaxosTestCluster<Integer> c, int i) {
        long v = c.core(i).view();
        assertTrue(c.armed(i, PaxosCore.PROGRESS), "a follower with pending payloads has its progress timer armed");
        int forwards = c.out(i).sentMessages(Forward.class).size();
        c.fire(i, PaxosCore.PROGRESS);
        assertEquals(v, c.core(i).view(), "the first expiry only retransmits the forward");
        assertEquals(forwards + 1, c.out(i).sentMessages(Forward.class).size());
        c.fire(i, PaxosCore.PROGRESS);
        assertEquals(v + 1, c.core(i).view(), "the second expiry suspects the leader");
    }

    /** Proposals node {@code i} sent in {@code view} for {@code slot}. */
    private static List<Propose> proposalsOf(PaxosTestCluster<Integer> c, int i, long view, long slot) {
        return c.out(i).sentMessages(Propose.class).stream().filter(pr -> pr.view() == view && pr.slot() == slot).toList();
    }

    /**
     * Three members; slot 0 = a everywhere; then the leader proposes b (slot 1, accepted by nobody
     * but the leader) and X (slot 2, accepted by member 1 only). Leader 0 crashes.
     */
    private static PaxosTestCluster<Integer> threeMembersWithXAcceptedOnlyByMember1() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(0, p("a"));
        c.deliverAll();
        c.submit(0, p("b"));
        c.submit(0, p("X"));
        assertEquals(2, c.dropWhere(proposeFor(1)), "slot 1 (b) reaches nobody");
        c.drop(c.only(proposeFor(2).and(to(2))));
        c.deliver(c.only(proposeFor(2).and(to(1))));
        assertTrue(c.out(1).persistedRecords().contains(new PaxosRecord.Accepted(2, 0, batch("X"))), "member 1 accepted X");
        c.crash(0);
        c.deliverAll(); // member 1's accepts reach member 2, which holds no value for slot 2
        assertNull(c.core(2).decidedValue(2));
        assertNull(c.core(2).decidedValue(1));
        assertEquals(0L, c.core(1).decidedThrough(), "member 1 cannot deliver X before slot 1 is filled");
        return c;
    }

    // Lamport, Paxos Made Simple, P2c and phase 2(a); Lane 2008, section 2.2.1.
    @Test
    void newLeaderThatAcceptedXReproposesXForItsSlotAfterLeaderCrash() {
        PaxosTestCluster<Integer> c = threeMembersWithXAcceptedOnlyByMember1();
        c.submit(2, p("y")); // forwarded to the crashed leader: lost
        suspectLeader(c, 2); // view 1, led by member 1
        assertEquals(1, c.core(2).leader());
        c.deliverAll();
        assertEquals(1L, c.core(1).view());
        assertTrue(c.core(1).isLeader());

        List<Propose> slot2 = proposalsOf(c, 1, 1, 2);
        assertFalse(slot2.isEmpty(), "the new leader re-proposes slot 2");
        for (Propose pr : slot2) assertEquals(batch("X"), pr.value(), "slot 2 must carry X, not a no-op or another value");
        List<Propose> slot1 = proposalsOf(c, 1, 1, 1);
        assertFalse(slot1.isEmpty());
        for (Propose pr : slot1) assertEquals(List.of(), pr.value(), "the gap at slot 1 is filled with a no-op");

        // y is still pending at member 2; the next expiry re-forwards it to the new leader.
        if (c.core(2).pendingCount() > 0) {
            c.fire(2, PaxosCore.PROGRESS);
            c.deliverAll();
        }
        Map<Long, List<Bytes>> expected = Map.of(0L, batch("a"), 1L, List.of(), 2L, batch("X"), 3L, batch("y"));
        for (int i : new int[] {1, 2}) assertEquals(expected, c.deliveredLog(i), "member " + i);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
        assertPersistBeforeSend(c);
    }

    // Lamport, Paxos Made Simple, P2c: the leader of view 2 (member 2) never accepted X, but the
    // promise of member 1 reports it, so X is what member 2 proposes for slot 2.
    @Test
    void newLeaderThatDidNotAcceptXLearnsItFromAPromiseAndReproposesIt() {
        PaxosTestCluster<Integer> c = threeMembersWithXAcceptedOnlyByMember1();
        c.submit(2, p("y"));
        suspectLeader(c, 2); // view 1: member 1 does not hear of it
        c.dropWhere(from(2));
        c.fire(2, PaxosCore.PROGRESS); // retransmits the forward, to member 1
        c.dropWhere(from(2));
        c.fire(2, PaxosCore.PROGRESS);
        assertEquals(2L, c.core(2).view());
        assertTrue(c.core(2).isLeader());
        Envelope prepare = c.only(type(Prepare.class).and(to(1)));
        assertEquals(new Prepare(2, 1), prepare.message());
        c.deliver(prepare);
        Envelope promise = c.only(type(Promise.class));
        assertEquals(new Promise(2, 0, List.of(new SlotReport(2, 0, batch("X"), true)), false), promise.message(),
                "member 1 reports its value for slot 2");
        c.deliver(promise);

        List<Propose> slot2 = proposalsOf(c, 2, 2, 2);
        assertEquals(List.of(new Propose(2, 2, batch("X"), 0), new Propose(2, 2, batch("X"), 0)), slot2,
                "member 2 proposes X for slot 2, to both other members");
        assertEquals(List.of(new Propose(2, 1, List.of(), 0), new Propose(2, 1, List.of(), 0)), proposalsOf(c, 2, 2, 1));
        c.deliverAll();
        Map<Long, List<Bytes>> expected = Map.of(0L, batch("a"), 1L, List.of(), 2L, batch("X"), 3L, batch("y"));
        for (int i : new int[] {1, 2}) assertEquals(expected, c.deliveredLog(i), "member " + i);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
        assertPersistBeforeSend(c);
    }

    /** Five members; leader 0 proposes X for slot 0 and only member 1 accepts it (not a majority). */
    private static PaxosTestCluster<Integer> fiveMembersWithXAcceptedOnlyByMember1() {
        PaxosTestCluster<Integer> c = startedCluster(5, cfg(4, 1));
        c.submit(0, p("X"));
        c.deliver(c.only(proposeFor(0).and(to(1))));
        c.dropWhere(proposeFor(0));
        c.dropWhere(type(Accept.class));
        assertNull(c.core(1).decidedValue(0), "leader + member 1 are 2 of 5: nothing is decided");
        c.crash(0);
        return c;
    }

    // Lamport, Paxos Made Simple, P2c: the value accepted in the highest view among the promises
    // must be proposed, even when it was not (yet) chosen.
    @Test
    void acceptedButUndecidedValueIsReproposedByTheNewLeaderThatHoldsIt() {
        PaxosTestCluster<Integer> c = fiveMembersWithXAcceptedOnlyByMember1();
        c.submit(2, p("y"));
        suspectLeader(c, 2); // view 1, led by member 1
        c.deliverAll();
        assertTrue(c.core(1).isLeader());
        List<Propose> slot0 = proposalsOf(c, 1, 1, 0);
        assertFalse(slot0.isEmpty());
        for (Propose pr : slot0) assertEquals(batch("X"), pr.value());
        if (c.core(2).pendingCount() > 0) {
            c.fire(2, PaxosCore.PROGRESS);
            c.deliverAll();
        }
        for (int i = 1; i < 5; i++) assertEquals(Map.of(0L, batch("X"), 1L, batch("y")), c.deliveredLog(i), "member " + i);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // Lamport, Paxos Made Simple, P2c: member 2 leads view 2 with promises from 1 (which accepted
    // X in view 0) and 3; it must propose X for slot 0.
    @Test
    void acceptedButUndecidedValueReachesANewLeaderThroughOnePromise() {
        PaxosTestCluster<Integer> c = fiveMembersWithXAcceptedOnlyByMember1();
        c.submit(2, p("y"));
        suspectLeader(c, 2); // view 1: nobody hears of it
        c.dropWhere(e -> true);
        suspectLeader(c, 2); // view 2, led by member 2 itself
        assertTrue(c.core(2).isLeader());
        c.deliver(c.only(type(Prepare.class).and(to(1))));
        c.deliver(c.only(type(Promise.class).and(from(1))));
        assertTrue(proposalsOf(c, 2, 2, 0).isEmpty(), "two promises of five are not a majority");
        c.deliver(c.only(type(Prepare.class).and(to(3))));
        c.deliver(c.only(type(Promise.class).and(from(3))));
        assertEquals(List.of(new Propose(2, 0, batch("X"), -1)), proposalsOf(c, 2, 2, 0).subList(0, 1));
        for (Propose pr : proposalsOf(c, 2, 2, 0)) assertEquals(batch("X"), pr.value());
        c.deliverAll();
        for (int i = 1; i < 5; i++) assertEquals(Map.of(0L, batch("X"), 1L, batch("y")), c.deliveredLog(i), "member " + i);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
        assertPersistBeforeSend(c);
    }

    // Lane 2008, section 2.2.1 ("fills gaps with no-ops"); Lamport, Paxos Made Simple, section 3:
    // a slot for which no acceptor of the majority reports a value gets a no-op, even if an
    // acceptor outside the majority accepted something there (it was not chosen).
    @Test
    void slotNobodyInTheMajorityAcceptedBecomesANoOpWhenThereIsAGap() {
        PaxosTestCluster<Integer> c = startedCluster(5, cfg(4, 1));
        c.submit(0, p("b"));
        c.submit(0, p("X"));
        c.deliver(c.only(proposeFor(0).and(to(4)))); // b: leader + member 4 only
        c.deliver(c.only(proposeFor(1).and(to(1)))); // X: leader + member 1 only
        c.dropWhere(type(Propose.class).or(type(Accept.class)));
        c.crash(0);
        c.submit(2, p("y"));
        suspectLeader(c, 2); // view 1, led by member 1
        c.deliverWhere(type(ViewChange.class).and(to(1)));
        c.dropWhere(type(Prepare.class).and(to(4))); // member 4 (which holds b) is not in the majority
        c.deliverWhere(to(4).negate());
        assertTrue(c.core(1).isLeader());
        assertFalse(proposalsOf(c, 1, 1, 0).isEmpty());
        for (Propose pr : proposalsOf(c, 1, 1, 0)) assertEquals(List.of(), pr.value(), "slot 0 becomes a no-op");
        for (Propose pr : proposalsOf(c, 1, 1, 1)) assertEquals(batch("X"), pr.value(), "slot 1 keeps X");
        c.deliverAll(); // member 4 accepts the no-op of view 1 over b of view 0
        if (c.core(2).pendingCount() > 0) {
            c.fire(2, PaxosCore.PROGRESS);
            c.deliverAll();
        }
        for (int i = 1; i < 5; i++) {
            assertEquals(Map.of(0L, List.of(), 1L, batch("X"), 2L, batch("y")), c.deliveredLog(i), "member " + i);
        }
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // Lane 2008, section 4.8.2: each suspicion doubles the progress timeout, up to the maximum.
    @Test
    void everySuspicionDoublesTheProgressTimeoutUpToTheMaximum() {
        PaxosConfig config = cfg(4, 1).withTimeouts(40, 100, 10);
        PaxosTestCluster<Integer> c = startedCluster(5, config);
        for (int i = 0; i < 4; i++) c.crash(i);
        c.submit(4, p("y"));
        List<Long> delays = new java.util.ArrayList<>();
        List<Long> views = new java.util.ArrayList<>();
        while (c.armed(4, PaxosCore.PROGRESS)) {
            int mark = c.out(4).mark();
            c.fire(4, PaxosCore.PROGRESS);
            views.add(c.core(4).view());
            for (RecordingOutbox.Event e : c.out(4).since(mark)) {
                if (e instanceof RecordingOutbox.TimerSet t && t.id().equals(PaxosCore.PROGRESS)) delays.add(t.delayMillis());
            }
            assertTrue(views.size() < 20, "member 4 never stops suspecting: " + views);
        }
        // Two expiries per view (retransmit the forward, then suspect), until member 4 leads view 4.
        assertEquals(List.of(0L, 1L, 1L, 2L, 2L, 3L, 3L, 4L), views);
        assertEquals(List.of(40L, 80L, 80L, 100L, 100L, 100L, 100L), delays,
                "the timeout doubles on each suspicion (40 -> 80 -> 160, capped at 100)");
        assertTrue(c.core(4).isLeader());
        assertFalse(c.armed(4, PaxosCore.PROGRESS), "a leader does not watch itself");
    }

    /**
     * The leader of a new view may be the one member that heard neither of the view nor of the
     * last decisions (it was cut off). A follower that adopted the view from a ViewChange and holds
     * nothing pending runs no progress timer, so without the nudge nobody would ever tell that
     * leader, and it would never learn those decisions (a 7-site swarm seed did exactly that).
     */
    @Test
    void aFollowerNudgesALeaderThatNeverHeardOfItsViewUntilItLeadsAndCatchesUp() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.crash(1); // cut off: hears nothing of what follows
        c.submit(0, p("a"));
        c.deliverAll();
        assertEquals(batch("a"), c.core(2).decidedValue(0), "members 0 and 2 decide slot 0 without member 1");
        c.submit(2, p("y"));
        c.dropWhere(type(Forward.class));
        suspectLeader(c, 2); // view 1, led by member 1
        c.deliver(c.only(type(ViewChange.class).and(to(0))));
        assertEquals(1L, c.core(0).view());
        assertEquals(0, c.core(0).pendingCount());
        assertFalse(c.armed(0, PaxosCore.PROGRESS), "member 0 holds nothing pending, so it suspects nobody");
        assertTrue(c.armed(0, PaxosCore.NUDGE), "but it has not heard its new leader, so it will tell it of the view");

        c.restart(1); // back, still in view 0, and missed slot 0
        c.dropWhere(e -> true); // member 2's ViewChange and forward, and member 1's catch-up request, are lost
        c.fire(0, PaxosCore.NUDGE);
        assertEquals(List.of(new ViewChange(1)), c.out(0).sentMessages(ViewChange.class).stream().toList());
        assertTrue(c.armed(0, PaxosCore.NUDGE), "repeated until the leader answers");
        c.deliverAll();
        assertTrue(c.core(1).isLeader(), "the nudge made member 1 take up the view it leads");
        assertEquals(batch("a"), c.core(1).decidedValue(0), "and learn from the promises what it missed");
        assertFalse(c.armed(0, PaxosCore.NUDGE), "its prepare showed member 0 that it leads");
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    /** A leader already in phase 2 answers a ViewChange for its own view with a heartbeat, which quiets the follower. */
    @Test
    void aLeaderInPhase2AnswersANudgeWithAHeartbeat() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(2, p("y"));
        c.dropWhere(type(Forward.class));
        suspectLeader(c, 2);
        c.deliverAll(); // member 1 leads view 1; member 0 is told by member 2, and answers member 1's prepare
        assertTrue(c.core(1).isLeader());
        c.restart(0); // a restart in view 1 cannot know whether member 1 heard of that view
        assertTrue(c.armed(0, PaxosCore.NUDGE));
        c.dropWhere(e -> true);
        c.fire(0, PaxosCore.NUDGE);
        c.deliver(c.only(type(ViewChange.class).and(from(0))));
        c.deliverAll();
        assertFalse(c.armed(0, PaxosCore.NUDGE), "member 1's heartbeat answered the nudge");
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }
}
