package io.redoubt.bft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.Persisted;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Small helpers shared by the PBFT core tests. */
final class PbftTestSupport {
    private PbftTestSupport() {}

    /** A small configuration: window, checkpoint interval and batch size as given. */
    static PbftConfig cfg(int windowSlots, int checkpointIntervalSlots, int batchPayloadsMax) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, 1 << 20, 1024, 1000,
                50, 2_000, 100, 4_000, 10, Math.max(16, checkpointIntervalSlots), Math.max(4096, windowSlots),
                windowSlots); // no in-flight bound beyond the window: tests choose when slots go out
    }

    static Bytes p(String s) {
        return Bytes.ofUtf8(s);
    }

    static List<Bytes> batch(String... s) {
        List<Bytes> out = new ArrayList<>();
        for (String x : s) out.add(p(x));
        return List.copyOf(out);
    }

    static PbftTestCluster startedCluster(int n, PbftConfig config) {
        PbftTestCluster c = new PbftTestCluster(n, config);
        c.startAll();
        c.deliverAll();
        return c;
    }

    /**
     * Persist before send (Castro and Liskov, TOCS 2002, section 4; Outbox contract): every prepare a
     * member sends follows the record of the pre-prepare it accepted, every commit follows the record
     * of its prepared certificate, every pre-prepare it issues follows its own Accepted record, and
     * every view change follows the record that it left the view.
     */
    static void assertPersistBeforeSend(List<PbftRecord> before, List<Event> events, String who) {
        Set<String> accepted = new HashSet<>();
        Set<String> prepared = new HashSet<>();
        long leftFor = -1;
        List<Object> all = new ArrayList<>(before);
        all.addAll(events);
        for (Object o : all) {
            PbftRecord r = o instanceof Persisted p ? (PbftRecord) p.record() : o instanceof PbftRecord pr ? pr : null;
            if (r instanceof PbftRecord.Accepted a) {
                accepted.add(a.prePrepare().view() + "/" + a.prePrepare().sequence() + "/" + a.prePrepare().batchDigest());
            } else if (r instanceof PbftRecord.Prepared pc) {
                var pp = pc.certificate().prePrepare();
                prepared.add(pp.view() + "/" + pp.sequence() + "/" + pp.batchDigest());
            } else if (r instanceof PbftRecord.ViewChangeStarted v) {
                leftFor = Math.max(leftFor, v.view());
            }
            if (!(o instanceof Sent<?> s)) continue;
            PbftMessage m = (PbftMessage) s.message();
            if (m instanceof PbftMessage.Prepare p && p.replica() == self(who)) {
                assertTrue(accepted.contains(p.view() + "/" + p.sequence() + "/" + p.batchDigest()), who + " sent " + p + " before persisting Accepted");
            } else if (m instanceof PbftMessage.PrePrepare p && p.replica() == self(who)) {
                assertTrue(accepted.contains(p.view() + "/" + p.sequence() + "/" + p.batchDigest()), who + " sent " + p + " before persisting Accepted");
            } else if (m instanceof PbftMessage.Commit c && c.replica() == self(who)) {
                assertTrue(prepared.contains(c.view() + "/" + c.sequence() + "/" + c.batchDigest()),
                        who + " sent " + c + " before persisting Prepared");
            } else if (m instanceof PbftMessage.ViewChange v && v.replica() == self(who)) {
                assertTrue(leftFor >= v.view(), who + " sent " + v + " before persisting ViewChangeStarted");
            }
        }
    }

    private static int self(String who) {
        return Integer.parseInt(who.substring(who.lastIndexOf(' ') + 1));
    }

    static void assertPersistBeforeSend(PbftTestCluster c) {
        for (int i = 0; i < c.n; i++) {
            if (c.isByzantine(i)) continue;
            List<Bytes> disk = c.disk(i);
            List<Event> events = c.out(i).events();
            int current = (int) events.stream().filter(e -> e instanceof Persisted).count();
            List<PbftRecord> before = new ArrayList<>();
            for (Bytes b : disk.subList(0, disk.size() - current)) before.add(PbftRecord.decode(b, c.config, c.n));
            assertPersistBeforeSend(before, events, "node " + i);
        }
    }
}
