package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.TimerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test-only ordering core that lets the logical-machine layer be tested without any real
 * protocol. It records every input it gets and hands its {@link Outbox} to the test, which can
 * then make it set timers, send or deliver at will. In {@linkplain #instant instant} mode it is
 * a trivial single-member ordering: every submitted payload is delivered at once as its own slot.
 */
public final class ScriptedCore<N> implements OrderingCore<N> {
    public final List<N> members;
    public final N self;
    public final Outbox<N> out;
    public final boolean instant;
    public final List<Bytes> submitted = new ArrayList<>();
    public final List<Map.Entry<N, Bytes>> messages = new ArrayList<>();
    public final List<TimerId> timersFired = new ArrayList<>();
    public boolean leader = true;
    /** Whom {@link #leader()} names; this node when null. */
    public N leaderNode;
    public int starts;
    /** What {@link #deliversOnlyAdmitted()} answers: true stands for PBFT among sites, whose checkers admit before preparing. */
    public boolean onlyAdmitted;
    /** What {@link #payloadsToAdmit} names for a message, by the message's bytes. */
    public final Map<Bytes, List<Bytes>> toAdmit = new java.util.HashMap<>();
    private long nextSlot;
    /** The records it was built from (a restart's). */
    public List<Bytes> restoredFrom = List.of();

    ScriptedCore(List<N> members, N self, Outbox<N> out, boolean instant) {
        this.members = List.copyOf(members);
        this.self = self;
        this.out = out;
        this.instant = instant;
    }

    @Override
    public void start() {
        starts++;
    }

    @Override
    public void onMessage(N from, Bytes message) {
        messages.add(Map.entry(from, message));
    }

    @Override
    public void onTimer(TimerId id) {
        timersFired.add(id);
    }

    @Override
    public void submit(Bytes payload) {
        submitted.add(payload);
        if (instant) deliver(List.of(payload));
    }

    /** Delivers {@code payloads} as the next slot, as a real core would once they are ordered. */
    public void deliver(List<Bytes> payloads) {
        out.deliver(nextSlot++, payloads);
    }

    @Override
    public List<Bytes> payloadsToAdmit(N from, Bytes message) {
        return toAdmit.getOrDefault(message, List.of());
    }

    @Override
    public boolean deliversOnlyAdmitted() {
        return onlyAdmitted;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public N leader() {
        return leaderNode != null ? leaderNode : self;
    }

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
    public String describe() {
        return "scripted[" + self + " submitted=" + submitted.size() + "]";
    }

    /** A script has no invariant of its own beyond its counters. */
    @Override
    public void checkInvariants() {
        if (nextSlot < 0 || starts < 0) throw new IllegalStateException("scripted core counters went negative: slot " + nextSlot + ", starts " + starts);
    }

    /** Everything it recorded, in order: two scripted cores fed the same inputs hold equal digests. */
    @Override
    public Bytes stateDigest() {
        io.redoubt.lm.codec.CanonicalWriter w = new io.redoubt.lm.codec.CanonicalWriter().i32(starts).i64(nextSlot).bytesList(submitted);
        w.i32(messages.size());
        for (Map.Entry<N, Bytes> m : messages) w.utf8(String.valueOf(m.getKey())).bytes(m.getValue());
        w.i32(timersFired.size());
        for (TimerId t : timersFired) t.encodeTo(w);
        return io.redoubt.lm.crypto.Digests.sha256(w.toBytes());
    }

    /** Builds {@link ScriptedCore}s and remembers them, so a test can reach the core a host built. */
    public static final class Factory implements CoreFactory {
        private final boolean instant;
        public final List<ScriptedCore<?>> created = new ArrayList<>();

        private Factory(boolean instant) {
            this.instant = instant;
        }

        /** Every submitted payload is delivered at once as its own slot. */
        public static Factory instant() {
            return new Factory(true);
        }

        /** Records inputs only; the test delivers through {@link ScriptedCore#deliver}. */
        public static Factory recording() {
            return new Factory(false);
        }

        @Override
        public String protocolName() {
            return instant ? "scripted-instant" : "scripted-recording";
        }

        @Override
        public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
            ScriptedCore<N> core = new ScriptedCore<>(members, self, out, instant);
            core.restoredFrom = List.copyOf(persisted);
            created.add(core);
            return core;
        }

        /** The core built last. */
        @SuppressWarnings("unchecked")
        public <N> ScriptedCore<N> last() {
            if (created.isEmpty()) throw new IllegalStateException("no core built yet");
            return (ScriptedCore<N>) created.get(created.size() - 1);
        }
    }
}
