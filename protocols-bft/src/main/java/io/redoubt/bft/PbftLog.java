package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
        final long seq;
        /** Handed out since the last invariant check: it may have changed. */
        boolean touched;
        long view = -1;
        PrePrepare prePrepare;
        final TreeMap<Integer, Prepare> prepares = new TreeMap<>();
        final TreeMap<Integer, Commit> commits = new TreeMap<>();
        Prepare myPrepare;
        Commit myCommit;
        /**
         * The retransmission period (PbftCore#retransmitTicks) in which we last sent our own
         * pre-prepare, prepare or commit of this slot; -1 for never (a restored slot).
         */
        long lastSentTick = -1;
        PreparedCertificate prepared; // highest view; survives view changes
        boolean committed;
        List<Bytes> committedBatch;
        List<Commit> commitCertificate;

        Slot(long seq) {
            this.seq = seq;
        }

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
    /**
     * A running hash over the proofs delivered batches were kept with (the chain covers the batches
     * themselves): what a member can prove to laggards is part of its state digest, without walking
     * the whole history each time.
     */
    Bytes proofsChain = PbftMessage.CHAIN_START;
    /** Slots through this one came in a snapshot of the host (issue 18): no history of them is kept. */
    long installedThrough = -1;

    /**
     * Slots handed out by {@link #slot} or {@link #get} since the last invariant check: the only
     * ones that can have changed, so the check looks at them and not at the whole window (walking
     * every slot after every step at every server took a quarter of a Byzantine campaign).
     */
    private final List<Slot> touched = new ArrayList<>();
    /** Every slot is checked at least once in this many checks, whatever was handed out. */
    static final int FULL_CHECK_EVERY = 256;
    private int checksSinceFull;
    private boolean everySlotTouched = true;
    // What the last check saw.
    private long checkedView = Long.MIN_VALUE;
    private long checkedNextSeq = Long.MIN_VALUE;
    private long checkedDeliveredThrough = Long.MIN_VALUE;
    private int checkedHistorySize = -1;

    PbftLog(PbftConfig config) {
        this.windowSlots = config.windowSlots();
        this.historySlotsMax = config.historySlotsMax();
    }

    /** The high watermark: the last slot a pre-prepare may name. */
    long highWatermark() {
        return stableSeq + windowSlots;
    }

    /** Slot {@code seq}, created if missing; whoever asks may change it. */
    Slot slot(long seq) {
        return touch(slots.computeIfAbsent(seq, Slot::new));
    }

    /** Slot {@code seq} or null; whoever asks may change it. */
    Slot get(long seq) {
        return touch(slots.get(seq));
    }

    private Slot touch(Slot s) {
        if (s == null || s.touched || everySlotTouched) return s;
        if (touched.size() >= windowSlots) {
            // Nobody checks (a real server): keep the list bounded; the next check, if any, is a full one.
            everySlotTouched = true;
            for (Slot t : touched) t.touched = false;
            touched.clear();
            return s;
        }
        s.touched = true;
        touched.add(s);
        return s;
    }

    /** The slots above the last delivered one, to read: a caller that changes a slot gets it through {@link #slot} or {@link #get}. */
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
        everySlotTouched = true;
    }

    /** Extends the chain with slot {@code seq} and keeps its batch for laggards; slots are delivered in order, with no gaps. */
    /**
     * A commit that arrived after its slot was delivered joins the slot's certificate (same view,
     * same batch, a member not yet in it): the certificate's commits were counted unchecked, and a
     * spare lets a relayed certificate leave out one whose signature fails
     * (PbftCertificates#relayableCommits). At most one per member.
     */
    void addLateCommit(Commit c) {
        Delivered d = history.get(c.sequence());
        if (d == null || d.commits().isEmpty()) return;
        Commit first = d.commits().get(0);
        if (c.view() != first.view() || !c.batchDigest().equals(first.batchDigest())) return;
        for (Commit k : d.commits()) if (k.replica() == c.replica()) return;
        List<Commit> more = new java.util.ArrayList<>(d.commits());
        more.add(c);
        history.put(c.sequence(), new Delivered(d.batch(), List.copyOf(more)));
    }

    void append(long seq, List<Bytes> batch, List<Commit> proof) {
        if (seq != deliveredThrough + 1) throw new IllegalStateException("delivering slot " + seq + " after " + deliveredThrough);
        deliveredThrough = seq;
        chain = PbftMessage.chain(chain, seq, PbftMessage.batchDigest(batch));
        history.put(seq, new Delivered(batch, proof));
        while (history.size() > historySlotsMax) history.pollFirstEntry();
        CanonicalWriter w = new CanonicalWriter().i64(seq);
        writeMessages(w, proof);
        proofsChain = Digests.sha256(proofsChain, w.toBytes());
    }

    /**
     * A snapshot of the host after slot {@code seq} was installed (or a restart restored one):
     * every slot through it counts as delivered, the chain resumes from {@code chainAfter}, and
     * nothing of them is kept (their batches live on only in the host's snapshot).
     */
    void installBase(long seq, Bytes chainAfter) {
        if (seq <= deliveredThrough) throw new IllegalStateException("a snapshot after " + seq + " installed over delivered " + deliveredThrough);
        deliveredThrough = seq;
        chain = chainAfter;
        history.clear();
        installedThrough = seq;
        slots.headMap(seq, true).clear();
        nextSeq = Math.max(nextSeq, seq + 1);
        everySlotTouched = true;
    }

    /** The first delivered slot whose batch we still hold to serve laggards. */
    long historyFrom() {
        return history.isEmpty() ? deliveredThrough + 1 : history.firstKey();
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

    /**
     * Our own invariants of the log: nothing at or below the low watermark, every vote in a slot for
     * the slot's pre-prepare, certificates that agree with themselves, no pre-prepare of ours for the
     * current view at or above the next slot to assign, and a delivered history without gaps that
     * ends where delivery stands.
     */
    void checkInvariants(int self, long view) {
        if (nextSeq <= stableSeq) throw new IllegalStateException("next slot to assign " + nextSeq + " is not above the low watermark " + stableSeq);
        if (!slots.isEmpty() && slots.firstKey() <= stableSeq) {
            throw new IllegalStateException("log holds slot " + slots.firstKey() + " at or below the low watermark " + stableSeq);
        }
        // A slot's invariants depend on the slot, the view and the next slot to assign, so a slot
        // nobody was handed since it last passed still holds them while the view stays and nextSeq
        // does not go back. The periodic full check is a net for a change that bypassed slot() and get().
        boolean full = everySlotTouched || view != checkedView || nextSeq < checkedNextSeq || ++checksSinceFull >= FULL_CHECK_EVERY;
        if (full) {
            for (Slot s : slots.values()) checkSlot(s, self, view);
            everySlotTouched = false;
            checksSinceFull = 0;
        } else {
            for (Slot s : touched) if (slots.get(s.seq) == s) checkSlot(s, self, view);
        }
        for (Slot s : touched) s.touched = false;
        touched.clear();
        checkedView = view;
        checkedNextSeq = nextSeq;
        if (history.size() > historySlotsMax) throw new IllegalStateException("history holds " + history.size() + " slots > historySlotsMax " + historySlotsMax);
        // Only append() changes the history, and it moves deliveredThrough: walk to both ends only then.
        if (full || deliveredThrough != checkedDeliveredThrough || history.size() != checkedHistorySize) {
            boolean installedOnly = history.isEmpty() && deliveredThrough == installedThrough; // a snapshot, nothing delivered since
            if (deliveredThrough >= 0 && !installedOnly && (history.isEmpty() || history.lastKey() != deliveredThrough
                    || history.lastKey() - history.firstKey() + 1 != history.size())) {
                throw new IllegalStateException("delivered history " + (history.isEmpty() ? "is empty" : history.firstKey() + ".." + history.lastKey()
                        + " holds " + history.size() + " slots") + ", delivered through " + deliveredThrough);
            }
            checkedDeliveredThrough = deliveredThrough;
            checkedHistorySize = history.size();
        }
    }

    /** One slot's invariants: not proposed by us beyond nextSeq, every vote in it for its pre-prepare, certificates that agree with themselves. */
    private void checkSlot(Slot s, int self, long view) {
        long seq = s.seq;
        if (seq >= nextSeq && s.prePrepare != null && s.prePrepare.replica() == self && s.prePrepare.view() == view) {
            throw new IllegalStateException("we proposed slot " + seq + " in view " + view + " but the next slot to assign is " + nextSeq);
        }
        Bytes digest = s.prePrepare == null ? null : s.prePrepare.batchDigest();
        if (s.prePrepare != null && s.prePrepare.sequence() != seq) {
            throw new IllegalStateException("slot " + seq + " holds a pre-prepare for slot " + s.prePrepare.sequence());
        }
        if (s.myPrepare != null && !s.myPrepare.batchDigest().equals(digest)) {
            throw new IllegalStateException("slot " + seq + ": our prepare is for " + s.myPrepare.batchDigest() + ", the pre-prepare for " + digest);
        }
        if (s.myCommit != null && !s.myCommit.batchDigest().equals(digest)) {
            throw new IllegalStateException("slot " + seq + ": our commit is for " + s.myCommit.batchDigest() + ", the pre-prepare for " + digest);
        }
        if (s.prepared != null) {
            PrePrepare pp = s.prepared.prePrepare();
            if (pp.sequence() != seq) throw new IllegalStateException("slot " + seq + " holds a prepared certificate for slot " + pp.sequence());
            for (Prepare p : s.prepared.prepares()) {
                if (p.sequence() != seq || !p.batchDigest().equals(pp.batchDigest())) {
                    throw new IllegalStateException("slot " + seq + ": prepared certificate for " + pp.batchDigest() + " holds a prepare for " + p.batchDigest());
                }
            }
        }
        if (s.committed && s.committedBatch == null) throw new IllegalStateException("slot " + seq + " is committed without a batch");
        if (s.commitCertificate != null && !s.commitCertificate.isEmpty()) {
            Bytes first = s.commitCertificate.get(0).batchDigest();
            for (Commit c : s.commitCertificate) {
                if (c.sequence() != seq || !c.batchDigest().equals(first)) {
                    throw new IllegalStateException("slot " + seq + ": commit certificate holds commits for " + first + " and for " + c.batchDigest() + " (slot " + c.sequence() + ")");
                }
            }
        }
    }

    /** The whole log, for a snapshot (issue 18): watermarks, chains, the delivered history with its proofs, every slot whole. */
    void writeSnapshot(CanonicalWriter w) {
        w.i64(stableSeq).i64(deliveredThrough).bytes(chain).i64(nextSeq).bytes(proofsChain).i64(installedThrough);
        w.i32(history.size());
        for (Map.Entry<Long, Delivered> e : history.entrySet()) {
            w.i64(e.getKey()).bytesList(e.getValue().batch());
            PbftSnapshot.messages(w, e.getValue().commits());
        }
        w.i32(slots.size());
        for (Slot s : slots.values()) {
            w.i64(s.seq).i64(s.view);
            PbftSnapshot.message(w, s.prePrepare);
            PbftSnapshot.messages(w, s.prepares.values());
            PbftSnapshot.messages(w, s.commits.values());
            PbftSnapshot.message(w, s.myPrepare);
            PbftSnapshot.message(w, s.myCommit);
            w.i64(s.lastSentTick).bool(s.prepared != null);
            if (s.prepared != null) {
                PbftSnapshot.message(w, s.prepared.prePrepare());
                PbftSnapshot.messages(w, s.prepared.prepares());
            }
            w.bool(s.committed).bool(s.committedBatch != null);
            if (s.committedBatch != null) w.bytesList(s.committedBatch);
            w.bool(s.commitCertificate != null);
            if (s.commitCertificate != null) PbftSnapshot.messages(w, s.commitCertificate);
        }
    }

    /** Reads what {@link #writeSnapshot} wrote into this log, which must be new. */
    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r, PbftSnapshot in) throws io.redoubt.lm.codec.DecodeException {
        if (!slots.isEmpty() || !history.isEmpty() || deliveredThrough != -1) throw new IllegalStateException("snapshot read into a log in use");
        stableSeq = r.i64();
        deliveredThrough = r.i64();
        chain = r.bytes(PbftMessage.DIGEST_LENGTH);
        nextSeq = r.i64();
        proofsChain = r.bytes(PbftMessage.DIGEST_LENGTH);
        installedThrough = r.i64();
        if (stableSeq < -1 || deliveredThrough < -1 || nextSeq <= stableSeq) {
            throw new io.redoubt.lm.codec.DecodeException("PBFT snapshot: stable " + stableSeq + ", delivered " + deliveredThrough + ", next " + nextSeq);
        }
        int n = in.members();
        int historyCount = r.count(historySlotsMax, "history slots");
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < historyCount; i++) {
            long seq = r.i64();
            if (seq <= previous || seq > deliveredThrough) throw new io.redoubt.lm.codec.DecodeException("PBFT snapshot: history slot " + seq);
            previous = seq;
            history.put(seq, new Delivered(in.batch(r), List.copyOf(in.messages(r, Commit.class, n + 1))));
        }
        // Slots above the high watermark can exist (a new view whose low watermark we could not adopt): bound the count, not the range.
        int slotCount = r.count(4 * windowSlots + 1, "log slots");
        for (int i = 0; i < slotCount; i++) {
            Slot s = new Slot(r.i64());
            if (s.seq <= stableSeq || s.seq > PbftMessage.SEQUENCE_MAX || slots.containsKey(s.seq)) {
                throw new io.redoubt.lm.codec.DecodeException("PBFT snapshot: slot " + s.seq + " outside the window above " + stableSeq);
            }
            s.view = r.i64();
            s.prePrepare = in.message(r, PrePrepare.class);
            for (Prepare p : in.messages(r, Prepare.class, n)) s.prepares.put(p.replica(), p);
            for (Commit c : in.messages(r, Commit.class, n)) s.commits.put(c.replica(), c);
            s.myPrepare = in.message(r, Prepare.class);
            s.myCommit = in.message(r, Commit.class);
            s.lastSentTick = r.i64();
            if (r.bool()) {
                PrePrepare pp = in.message(r, PrePrepare.class);
                if (pp == null) throw new io.redoubt.lm.codec.DecodeException("PBFT snapshot: a prepared certificate without its pre-prepare");
                s.prepared = new PreparedCertificate(pp, List.copyOf(in.messages(r, Prepare.class, n)));
            }
            s.committed = r.bool();
            if (r.bool()) s.committedBatch = in.batch(r);
            if (r.bool()) s.commitCertificate = List.copyOf(in.messages(r, Commit.class, n + 1));
            slots.put(s.seq, s);
        }
        everySlotTouched = true;
    }

    /** The log's part of the state digest (see PbftCore#stateDigest). */
    void writeState(CanonicalWriter w) {
        w.i64(stableSeq).i64(deliveredThrough).bytes(chain).i64(nextSeq).bytes(proofsChain).i64(installedThrough);
        w.i64(history.isEmpty() ? -1 : history.firstKey());
        w.i32(slots.size());
        for (Map.Entry<Long, Slot> e : slots.entrySet()) {
            Slot s = e.getValue();
            w.i64(e.getKey()).i64(s.view);
            writeHeader(w, s.prePrepare);
            writeMessages(w, s.prepares.values());
            writeMessages(w, s.commits.values());
            w.bool(s.myPrepare != null).bool(s.myCommit != null).i64(s.lastSentTick);
            w.bool(s.prepared != null);
            if (s.prepared != null) {
                writeHeader(w, s.prepared.prePrepare());
                writeMessages(w, s.prepared.prepares());
            }
            w.bool(s.committed);
            // A delivered batch is in the chain already; one committed above a gap is not.
            if (s.committed && e.getKey() > deliveredThrough) w.bytes(PbftMessage.batchDigest(s.committedBatch));
            if (s.commitCertificate != null) writeMessages(w, s.commitCertificate);
            else w.i32(-1);
        }
    }

    /** A pre-prepare without its batch, which its digest stands for. */
    static void writeHeader(CanonicalWriter w, PrePrepare pp) {
        w.bool(pp != null);
        if (pp != null) w.i64(pp.view()).i64(pp.sequence()).bytes(pp.batchDigest()).i32(pp.replica()).bytes(pp.signature());
    }

    static void writeMessages(CanonicalWriter w, Collection<? extends PbftMessage> messages) {
        w.i32(messages.size());
        for (PbftMessage m : messages) m.encodeTo(w);
    }
}
