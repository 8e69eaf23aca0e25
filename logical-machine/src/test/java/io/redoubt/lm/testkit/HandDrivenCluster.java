package io.redoubt.lm.testkit;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.TimerId;
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
 * A hand-driven cluster of one protocol's cores: no threads, no clock, no randomness. Messages the
 * cores send wait in flight until the test delivers, duplicates or drops them; a test fires armed
 * timers by hand, crashes nodes and restarts them from what they persisted. Every delivery a core
 * makes is checked as it happens, outside the cores: no two (checked) nodes or incarnations
 * deliver different batches for one slot (S1), and each incarnation delivers slots 0, 1, 2, ...
 * with no gap or repeat. After every input the receiving core checks its own invariants. A
 * protocol's cluster says how to build a core and how to hand it a message.
 *
 * @param <N> node identity type
 * @param <E> the envelope of one message in flight
 * @param <C> the protocol's core
 * @param <O> the protocol's recording outbox
 */
public abstract class HandDrivenCluster<N, E, C extends OrderingCore<N>, O extends RecordingOutbox<N, ?, ?>> {
    /** More deliveries than this in one {@link #deliverWhere} call is a message storm: a bug. */
    private static final int DELIVERIES_MAX = 200_000;

    /** One output of one incarnation of one node, in global order. */
    public record NodeEvent(int node, int incarnation, Event event) {}

    /** The nodes' identities; nodes are addressed by index. */
    public final List<N> members;
    public final int n;
    private final List<C> cores = new ArrayList<>();
    private final List<O> outboxes = new ArrayList<>();
    private final List<List<Bytes>> disks = new ArrayList<>();
    private final int[] incarnation;
    private final boolean[] crashed;
    private final List<NodeEvent> log = new ArrayList<>();
    private final List<E> inFlight = new ArrayList<>();
    private final long[] lastDelivered;
    private final Map<Long, List<Bytes>> firstDelivered = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();

    protected HandDrivenCluster(List<N> members) {
        this.members = List.copyOf(members);
        this.n = members.size();
        this.incarnation = new int[n];
        this.crashed = new boolean[n];
        this.lastDelivered = new long[n];
    }

    /** Builds every node's first incarnation; a subclass calls it last in its constructor. */
    protected final void buildNodes() {
        for (int i = 0; i < n; i++) {
            disks.add(new ArrayList<>());
            cores.add(null);
            outboxes.add(null);
            newIncarnation(i);
        }
    }

    protected abstract O newOutbox();

    /** The core of a new incarnation of node {@code i}, restored from {@code persisted}. */
    protected abstract C makeCore(int i, O out, List<Bytes> persisted);

    /** The envelope of {@code message}, sent by node {@code from} to node {@code to}. */
    protected abstract E envelope(int from, int to, Encodable message);

    /** The node an envelope goes to. */
    protected abstract int receiver(E e);

    /** Hands a delivered message to its (running) receiver's core. */
    protected abstract void dispatch(E e);

    /** Whether node {@code i}'s deliveries count for S1 (a faulty node's promise nothing). */
    protected boolean agreementChecked(int i) {
        return true;
    }

    private void newIncarnation(int i) {
        O out = newOutbox();
        int inc = ++incarnation[i];
        lastDelivered[i] = -1;
        out.onEvent(e -> route(i, inc, e));
        C core = makeCore(i, out, List.copyOf(disks.get(i)));
        cores.set(i, core);
        outboxes.set(i, out);
    }

    private void route(int i, int inc, Event e) {
        log.add(new NodeEvent(i, inc, e));
        if (e instanceof Sent<?> s) {
            int to = members.indexOf(s.to());
            if (to < 0) throw new AssertionError("node " + i + " sent to non-member " + s.to());
            inFlight.add(envelope(i, to, s.message()));
        } else if (e instanceof Persisted p) {
            disks.get(i).add(p.encoded());
        } else if (e instanceof Delivered d) {
            if (d.slot() != lastDelivered[i] + 1) {
                violations.add("node " + i + " incarnation " + inc + " delivered slot " + d.slot() + " after " + lastDelivered[i]);
            }
            lastDelivered[i] = d.slot();
            if (!agreementChecked(i)) return;
            List<Bytes> first = firstDelivered.putIfAbsent(d.slot(), d.payloads());
            if (first != null && !first.equals(d.payloads())) {
                violations.add("S1 violated: slot " + d.slot() + " delivered as " + first + " and as " + d.payloads() + " (node " + i + ")");
            }
        }
    }

    // ------------------------------------------------------------------ nodes

    public C core(int i) {
        return cores.get(i);
    }

    public O out(int i) {
        return outboxes.get(i);
    }

    public N id(int i) {
        return members.get(i);
    }

    public int incarnation(int i) {
        return incarnation[i];
    }

    public boolean crashed(int i) {
        return crashed[i];
    }

    public void startAll() {
        for (int i = 0; i < n; i++) core(i).start();
    }

    public void submit(int i, Bytes payload) {
        if (crashed[i]) throw new AssertionError("node " + i + " is crashed");
        core(i).submit(payload);
        core(i).checkInvariants();
    }

    /** Stops node {@code i}: messages to it are dropped from now on; what it already sent stays in flight. */
    public void crash(int i) {
        crashed[i] = true;
        dropWhere(e -> receiver(e) == i);
    }

    /** Builds a fresh core from everything node {@code i} ever persisted and starts it. */
    public void restart(int i) {
        crashed[i] = false;
        newIncarnation(i);
        core(i).start();
    }

    public List<Bytes> disk(int i) {
        return List.copyOf(disks.get(i));
    }

    public boolean armed(int i, TimerId id) {
        return !crashed[i] && out(i).isArmed(id);
    }

    /** Fires an armed timer of node {@code i}. */
    public void fire(int i, TimerId id) {
        if (!armed(i, id)) throw new AssertionError("timer " + id + " of node " + i + " is not armed");
        out(i).fired(id);
        core(i).onTimer(id);
        core(i).checkInvariants();
    }

    // ------------------------------------------------------------------ network

    /** Puts {@code e} in flight as if its sender had sent it. */
    protected void inject(E e) {
        inFlight.add(e);
    }

    public List<E> pending() {
        return List.copyOf(inFlight);
    }

    public List<E> pending(Predicate<E> p) {
        List<E> out = new ArrayList<>();
        for (E e : inFlight) if (p.test(e)) out.add(e);
        return out;
    }

    /** The only in-flight message matching {@code p}. */
    public E only(Predicate<E> p) {
        List<E> m = pending(p);
        if (m.size() != 1) throw new AssertionError("expected exactly one matching message in flight, found " + m + " among " + inFlight);
        return m.get(0);
    }

    public void deliver(E e) {
        if (!inFlight.remove(e)) throw new AssertionError("not in flight: " + e);
        if (!crashed[receiver(e)]) dispatchChecked(e);
    }

    /** Delivers a copy of {@code e}, leaving the original in flight. */
    public void duplicate(E e) {
        if (!inFlight.contains(e)) throw new AssertionError("not in flight: " + e);
        if (!crashed[receiver(e)]) dispatchChecked(e);
    }

    /** Every input is followed by the receiver's own invariant check (OrderingCore#checkInvariants). */
    private void dispatchChecked(E e) {
        dispatch(e);
        core(receiver(e)).checkInvariants();
    }

    public void drop(E e) {
        if (!inFlight.remove(e)) throw new AssertionError("not in flight: " + e);
    }

    public int dropWhere(Predicate<E> p) {
        int before = inFlight.size();
        inFlight.removeIf(p);
        return before - inFlight.size();
    }

    /** Delivers, oldest first, every in-flight message matching {@code p} (including ones sent meanwhile). */
    public int deliverWhere(Predicate<E> p) {
        int delivered = 0;
        while (true) {
            E next = null;
            for (E e : inFlight) {
                if (p.test(e)) {
                    next = e;
                    break;
                }
            }
            if (next == null) return delivered;
            if (++delivered > DELIVERIES_MAX) throw new AssertionError("message storm: more than " + DELIVERIES_MAX + " deliveries");
            deliver(next);
        }
    }

    public int deliverAll() {
        return deliverWhere(e -> true);
    }

    // ------------------------------------------------------------------ observations

    /** Deliveries of the current incarnation of node {@code i}. */
    public List<Delivered> deliveries(int i) {
        return out(i).deliveries();
    }

    /** Slot -> payloads as delivered by the current incarnation of node {@code i}. */
    public Map<Long, List<Bytes>> deliveredLog(int i) {
        Map<Long, List<Bytes>> m = new TreeMap<>();
        for (Delivered d : deliveries(i)) m.put(d.slot(), d.payloads());
        return m;
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public List<NodeEvent> log() {
        return List.copyOf(log);
    }

    /** Slot -> the batch first delivered for it by any checked node. */
    public Map<Long, List<Bytes>> firstDelivered() {
        return new TreeMap<>(firstDelivered);
    }
}
