package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestCluster.to;
import static io.redoubt.paxos.PaxosTestCluster.type;
import static io.redoubt.paxos.PaxosTestSupport.assertPersistBeforeSend;
import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.Persisted;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Group 2: an acceptor's promise and acceptance reach stable storage before any message that
 * reveals them (Lamport, Paxos Made Simple, section 2.3 "an acceptor must remember this
 * information even if it fails and then restarts"; Outbox contract).
 */
class PaxosPersistBeforeSendTest {

    private static int indexOf(List<Event> events, java.util.function.Predicate<Event> p) {
        for (int i = 0; i < events.size(); i++) if (p.test(events.get(i))) return i;
        return -1;
    }

    // Lamport, Paxos Made Simple, section 2.3; Lane 2008, section 2.2.1.
    @Test
    void acceptedRecordIsPersistedBeforeTheAcceptThatRevealsIt() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 8));
        c.submit(0, p("x"));
        List<Event> leader = c.out(0).events();
        int leaderPersist = indexOf(leader, e -> e instanceof Persisted pr && pr.record().equals(new PaxosRecord.Accepted(0, 0, batch("x"))));
        int leaderPropose = indexOf(leader, e -> e instanceof Sent<?> s && s.message() instanceof Propose);
        assertTrue(leaderPersist >= 0 && leaderPersist < leaderPropose,
                "the leader's own acceptance is durable before its proposal leaves: " + leader);

        c.deliver(c.only(type(Propose.class).and(to(1))));
        List<Event> follower = c.out(1).events();
        int persist = indexOf(follower, e -> e instanceof Persisted pr && pr.record().equals(new PaxosRecord.Accepted(0, 0, batch("x"))));
        int firstAccept = indexOf(follower, e -> e instanceof Sent<?> s && s.message() instanceof Accept);
        assertTrue(persist >= 0, "the follower persisted its acceptance: " + follower);
        assertTrue(firstAccept > persist, "Accepted persisted at " + persist + ", first Accept sent at " + firstAccept + ": " + follower);
        c.deliverAll();
        assertPersistBeforeSend(c);
    }

    // Lamport, Paxos Made Simple, section 2.3 (the promise of phase 1b must survive a crash).
    @Test
    void promisedRecordIsPersistedBeforeThePromiseThatRevealsIt() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 8));
        c.submit(0, p("x"));
        c.deliverAll();
        // Member 2's forwards are lost, so it suspects the leader and moves to view 1 (led by 1).
        c.submit(2, p("y"));
        c.dropWhere(type(PaxosMessage.Forward.class));
        c.fire(2, PaxosCore.PROGRESS);
        c.dropWhere(type(PaxosMessage.Forward.class));
        c.fire(2, PaxosCore.PROGRESS);
        assertEquals(1L, c.core(2).view());
        c.dropWhere(type(PaxosMessage.Forward.class).or(to(0)));
        c.deliver(c.only(type(PaxosMessage.ViewChange.class).and(to(1))));
        // Member 1 leads view 1 and prepares; member 0, still in view 0, promises view 1.
        Prepare prepare = (Prepare) c.only(type(Prepare.class).and(to(0))).message();
        assertEquals(new Prepare(1, 1), prepare);
        int mark0 = c.out(0).mark();
        c.deliver(c.only(type(Prepare.class).and(to(0))));
        List<Event> out0 = c.out(0).since(mark0);
        int persisted = indexOf(out0, e -> e instanceof Persisted pr && pr.record().equals(new PaxosRecord.Promised(1)));
        int promised = indexOf(out0, e -> e instanceof Sent<?> s && s.message() instanceof Promise);
        assertTrue(persisted >= 0 && promised > persisted, "Promised(1) persisted at " + persisted + ", Promise sent at " + promised + ": " + out0);
        assertEquals(new Promise(1, 0, List.of(), false), ((Sent<?>) out0.get(promised)).message());
        c.deliverAll();

        PaxosTestCluster<Integer> d = startedCluster(3, cfg(4, 8));
        d.submit(0, p("x"));
        d.deliverAll();
        int mark = d.out(1).mark();
        d.core(1).onMessage(0, new Prepare(3, 0)); // view 3 is led by member 0 (3 mod 3)
        List<Event> out = d.out(1).since(mark);
        assertEquals(new Persisted(new PaxosRecord.Promised(3), new PaxosRecord.Promised(3).encode()), out.get(0),
                "the promise is durable first: " + out);
        int promiseAt = indexOf(out, e -> e instanceof Sent<?> s && s.message() instanceof Promise);
        assertTrue(promiseAt > 0, out.toString());
        Promise promise = (Promise) ((Sent<?>) out.get(promiseAt)).message();
        assertEquals(new Promise(3, 0, List.of(new SlotReport(0, 0, batch("x"), true)), false), promise);

        assertPersistBeforeSend(c);
        assertPersistBeforeSend(d);
    }

    // Lamport, Paxos Made Simple, section 2.3, over a whole run with a leader change and restart.
    @Test
    void everyRevealingMessageFollowsItsRecordThroughViewChangeAndRestart() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 2));
        for (int k = 0; k < 5; k++) c.submit(k % 3, p("a" + k));
        c.deliverAll();
        c.crash(0);
        c.submit(1, p("b"));
        c.fire(1, PaxosCore.PROGRESS);
        c.fire(1, PaxosCore.PROGRESS); // view 1, led by member 1 itself
        c.deliverAll();
        c.restart(0);
        c.submit(2, p("c"));
        c.deliverAll();
        c.restart(2);
        c.submit(2, p("d"));
        c.deliverAll();
        assertTrue(c.core(1).deliveredThrough() >= 4, c.core(1).describe());
        for (int i = 0; i < 3; i++) assertEquals(c.deliveredLog(1), c.deliveredLog(i), "member " + i);
        assertTrue(c.incarnation(0) == 2 && c.incarnation(2) == 2);
        assertPersistBeforeSend(c);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    // The checker itself must be able to fail, or the tests above prove nothing.
    @Test
    void persistBeforeSendCheckerRejectsAnAcceptSentBeforeItsRecord() {
        List<Event> bad = List.of(
                new Sent<>(0, new Accept(0, 0, -1)),
                new Persisted(new PaxosRecord.Accepted(0, 0, batch("x")), new PaxosRecord.Accepted(0, 0, batch("x")).encode()));
        assertThrows(AssertionFailedError.class, () -> assertPersistBeforeSend(List.of(), bad, "bad"));
        List<Event> badPromise = List.of(new Sent<>(0, new Promise(2, -1, List.of(), false)),
                new Persisted(new PaxosRecord.Promised(2), new PaxosRecord.Promised(2).encode()));
        assertThrows(AssertionFailedError.class, () -> assertPersistBeforeSend(List.of(), badPromise, "bad"));
        List<Bytes> disk = List.of(new PaxosRecord.Promised(2).encode());
        assertPersistBeforeSend(disk, List.of(new Sent<>(0, new Promise(2, -1, List.of(), false))), "restored");
        List<Event> good = List.of(
                new Persisted(new PaxosRecord.Accepted(0, 0, batch("x")), new PaxosRecord.Accepted(0, 0, batch("x")).encode()),
                new Sent<>(0, new Accept(0, 0, -1)));
        assertPersistBeforeSend(List.of(), good, "good");
    }
}
