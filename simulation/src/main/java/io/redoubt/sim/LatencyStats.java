package io.redoubt.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Client-observed update latency, from proposal to reply, in virtual milliseconds. */
public record LatencyStats(long count, double meanMillis, double p50Millis, double p99Millis, double maxMillis,
                           double bucketMillis, List<Integer> histogram) {
    private static final int BUCKETS = 10;

    public static LatencyStats of(List<Long> micros) {
        if (micros.isEmpty()) return new LatencyStats(0, 0, 0, 0, 0, 0, List.of());
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        double sum = 0;
        for (long m : sorted) sum += m;
        double maxMillis = sorted.get(sorted.size() - 1) / 1000.0;
        double bucket = niceBucket(maxMillis / BUCKETS);
        int buckets = (int) Math.min(BUCKETS * 2, Math.floor(maxMillis / bucket) + 1);
        Integer[] counts = new Integer[buckets];
        java.util.Arrays.fill(counts, 0);
        for (long m : sorted) counts[(int) Math.min(buckets - 1, Math.floor(m / 1000.0 / bucket))]++;
        return new LatencyStats(sorted.size(), sum / sorted.size() / 1000.0, percentile(sorted, 0.50), percentile(sorted, 0.99),
                maxMillis, bucket, List.of(counts));
    }

    /**
     * Several runs' latencies together, for a campaign summary: the mean over every update, and
     * the worse run's percentiles (percentiles of separate runs do not combine); no histogram.
     */
    public LatencyStats plus(LatencyStats o) {
        if (o.count == 0) return this;
        if (count == 0) return o;
        long n = count + o.count;
        return new LatencyStats(n, (meanMillis * count + o.meanMillis * o.count) / n, Math.max(p50Millis, o.p50Millis),
                Math.max(p99Millis, o.p99Millis), Math.max(maxMillis, o.maxMillis), 0, List.of());
    }

    /** A bucket width of 1, 2 or 5 times a power of ten, so the axis reads easily. */
    private static double niceBucket(double raw) {
        if (raw <= 0) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * p >= raw) return m * p;
        return 10 * p;
    }

    /** The distribution as text bars, one line a bucket, for terminals. */
    public List<String> histogramLines(int barWidthMax) {
        List<String> lines = new ArrayList<>();
        int max = 0;
        for (int c : histogram) max = Math.max(max, c);
        for (int i = 0; i < histogram.size(); i++) {
            int c = histogram.get(i);
            int bar = max == 0 ? 0 : (int) Math.round((double) c * barWidthMax / max);
            if (c > 0 && bar == 0) bar = 1;
            String range = String.format(java.util.Locale.ROOT, "%.0f-%.0f ms", i * bucketMillis, (i + 1) * bucketMillis);
            lines.add(String.format(java.util.Locale.ROOT, "%14s |%s %d", range, "#".repeat(bar), c));
        }
        return lines;
    }

    private static double percentile(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1000.0;
    }
}
