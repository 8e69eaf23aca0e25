package io.redoubt.paxos;

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
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-driven cluster of {@link PaxosCore}s: no threads, no clock, no randomness. Every message a
 * core sends goes into one in-flight list; a test delivers, duplicates or drops chosen messages,
 * fires armed timers by hand, crashes nodes and restarts them from the records they persisted.
 *
 * <p>Nodes are addressed by index (0..n-1); {@link #id(int)} is the member identity the cores use.
 * The cluster also checks, on every delivery, that no two nodes (or incarnations) deliver different
 * values for one slot, and that each incarnation delivers slots 0, 1, 2, ... with no gap or repeat.
 */
final class PaxosTestCluster<N extends Comparable<N>> extends HandDrivenCluster<PaxosTestCluster.Envelope> {

    /** One message in flight. */
    record Envelope(long id, int from, int to, PaxosMessage message) {
        @Override
        public String toString() {
            return "#" + id + " " + from + "->" + to + " " + message;
        }
    }

    /** One output of one incarnation of one node, in global order. */
    record NodeEvent(int node, int incarnation, Event event) {}

    /** Builds the core of one incarnation (tests may substitute a deliberately broken subclass). */
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
    final List<N> members;
    final int n;
    private final List<PaxosCore<N>> cores = new ArrayList<>();
    private final List<RecordingOutbox<N>> outboxes = new ArrayList<>();
    private final List<List<Bytes>> disks = new ArrayList<>();
    private final int[] incarnation;
    private final boolean[] crashed;
    private final List<NodeEvent> log = new ArrayList<>();
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
        this.config = config;
        this.maker = maker;
        this.members = List.copyOf(members);
        this.n = members.size();
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
    PaxosTestCluster<N> viaBytes(boolean on) {
        this.viaBytes = on;
        return this;
    }

    private void newIncarnation(int i) {
        RecordingOutbox<N> out = new RecordingOutbox<>();
        int inc = ++incarnation[i];
        restartDeliveries(i);
        out.onEvent(e -> route(i, inc, e));
        PaxosCore<N> core = maker.make(config, members, members.get(i), out, List.copyOf(disks.get(i)));
        cores.set(i, core);
        outboxes.set(i, out);
    }

    private void route(int i, int inc, Event e) {
        log.add(new NodeEvent(i, inc, e));
        if (e instanceof Sent<?> s) {
            int to = members.indexOf(s.to());
            if (to < 0) throw new AssertionError("node " + i + " sent to non-member " + s.to());
            send(new Envelope(nextEnvelopeId++, i, to, (PaxosMessage) s.message()));
        } else if (e instanceof Persisted p) {
            disks.get(i).add(p.encoded());
        } else if (e instanceof Delivered d) {
            checkDelivery(i, inc, d.slot(), d.payloads(), true);
        }
    }

    // ------------------------------------------------------------------ nodes

    PaxosCore<N> core(int i) {
        return cores.get(i);
    }

    RecordingOutbox<N> out(int i) {
        return outboxes.get(i);
    }

    N id(int i) {
        return members.get(i);
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

    /** Stops node {@code i}: messages to it are dropped from now on; what it already sent stays in flight. */
    void crash(int i) {
        crashed[i] = true;
        dropWhere(e -> e.to() == i);
    }

    /** Builds a fresh core from everything node {@code i} ever persisted and starts it. */
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

    /** Fires an armed timer of node {@code i}. */
    void fire(int i, TimerId id) {
        if (!armed(i, id)) throw new AssertionError("timer " + id + " of node " + i + " is not armed");
        out(i).fired(id);
        core(i).onTimer(id);
    }

    // ------------------------------------------------------------------ network

    @Override
    protected void dispatch(Envelope e) {
        if (crashed[e.to()]) return;
        N from = members.get(e.from());
        if (viaBytes) core(e.to()).onMessage(from, e.message().encode());
        else core(e.to()).onMessage(from, e.message());
    }

    // ------------------------------------------------------------------ observations

    /** Deliveries of the current incarnation of node {@code i}. */
    List<Delivered> deliveries(int i) {
        return out(i).deliveries();
    }

    /** Slot -> payloads as delivered by the current incarnation of node {@code i}. */
    Map<Long, List<Bytes>> deliveredLog(int i) {
        Map<Long, List<Bytes>> m = new TreeMap<>();
        for (Delivered d : deliveries(i)) m.put(d.slot(), d.payloads());
        return m;
    }

    List<NodeEvent> log() {
        return List.copyOf(log);
    }
}
