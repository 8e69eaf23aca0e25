package io.redoubt.paxos;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.testkit.HandDrivenCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A hand-driven cluster of {@link PaxosCore}s: no threads, no clock, no randomness. Every message a
 * core sends goes into one in-flight list; a test delivers, duplicates or drops chosen messages,
 * fires armed timers by hand, crashes nodes and restarts them from the records they persisted.
 *
 * <p>Nodes are addressed by index (0..n-1); {@link #id(int)} is the member identity the cores use.
 * The cluster also checks, on every delivery, that no two nodes (or incarnations) deliver different
 * values for one slot, and that each incarnation delivers slots 0, 1, 2, ... with no gap or repeat;
 * and after every input a core is given, that the core's own invariants hold ({@link
 * PaxosCore#checkInvariants()}, which throws).
 */
final class PaxosTestCluster<N extends Comparable<N>> extends HandDrivenCluster<N, PaxosTestCluster.Envelope, PaxosCore<N>, RecordingOutbox<N>> {

    /** One message in flight. */
    record Envelope(long id, int from, int to, PaxosMessage message) {
        @Override
        public String toString() {
            return "#" + id + " " + from + "->" + to + " " + message;
        }
    }

    /** Builds the core of one incarnation (tests may give it a deliberately broken {@link RecoveryPolicy}). */
    @FunctionalInterface
    interface CoreMaker<N extends Comparable<N>> {
        PaxosCore<N> make(PaxosConfig config, List<N> members, N self, Outbox<N> out, List<Bytes> persisted);
    }

    static Predicate<Envelope> type(Class<? extends PaxosMessage> t) {
        return e -> t.isInstance(e.message());
    }

    static Predicate<Envelope> from(int i) {
        return e -> e.from() == i;
    }

    static Predicate<Envelope> to(int i) {
        return e -> e.to() == i;
    }

    static Predicate<Envelope> involving(int i) {
        return e -> e.from() == i || e.to() == i;
    }

    final PaxosConfig config;
    private final CoreMaker<N> maker;
    private boolean viaBytes;
    private long nextEnvelopeId;

    static PaxosTestCluster<Integer> ofIntegers(int n, PaxosConfig config) {
        return ofIntegers(n, config, PaxosCore::new);
    }

    static PaxosTestCluster<Integer> ofIntegers(int n, PaxosConfig config, CoreMaker<Integer> maker) {
        List<Integer> m = new ArrayList<>();
        for (int i = 0; i < n; i++) m.add(i);
        return new PaxosTestCluster<>(m, config, maker);
    }

    static PaxosTestCluster<String> ofStrings(int n, PaxosConfig config) {
        List<String> m = new ArrayList<>();
        for (int i = 0; i < n; i++) m.add("s" + i);
        return new PaxosTestCluster<>(m, config, PaxosCore::new);
    }

    PaxosTestCluster(List<N> members, PaxosConfig config, CoreMaker<N> maker) {
        super(members);
        this.config = config;
        this.maker = maker;
        buildNodes();
    }

    /** Deliver messages as encoded bytes through {@code onMessage(N, Bytes)} (exercises the codec). */
    PaxosTestCluster<N> viaBytes(boolean on) {
        this.viaBytes = on;
        return this;
    }

    @Override
    protected RecordingOutbox<N> newOutbox() {
        return new RecordingOutbox<>();
    }

    @Override
    protected PaxosCore<N> makeCore(int i, RecordingOutbox<N> out, List<Bytes> persisted) {
        return maker.make(config, members, members.get(i), out, persisted);
    }

    @Override
    protected Envelope envelope(int from, int to, Encodable message) {
        return new Envelope(nextEnvelopeId++, from, to, (PaxosMessage) message);
    }

    @Override
    protected int receiver(Envelope e) {
        return e.to();
    }

    @Override
    protected void dispatch(Envelope e) {
        N from = members.get(e.from());
        if (viaBytes) core(e.to()).onMessage(from, e.message().encode());
        else core(e.to()).onMessage(from, e.message());
        core(e.to()).checkInvariants();
    }

    // The other inputs: each is followed by the invariant check of the core that took it.

    @Override
    public void startAll() {
        super.startAll();
        for (int i = 0; i < n; i++) core(i).checkInvariants();
    }

    @Override
    public void submit(int i, Bytes payload) {
        super.submit(i, payload);
        core(i).checkInvariants();
    }

    @Override
    public void restart(int i) {
        super.restart(i);
        core(i).checkInvariants();
    }

    @Override
    public void fire(int i, TimerId id) {
        super.fire(i, id);
        core(i).checkInvariants();
    }
}
