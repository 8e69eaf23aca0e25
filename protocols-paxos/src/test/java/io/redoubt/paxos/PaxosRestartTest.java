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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.testkit.RecordingOutbox.Delivered;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.Persisted;
import io.redoubt.lm.testkit.RecordingOutbox.Rejected;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.CatchUpReply;
import io.redoubt.paxos.PaxosMessage.CatchUpRequest;
import io.redoubt.paxos.PaxosMessage.Forward;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Group 5: a node restarted from what it persisted keeps every promise and acceptance, so a crash
 * and restart cannot make the protocol forget a value that may have been chosen (Lamport, Paxos
 * Made Simple, section 2.3; Lane 2008, section 2.2.1), and re-delivers the decided prefix.
 */
class PaxosRestartTest {

    private static final List<Integer> THREE = List.of(0, 1, 2);

    // Lamport, Paxos Made Simple, section 2.3 (stable storage); OrderingCore contract (restore,
    // then start) and Outbox contract (slots delivered in order once per incarnation).
    @Test
    void restartedMemberRedeliversExactlyTheDecidedPrefixAndKeepsItsPromisedView() {
        PaxosConfig config = cfg(4, 1);
        PaxosTestCluster<Integer> c = startedCluster(3, config);
        for (String s : new String[] {"a", "b", "c"}) c.submit(0, p(s));
        c.deliverAll();
        // Member 2 loses its forwards, suspects the leader and moves to view 1 (led by member 1).
        c.submit(2, p("y"));
        c.dropWhere(type(Forward.class));
        c.fire(2, PaxosCore.PROGRESS);
        c.dropWhere(type(Forward.class));
        c.fire(2, PaxosCore.PROGRESS);
        c.deliverAll(); // the new leader gets y's forward after it moved to view 1, and orders it
        List<Delivered> before = c.deliveries(2);
        assertEquals(List.of(new Delivered(0, batch("a")), new Delivered(1, batch("b")), new Delivered(2, batch("c")),
                new Delivered(3, batch("y"))), before);
        assertEquals(1L, c.core(2).view());
        assertTrue(c.out(2).persistedRecords().contains(new PaxosRecord.Promised(1)));

        // A brand-new core built from member 2's encoded records.
        List<Bytes> disk = c.out(2).persistedBytes();
        RecordingOutbox<Integer> out = new RecordingOutbox<>();
        PaxosCore<Integer> restarted = new PaxosCore<>(config, THREE, 2, out, disk);
        assertTrue(out.events().isEmpty(), "construction only restores; outputs start with start()");
        restarted.start();
        assertEquals(before, out.deliveries(), "the decided prefix is re-delivered, same slots, same payloads");
        assertEquals(3L, restarted.deliveredThrough());
        assertEquals(1L, restarted.view(), "the promised view survives the restart");
        assertEquals(1, restarted.leader());
        assertEquals(List.of(new CatchUpRequest(4)), out.sentTo(1, CatchUpRequest.class),
                "a restarted follower asks the leader it knows for what it missed");
        assertTrue(out.persistedRecords().isEmpty(), "re-delivery writes nothing new");

        int mark = out.mark();
        restarted.onMessage(0, new Propose(0, 4, batch("stale"), 3));
        restarted.onMessage(0, new Prepare(0, 4));
        List<Event> answers = out.since(mark);
        assertEquals(List.of(Rejection.STALE_VIEW, Rejection.STALE_VIEW),
                answers.stream().filter(e -> e instanceof Rejected<?>).map(e -> ((Rejected<?>) e).reason()).toList());
        assertEquals(List.of(new ViewChange(1), new ViewChange(1)), RecordingOutbox.messages(answers, ViewChange.class));
        assertTrue(answers.stream().noneMatch(e -> e instanceof Persisted), "nothing accepted from view 0");
        assertEquals(3L, restarted.deliveredThrough());
    }

    // Lamport, Paxos Made Simple, section 2.3 and P2c: an acceptor restarted after accepting X in
    // view v reports X in its promise to the next leader, which must then propose X.
    @Test
    void acceptorRestartedAfterAcceptingXReportsXInItsPromiseAndTheNewLeaderKeepsIt() {
        PaxosConfig config = cfg(4, 1);
        PaxosTestCluster<Integer> c = startedCluster(5, config);
        c.submit(0, p("a"));
        c.submit(0, p("b"));
        c.deliverAll(); // slots 0, 1 decided everywhere
        c.submit(0, p("X")); // slot 2: only member 1 accepts
        c.deliver(c.only(type(Propose.class).and(to(1))));
        c.dropWhere(type(Propose.class).or(type(Accept.class)));
        assertNull(c.core(1).decidedValue(2));

        // Restart member 1 by hand from its records: X is accepted but not decided, so it is not delivered.
        RecordingOutbox<Integer> out = new RecordingOutbox<>();
        PaxosCore<Integer> restarted = new PaxosCore<>(config, List.of(0, 1, 2, 3, 4), 1, out, c.out(1).persistedBytes());
        restarted.start();
        assertEquals(List.of(new Delivered(0, batch("a")), new Delivered(1, batch("b"))), out.deliveries());
        assertNull(restarted.decidedValue(2));
        int mark = out.mark();
        restarted.onMessage(2, new Prepare(2, 2)); // view 2 is led by member 2
        List<Event> answer = out.since(mark);
        assertEquals(new Persisted(new PaxosRecord.Promised(2), new PaxosRecord.Promised(2).encode()), answer.get(0));
        assertEquals(List.of(new Promise(2, 1, List.of(new SlotReport(2, 0, batch("X"), false)), false)),
                RecordingOutbox.messages(answer, Promise.class), "the restarted acceptor still reports X");

        // The same through the cluster: member 1 crashes and restarts, leader 0 crashes, member 2
        // takes over view 2 with promises from 1 and 3, and must propose X for slot 2.
        c.crash(1);
        c.restart(1);
        c.crash(0);
        c.dropWhere(e -> true);
        c.submit(2, p("y"));
        for (int k = 0; k < 4; k++) {
            c.fire(2, PaxosCore.PROGRESS);
            if (c.core(2).view() < 2) c.dropWhere(e -> true); // nobody hears of view 1
        }
        assertTrue(c.core(2).isLeader());
        assertEquals(2L, c.core(2).view());
        c.deliver(c.only(type(Prepare.class).and(to(1))));
        c.deliver(c.only(type(Promise.class).and(from(1))));
        c.deliver(c.only(type(Prepare.class).and(to(3))));
        c.deliver(c.only(type(Promise.class).and(from(3))));
        List<Propose> slot2 = c.out(2).sentMessages(Propose.class).stream().filter(pr -> pr.slot() == 2).toList();
        assertFalse(slot2.isEmpty());
        for (Propose pr : slot2) assertEquals(new Propose(2, 2, batch("X"), 1), pr);
        c.deliverAll();
        for (int i = 1; i < 5; i++) {
            assertEquals(batch("X"), c.deliveredLog(i).get(2L), "member " + i);
            assertEquals(batch("y"), c.deliveredLog(i).get(3L), "member " + i);
        }
        assertTrue(c.violations().isEmpty(), c.violations().toString());
        assertPersistBeforeSend(c);
    }

    // Lane 2008, section 2.2.1 (catch-up) after a restart: the restarted follower re-delivers its
    // own prefix, asks the leader for the rest and delivers it in order.
    @Test
    void restartedFollowerThatMissedDecisionsCatchesUpAndDeliversTheMissingSlotsInOrder() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(0, p("a"));
        c.deliverAll();
        c.crash(2);
        for (String s : new String[] {"b", "c", "d"}) c.submit(0, p(s));
        c.deliverAll();
        assertEquals(3L, c.core(0).decidedThrough());
        c.restart(2);
        assertEquals(2, c.incarnation(2));
        assertEquals(List.of(new Delivered(0, batch("a"))), c.deliveries(2), "own prefix first");
        assertEquals(List.of(new CatchUpRequest(1)), c.out(2).sentTo(0, CatchUpRequest.class));
        c.deliver(c.only(type(CatchUpRequest.class)));
        assertEquals(new CatchUpReply(3, List.of(new SlotReport(1, 0, batch("b"), true),
                new SlotReport(2, 0, batch("c"), true), new SlotReport(3, 0, batch("d"), true))),
                c.only(type(CatchUpReply.class)).message());
        c.deliverAll();
        assertEquals(List.of(new Delivered(0, batch("a")), new Delivered(1, batch("b")), new Delivered(2, batch("c")),
                new Delivered(3, batch("d"))), c.deliveries(2));
        // And it takes part in new slots afterwards.
        c.submit(2, p("e"));
        c.deliverAll();
        for (int i = 0; i < 3; i++) assertEquals(batch("e"), c.deliveredLog(i).get(4L), "member " + i);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // A restarted leader of view 0 re-runs phase 1 and re-proposes, from its own log, exactly the
    // values it had proposed (Lamport, Paxos Made Simple, section 2.3: a proposer must remember
    // the highest-numbered proposal it issued; here the leader's own Accepted records).
    @Test
    void restartedLeaderReproposesItsOwnUndecidedValuesUnchanged() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(0, p("a"));
        c.dropWhere(e -> true); // nobody hears of slot 0
        c.crash(0);
        c.restart(0);
        assertTrue(c.core(0).isLeader());
        assertEquals(2, c.pending(type(Prepare.class)).size());
        c.deliverAll();
        for (int i = 0; i < 3; i++) assertEquals(Map.of(0L, batch("a")), c.deliveredLog(i), "member " + i);
        for (Propose pr : c.out(0).sentMessages(Propose.class)) assertEquals(batch("a"), pr.value());
    }

    // Our own storage is trusted, but a torn record must fail loudly at construction.
    @Test
    void corruptStorageRecordFailsLoudlyAtConstruction() {
        List<Bytes> torn = List.of(new PaxosRecord.Promised(3).encode(), Bytes.wrap(new byte[] {2, 0, 0}));
        assertThrows(IllegalStateException.class, () -> new PaxosCore<>(cfg(4, 1), THREE, 1, new RecordingOutbox<>(), torn));
    }
}
