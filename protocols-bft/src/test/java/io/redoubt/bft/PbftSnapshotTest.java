package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.involving;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A PBFT core's whole snapshot (issue 18), as the logical machine takes it of its wide-area core:
 * read back into a new core it gives the same state digest, and the same input then makes both
 * send the same. Taken mid-run: slots in flight, checkpoints stable and not, a member behind.
 */
class PbftSnapshotTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 2);

    private static PbftTestCluster midRun() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 9; k++) {
            c.submit(k % 3, p("r" + k));
            c.dropWhere(involving(3));
            c.deliverWhere(involving(3).negate());
        }
        c.submit(1, p("in flight")); // undelivered at the snapshot
        return c;
    }

    private static List<String> sent(RecordingOutbox<Integer> out, int from) {
        return out.events().subList(from, out.events().size()).stream().filter(e -> e instanceof Sent<?>).map(Object::toString).toList();
    }

    @Test
    void aSnapshotReadBackIsTheSameCoreAndBehavesTheSame() throws DecodeException {
        PbftTestCluster c = midRun();
        for (int member = 0; member < 4; member++) {
            PbftCore<Integer> original = c.core(member);
            CanonicalWriter w = new CanonicalWriter();
            original.writeSnapshot(w);
            RecordingOutbox<Integer> out = new RecordingOutbox<>();
            PbftCore<Integer> copy = new PbftCore<>(CONFIG, List.of(0, 1, 2, 3), member, out, c.keys.of(member), List.of());
            copy.readSnapshot(new CanonicalReader(w.toBytes()));
            assertEquals(original.stateDigest(), copy.stateDigest(), "member " + member);
            copy.checkInvariants();
            int before = c.out(member).events().size();
            original.submit(p("next " + member));
            copy.submit(p("next " + member));
            original.onTimer(PbftCore.RETRANSMIT);
            copy.onTimer(PbftCore.RETRANSMIT);
            assertEquals(sent(c.out(member), before), sent(out, 0), "member " + member);
            assertEquals(original.stateDigest(), copy.stateDigest(), "member " + member + " after the same inputs");
        }
    }

    @Test
    void aSnapshotOfAnotherMemberIsRefused() {
        PbftTestCluster c = midRun();
        CanonicalWriter w = new CanonicalWriter();
        c.core(0).writeSnapshot(w);
        PbftCore<Integer> other = new PbftCore<>(CONFIG, List.of(0, 1, 2, 3), 1, new RecordingOutbox<>(), c.keys.of(1), List.of());
        assertThrows(DecodeException.class, () -> other.readSnapshot(new CanonicalReader(w.toBytes())));
        Bytes cut = Bytes.wrap(java.util.Arrays.copyOf(w.toBytes().toArray(), w.size() / 2));
        PbftCore<Integer> fresh = new PbftCore<>(CONFIG, List.of(0, 1, 2, 3), 0, new RecordingOutbox<>(), c.keys.of(0), List.of());
        assertThrows(DecodeException.class, () -> fresh.readSnapshot(new CanonicalReader(cut)));
    }
}
