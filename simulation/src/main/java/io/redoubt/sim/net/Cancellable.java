package io.redoubt.sim.net;

/** Handle to a scheduled action, so timers can be disarmed without searching the event queue. */
public interface Cancellable {
    /** Prevents the action from running; a no-op if it already ran or was cancelled. */
    void cancel();

    /** True once {@link #cancel()} took effect before the action ran. */
    boolean isCancelled();
}
