package io.redoubt.paxos;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * One member's log of Multi-Paxos slots (Lane 2008, section 2.2.1): as an acceptor, the value it
 * accepted in the highest view for each slot; as a learner, the votes it has seen and which slots
 * are decided, with the decided prefix. Bookkeeping only: {@link PaxosCore} decides what to
 * accept, persist, send and deliver. The log keeps decided slots to serve catch-up, up to a
 * history (PaxosConfig#historySlotsMax); older ones are dropped ({@link #compactThrough}) and live
 * on only in the host's snapshot.
 */
final class PaxosLog {
    /** One slot. */
    static final class Slot {
        long acceptedView = -1;
        List<Bytes> value;
        boolean decided;
        long acceptsView = -1;
        final BitSet accepts = new BitSet();
        /** The leader's retransmission period (PaxosCore#retransmitTicks) in which it last proposed this slot; -1 for never. */
        long proposedTick = -1;
        /** The decided prefix's hash chain through this slot, once it is chained: where the chain resumes after compaction. */
        Bytes chainAfter;

        /** Counts {@code member}'s accept of view {@code acceptView}; only the highest view's votes count. */
        void countAccept(long acceptView, int member) {
            if (acceptView < acceptsView) return;
            if (acceptView > acceptsView) {
                acceptsView = acceptView;
                accepts.clear();
            }
            accepts.set(member);
        }
    }

    private final TreeMap<Long, Slot> slots = new TreeMap<>();
    private long decidedThrough = -1; // every slot <= this is decided
    /** Slots through this one were dropped (decided; the host's snapshot holds their effect). */
    private long compactedThrough = -1;

    // The digest's hash chain over the decided prefix, extended lazily, so that a digest costs the
    // undecided tail and not the whole log.
    private Bytes decidedChain = Bytes.EMPTY;
    private long chainedThrough = -1;
    /** The chain through {@code compactedThrough}: where a snapshot's reader starts re-chaining the slots it holds. */
    private Bytes compactedChain = Bytes.EMPTY;

    // The recently decided values checkInvariants() saw, to check that they stay.
    private final TreeMap<Long, List<Bytes>> checkedDecided = new TreeMap<>();

    long decidedThrough() {
        return decidedThrough;
    }

    long compactedThrough() {
        return compactedThrough;
    }

    /** Decided slots held, below and at the decided prefix's end: what catch-up can serve. */
    long decidedHeld() {
        return decidedThrough - compactedThrough;
    }

    /**
     * Drops every slot through {@code n} (all decided), chaining them into the decided prefix's
     * digest first, so the digest goes on from where they end.
     */
    void compactThrough(long n) {
        if (n <= compactedThrough) return;
        if (n > decidedThrough) throw new IllegalStateException("compacting through " + n + " past the decided prefix " + decidedThrough);
        decidedPrefixDigest();
        compactedChain = slots.get(n).chainAfter;
        slots.headMap(n, true).clear();
        checkedDecided.headMap(n, true).clear();
        compactedThrough = n;
    }

    /**
     * A snapshot after slot {@code n} was installed (or a restart restored one): every slot
     * through {@code n} counts as decided and dropped; the chain resumes from {@code chain}.
     * Decided slots above it that we already hold extend the prefix.
     */
    void installBase(long n, Bytes chain) {
        if (n <= decidedThrough) throw new IllegalStateException("a snapshot after " + n + " installed over decided " + decidedThrough);
        slots.headMap(n, true).clear();
        checkedDecided.headMap(n, true).clear();
        decidedThrough = n;
        compactedThrough = n;
        compactedChain = chain;
        decidedChain = chain;
        chainedThrough = n;
        extendDecidedPrefix();
    }

    /** Slot {@code n}, or null if this node knows nothing of it. */
    Slot get(long n) {
        return slots.get(n);
    }

    /** Slot {@code n}, created empty if needed; callers bound {@code n} first. */
    Slot slot(long n) {
        return slots.computeIfAbsent(n, k -> new Slot());
    }

    /** The slots from {@code n} on, in order. */
    SortedMap<Long, Slot> from(long n) {
        return slots.tailMap(n, true);
    }

    boolean isEmpty() {
        return slots.isEmpty();
    }

    int size() {
        return slots.size();
    }

    /** The highest slot held; the log must not be empty. */
    long lastSlot() {
        return slots.lastKey();
    }

    boolean isDecided(long n) {
        Slot s = slots.get(n);
        return s != null && s.decided;
    }

    /** Marks slot {@code n} decided as {@code value}; false if it already was (a decision never changes). */
    boolean decide(long n, List<Bytes> value) {
        Slot s = slot(n);
        if (s.decided) return false;
        s.decided = true;
        s.value = value;
        extendDecidedPrefix();
        return true;
    }

    /** Moves {@code decidedThrough} over every decided slot that now follows it. */
    void extendDecidedPrefix() {
        while (slots.containsKey(decidedThrough + 1) && slots.get(decidedThrough + 1).decided) decidedThrough++;
    }

    /** Fills {@code into} with this node's slots from {@code from}; returns whether more did not fit. */
    boolean collectReports(long from, int max, List<SlotReport> into, boolean decidedOnly) {
        for (Map.Entry<Long, Slot> e : slots.tailMap(from, true).entrySet()) {
            Slot s = e.getValue();
            if (s.value == null) continue;
            if (decidedOnly && !s.decided) break;
            if (into.size() == max) return true;
            into.add(new SlotReport(e.getKey(), Math.max(s.acceptedView, 0), s.value, s.decided));
        }
        return false;
    }

    // ---------------------------------------------------------------- invariants and digest

    /**
     * The decided prefix ends where it says, and the recent decided slots and the undecided tail
     * hold: views bounded by our promise, decided values fixed. Costs {@code windowSlots} slots
     * below the decided prefix and the tail above it, not the whole log.
     */
    void checkInvariants(long promisedView, int windowSlots, BiFunction<String, String, IllegalStateException> broken) {
        if (compactedThrough > decidedThrough) throw broken.apply("only decided slots are compacted", "compacted " + compactedThrough + ", decided " + decidedThrough);
        if (!slots.isEmpty() && slots.firstKey() <= compactedThrough) throw broken.apply("compacted slots are gone", "slot " + slots.firstKey() + " <= " + compactedThrough);
        if (decidedThrough > compactedThrough && !isDecided(decidedThrough)) throw broken.apply("decidedThrough is decided", "slot " + decidedThrough + " is not");
        if (isDecided(decidedThrough + 1)) throw broken.apply("decidedThrough ends the decided prefix", "slot " + (decidedThrough + 1) + " is decided");
        long from = Math.max(0, decidedThrough - windowSlots + 1);
        checkedDecided.headMap(from).clear();
        for (Map.Entry<Long, List<Bytes>> e : checkedDecided.entrySet()) {
            Slot s = slots.get(e.getKey());
            if (s == null || !s.decided || !s.value.equals(e.getValue())) {
                Object now = s == null ? "absent" : s.decided ? s.value : "undecided";
                throw broken.apply("a decided slot keeps its value", "slot " + e.getKey() + " was " + e.getValue() + ", now " + now);
            }
        }
        for (Map.Entry<Long, Slot> e : slots.tailMap(from, true).entrySet()) {
            Slot s = e.getValue();
            // Lamport, Paxos Made Simple, section 2.2: an acceptor accepts only in a view it has promised.
            if (s.acceptedView > promisedView || s.acceptsView > promisedView) {
                throw broken.apply("no slot is accepted in a view beyond our promise",
                        "slot " + e.getKey() + " accepted in " + s.acceptedView + ", votes of " + s.acceptsView + ", promised " + promisedView);
            }
            if (s.decided ? s.value == null : (s.value != null) != (s.acceptedView >= 0)) {
                throw broken.apply("a slot holds a value exactly when it accepted or decided one", "slot " + e.getKey());
            }
            if (s.decided) checkedDecided.putIfAbsent(e.getKey(), s.value);
        }
    }

    /** The hash chain over slots 0..decidedThrough; a decided slot never changes, so it is extended, never redone. */
    Bytes decidedPrefixDigest() {
        for (long n = chainedThrough + 1; n <= decidedThrough; n++) {
            Slot s = slots.get(n);
            // A decided slot's accepted view still shows in the promises that report it.
            CanonicalWriter link = new CanonicalWriter().bytes(decidedChain).i64(n).i64(s.acceptedView).bytesList(s.value);
            decidedChain = Digests.sha256(link.toBytes());
            s.chainAfter = decidedChain;
            chainedThrough = n;
        }
        return decidedChain;
    }

    /** Writes every slot past the decided prefix: accepted view, value, and the votes of an undecided one. */
    void encodeTailTo(CanonicalWriter w) {
        Map<Long, Slot> tail = slots.tailMap(decidedThrough + 1, true);
        w.i32(tail.size());
        for (Map.Entry<Long, Slot> e : tail.entrySet()) {
            Slot s = e.getValue();
            w.i64(e.getKey()).i64(s.acceptedView).bool(s.value != null).bool(s.decided);
            if (s.value != null) w.bytesList(s.value);
            if (!s.decided) { // votes no longer matter once a slot is decided
                w.i64(s.acceptsView).i64(s.proposedTick).i32(s.accepts.cardinality());
                for (int i = s.accepts.nextSetBit(0); i >= 0; i = s.accepts.nextSetBit(i + 1)) w.i32(i);
            }
        }
    }

    // ---------------------------------------------------------------- snapshot (issue 18)

    /**
     * Everything, for a snapshot: the prefix's end and where compaction left the chain, then every
     * slot held. The chain is not written: the reader recomputes it from the decided slots, so the
     * state digest it then computes vouches for every value held, not only for what was claimed.
     */
    void writeSnapshot(CanonicalWriter w) {
        w.i64(decidedThrough).i64(compactedThrough).bytes(compactedChain).i32(slots.size());
        for (Map.Entry<Long, Slot> e : slots.entrySet()) {
            Slot s = e.getValue();
            w.i64(e.getKey()).i64(s.acceptedView).bool(s.value != null).bool(s.decided);
            if (s.value != null) w.bytesList(s.value);
            w.i64(s.acceptsView).i64(s.proposedTick).i32(s.accepts.cardinality());
            for (int i = s.accepts.nextSetBit(0); i >= 0; i = s.accepts.nextSetBit(i + 1)) w.i32(i);
        }
    }

    /** Reads what {@link #writeSnapshot} wrote into this empty log; counts and sizes are bounded by the arguments. */
    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r, int slotsMax, int members, int batchMax, int payloadMax)
            throws io.redoubt.lm.codec.DecodeException {
        if (!slots.isEmpty() || decidedThrough != -1) throw new IllegalStateException("snapshot read into a log in use");
        long decided = r.i64();
        long compacted = r.i64();
        if (decided < -1 || compacted < -1 || compacted > decided) {
            throw new io.redoubt.lm.codec.DecodeException("log snapshot: compacted " + compacted + " past decided " + decided);
        }
        Bytes chain = r.bytes(32);
        int count = r.count(slotsMax, "log snapshot slots");
        long previous = compacted;
        for (int i = 0; i < count; i++) {
            long n = r.i64();
            if (n <= previous) throw new io.redoubt.lm.codec.DecodeException("log snapshot: slot " + n + " after " + previous);
            previous = n;
            Slot s = new Slot();
            s.acceptedView = r.i64();
            boolean hasValue = r.bool();
            s.decided = r.bool();
            if (hasValue) s.value = r.bytesList(batchMax, payloadMax);
            if (s.decided && s.value == null) throw new io.redoubt.lm.codec.DecodeException("log snapshot: slot " + n + " decided without a value");
            s.acceptsView = r.i64();
            s.proposedTick = r.i64();
            int votes = r.count(members, "log snapshot votes");
            for (int v = 0; v < votes; v++) {
                int member = r.i32();
                if (member < 0 || member >= members) throw new io.redoubt.lm.codec.DecodeException("log snapshot: vote of member " + member);
                s.accepts.set(member);
            }
            slots.put(n, s);
        }
        for (long n = compacted + 1; n <= decided; n++) {
            if (!isDecided(n)) throw new io.redoubt.lm.codec.DecodeException("log snapshot: slot " + n + " of the decided prefix is not decided");
        }
        if (isDecided(decided + 1)) throw new io.redoubt.lm.codec.DecodeException("log snapshot: the decided prefix goes past " + decided);
        decidedThrough = decided;
        compactedThrough = compacted;
        compactedChain = chain;
        decidedChain = chain;
        chainedThrough = compacted;
    }
}
