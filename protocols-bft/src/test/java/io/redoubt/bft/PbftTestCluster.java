package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.testkit.HandDrivenCluster;
import io.redoubt.lm.testkit.RecordingOutbox.Delivered;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.Persisted;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
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
final class PbftTestCluster extends HandDrivenCluster<PbftTestCluster.Envelope> {

    /** One message in flight: a typed message, or raw bytes (garbage from a Byzantine member). */
    record Envelope(long id, int from, int to, PbftMessage message, Bytes raw) {
        @Override
        public String toString() {
            return "#" + id + " " + from + "->" + to + " " + (message != null ? message.getClass().getSimpleName() : "raw" + raw);
        }
    }

    record NodeEvent(int node, int incarnation, Event event) {}

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
    final List<Integer> members;
    final int n;
    final TestKeys keys;
    private final List<PbftCore<Integer>> cores = new ArrayList<>();
    private final List<RecordingOutbox<Integer>> outboxes = new ArrayList<>();
    private final List<List<Bytes>> disks = new ArrayList<>();
    private final int[] incarnation;
    private final boolean[] crashed;
    private final List<NodeEvent> log = new ArrayList<>();
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
        this.keys = keys;
        this.config = config;
        this.defaultMaker = maker;
        this.makers.putAll(special);
        List<Integer> m = new ArrayList<>();
        for (int i = 0; i < n; i++) m.add(i);
        this.members = List.copyOf(m);
        this.n = n;
        this.incarnation = new int[n];
        this.crashed = new boolean[n];
        for (int i = 0; i < n; i++) {
            disks.add(new ArrayList<>());
            cores.add(null);
            outboxes.add(null);
            newIncarnation(i);
        }
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

    private void newIncarnation(int i) {
        RecordingOutbox<Integer> out = new RecordingOutbox<>();
        int inc = ++incarnation[i];
        restartDeliveries(i);
        out.onEvent(e -> route(i, inc, e));
        PbftCore<Integer> core = makers.getOrDefault(i, defaultMaker)
                .make(config, members, i, out, keys.of(i), List.copyOf(disks.get(i)));
        cores.set(i, core);
        outboxes.set(i, out);
    }

    private void route(int i, int inc, Event e) {
        log.add(new NodeEvent(i, inc, e));
        if (e instanceof Sent<?> s) {
            int to = (Integer) s.to();
            send(new Envelope(nextEnvelopeId++, i, to, (PbftMessage) s.message(), null));
        } else if (e instanceof Persisted p) {
            disks.get(i).add(p.encoded());
        } else if (e instanceof Delivered d) {
            checkDelivery(i, inc, d.slot(), d.payloads(), !byzantine.contains(i));
        }
    }

    PbftCore<Integer> core(int i) {
        return cores.get(i);
    }

    RecordingOutbox<Integer> out(int i) {
        return outboxes.get(i);
    }

    int incarnation(int i) {
        return incarnation[i];
    }

    boolean crashed(int i) {
        return crashed[i];
    }

    void startAll() {
        for (int i = 0; i < n; i++) core(i).start();
    }

    void submit(int i, Bytes payload) {
        if (crashed[i]) throw new AssertionError("node " + i + " is crashed");
        core(i).submit(payload);
    }

    void crash(int i) {
        crashed[i] = true;
        dropWhere(e -> e.to() == i);
    }

    void restart(int i) {
        crashed[i] = false;
        newIncarnation(i);
        core(i).start();
    }

    List<Bytes> disk(int i) {
        return List.copyOf(disks.get(i));
    }

    boolean armed(int i, TimerId id) {
        return !crashed[i] && out(i).isArmed(id);
    }

    void fire(int i, TimerId id) {
        if (!armed(i, id)) throw new AssertionError("timer " + id + " of node " + i + " is not armed");
        out(i).fired(id);
        core(i).onTimer(id);
    }

    /** Puts a message into the network as if member {@code from} had sent it. */
    void inject(int from, int to, PbftMessage m) {
        send(new Envelope(nextEnvelopeId++, from, to, m, null));
    }

    void injectRaw(int from, int to, Bytes raw) {
        send(new Envelope(nextEnvelopeId++, from, to, null, raw));
    }

    @Override
    protected void dispatch(Envelope e) {
        if (crashed[e.to()]) return;
        if (keys.isTransportSigned()) {
            Bytes asSent = e.raw() != null ? e.raw() : e.message().encode();
            core(e.to()).onMessage(e.from(), asSent, keys.transportProof(e.from(), asSent));
        } else if (e.raw() != null) core(e.to()).onMessage(e.from(), e.raw());
        else if (viaBytes) core(e.to()).onMessage(e.from(), e.message().encode());
        else core(e.to()).onMessage(e.from(), e.message());
    }

    List<Delivered> deliveries(int i) {
        return out(i).deliveries();
    }

    Map<Long, List<Bytes>> deliveredLog(int i) {
        Map<Long, List<Bytes>> m = new TreeMap<>();
        for (Delivered d : deliveries(i)) m.put(d.slot(), d.payloads());
        return m;
    }

    List<NodeEvent> log() {
        return List.copyOf(log);
    }
}
