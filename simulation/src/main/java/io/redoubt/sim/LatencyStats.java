package io.redoubt.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Client-observed update latency, from proposal to reply, in virtual milliseconds. */
public record LatencyStats(long count, double meanMillis, double p50Millis, double p99Millis, double maxMillis) {
    static LatencyStats of(List<Long> micros) {
        if (micros.isEmpty()) return new LatencyStats(0, 0, 0, 0, 0);
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        double sum = 0;
        for (long m : sorted) sum += m;
        return new LatencyStats(sorted.size(), sum / sorted.size() / 1000.0, percentile(sorted, 0.50), percentile(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1000.0);
    }

    private static double percentile(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1000.0;
    }
}
