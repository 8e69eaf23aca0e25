package io.redoubt.lm.testkit;

import io.redoubt.lm.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The shared half of a hand-driven test cluster of cores: no threads, no clock, no randomness.
 * Messages the cores send wait in flight until the test delivers, duplicates or drops them;
 * delivery hands a message to {@link #dispatch}, whose core may send more (they join the end).
 * Every delivery a core makes is checked as it happens, outside the cores: no two (checked)
 * nodes or incarnations deliver different batches for one slot (S1), and each incarnation
 * delivers slots 0, 1, 2, ... with no gap or repeat.
 *
 * @param <E> the cluster's envelope type (sender, receiver, message)
 */
public abstract class HandDrivenCluster<E> {
    /** More deliveries than this in one {@link #deliverWhere} call is a message storm: a bug. */
    private static final int DELIVERIES_MAX = 200_000;

    private final List<E> messages = new ArrayList<>();
    private final Map<Integer, Long> lastDelivered = new TreeMap<>();
    private final Map<Long, List<Bytes>> firstDelivered = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();

    /** Hands a delivered message to its receiver (unless the receiver is down). */
    protected abstract void dispatch(E e);

    /** Puts {@code e} in flight. */
    protected void send(E e) {
        messages.add(e);
    }

    public List<E> pending() {
        return List.copyOf(messages);
    }

    public List<E> pending(Predicate<E> p) {
        List<E> out = new ArrayList<>();
        for (E e : messages) if (p.test(e)) out.add(e);
        return out;
    }

    /** The only in-flight message matching {@code p}. */
    public E only(Predicate<E> p) {
        List<E> m = pending(p);
        if (m.size() != 1) throw new AssertionError("expected exactly one matching message in flight, found " + m + " among " + messages);
        return m.get(0);
    }

    public void deliver(E e) {
        if (!messages.remove(e)) throw new AssertionError("not in flight: " + e);
        dispatch(e);
    }

    /** Delivers a copy of {@code e}, leaving the original in flight. */
    public void duplicate(E e) {
        if (!messages.contains(e)) throw new AssertionError("not in flight: " + e);
        dispatch(e);
    }

    public void drop(E e) {
        if (!messages.remove(e)) throw new AssertionError("not in flight: " + e);
    }

    public int dropWhere(Predicate<E> p) {
        int before = messages.size();
        messages.removeIf(p);
        return before - messages.size();
    }

    /** Delivers, oldest first, every in-flight message matching {@code p} (including ones sent meanwhile). */
    public int deliverWhere(Predicate<E> p) {
        int delivered = 0;
        while (true) {
            E next = null;
            for (E e : messages) {
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

    // ------------------------------------------------------------------ delivery checks

    /** A new incarnation of {@code node} starts delivering from slot 0 again. */
    protected void restartDeliveries(int node) {
        lastDelivered.put(node, -1L);
    }

    /**
     * Checks one delivery of {@code node}'s {@code incarnation}; {@code agreementChecked} is false for
     * a faulty node, whose deliveries promise nothing to others.
     */
    protected void checkDelivery(int node, int incarnation, long slot, List<Bytes> payloads, boolean agreementChecked) {
        long last = lastDelivered.getOrDefault(node, -1L);
        if (slot != last + 1) violations.add("node " + node + " incarnation " + incarnation + " delivered slot " + slot + " after " + last);
        lastDelivered.put(node, slot);
        if (!agreementChecked) return;
        List<Bytes> first = firstDelivered.putIfAbsent(slot, payloads);
        if (first != null && !first.equals(payloads)) {
            violations.add("S1 violated: slot " + slot + " delivered as " + first + " and as " + payloads + " (node " + node + ")");
        }
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Slot -> the batch first delivered for it by any checked node. */
    public Map<Long, List<Bytes>> firstDelivered() {
        return new TreeMap<>(firstDelivered);
    }
}
