package io.redoubt.sim;

/** Wide-area and local-area rounds on the causal path of updates (Table 4.2's measure). */
public final class RoundStats {
    private long count;
    private long wideSum;
    private long localSum;
    private int wideMin = Integer.MAX_VALUE, wideMax, localMin = Integer.MAX_VALUE, localMax;

    void add(int wide, int local) {
        count++;
        wideSum += wide;
        localSum += local;
        wideMin = Math.min(wideMin, wide);
        wideMax = Math.max(wideMax, wide);
        localMin = Math.min(localMin, local);
        localMax = Math.max(localMax, local);
    }

    Snapshot snapshot() {
        return count == 0 ? new Snapshot(0, 0, 0, 0, 0, 0, 0)
                : new Snapshot(count, (double) wideSum / count, (double) localSum / count, wideMin, wideMax, localMin, localMax);
    }

    /** Means and ranges over {@code updates} updates. */
    public record Snapshot(long updates, double wideMean, double localMean, int wideMin, int wideMax, int localMin, int localMax) {}
}
