package io.redoubt.sim.net;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The only source of randomness in a simulation, so that one seed reproduces a whole run.
 * Components take {@link #fork(String) forks} rather than sharing one stream: a fork depends only
 * on the parent's seed and its label, so adding a component (or making one draw more) never
 * perturbs the draws seen by the others.
 */
public final class RandomSource {
    private final long seed;
    private final SplittableRandom random;

    public RandomSource(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    public long nextLong() {
        return random.nextLong();
    }

    /** Uniform in [0, bound); bound must be positive. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be > 0 but was " + bound);
        return random.nextInt(bound);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return random.nextDouble();
    }

    /**
     * True with the given probability. Always consumes exactly one draw, even for 0 or 1, so that
     * changing a probability does not shift every later draw of the stream.
     */
    public boolean chance(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1] but was " + probability);
        }
        return random.nextDouble() < probability;
    }

    /** Uniform in [minInclusive, maxInclusive]. */
    public long between(long minInclusive, long maxInclusive) {
        if (minInclusive > maxInclusive) {
            throw new IllegalArgumentException("empty range [" + minInclusive + ", " + maxInclusive + "]");
        }
        if (maxInclusive < Long.MAX_VALUE) return random.nextLong(minInclusive, maxInclusive + 1);
        if (minInclusive > Long.MIN_VALUE) return random.nextLong(minInclusive - 1, maxInclusive) + 1;
        return random.nextLong();
    }

    /** A uniformly chosen element; the list must be non-empty and have a deterministic order. */
    public <T> T pick(List<T> items) {
        if (items.isEmpty()) throw new IllegalArgumentException("cannot pick from an empty list");
        return items.get(random.nextInt(items.size()));
    }

    /**
     * An independent stream derived from this source's seed and {@code label} only; it does not
     * consume this stream. The same label always yields the same child.
     */
    public RandomSource fork(String label) {
        return new RandomSource(mix64(seed ^ mix64(fnv1a64(label))));
    }

    private static long fnv1a64(String label) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** SplitMix64 finaliser: spreads seeds that differ in few bits into unrelated ones. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "RandomSource[seed=" + seed + "]";
    }
}
