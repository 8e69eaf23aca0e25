package io.redoubt.lm.core;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.Digests;
import java.util.List;

/**
 * The local "protocol" of a site with one server: nothing to agree on, so every submitted
 * payload is its own slot, persisted and then delivered at once. With it, flat Paxos and flat
 * BFT over N servers run as {@code paxos/solo} and {@code bft/solo} on N one-server sites, the
 * same code as the hierarchical compositions, which is what a fair comparison needs (the
 * dissertation's single-level baselines, section 4.7).
 *
 * <p>A restarted server replays its persisted slots on {@link #start()}, exactly as Paxos and
 * PBFT re-deliver what they had decided, so the logical machine above is rebuilt the same way.
 */
public final class SoloCore<N extends Comparable<N>> implements OrderingCore<N> {
    private static final int RECORD_SLOT = 1;
    /** Compacted storage starts here: the host holds a snapshot after this slot (issue 18). */
    private static final int RECORD_BASE = 2;

    private final N self;
    private final Outbox<N> out;
    private final List<Bytes> persisted;
    private final int payloadBytesMax;
    private long nextSlot;
    private boolean started;
    private long checkedNextSlot; // what checkInvariants() saw last

    public SoloCore(List<N> members, N self, Outbox<N> out, List<Bytes> persisted, int payloadBytesMax) {
        if (members.size() != 1 || !members.get(0).equals(self)) {
            throw new IllegalArgumentException("solo runs with exactly one member, itself; members were " + members);
        }
        this.self = self;
        this.out = out;
        this.persisted = List.copyOf(persisted);
        this.payloadBytesMax = payloadBytesMax;
    }

    @Override
    public void start() {
        if (started) throw new IllegalStateException("start() called twice");
        started = true;
        for (Bytes record : persisted) {
            try {
                CanonicalReader r = new CanonicalReader(record);
                int tag = r.u8();
                if (tag == RECORD_BASE) {
                    long base = r.nonNegative("base slot");
                    r.expectEnd();
                    if (base + 1 < nextSlot) throw new DecodeException("a snapshot after " + base + " below slot " + nextSlot);
                    nextSlot = base + 1;
                    continue;
                }
                if (tag != RECORD_SLOT) throw new DecodeException("unknown solo record");
                long slot = r.nonNegative("slot");
                Bytes payload = r.bytes(payloadBytesMax);
                r.expectEnd();
                if (slot != nextSlot) throw new DecodeException("slot " + slot + " where " + nextSlot + " was expected");
                nextSlot++;
                out.deliver(slot, List.of(payload));
            } catch (DecodeException e) {
                // Our own storage: a record we cannot read means the disk is not what we wrote.
                throw new IllegalStateException("solo storage is corrupt: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void onMessage(N from, Bytes message) {
        out.reject(from, Rejection.NOT_A_MEMBER, "a solo site has no peers to hear from");
    }

    @Override
    public void onTimer(TimerId id) {
        // Solo arms no timers.
    }

    @Override
    public void submit(Bytes payload) {
        if (payload.length() > payloadBytesMax) {
            out.reject(self, Rejection.OVERLOADED, "payload of " + payload.length() + " bytes exceeds " + payloadBytesMax);
            return;
        }
        long slot = nextSlot++;
        out.persist(w -> w.u8(RECORD_SLOT).i64(slot).bytes(payload));
        out.deliver(slot, List.of(payload));
    }

    @Override
    public boolean compactsWithSnapshots() {
        return true;
    }

    /** Only after the last slot: solo keeps no payloads once delivered, and its host snapshots as it delivers. */
    @Override
    public List<Bytes> recordsAfterSnapshot(long slot, Bytes base) {
        if (slot != nextSlot - 1) throw new IllegalArgumentException("solo compacts only after its last slot " + (nextSlot - 1) + ", not " + slot);
        return List.of(new CanonicalWriter().u8(RECORD_BASE).i64(slot).toBytes());
    }

    /** Never asked: a solo site has nobody to fall behind. */
    @Override
    public void installSnapshot(long slot, Bytes base) {
        throw new IllegalStateException("a solo site has no peer to fetch a snapshot from");
    }

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public N leader() {
        return self;
    }

    @Override
    public long view() {
        return 0;
    }

    @Override
    public long deliveredThrough() {
        return nextSlot - 1;
    }

    @Override
    public int pendingCount() {
        return 0;
    }

    @Override
    public void checkInvariants() {
        // Slots are handed out once each, in order: the next one never moves back.
        if (nextSlot < checkedNextSlot) {
            throw new IllegalStateException("solo invariant broken at " + self + ": the next slot never decreases ("
                    + checkedNextSlot + " -> " + nextSlot + ")");
        }
        checkedNextSlot = nextSlot;
    }

    /** The next slot decides every future output; before {@link #start()}, so do the records it will replay. */
    @Override
    public Bytes stateDigest() {
        CanonicalWriter w = new CanonicalWriter().bool(started).i64(nextSlot);
        if (!started) w.bytesList(persisted);
        return Digests.sha256(w.toBytes());
    }

    @Override
    public String describe() {
        return "solo(" + self + ", through " + (nextSlot - 1) + ")";
    }

    /** Builds solo cores; every site of a wide/solo composition has one server. */
    public static final class Factory implements CoreFactory {
        private final int payloadBytesMax;

        public Factory(int payloadBytesMax) {
            this.payloadBytesMax = payloadBytesMax;
        }

        @Override
        public String protocolName() {
            return "solo";
        }

        @Override
        public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
            return new SoloCore<>(members, self, out, persisted, payloadBytesMax);
        }
    }
}
