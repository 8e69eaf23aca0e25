package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.FetchRequest;
import io.redoubt.bft.PbftMessage.Forward;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.SlotProof;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Messages and records: canonical round trips, bounded decoding, and garbage that never escapes as anything but a rejection. */
class PbftCodecTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4);
    private static final int N = 4;
    private final TestKeys keys = TestKeys.simulated();

    private PrePrepare pp(long view, long seq, List<Bytes> b) {
        return keys.sign((int) (view % N), new PrePrepare(view, seq, PbftMessage.batchDigest(b), (int) (view % N), b, Bytes.EMPTY));
    }

    private Prepare prepare(long view, long seq, List<Bytes> b, int r) {
        return keys.sign(r, new Prepare(view, seq, PbftMessage.batchDigest(b), r, Bytes.EMPTY));
    }

    private Commit commit(long view, long seq, List<Bytes> b, int r) {
        return keys.sign(r, new Commit(view, seq, PbftMessage.batchDigest(b), r, Bytes.EMPTY));
    }

    private Checkpoint checkpoint(long seq, int r) {
        return keys.sign(r, new Checkpoint(seq, PbftMessage.CHAIN_START, r, Bytes.EMPTY));
    }

    /** One of every message type, with nested certificates. */
    List<PbftMessage> samples() {
        List<Bytes> b = batch("a", "bb", "");
        PreparedCertificate cert = new PreparedCertificate(pp(0, 4, b), List.of(prepare(0, 4, b, 1), prepare(0, 4, b, 2)));
        List<Checkpoint> proof = List.of(checkpoint(3, 0), checkpoint(3, 1), checkpoint(3, 2));
        ViewChange vc = keys.sign(3, new ViewChange(1, 3, proof, List.of(cert), 3, Bytes.EMPTY));
        ViewChange vc0 = keys.sign(2, new ViewChange(1, -1, List.of(), List.of(), 2, Bytes.EMPTY));
        NewView nv = keys.sign(1, new NewView(1, List.of(vc, vc0), List.of(pp(1, 4, b)), 1, Bytes.EMPTY));
        SlotProof byCommits = new SlotProof(4, List.of(b), List.of(), List.of(commit(0, 4, b, 0), commit(0, 4, b, 1), commit(0, 4, b, 2)));
        SlotProof byCheckpoint = new SlotProof(0, List.of(b, List.of(), b, b), proof, List.of());
        return List.of(pp(0, 0, b), pp(2, 7, List.of()), prepare(0, 0, b, 1), commit(5, 6, b, 3), checkpoint(3, 2), vc, vc0, nv,
                keys.sign(2, new Forward(batch("x", "y"), 2, Bytes.EMPTY)),
                keys.sign(1, new FetchRequest(4, 1, 3, 1, Bytes.EMPTY)),
                keys.sign(0, new FetchReply(0, List.of(byCheckpoint, byCommits), 0, Bytes.EMPTY)));
    }

    // Canonical encoding: decode(encode(m)) == m, and one value has one encoding.
    @Test
    void everyMessageRoundTripsThroughItsCanonicalEncoding() throws DecodeException {
        for (PbftMessage m : samples()) {
            Bytes wire = m.encode();
            PbftMessage back = PbftMessage.decode(wire, CONFIG, N);
            assertEquals(m, back, m.getClass().getSimpleName());
            assertEquals(wire, back.encode());
        }
    }

    @Test
    void everyRecordRoundTrips() {
        List<Bytes> b = batch("a");
        List<PbftMessage> s = samples();
        List<PbftRecord> records = List.of(new PbftRecord.ViewChangeStarted(3), new PbftRecord.NewViewInstalled((NewView) s.get(7)),
                new PbftRecord.Accepted(pp(0, 1, b)),
                new PbftRecord.Prepared(new PreparedCertificate(pp(0, 1, b), List.of(prepare(0, 1, b, 1), prepare(0, 1, b, 2)))),
                new PbftRecord.Committed(1, b, List.of(commit(0, 1, b, 0))), new PbftRecord.Committed(2, List.of(), List.of()),
                new PbftRecord.StableCheckpoint(3, PbftMessage.CHAIN_START, List.of(checkpoint(3, 0))));
        for (PbftRecord r : records) assertEquals(r, PbftRecord.decode(r.encode(), CONFIG, N));
        assertThrows(IllegalStateException.class, () -> PbftRecord.decode(Bytes.ofUtf8("torn"), CONFIG, N));
    }

    // Bounded decoding: a hostile count is refused before anything is allocated.
    @Test
    void oversizedCountsAndOutOfRangeFieldsAreRefused() {
        Bytes digest = PbftMessage.CHAIN_START;
        // A pre-prepare claiming 2^31-1 payloads.
        Bytes huge = new CanonicalWriter().u8(PbftMessage.TAG_PRE_PREPARE).i64(0).i64(0).bytes(digest).i32(0).i32(Integer.MAX_VALUE).toBytes();
        assertThrows(DecodeException.class, () -> PbftMessage.decode(huge, CONFIG, N));
        // More payloads than batchPayloadsMax (4).
        CanonicalWriter w = new CanonicalWriter().u8(PbftMessage.TAG_PRE_PREPARE).i64(0).i64(0).bytes(digest).i32(0);
        w.bytesList(batch("1", "2", "3", "4", "5")).bytes(Bytes.EMPTY);
        assertThrows(DecodeException.class, () -> PbftMessage.decode(w.toBytes(), CONFIG, N));
        // A replica index outside the membership, a negative view, a short digest, trailing bytes.
        Bytes badReplica = new CanonicalWriter().u8(PbftMessage.TAG_PREPARE).i64(0).i64(0).bytes(digest).i32(N).bytes(Bytes.EMPTY).toBytes();
        assertThrows(DecodeException.class, () -> PbftMessage.decode(badReplica, CONFIG, N));
        Bytes badView = new CanonicalWriter().u8(PbftMessage.TAG_PREPARE).i64(-1).i64(0).bytes(digest).i32(0).bytes(Bytes.EMPTY).toBytes();
        assertThrows(DecodeException.class, () -> PbftMessage.decode(badView, CONFIG, N));
        Bytes shortDigest = new CanonicalWriter().u8(PbftMessage.TAG_PREPARE).i64(0).i64(0).bytes(Bytes.ofUtf8("d")).i32(0).bytes(Bytes.EMPTY).toBytes();
        assertThrows(DecodeException.class, () -> PbftMessage.decode(shortDigest, CONFIG, N));
        Bytes trailing = new CanonicalWriter().raw(samples().get(2).encode().unsafeArray()).u8(0).toBytes();
        assertThrows(DecodeException.class, () -> PbftMessage.decode(trailing, CONFIG, N));
        Bytes tooFarView = new CanonicalWriter().u8(PbftMessage.TAG_PREPARE).i64(PbftMessage.VIEW_MAX + 1).i64(0).bytes(digest).i32(0).bytes(Bytes.EMPTY).toBytes();
        assertThrows(DecodeException.class, () -> PbftMessage.decode(tooFarView, CONFIG, N));
    }

    // Garbage, and small mutations of valid messages, never throw anything but DecodeException.
    @Test
    void fuzzedBytesNeverThrowAnythingButDecodeException() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<Bytes> valid = new ArrayList<>();
        for (PbftMessage m : samples()) valid.add(m.encode());
        int decoded = 0;
        for (int i = 0; i < 40_000; i++) {
            byte[] b;
            if (i % 4 == 0) {
                b = new byte[rnd.nextInt(200)];
                for (int k = 0; k < b.length; k++) b[k] = (byte) rnd.nextInt(256);
            } else {
                byte[] src = valid.get(rnd.nextInt(valid.size())).toArray();
                int cut = i % 4 == 1 ? rnd.nextInt(src.length + 1) : src.length;
                b = java.util.Arrays.copyOf(src, cut);
                for (int k = 0, flips = 1 + rnd.nextInt(4); k < flips && b.length > 0; k++) b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            try {
                PbftMessage.decode(Bytes.wrap(b), CONFIG, N);
                decoded++;
            } catch (DecodeException expected) {
                // fine
            } catch (RuntimeException e) {
                fail("decoding threw " + e + " for " + Bytes.wrap(b).toHex());
            }
        }
        assertTrue(decoded > 0, "some mutations (e.g. of a signature byte) still decode");
    }

    // OrderingCore contract: untrusted bytes are rejected MALFORMED, never thrown.
    @Test
    void coreRejectsGarbageBytesAsMalformed() {
        PbftTestCluster c = PbftTestSupport.startedCluster(N, CONFIG);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 500; i++) {
            byte[] b = new byte[rnd.nextInt(64)];
            for (int k = 0; k < b.length; k++) b[k] = (byte) rnd.nextInt(256);
            if (b.length > 0) b[0] = (byte) (1 + rnd.nextInt(9));
            c.core(1).onMessage(2, Bytes.wrap(b));
        }
        List<Rejection> reasons = c.out(1).rejectionReasons();
        assertEquals(500, reasons.size());
        assertTrue(reasons.stream().allMatch(r -> r == Rejection.MALFORMED), reasons.toString());
        assertEquals(-1, c.core(1).deliveredThrough());
    }
}
