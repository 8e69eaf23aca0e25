package io.redoubt.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.Persisted;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small helpers shared by the Paxos core tests. */
final class PaxosTestSupport {
    private PaxosTestSupport() {}

    /** A small configuration: the given window and batch size, tiny catch-up so truncation paths run too. */
    static PaxosConfig cfg(int windowSlots, int batchPayloadsMax) {
        return new PaxosConfig(windowSlots, batchPayloadsMax, 1 << 20, 1024, 1000, 40, 2_000, 10, 16);
    }

    static Bytes p(String s) {
        return Bytes.ofUtf8(s);
    }

    static List<Bytes> batch(String... s) {
        List<Bytes> out = new ArrayList<>();
        for (String x : s) out.add(p(x));
        return List.copyOf(out);
    }

    /** A cluster of integer members 0..n-1, started, with phase 1 of view 0 completed everywhere. */
    static PaxosTestCluster<Integer> startedCluster(int n, PaxosConfig config) {
        PaxosTestCluster<Integer> c = PaxosTestCluster.ofIntegers(n, config);
        c.startAll();
        c.deliverAll();
        return c;
    }

    /**
     * Checks the acceptor's durability rule (Lane 2008, section 2.2.1; Lamport, "Paxos Made Simple",
     * section 2.3: an acceptor must remember what it promised and accepted across failures): every
     * message that reveals a promise or an acceptance is sent only after the record that makes it
     * durable has been passed to persist().
     *
     * @param diskBefore records this node persisted in earlier incarnations
     * @param events the outputs of the current incarnation, in order
     */
    static void assertPersistBeforeSend(List<Bytes> diskBefore, List<Event> events, String who) {
        long promised = 0; // view 0 is every node's initial promise and needs no record
        Map<Long, Map<Long, List<Bytes>>> accepted = new HashMap<>(); // slot -> view -> value
        Map<Long, List<Bytes>> learned = new HashMap<>();
        List<PaxosRecord> before = new ArrayList<>();
        for (Bytes b : diskBefore) before.add(PaxosRecord.decode(b));
        List<Object> all = new ArrayList<>(before);
        all.addAll(events);
        for (Object o : all) {
            PaxosRecord r = o instanceof Persisted p ? (PaxosRecord) p.record() : o instanceof PaxosRecord pr ? pr : null;
            if (r instanceof PaxosRecord.Promised pr) {
                promised = Math.max(promised, pr.view());
            } else if (r instanceof PaxosRecord.Accepted a) {
                accepted.computeIfAbsent(a.slot(), k -> new HashMap<>()).put(a.view(), a.value());
            } else if (r instanceof PaxosRecord.Learned l) {
                learned.put(l.slot(), l.value());
            }
            if (!(o instanceof Sent<?> s)) continue;
            PaxosMessage m = (PaxosMessage) s.message();
            if (m instanceof Promise pm) {
                assertTrue(pm.view() <= promised, who + " sent " + pm + " before persisting Promised(" + pm.view() + ")");
                for (SlotReport rep : pm.slots()) {
                    if (rep.decided()) {
                        assertEquals(rep.value(), learned.get(rep.slot()), who + " reported decided " + rep + " before persisting Learned");
                    } else {
                        Map<Long, List<Bytes>> byView = accepted.getOrDefault(rep.slot(), Map.of());
                        assertEquals(rep.value(), byView.get(rep.acceptedView()),
                                who + " reported " + rep + " in a promise before persisting Accepted");
                    }
                }
            } else if (m instanceof Accept a) {
                boolean durable = accepted.getOrDefault(a.slot(), Map.of()).containsKey(a.view()) || learned.containsKey(a.slot());
                assertTrue(durable, who + " sent " + a + " before persisting Accepted(slot " + a.slot() + ", view " + a.view() + ")");
            } else if (m instanceof Propose pr) {
                List<Bytes> mine = accepted.getOrDefault(pr.slot(), Map.of()).get(pr.view());
                boolean durable = pr.value().equals(mine) || pr.value().equals(learned.get(pr.slot()));
                assertTrue(durable, who + " sent " + pr + " before persisting its own acceptance of it");
            }
        }
    }

    /** {@link #assertPersistBeforeSend} for every node of a cluster, current incarnations only. */
    static <N extends Comparable<N>> void assertPersistBeforeSend(PaxosTestCluster<N> c) {
        for (int i = 0; i < c.n; i++) {
            List<Bytes> disk = c.disk(i);
            List<Event> events = c.out(i).events();
            int current = (int) events.stream().filter(e -> e instanceof Persisted).count();
            assertPersistBeforeSend(disk.subList(0, disk.size() - current), events, "node " + i);
        }
    }
}
