package io.redoubt.sim;

import io.redoubt.compose.Deployment;
import io.redoubt.sim.net.RandomSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A seed's benign faults for the safety phase, drawn before the run starts: how lossy, duplicating
 * and jittery the links are, and a handful of crashes and partitions with their times. The
 * simulator applies them; the liveness phase has none.
 */
record FaultPlan(LinkFaults links, List<Event> events) {
    /** Link faults in force until the network heals. */
    record LinkFaults(double lossProbability, double duplicateProbability, long wanJitterMicros, long lanJitterMicros) {
        String describe() {
            return String.format(Locale.ROOT, "links: loss %.3f, duplication %.2f, WAN jitter %dms, LAN jitter %dus",
                    lossProbability, duplicateProbability, wanJitterMicros / 1000, lanJitterMicros);
        }
    }

    /** One fault: its kind, when it starts and for how long, and the site and server index it aims at (where it aims at one). */
    record Event(long atMicros, long durationMicros, FaultKind kind, int site, int index) {}

    static FaultPlan draw(RandomSource r, Deployment d, long safetyEndMicros) {
        return draw(r, d, safetyEndMicros, FaultMix.DEFAULT);
    }

    // The uniform kinds consume the stream exactly as the draw did before mixes existed, so a mix's
    // crashes and partitions fall where they did; mid-step crashes (in FaultMix.DEFAULT since they
    // exist) come on top, from their own fork.
    static FaultPlan draw(RandomSource r, Deployment d, long safetyEndMicros, FaultMix mix) {
        LinkFaults links = switch (mix.intensity()) {
            case FEW -> new LinkFaults(r.pick(List.of(0.0, 0.005)), r.pick(List.of(0.0, 0.01)), r.pick(List.of(0L, 2_000L)), r.pick(List.of(0L, 100L)));
            case SOME -> new LinkFaults(r.pick(List.of(0.0, 0.005, 0.02, 0.05)), r.pick(List.of(0.0, 0.01, 0.03)),
                    r.pick(List.of(0L, 2_000L, 10_000L)), r.pick(List.of(0L, 100L)));
            case MANY -> new LinkFaults(r.pick(List.of(0.02, 0.05, 0.1)), r.pick(List.of(0.01, 0.03, 0.05)),
                    r.pick(List.of(2_000L, 10_000L, 20_000L)), r.pick(List.of(100L, 500L)));
        };
        int count = switch (mix.intensity()) {
            case FEW -> 1 + r.nextInt(2);
            case SOME -> 1 + r.nextInt(5);
            case MANY -> 6 + r.nextInt(10);
        };
        List<Event> events = new ArrayList<>(count);
        List<FaultKind> kinds = mix.kinds().stream().filter(FaultKind.UNIFORM::contains).toList();
        for (int e = 0; e < count && !kinds.isEmpty(); e++) {
            long at = r.between(50_000, Math.max(50_000, safetyEndMicros - 100_000));
            long duration = r.between(100_000, 2_500_000);
            FaultKind kind = kinds.get(r.nextInt(kinds.size()));
            int site = r.nextInt(d.sites());
            int index = r.nextInt(d.serversPerSite());
            events.add(new Event(at, duration, kind, site, index));
        }
        if (mix.kinds().contains(FaultKind.CRASH_MID_STEP)) {
            // A stream of its own, so that adding the kind to a mix leaves that mix's other events as they were.
            RandomSource m = r.fork("mid-step crashes");
            int midStep = kinds.isEmpty() ? count : switch (mix.intensity()) {
                case FEW -> m.nextInt(2);
                case SOME -> m.nextInt(3);
                case MANY -> 2 + m.nextInt(4);
            };
            for (int e = 0; e < midStep; e++) {
                long at = m.between(50_000, Math.max(50_000, safetyEndMicros - 100_000));
                events.add(new Event(at, m.between(100_000, 2_500_000), FaultKind.CRASH_MID_STEP, m.nextInt(d.sites()), m.nextInt(d.serversPerSite())));
            }
        }
        if (mix.kinds().contains(FaultKind.KEEP_SERVER_DOWN)) {
            // Its own stream too. Down early, up only at the heal (the duration is cut there).
            RandomSource k = r.fork("servers kept down");
            int down = switch (mix.intensity()) {
                case FEW -> 1;
                case SOME -> 1 + k.nextInt(2);
                case MANY -> 2 + k.nextInt(2);
            };
            for (int e = 0; e < down; e++) {
                long at = k.between(50_000, Math.max(50_000, safetyEndMicros / 5));
                events.add(new Event(at, Long.MAX_VALUE / 4, FaultKind.KEEP_SERVER_DOWN, k.nextInt(d.sites()), k.nextInt(d.serversPerSite())));
            }
        }
        if (mix.kinds().contains(FaultKind.CUT_SITE_OFF)) {
            RandomSource c = r.fork("sites cut off");
            long at = c.between(50_000, Math.max(50_000, safetyEndMicros / 5));
            events.add(new Event(at, Long.MAX_VALUE / 4, FaultKind.CUT_SITE_OFF, c.nextInt(d.sites()), 0));
        }
        return new FaultPlan(links, List.copyOf(events));
    }
}
