package io.redoubt.sim;

import io.redoubt.compose.Composition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.stream.LongStream;

/** Shared helpers of the simulation tests: running configurations, in parallel where it helps. */
final class Sims {
    static final Composition PAXOS_PAXOS = Composition.parse("paxos/paxos");

    private Sims() {}

    static SimConfig paxos(int sites, int serversPerSite, FaultProfile faults, long seed) {
        return SimConfig.defaults(PAXOS_PAXOS, sites, serversPerSite).withFaults(faults).withSeed(seed);
    }

    static SimResult run(SimConfig config) {
        return new Simulation(config).run();
    }

    /** Runs every configuration (each run is deterministic, so running them side by side changes nothing). */
    static List<SimResult> runAll(List<SimConfig> configs) {
        return configs.parallelStream().map(Sims::run).toList();
    }

    static List<SimConfig> seeds(long first, long last, LongFunction<SimConfig> config) {
        return LongStream.rangeClosed(first, last).mapToObj(config).toList();
    }

    /**
     * Runs seeds {@code 1..maxSeeds} of {@code config}, a few at a time, and returns every result
     * up to and including the first chunk in which a run reported a safety violation (all of them
     * if none did). Bounded, so a checker that cannot see the bug fails the test instead of hanging.
     */
    static List<SimResult> untilSafetyViolation(LongFunction<SimConfig> config, int maxSeeds) {
        int chunk = Math.max(2, Runtime.getRuntime().availableProcessors());
        List<SimResult> results = new ArrayList<>();
        for (long first = 1; first <= maxSeeds; first += chunk) {
            List<SimResult> batch = runAll(seeds(first, Math.min(maxSeeds, first + chunk - 1), config));
            results.addAll(batch);
            if (batch.stream().anyMatch(r -> !r.safetyViolations().isEmpty())) break;
        }
        return results;
    }

    /** One line per run, for assertion messages. */
    static String summary(SimResult r) {
        return "seed " + r.config().seed() + ": " + (r.passed() ? "passed" : "FAILED") + ", ordered " + r.orderedUpdates() + "/"
                + r.config().totalUpdates() + ", executed everywhere " + r.updatesExecutedByEveryServer() + ", agree "
                + r.replicasAgree() + ", " + r.virtualMillis() + " ms virtual";
    }
}
