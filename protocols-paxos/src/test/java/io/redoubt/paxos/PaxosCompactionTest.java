package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestCluster.to;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.testkit.RecordingOutbox.Delivered;
import io.redoubt.lm.testkit.RecordingOutbox.SnapshotNeeded;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Log compaction (issue 18): a member keeps historySlotsMax decided slots; one further behind is
 * told so (Compacted) and its host installs a snapshot, after which it catches up and delivers
 * only what follows; the records after a snapshot rebuild a core; and a whole core's snapshot
 * (the wide-area core inside a logical machine) restores it exactly.
 */
class PaxosCompactionTest {
    static final int HISTORY = 16;
    static final PaxosConfig CONFIG = cfg(4, 1).withHistorySlotsMax(HISTORY);

    /** Three members; {@code k} slots decided by members 0 and 1 while every message to member 2 is lost. */
    private static PaxosTestCluster<Integer> member2Missed(int k) {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        for (int i = 0; i < k; i++) c.submit(0, p("m" + i));
        while (!c.pending().isEmpty()) {
            c.dropWhere(to(2));
            c.deliverWhere(to(2).negate());
        }
        assertEquals(k - 1L, c.core(0).decidedThrough());
        return c;
    }

    @Test
    void aMemberBehindTheHistoryIsToldToInstallASnapshotAndThenCatchesUpPastIt() {
        PaxosTestCluster<Integer> c = member2Missed(40);
        c.submit(0, p("m40")); // its proposal shows member 2 it is behind
        c.deliverAll();
        List<SnapshotNeeded<Integer>> needed = c.out(2).snapshotsNeeded();
        assertTrue(!needed.isEmpty(), "member 2 was never told to fetch a snapshot");
        long compacted = needed.get(0).compactedThrough();
        assertTrue(compacted >= 40 - 1 - 2 * HISTORY && compacted < 40 - HISTORY, "compacted through " + compacted);
        assertTrue(c.deliveries(2).isEmpty(), "nothing can be delivered across the compacted slots");
        // Its host installs the snapshot after slot 30 that another member took (the host's part).
        c.core(2).installSnapshot(30, Bytes.EMPTY);
        c.deliverAll();
        List<Delivered> got = c.deliveries(2);
        assertEquals(31L, got.get(0).slot(), "delivery resumes after the snapshot");
        assertEquals(40L, got.get(got.size() - 1).slot());
        assertEquals(40L, c.core(2).decidedThrough());
        c.core(2).checkInvariants();
    }

    @Test
    void theRecordsAfterASnapshotRebuildACoreThatDeliversOnlyWhatFollows() {
        PaxosTestCluster<Integer> c = member2Missed(40);
        List<Bytes> records = c.core(0).recordsAfterSnapshot(35, Bytes.EMPTY);
        assertEquals(new PaxosRecord.Base(35), PaxosRecord.decode(records.get(0)));
        RecordingOutbox<Integer> out = new RecordingOutbox<>();
        PaxosCore<Integer> restored = new PaxosCore<>(CONFIG, List.of(0, 1, 2), 0, out, records);
        restored.start();
        List<Delivered> got = out.deliveries();
        assertEquals(List.of(36L, 37L, 38L, 39L), got.stream().map(Delivered::slot).toList());
        assertEquals(39L, restored.decidedThrough());
        restored.checkInvariants();
        assertThrows(IllegalArgumentException.class, () -> c.core(0).recordsAfterSnapshot(3, Bytes.EMPTY), "slots below the history are gone");
    }

    @Test
    void aWholeCoreSnapshotRestoresTheSameStateThatBehavesTheSame() throws DecodeException {
        PaxosTestCluster<Integer> c = member2Missed(40);
        c.submit(0, p("in flight")); // a proposal undecided at the snapshot
        PaxosCore<Integer> original = c.core(0);
        CanonicalWriter w = new CanonicalWriter();
        original.writeSnapshot(w);
        RecordingOutbox<Integer> out = new RecordingOutbox<>();
        PaxosCore<Integer> copy = new PaxosCore<>(CONFIG, List.of(0, 1, 2), 0, out, List.of());
        copy.readSnapshot(new CanonicalReader(w.toBytes()));
        assertEquals(original.stateDigest(), copy.stateDigest());
        copy.checkInvariants();
        // The same input makes both send the same.
        int before = c.out(0).events().size();
        original.submit(p("next"));
        copy.submit(p("next"));
        List<Object> originalSent = c.out(0).events().subList(before, c.out(0).events().size()).stream()
                .filter(e -> e instanceof Sent<?>).map(Object::toString).map(s -> (Object) s).toList();
        List<Object> copySent = out.events().stream().filter(e -> e instanceof Sent<?>).map(Object::toString).map(s -> (Object) s).toList();
        assertEquals(originalSent, copySent);
        assertEquals(original.stateDigest(), copy.stateDigest());
    }

    @Test
    void aSnapshotWithAValueChangedIsCaughtByTheStateDigest() throws DecodeException {
        PaxosTestCluster<Integer> c = member2Missed(40);
        CanonicalWriter w = new CanonicalWriter();
        c.core(0).writeSnapshot(w);
        byte[] bytes = w.toBytes().toArray();
        // Payloads are "m<i>"; turn one retained decided value into another of the same length.
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("m35");
        assertTrue(at > 0);
        bytes[at + 2] = '6';
        PaxosCore<Integer> copy = new PaxosCore<>(CONFIG, List.of(0, 1, 2), 0, new RecordingOutbox<>(), List.of());
        copy.readSnapshot(new CanonicalReader(Bytes.wrap(bytes)));
        assertTrue(!copy.stateDigest().equals(c.core(0).stateDigest()), "the re-chained decided prefix shows the change");
    }
}
