package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.testkit.HandDrivenCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A hand-driven cluster of {@link PbftCore}s over integer members 0..n-1: no threads, no clock, no
 * randomness. Every message a core sends goes into one in-flight list; a test delivers, duplicates
 * or drops chosen messages, fires armed timers by hand, crashes members and restarts them from what
 * they persisted. Members marked Byzantine are excluded from the checks, which run outside the
 * cores on every delivery: no two correct members (or incarnations) deliver different batches for
 * one slot (S1), and each incarnation delivers slots 0, 1, 2, ... with no gap or repeat.
 */
final class PbftTestCluster extends HandDrivenCluster<Integer, PbftTestCluster.Envelope, PbftCore<Integer>, RecordingOutbox<Integer>> {

    /** One message in flight: a typed message, or raw bytes (garbage from a Byzantine member). */
    record Envelope(long id, int from, int to, PbftMessage message, Bytes raw) {
        @Override
        public String toString() {
            return "#" + id + " " + from + "->" + to + " " + (message != null ? message.getClass().getSimpleName() : "raw" + raw);
        }
    }

    @FunctionalInterface
    interface CoreMaker {
        PbftCore<Integer> make(PbftConfig config, List<Integer> members, Integer self, Outbox<Integer> out,
                NodeKeys<Integer> keys, List<Bytes> persisted);
    }

    static Predicate<Envelope> type(Class<? extends PbftMessage> t) {
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

    final PbftConfig config;
    final TestKeys keys;
    private final Map<Integer, CoreMaker> makers = new TreeMap<>();
    private final CoreMaker defaultMaker;
    private final Set<Integer> byzantine = new TreeSet<>();
    private boolean viaBytes;
    private long nextEnvelopeId;

    PbftTestCluster(int n, PbftConfig config) {
        this(n, config, PbftCore::new, Map.of());
    }

    PbftTestCluster(int n, PbftConfig config, CoreMaker maker) {
        this(n, config, maker, Map.of());
    }

    /** {@code special} gives some members their own core (an equivocator, a starving primary). */
    PbftTestCluster(int n, PbftConfig config, CoreMaker maker, Map<Integer, CoreMaker> special) {
        this(n, config, maker, special, TestKeys.simulated());
    }

    /**
     * With {@link TestKeys#transportSigned()} keys the cluster is the wide-area tier: messages leave
     * unsigned and arrive as bytes with their sender's proof, as logical machines deliver them.
     */
    PbftTestCluster(int n, PbftConfig config, CoreMaker maker, Map<Integer, CoreMaker> special, TestKeys keys) {
        super(indices(n));
        this.keys = keys;
        this.config = config;
        this.defaultMaker = maker;
        this.makers.putAll(special);
        buildNodes();
    }

    private static List<Integer> indices(int n) {
        List<Integer> m = new ArrayList<>();
        for (int i = 0; i < n; i++) m.add(i);
        return m;
    }

    /** Deliver messages as encoded bytes through {@code onMessage(N, Bytes)} (exercises the codec). */
    PbftTestCluster viaBytes(boolean on) {
        this.viaBytes = on;
        return this;
    }

    /** Excludes {@code i}'s deliveries from the safety checks (it runs a faulty core or is driven by the test). */
    PbftTestCluster byzantine(int i) {
        byzantine.add(i);
        return this;
    }

    boolean isByzantine(int i) {
        return byzantine.contains(i);
    }

    @Override
    protected boolean agreementChecked(int i) {
        return !byzantine.contains(i);
    }

    @Override
    protected RecordingOutbox<Integer> newOutbox() {
        return new RecordingOutbox<>();
    }

    @Override
    protected PbftCore<Integer> makeCore(int i, RecordingOutbox<Integer> out, List<Bytes> persisted) {
        return makers.getOrDefault(i, defaultMaker).make(config, members, i, out, keys.of(i), persisted);
    }

    @Override
    protected Envelope envelope(int from, int to, Encodable message) {
        return new Envelope(nextEnvelopeId++, from, to, (PbftMessage) message, null);
    }

    @Override
    protected int receiver(Envelope e) {
        return e.to();
    }

    /** Puts a message into the network as if member {@code from} had sent it. */
    void inject(int from, int to, PbftMessage m) {
        inject(new Envelope(nextEnvelopeId++, from, to, m, null));
    }

    void injectRaw(int from, int to, Bytes raw) {
        inject(new Envelope(nextEnvelopeId++, from, to, null, raw));
    }

    @Override
    protected void dispatch(Envelope e) {
        if (keys.isTransportSigned()) {
            Bytes asSent = e.raw() != null ? e.raw() : e.message().encode();
            core(e.to()).onMessage(e.from(), asSent, keys.transportProof(e.from(), asSent));
        } else if (e.raw() != null) core(e.to()).onMessage(e.from(), e.raw());
        else if (viaBytes) core(e.to()).onMessage(e.from(), e.message().encode());
        else core(e.to()).onMessage(e.from(), e.message());
    }
}
