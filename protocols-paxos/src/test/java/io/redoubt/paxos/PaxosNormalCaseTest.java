package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestCluster.from;
import static io.redoubt.paxos.PaxosTestCluster.to;
import static io.redoubt.paxos.PaxosTestCluster.type;
import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.testkit.RecordingOutbox.Delivered;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.TimerCancelled;
import io.redoubt.lm.testkit.RecordingOutbox.TimerSet;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.Forward;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosTestCluster.Envelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Group 1: the failure-free case of Multi-Paxos with a stable leader. */
class PaxosNormalCaseTest {

    // Lane 2008, section 2.2.1 (view v is led by member v mod n; the leader runs phase 1 once for
    // all open slots); Lamport, Paxos Made Simple, section 3 (phase 1 is run once per leader).
    @Test
    void leaderOfViewZeroRunsPhase1WithPrepareAndPromise() {
        PaxosTestCluster<Integer> c = PaxosTestCluster.ofIntegers(3, cfg(4, 8));
        c.startAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(0L, c.core(i).view());
            assertEquals(0, c.core(i).leader());
            assertEquals(i == 0, c.core(i).isLeader());
        }
        List<Envelope> prepares = c.pending(type(Prepare.class));
        assertEquals(2, prepares.size(), "the leader prepares every other member: " + c.pending());
        assertEquals(2, c.pending().size(), "followers with an empty log send nothing at start: " + c.pending());
        for (Envelope e : prepares) {
            assertEquals(0, e.from());
            assertEquals(new Prepare(0, 0), e.message());
        }
        // Before any promise arrives, a payload submitted at the leader is held, not proposed.
        c.submit(0, p("early"));
        assertTrue(c.pending(type(Propose.class)).isEmpty(), "no proposal before phase 1 completes");

        c.deliver(c.only(type(Prepare.class).and(to(1))));
        Envelope promise = c.only(type(Promise.class));
        assertEquals(new Promise(0, -1, List.of(), false), promise.message());
        assertEquals(0, promise.to());
        c.deliver(promise); // self + member 1 = majority of 3: phase 1 is done
        List<Envelope> proposals = c.pending(type(Propose.class));
        assertEquals(2, proposals.size());
        for (Envelope e : proposals) assertEquals(new Propose(0, 0, batch("early"), -1), e.message());
    }

    // Lane 2008, section 2.2.1; Lamport, Paxos Made Simple, phase 2 (a value is chosen once a
    // majority of acceptors accepted it; learners learn it from the acceptors' accepts).
    @Test
    void submittedPayloadIsProposedToAllAndDeliveredByEveryMemberAfterMajorityAccepts() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 8));
        c.submit(0, p("x"));
        List<Envelope> proposals = c.pending(type(Propose.class));
        assertEquals(2, proposals.size());
        assertEquals(Set.of(1, 2), Set.of(proposals.get(0).to(), proposals.get(1).to()));
        for (Envelope e : proposals) assertEquals(new Propose(0, 0, batch("x"), -1), e.message());
        for (int i = 0; i < 3; i++) assertTrue(c.deliveries(i).isEmpty(), "nothing is decided before any accept");

        // Member 1 accepts: leader + member 1 form a majority, so member 1 (which counts the
        // leader's proposal as its acceptance) learns the decision at once.
        c.deliver(c.only(type(Propose.class).and(to(1))));
        assertEquals(List.of(new Delivered(0, batch("x"))), c.deliveries(1));
        assertEquals(2, c.pending(type(Accept.class).and(from(1))).size(), "accepts go to every other member");
        assertTrue(c.deliveries(0).isEmpty(), "the leader has not yet heard an accept");
        c.deliver(c.only(type(Accept.class).and(from(1)).and(to(0))));
        assertEquals(List.of(new Delivered(0, batch("x"))), c.deliveries(0));

        c.deliverAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(new Delivered(0, batch("x"))), c.deliveries(i), "member " + i);
            assertEquals(0L, c.core(i).decidedThrough());
            assertEquals(0L, c.core(i).deliveredThrough());
            assertEquals(batch("x"), c.core(i).decidedValue(0));
        }
        assertEquals(0, c.core(0).pendingCount());
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // Lane 2008, section 2.2.1 (non-leaders pass client updates to the leader).
    @Test
    void payloadSubmittedAtFollowerIsForwardedToLeaderAndOrdered() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 8));
        int mark = c.out(2).mark();
        c.submit(2, p("from-2"));
        List<Event> out = c.out(2).since(mark);
        assertEquals(List.of(new Forward(batch("from-2"))), RecordingOutbox.messages(out, Forward.class));
        assertEquals(0, c.only(type(Forward.class)).to(), "forwarded to the leader of view 0");
        assertTrue(out.stream().anyMatch(e -> e instanceof TimerSet t && t.id().equals(PaxosCore.PROGRESS)),
                "the follower watches its pending payload with the progress timer");
        assertEquals(1, c.core(2).pendingCount());

        c.deliverAll();
        for (int i = 0; i < 3; i++) assertEquals(List.of(new Delivered(0, batch("from-2"))), c.deliveries(i), "member " + i);
        assertEquals(0, c.core(2).pendingCount());
        assertFalse(c.armed(2, PaxosCore.PROGRESS), "progress timer disarmed once the payload is ordered");
        assertTrue(c.out(2).events().stream().anyMatch(e -> e instanceof TimerCancelled t && t.id().equals(PaxosCore.PROGRESS)));
    }

    // Lane 2008, section 2.2.1 / Outbox contract: delivery is in slot order, no gaps, exactly once.
    @Test
    void deliveriesAreInSlotOrderWithoutGapsAndIdenticalAtEveryMember() {
        PaxosTestCluster<String> c = PaxosTestCluster.ofStrings(3, cfg(4, 2));
        c.startAll();
        c.deliverAll();
        List<Bytes> submitted = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            for (int i = 0; i < 3; i++) {
                Bytes b = p("r" + round + "-m" + i);
                submitted.add(b);
                c.submit(i, b);
            }
            if (round % 2 == 1) c.deliverAll(); // let several rounds pile up, then drain
        }
        c.deliverAll();
        Map<Long, List<Bytes>> reference = c.deliveredLog(0);
        Set<Bytes> seen = new HashSet<>();
        for (List<Bytes> b : reference.values()) for (Bytes x : b) assertTrue(seen.add(x), "payload delivered twice: " + x);
        assertEquals(new HashSet<>(submitted), seen, "every submitted payload is ordered");
        for (int i = 0; i < 3; i++) {
            List<Delivered> d = c.deliveries(i);
            for (int k = 0; k < d.size(); k++) assertEquals(k, d.get(k).slot(), "member " + i + " slot order");
            assertEquals(reference, c.deliveredLog(i), "member " + i + " delivers the same sequence");
            assertEquals("s0", c.core(i).leader());
        }
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // Lane 2008, section 4.6 (batching: many events ordered by one protocol instance).
    @Test
    void payloadsSubmittedDuringPhase1GoOutInOneProposalUpToBatchPayloadsMax() {
        PaxosTestCluster<Integer> c = PaxosTestCluster.ofIntegers(3, cfg(4, 3));
        c.startAll();
        for (int k = 1; k <= 5; k++) c.submit(0, p("b" + k));
        assertTrue(c.pending(type(Propose.class)).isEmpty(), "phase 1 still running");
        int mark = c.out(0).mark();
        c.deliver(c.only(type(Prepare.class).and(to(1))));
        c.deliver(c.only(type(Promise.class)));
        List<Propose> proposals = RecordingOutbox.messages(c.out(0).since(mark), Propose.class);
        assertEquals(List.of(
                new Propose(0, 0, batch("b1", "b2", "b3"), -1), new Propose(0, 0, batch("b1", "b2", "b3"), -1),
                new Propose(0, 1, batch("b4", "b5"), -1), new Propose(0, 1, batch("b4", "b5"), -1)), proposals,
                "five payloads with batchPayloadsMax 3: two proposals (3 + 2), each sent to both followers");
        c.deliverAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(new Delivered(0, batch("b1", "b2", "b3")), new Delivered(1, batch("b4", "b5"))), c.deliveries(i));
        }
    }

    // Lane 2008, section 2.2.1 / PaxosConfig.windowSlots: at most windowSlots slots past the last
    // decided one are in flight; the window is measured from the contiguous decided prefix.
    @Test
    void windowLimitsInFlightSlotsAndThirdBatchWaitsUntilTheFirstSlotDecides() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(2, 1));
        c.submit(0, p("a"));
        c.submit(0, p("b"));
        c.submit(0, p("c"));
        List<Propose> sent = c.out(0).sentMessages(Propose.class);
        assertEquals(Set.of(0L, 1L), slots(sent), "window of 2: slots 0 and 1 only");
        assertEquals(3, c.core(0).pendingCount());

        // Slot 1 decides first: the decided prefix does not move, so the window does not either.
        c.deliver(c.only(type(Propose.class).and(to(1)).and(e -> ((Propose) e.message()).slot() == 1)));
        c.deliver(c.only(type(Accept.class).and(from(1)).and(to(0))));
        assertEquals(-1L, c.core(0).decidedThrough());
        assertEquals(Set.of(0L, 1L), slots(c.out(0).sentMessages(Propose.class)), "still waiting");

        // Slot 0 decides: the window slides and the third payload goes out as slot 2.
        c.deliver(c.only(type(Propose.class).and(to(1)).and(e -> ((Propose) e.message()).slot() == 0)));
        int mark = c.out(0).mark();
        c.deliver(c.only(type(Accept.class).and(from(1)).and(to(0))));
        assertEquals(1L, c.core(0).decidedThrough());
        List<Propose> next = RecordingOutbox.messages(c.out(0).since(mark), Propose.class);
        assertEquals(2, next.size());
        for (Propose pr : next) assertEquals(new Propose(0, 2, batch("c"), 1), pr);

        c.deliverAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(new Delivered(0, batch("a")), new Delivered(1, batch("b")), new Delivered(2, batch("c"))), c.deliveries(i));
        }
    }

    // Lane 2008, section 4.6 (aggregation): with one proposal allowed in flight, a lone payload
    // leaves at once, and what arrives while it is out leaves together in the next proposal, so
    // under load one instance (one round, and among sites one LM signature per message) carries
    // many payloads. The window (64 here) would have let each go out alone.
    @Test
    void withOneProposalInFlightWhatArrivesMeanwhileLeavesInTheNextProposal() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(64, 256).withInFlightSlotsMax(1));
        c.submit(0, p("first"));
        assertEquals(Set.of(0L), slots(c.out(0).sentMessages(Propose.class)), "a lone payload goes out at once");
        for (int k = 0; k < 9; k++) c.submit(0, p("u" + k));
        assertEquals(Set.of(0L), slots(c.out(0).sentMessages(Propose.class)), "nine more wait while slot 0 is undecided");

        c.deliver(c.only(type(Propose.class).and(to(1))));
        int mark = c.out(0).mark();
        c.deliver(c.only(type(Accept.class).and(from(1)).and(to(0))));
        assertEquals(0L, c.core(0).decidedThrough());
        List<Propose> next = RecordingOutbox.messages(c.out(0).since(mark), Propose.class);
        assertEquals(2, next.size(), "slot 1, to both followers");
        for (Propose pr : next) {
            assertEquals(1L, pr.slot());
            assertEquals(9, pr.value().size(), "the nine that waited, in one proposal");
        }
        c.deliverAll();
        for (int i = 0; i < 3; i++) assertEquals(2, c.deliveries(i).size(), "ten payloads in two instances at member " + i);
    }

    // Adaptive batching (issue 16): with room for four proposals, lone payloads each go out at
    // once; once a proposal found several payloads waiting, the leader keeps one in flight.
    @Test
    void afterAProposalOfSeveralPayloadsTheLeaderHoldsTheNextOnesUntilItIsDecided() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(64, 256).withInFlightSlotsMax(4));
        for (int k = 0; k < 4; k++) c.submit(0, p("alone-" + k));
        assertEquals(Set.of(0L, 1L, 2L, 3L), slots(c.out(0).sentMessages(Propose.class)), "each alone, at once");
        c.submit(0, p("a"));
        c.submit(0, p("b")); // four in flight: both wait
        c.deliverWhere(e -> !(e.message() instanceof Propose pr && pr.slot() == 4)); // slot 4 (a, b) stays undecided
        assertEquals(3L, c.core(0).decidedThrough());
        c.submit(0, p("c"));
        c.submit(0, p("d"));
        assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), slots(c.out(0).sentMessages(Propose.class)), "under load c and d wait for slot 4");
        c.deliverAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(List.of(p("alone-0")), List.of(p("alone-1")), List.of(p("alone-2")), List.of(p("alone-3")),
                    List.of(p("a"), p("b")), List.of(p("c"), p("d"))), c.deliveries(i).stream().map(d -> d.payloads()).toList(), "member " + i);
        }
    }

    // Among sites (issue 16): once payloads queue behind the proposal in flight, each proposal waits
    // for company from its first payload; a wait that finds none ends the load, and a lone payload
    // then leaves at once again.
    @Test
    void withALoadBatchDelayOnlyLoadMakesTheLeaderWait() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(64, 256).withInFlightSlotsMax(1).withLoadBatchDelayMillis(5));
        c.submit(0, p("a"));
        assertEquals(Set.of(0L), slots(c.out(0).sentMessages(Propose.class)), "alone, at once");
        assertFalse(c.armed(0, PaxosCore.BATCH));
        c.submit(0, p("b")); // waits behind a: load
        c.deliverAll();
        assertEquals(Set.of(0L), slots(c.out(0).sentMessages(Propose.class)), "after a is decided, b waits for company");
        c.submit(0, p("c"));
        c.fire(0, PaxosCore.BATCH);
        c.deliverAll();
        c.submit(0, p("d"));
        assertEquals(Set.of(0L, 1L), slots(c.out(0).sentMessages(Propose.class)), "still under load: d waits");
        c.fire(0, PaxosCore.BATCH);
        c.deliverAll();
        c.submit(0, p("e"));
        assertEquals(Set.of(0L, 1L, 2L, 3L), slots(c.out(0).sentMessages(Propose.class)), "d's wait found no company: e leaves at once");
        c.deliverAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(List.of(p("a")), List.of(p("b"), p("c")), List.of(p("d")), List.of(p("e"))),
                    c.deliveries(i).stream().map(d -> d.payloads()).toList(), "member " + i);
        }
    }

    // The wait for company ends as soon as as many payloads wait as the last proposal carried (the
    // clients it answered are back), and its timer is cancelled: no LM timeout among sites.
    @Test
    void aWaitForCompanyEndsOnceAsManyWaitAsTheLastProposalCarried() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(64, 256).withInFlightSlotsMax(1).withLoadBatchDelayMillis(5));
        c.submit(0, p("a"));
        c.submit(0, p("b")); // waits behind a: load
        c.deliverAll();
        c.submit(0, p("c"));
        c.fire(0, PaxosCore.BATCH); // b and c: the last proposal carried 2
        c.deliverAll();
        c.submit(0, p("d"));
        assertEquals(Set.of(0L, 1L), slots(c.out(0).sentMessages(Propose.class)), "one of two: d waits");
        assertTrue(c.armed(0, PaxosCore.BATCH));
        c.submit(0, p("e"));
        assertEquals(Set.of(0L, 1L, 2L), slots(c.out(0).sentMessages(Propose.class)), "two of two: d and e leave at once");
        assertFalse(c.armed(0, PaxosCore.BATCH), "and the timer is cancelled");
        c.deliverAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(List.of(p("a")), List.of(p("b"), p("c")), List.of(p("d"), p("e"))),
                    c.deliveries(i).stream().map(d -> d.payloads()).toList(), "member " + i);
        }
    }

    @Test
    void theInFlightBoundMustBePositive() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> cfg(4, 4).withInFlightSlotsMax(0));
        assertTrue(e.getMessage().contains("inFlightSlotsMax"), e.getMessage());
    }

    // Lane 2008, section 2.2.1 and section 4.6: the window also holds for payloads arriving while
    // it is full, and payloads that queue up behind a full window are batched together.
    @Test
    void windowNeverHasMoreThanWindowSlotsUndecidedProposalsAndBacklogIsBatched() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(3, 2));
        for (int k = 0; k < 20; k++) c.submit(0, p("w" + k));
        // With the window open, each of the first three payloads goes out at once in its own slot;
        // the other 17 wait behind the full window.
        assertEquals(Set.of(0L, 1L, 2L), slots(c.out(0).sentMessages(Propose.class)));
        assertEquals(20, c.core(0).pendingCount());
        while (!c.pending().isEmpty()) {
            c.deliver(c.pending().get(0));
            long maxProposed = c.out(0).sentMessages(Propose.class).stream().mapToLong(Propose::slot).max().orElse(-1);
            assertTrue(maxProposed <= c.core(0).decidedThrough() + 3,
                    "slot " + maxProposed + " proposed with only " + c.core(0).decidedThrough() + " decided");
        }
        List<List<Bytes>> expected = new ArrayList<>(List.of(batch("w0"), batch("w1"), batch("w2")));
        for (int k = 3; k + 1 < 20; k += 2) expected.add(batch("w" + k, "w" + (k + 1)));
        expected.add(batch("w19"));
        for (int i = 0; i < 3; i++) {
            assertEquals(expected, new ArrayList<>(c.deliveredLog(i).values()), "member " + i);
        }
        assertEquals(0, c.core(0).pendingCount());
    }

    private static Set<Long> slots(List<Propose> ps) {
        Set<Long> s = new HashSet<>();
        for (Propose p : ps) s.add(p.slot());
        return s;
    }
}
