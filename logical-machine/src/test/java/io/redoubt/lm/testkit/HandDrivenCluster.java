package io.redoubt.lm.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The network half of a hand-driven test cluster of cores: no threads, no clock, no randomness.
 * Messages the cores send wait in flight until the test delivers, duplicates or drops them;
 * delivery hands a message to {@link #dispatch}, whose core may send more (they join the end).
 *
 * @param <E> the cluster's envelope type (sender, receiver, message)
 */
public abstract class HandDrivenCluster<E> {
    /** More deliveries than this in one {@link #deliverWhere} call is a message storm: a bug. */
    private static final int DELIVERIES_MAX = 200_000;

    private final List<E> messages = new ArrayList<>();

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
}
