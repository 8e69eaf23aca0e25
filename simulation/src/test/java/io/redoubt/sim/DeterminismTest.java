package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CI guard against hidden nondeterminism (HashMap or HashSet iteration over identity hashes,
 * a stray wall-clock read, unseeded randomness, thread-dependent state): a seed must reproduce a
 * run exactly, whether it runs again on another thread or in a fresh JVM whose identity hash
 * codes are all different.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("campaign")
class DeterminismTest {
    static final long[] SEEDS = {1, 2, 3, 4};
    final List<SimResult> first = new ArrayList<>();
    final List<SimResult> second = new ArrayList<>();

    static SimConfig config(long seed) {
        return Sims.paxos(5, 3, FaultProfile.BENIGN, seed);
    }

    @BeforeAll
    void runEverySeedTwice() throws Exception {
        // First on the test thread, one after the other; then again side by side on fresh threads,
        // so identity hash codes and thread-local state differ between the two runs of a seed.
        for (long seed : SEEDS) first.add(Sims.run(config(seed)));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<SimResult>> futures = new ArrayList<>();
            for (long seed : SEEDS) futures.add(pool.submit(() -> Sims.run(config(seed))));
            for (Future<SimResult> f : futures) second.add(f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "seed index {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void theSameSeedGivesTheSameRun(int i) {
        SimResult a = first.get(i);
        SimResult b = second.get(i);
        assertEquals(SEEDS[i], a.config().seed());
        assertEquals(a.traceHash(), b.traceHash(), "trace hash of seed " + SEEDS[i]);
        assertEquals(a.steps(), b.steps());
        assertEquals(a.messages(), b.messages());
        assertEquals(a.bytes(), b.bytes());
        assertEquals(a.virtualMillis(), b.virtualMillis());
        assertEquals(a.orderedUpdates(), b.orderedUpdates());
        assertEquals(a.faults(), b.faults());
        assertEquals(a.rejections(), b.rejections());
        assertEquals(a.safetyViolations(), b.safetyViolations());
        assertEquals(a.livenessFailures(), b.livenessFailures());
        assertEquals(a.roundsClientAtLeaderSite(), b.roundsClientAtLeaderSite());
        assertEquals(a.roundsClientElsewhere(), b.roundsClientElsewhere());
        assertTrue(a.traceHash().matches("[0-9a-f]{64}"), a.traceHash());
    }

    @Test
    void differentSeedsGiveDifferentRuns() {
        HashSet<String> hashes = new HashSet<>();
        for (SimResult r : first) hashes.add(r.traceHash());
        assertEquals(SEEDS.length, hashes.size(), "trace hashes: " + hashes);
        HashSet<List<String>> faultPlans = new HashSet<>();
        for (SimResult r : first) faultPlans.add(r.faults());
        assertTrue(faultPlans.size() > 1, "every seed drew the same faults: " + faultPlans);
    }

    @Test
    void theTraceHashCoversWhatWasDelivered() {
        // Same seed, same faults, one client update fewer: the trace must notice.
        SimResult a = Sims.run(Sims.paxos(3, 3, FaultProfile.NONE, 9).withWorkload(1, 3));
        SimResult b = Sims.run(Sims.paxos(3, 3, FaultProfile.NONE, 9).withWorkload(1, 2));
        assertTrue(a.passed() && b.passed());
        assertTrue(!a.traceHash().equals(b.traceHash()), "a different run must have a different trace hash");
    }

    /** Entry point of the child JVM: prints the trace hash and step count of one seed. */
    public static void main(String[] args) {
        SimResult r = Sims.run(config(Long.parseLong(args[0])));
        System.out.println(r.traceHash() + " " + r.steps());
    }

    @Test
    void theSameSeedGivesTheSameRunInAFreshJvmWithOtherIdentityHashCodes() throws IOException, InterruptedException, ExecutionException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        // hashCode=2 makes every identity hash code the same: any iteration order that depends on
        // identity hashes (enum or object keys in a HashMap, say) changes, and so would the trace.
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UnlockExperimentalVMOptions",
                "-XX:hashCode=2", "-cp", System.getProperty("java.class.path"), DeterminismTest.class.getName(), Long.toString(SEEDS[0]));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), output);
        String[] lines = output.split("\\R");
        assertEquals(first.get(0).traceHash() + " " + first.get(0).steps(), lines[lines.length - 1], output);
    }
}
