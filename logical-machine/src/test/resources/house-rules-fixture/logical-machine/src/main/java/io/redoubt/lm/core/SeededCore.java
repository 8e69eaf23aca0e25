package io.redoubt.lm.core;

import java.util.HashSet;
import java.util.Set;

/** A core that owns a seeded source and a lookup-only HashSet: clean. */
public final class SeededCore {
    private final RandomSource random;
    private final Set<Long> seen = new HashSet<>();
    private final TimerId progress = TimerId.of("progress");

    public SeededCore(RandomSource random) {
        this.random = random;
    }

    public boolean onValue(long value) {
        return seen.add(value) && random.nextLong() != value;
    }

    interface RandomSource {
        long nextLong();
    }

    record TimerId(String kind) {
        static TimerId of(String kind) {
            return new TimerId(kind);
        }
    }
}
