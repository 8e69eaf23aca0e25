package io.redoubt.sim;

import io.redoubt.sim.net.RandomSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Which copy of a twinned server each peer hears (Twins, Bano et al., 2022). The safety phase is
 * cut into periods of 0.1 to 1.5 s, and in each period every peer is put on one side of every
 * twin group (one twinned server, or every server of a twinned site, whose copies then act as two
 * whole logical machines): its frames go to that copy only, and it hears that copy only. A copy
 * talks to the same-numbered copy of another twin, so twins can form quorums together. After the
 * safety phase the last period's sides stay, so the twins stay faulty but stop moving.
 */
final class TwinSchedule {
    private final long seed;
    /** Start of each period after the first, in virtual microseconds. */
    private final long[] starts;

    TwinSchedule(RandomSource random, long safetyEndMicros) {
        this.seed = random.nextLong();
        List<Long> s = new ArrayList<>();
        for (long t = random.between(100_000, 1_500_000); t < safetyEndMicros; t += random.between(100_000, 1_500_000)) s.add(t);
        starts = s.stream().mapToLong(Long::longValue).toArray();
    }

    /** The period in force at {@code nowMicros}. */
    int period(long nowMicros) {
        int p = 0;
        while (p < starts.length && starts[p] <= nowMicros) p++;
        return p;
    }

    /** Which copy (0 or 1) of {@code group} the {@code peer} talks to at {@code nowMicros}. */
    int side(Endpoint peer, String group, long nowMicros) {
        long h = mix(seed ^ mix(period(nowMicros) * 0x9E3779B97F4A7C15L ^ mix(group.hashCode() * 31L + peer.toString().hashCode())));
        return (int) (h & 1);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
