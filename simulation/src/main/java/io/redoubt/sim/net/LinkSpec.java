package io.redoubt.sim.net;

/**
 * Properties of a directed link. Latency and jitter are one-way propagation delays; bandwidth
 * limits the shared pipe a frame is serialised onto (0 means unlimited); loss and duplication
 * are independent per-frame probabilities.
 */
public record LinkSpec(
        long latencyMicros,
        long jitterMicros,
        long bandwidthBitsPerSecond,
        double lossProbability,
        double duplicateProbability) {

    public LinkSpec {
        requireNonNegative("latencyMicros", latencyMicros);
        requireNonNegative("jitterMicros", jitterMicros);
        requireNonNegative("bandwidthBitsPerSecond", bandwidthBitsPerSecond);
        requireProbability("lossProbability", lossProbability);
        requireProbability("duplicateProbability", duplicateProbability);
    }

    /** A local-area link: 200us latency, 50us jitter, 1 Gbit/s, no loss. */
    public static LinkSpec lan() {
        return new LinkSpec(200, 50, 1_000_000_000L, 0, 0);
    }

    /** A clean wide-area link with the given one-way latency and bandwidth (0 = unlimited). */
    public static LinkSpec wan(long latencyMicros, long bandwidthBitsPerSecond) {
        return new LinkSpec(latencyMicros, 0, bandwidthBitsPerSecond, 0, 0);
    }

    public LinkSpec withLoss(double probability) {
        return new LinkSpec(latencyMicros, jitterMicros, bandwidthBitsPerSecond, probability, duplicateProbability);
    }

    public LinkSpec withDuplicates(double probability) {
        return new LinkSpec(latencyMicros, jitterMicros, bandwidthBitsPerSecond, lossProbability, probability);
    }

    public LinkSpec withJitter(long jitterMicros) {
        return new LinkSpec(latencyMicros, jitterMicros, bandwidthBitsPerSecond, lossProbability, duplicateProbability);
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) throw new IllegalArgumentException(field + " must be >= 0 but was " + value);
    }

    private static void requireProbability(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1) but was " + value);
        }
    }
}
