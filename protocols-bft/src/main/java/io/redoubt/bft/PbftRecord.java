package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.util.List;

/**
 * What a PBFT member writes to stable storage before anyone may hear of it (Castro and Liskov,
 * TOCS 2002, section 4 and the BFT-PK discussion of what must survive a crash): the view it is in
 * and whether it left it, each pre-prepare it accepted (so that it never accepts a second one for
 * the same view and slot), each prepared certificate (so that its view changes report it), each
 * committed batch with its proof (so that a restart re-delivers the decided prefix and can serve
 * lagging members), and each stable checkpoint with its proof.
 *
 * <p>Messages inside records are stored in their wire encoding, signatures included.
 */
public sealed interface PbftRecord extends Encodable {
    int TAG_VIEW_CHANGE_STARTED = 1, TAG_NEW_VIEW_INSTALLED = 2, TAG_ACCEPTED = 3, TAG_PREPARED = 4,
            TAG_COMMITTED = 5, TAG_STABLE_CHECKPOINT = 6, TAG_BASE = 7;

    /**
     * The host holds a snapshot of its state after {@code sequence}, whose delivered batches hash
     * to {@code chain}: every slot through it counts as delivered and none is re-delivered. First
     * of the records a compacted storage holds (PbftCore#recordsAfterSnapshot, issue 18).
     */
    record Base(long sequence, Bytes chain) implements PbftRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_BASE).i64(sequence).bytes(chain);
        }
    }

    /** This member voted to leave its view for {@code view}; it takes no part in lower views again. */
    record ViewChangeStarted(long view) implements PbftRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_VIEW_CHANGE_STARTED).i64(view);
        }
    }

    /** This member installed {@code newView} (it kept the message to hand to members that missed it). */
    record NewViewInstalled(NewView newView) implements PbftRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_NEW_VIEW_INSTALLED).bytes(newView.encode());
        }
    }

    /** This member accepted (or, as primary, issued) {@code prePrepare}. */
    record Accepted(PrePrepare prePrepare) implements PbftRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_ACCEPTED).bytes(prePrepare.encode());
        }
    }

    /** This member holds {@code certificate}. */
    record Prepared(PreparedCertificate certificate) implements PbftRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PREPARED).bytes(certificate.prePrepare().encode());
            w.list(certificate.prepares(), (out, p) -> out.bytes(p.encode()));
        }
    }

    /**
     * Slot {@code sequence} is decided as {@code batch}; {@code commits} is its commit certificate, or
     * empty when the batch came with a checkpoint proof (kept in a {@link StableCheckpoint} record).
     */
    record Committed(long sequence, List<Bytes> batch, List<Commit> commits) implements PbftRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_COMMITTED).i64(sequence).bytesList(batch);
            w.list(commits, (out, c) -> out.bytes(c.encode()));
        }
    }

    /** A quorum certified the chain digest {@code digest} after slot {@code sequence}. */
    record StableCheckpoint(long sequence, Bytes digest, List<Checkpoint> proof) implements PbftRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_STABLE_CHECKPOINT).i64(sequence).bytes(digest);
            w.list(proof, (out, c) -> out.bytes(c.encode()));
        }
    }

    /** Our own storage is trusted, but a torn or foreign file must still fail loudly, not silently. */
    static PbftRecord decode(Bytes bytes, PbftConfig config, int members) {
        try {
            CanonicalReader r = new CanonicalReader(bytes);
            int tag = r.u8();
            PbftRecord rec = switch (tag) {
                case TAG_VIEW_CHANGE_STARTED -> new ViewChangeStarted(r.nonNegative("view"));
                case TAG_BASE -> new Base(r.nonNegative("sequence"), r.bytes(PbftMessage.DIGEST_LENGTH));
                case TAG_NEW_VIEW_INSTALLED -> new NewViewInstalled(message(r, NewView.class, config, members));
                case TAG_ACCEPTED -> new Accepted(message(r, PrePrepare.class, config, members));
                case TAG_PREPARED -> new Prepared(new PreparedCertificate(message(r, PrePrepare.class, config, members),
                        r.list(Integer.MAX_VALUE, in -> message(in, Prepare.class, config, members))));
                case TAG_COMMITTED -> new Committed(r.nonNegative("sequence"), r.bytesList(Integer.MAX_VALUE, Integer.MAX_VALUE),
                        r.list(Integer.MAX_VALUE, in -> message(in, Commit.class, config, members)));
                case TAG_STABLE_CHECKPOINT -> new StableCheckpoint(r.nonNegative("sequence"), PbftMessage.checkpointDigest(r),
                        r.list(Integer.MAX_VALUE, in -> message(in, Checkpoint.class, config, members)));
                default -> throw new DecodeException("unknown PBFT record tag " + tag);
            };
            r.expectEnd();
            return rec;
        } catch (DecodeException e) {
            throw new IllegalStateException("corrupt PBFT storage record: " + e.getMessage());
        }
    }

    private static <M extends PbftMessage> M message(CanonicalReader r, Class<M> type, PbftConfig config, int members)
            throws DecodeException {
        PbftMessage m = PbftMessage.decode(r.bytes(Integer.MAX_VALUE), config, members);
        if (!type.isInstance(m)) throw new DecodeException("expected " + type.getSimpleName() + ", found " + m);
        return type.cast(m);
    }
}
