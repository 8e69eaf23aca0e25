package io.redoubt.sim.net;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Virtual clock and event queue: the single thread of control of a simulation. Actions run in
 * order of (time, insertion sequence), so simultaneous events run first-scheduled-first and a run
 * is a pure function of the calls made. Time only moves when an action runs or via
 * {@link #runUntil(long)}; nothing here reads the wall clock.
 */
public final class EventLoop {
    private static final Comparator<Entry> ORDER =
            Comparator.<Entry>comparingLong(e -> e.atMicros).thenComparingLong(e -> e.sequence);

    private final PriorityQueue<Entry> queue = new PriorityQueue<>(ORDER);
    private long nowMicros;
    private long nextSequence;
    private long stepsRun;
    private int live;
    private LongConsumer afterStep = step -> { };

    public long nowMicros() {
        return nowMicros;
    }

    /** Schedules {@code action} to run {@code delayMicros} (>= 0) from now. */
    public Cancellable schedule(long delayMicros, Runnable action) {
        if (delayMicros < 0) throw new IllegalArgumentException("delayMicros must be >= 0 but was " + delayMicros);
        return scheduleAt(Math.addExact(nowMicros, delayMicros), action);
    }

    /** Schedules {@code action} at absolute virtual time {@code atMicros} (>= now). */
    public Cancellable scheduleAt(long atMicros, Runnable action) {
        if (atMicros < nowMicros) {
            throw new IllegalArgumentException("atMicros must be >= now (" + nowMicros + ") but was " + atMicros);
        }
        if (action == null) throw new NullPointerException("action");
        Entry entry = new Entry(atMicros, nextSequence++, action);
        queue.add(entry);
        live++;
        return entry;
    }

    /** Runs the next pending action, advancing the clock to its time; false if none is pending. */
    public boolean runOne() {
        Entry entry = nextLive();
        if (entry == null) return false;
        queue.poll();
        entry.done = true;
        live--;
        nowMicros = entry.atMicros;
        long step = ++stepsRun;
        entry.action.run();
        afterStep.accept(step);
        return true;
    }

    /** Runs every action due at or before {@code timeMicros}, then sets the clock to it. */
    public void runUntil(long timeMicros) {
        if (timeMicros < nowMicros) {
            throw new IllegalArgumentException("timeMicros must be >= now (" + nowMicros + ") but was " + timeMicros);
        }
        for (Entry next = nextLive(); next != null && next.atMicros <= timeMicros; next = nextLive()) runOne();
        nowMicros = timeMicros;
    }

    /**
     * Runs actions until {@code done} holds (checked before the first and after every action),
     * the next action lies beyond {@code deadlineMicros}, or the queue is empty. The clock stays
     * at the last action run rather than jumping to the deadline, so callers can tell when the
     * condition became true. Returns the final value of {@code done}.
     */
    public boolean runUntil(BooleanSupplier done, long deadlineMicros) {
        boolean satisfied = done.getAsBoolean();
        for (Entry next = nextLive(); !satisfied && next != null && next.atMicros <= deadlineMicros; next = nextLive()) {
            runOne();
            satisfied = done.getAsBoolean();
        }
        return satisfied;
    }

    /** Number of actions executed so far. */
    public long stepsRun() {
        return stepsRun;
    }

    /** Number of scheduled actions that have neither run nor been cancelled. */
    public int pending() {
        return live;
    }

    /** Hook called with the step number after every action, e.g. to check invariants at each step. */
    public void setAfterStep(LongConsumer hook) {
        this.afterStep = hook == null ? step -> { } : hook;
    }

    /** Head of the queue after discarding cancelled entries, or null. */
    private Entry nextLive() {
        Entry head = queue.peek();
        while (head != null && head.cancelled) {
            queue.poll();
            head = queue.peek();
        }
        return head;
    }

    private final class Entry implements Cancellable {
        final long atMicros;
        final long sequence;
        final Runnable action;
        boolean cancelled;
        boolean done;

        Entry(long atMicros, long sequence, Runnable action) {
            this.atMicros = atMicros;
            this.sequence = sequence;
            this.action = action;
        }

        @Override
        public void cancel() {
            if (cancelled || done) return;
            cancelled = true;
            live--;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
