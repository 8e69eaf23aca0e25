package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.lm.Bytes;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The message log and its watermarks (Castro and Liskov, OSDI '99, sections 4.2 and 4.3): a slot
 * per sequence number in {@code (low, low + windowSlots]}, where the low watermark is the last
 * stable checkpoint; how far delivery has come, with the hash chain over every delivered batch
 * that checkpoints sign; and the delivered batches with their proofs, kept for
 * {@code historySlotsMax} slots to serve members that fall behind.
 */
final class PbftLog {
    /** A delivered batch and the commit certificate that proved it (empty if we cannot relay one). */
    record Delivered(List<Bytes> batch, List<Commit> commits) {}

    /** One slot of the log. Agreement messages are kept for one view at a time. */
    static final class Slot {
        long view = -1;
        PrePrepare prePrepare;
        final TreeMap<Integer, Prepare> prepares = new TreeMap<>();
        final TreeMap<Integer, Commit> commits = new TreeMap<>();
        Prepare myPrepare;
        Commit myCommit;
        PreparedCertificate prepared; // highest view; survives view changes
        boolean committed;
        List<Bytes> committedBatch;
        List<Commit> commitCertificate;

        void resetTo(long v) {
            if (view == v) return;
            view = v;
            prePrepare = null;
            prepares.clear();
            commits.clear();
            myPrepare = null;
            myCommit = null;
        }
    }

    private final int windowSlots;
    private final int historySlotsMax;

    final TreeMap<Long, Slot> slots = new TreeMap<>();
    /** The low watermark: the last stable checkpoint, or -1. */
    long stableSeq = -1;
    long deliveredThrough = -1;
    /** The hash chain over everything delivered so far. */
    Bytes chain = PbftMessage.CHAIN_START;
    /** Primary: the next slot to assign. */
    long nextSeq;
    final TreeMap<Long, Delivered> history = new TreeMap<>();

    PbftLog(PbftConfig config) {
        this.windowSlots = config.windowSlots();
        this.historySlotsMax = config.historySlotsMax();
    }

    /** The high watermark: the last slot a pre-prepare may name. */
    long highWatermark() {
        return stableSeq + windowSlots;
    }

    Slot slot(long seq) {
        return slots.computeIfAbsent(seq, k -> new Slot());
    }

    Slot get(long seq) {
        return slots.get(seq);
    }

    /** The slots above the last delivered one. */
    Collection<Slot> undelivered() {
        return slots.tailMap(deliveredThrough, false).values();
    }

    /** Drops every slot up to {@code seq}: they are covered by a stable checkpoint. */
    void truncateThrough(long seq) {
        slots.headMap(seq, true).clear();
    }

    /** Every slot forgets the agreement messages of earlier views. */
    void resetTo(long view) {
        for (Slot s : slots.values()) s.resetTo(view);
    }

    /** Extends the chain with slot {@code seq} and keeps its batch for laggards; slots are delivered in order, with no gaps. */
    void append(long seq, List<Bytes> batch, List<Commit> proof) {
        if (seq != deliveredThrough + 1) throw new IllegalStateException("delivering slot " + seq + " after " + deliveredThrough);
        deliveredThrough = seq;
        chain = PbftMessage.chain(chain, seq, PbftMessage.batchDigest(batch));
        history.put(seq, new Delivered(batch, proof));
        while (history.size() > historySlotsMax) history.pollFirstEntry();
    }

    /** Whether a slot above the next one to deliver is already committed (so we missed the one between). */
    boolean committedBeyondNext() {
        for (Slot s : slots.tailMap(deliveredThrough + 1, false).values()) if (s.committed) return true;
        return false;
    }

    /** Our commit for slot {@code seq}, from the log or from the delivered history, or null. */
    Commit ownCommit(long seq, int self) {
        Slot s = slots.get(seq);
        if (s != null && s.myCommit != null) return s.myCommit;
        Delivered d = history.get(seq);
        if (d != null) for (Commit c : d.commits()) if (c.replica() == self) return c;
        return null;
    }
}
