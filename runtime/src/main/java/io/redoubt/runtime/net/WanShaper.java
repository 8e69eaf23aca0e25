package io.redoubt.runtime.net;

/**
 * The emulated wide-area network of one server's outgoing traffic, because this kernel has no
 * {@code tc netem}: per destination site, a serializing uplink of the configured bandwidth (a
 * frame leaves when the frames before it have, each taking its size over the bandwidth) followed
 * by a delay line of the configured one-way latency. It is the simulator's WAN model, with time
 * passed in: it only computes when a frame arrives; the host schedules the delivery.
 *
 * <p>One shaper per sending server, so the servers of a site each get their own uplink; the
 * simulator shares one per site (a closer match to one site link) and the dissertation's test
 * bed throttled each site's link. Traffic inside a site is never shaped.
 */
public final class WanShaper {
    private final long latencyNanos;
    private final long bitsPerSecond;
    /** Per destination site, when its uplink is free again (nanoseconds on the host's clock). */
    private final long[] freeAtNanos;

    public WanShaper(int sites, long latencyMicros, long bitsPerSecond) {
        if (latencyMicros < 0) throw new IllegalArgumentException("latency must be >= 0, was " + latencyMicros);
        if (bitsPerSecond <= 0) throw new IllegalArgumentException("bandwidth must be > 0 bit/s, was " + bitsPerSecond);
        this.latencyNanos = latencyMicros * 1000;
        this.bitsPerSecond = bitsPerSecond;
        this.freeAtNanos = new long[sites];
        java.util.Arrays.fill(freeAtNanos, Long.MIN_VALUE);
    }

    /**
     * A frame of {@code bytes} sent at {@code nowNanos} towards {@code site}: when it arrives,
     * after the frames queued before it left and it crossed the link.
     */
    public long arrivalNanos(int site, int bytes, long nowNanos) {
        long start = Math.max(nowNanos, freeAtNanos[site]);
        long transmitNanos = (long) bytes * 8 * 1_000_000_000L / bitsPerSecond;
        freeAtNanos[site] = start + transmitNanos;
        return start + transmitNanos + latencyNanos;
    }
}
