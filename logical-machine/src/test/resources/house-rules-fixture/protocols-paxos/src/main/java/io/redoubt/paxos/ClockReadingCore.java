package io.redoubt.paxos;

/** Reads the clock inside a core: the simulator can no longer replay it. */
public final class ClockReadingCore {
    private long lastProgress;

    public void onMessage(Object message) {
        lastProgress = System.nanoTime();
    }

    public long lastProgress() {
        return lastProgress;
    }
}
