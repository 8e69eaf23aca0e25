package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cost summary's CPU by kind of cryptography (issue 16): off unless started, exclusive time
 * for nested operations, and in a run with real signatures one timed operation for each one the
 * simulator counts.
 */
class CryptoCpuTest {
    @AfterEach
    void stop() {
        CryptoCpu.stop();
    }

    @Test
    void itIsOffUntilStartedAndTheOperationRunsEitherWay() {
        assertNull(CryptoCpu.snapshot());
        assertEquals("done", CryptoCpu.time(CryptoCpu.Kind.SIGN, () -> "done"));
        assertNull(CryptoCpu.snapshot(), "timing while off starts nothing");
        CryptoCpu.start();
        assertEquals("done", CryptoCpu.time(CryptoCpu.Kind.SIGN, () -> "done"));
        assertEquals(1, CryptoCpu.snapshot().operations(CryptoCpu.Kind.SIGN));
    }

    @Test
    void anOperationTimedInsideAnotherIsChargedToTheInnerKindOnly() {
        // A clock the test moves, so the accounting is checked exactly and nothing is timed.
        long[] now = {0};
        CryptoCpu.startWithClock(() -> now[0] += 7); // every read costs 7 ns
        CryptoCpu.time(CryptoCpu.Kind.SIGN, () -> CryptoCpu.timeCheck(CryptoCpu.Kind.VERIFY, () -> {
            now[0] += 1_000_000; // the inner operation's work
            return true;
        }));
        CryptoCpu.Snapshot s = CryptoCpu.snapshot();
        assertEquals(1, s.operations(CryptoCpu.Kind.SIGN));
        assertEquals(1, s.operations(CryptoCpu.Kind.VERIFY));
        assertEquals(1_000_007, s.nanos(CryptoCpu.Kind.VERIFY), "the inner operation: its work and the clock read that ends it");
        // Exclusive: the outer one keeps only the clock reads around the inner one.
        assertEquals(7 + 7, s.nanos(CryptoCpu.Kind.SIGN), "the outer operation: the inner one's start and its own end, no more");
    }

    @Test
    void aRunWithRealSignaturesTimesEachPartialAndEachCheckTheSimulatorCounts() {
        SimConfig c = SimConfig.defaults(Composition.parse("bft/bft"), 4, 4).withFaults(FaultProfile.NONE).withSeed(1)
                .withWorkload(2, 3).withSignatureScheme("ed25519");
        var mx = ManagementFactory.getThreadMXBean();
        CryptoCpu.start();
        long cpu0 = mx.getCurrentThreadCpuTime();
        SimResult r = Sims.run(c);
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        CryptoCpu.Snapshot s = CryptoCpu.snapshot();
        assertTrue(r.passed(), r::failureReport);
        assertNotNull(s);
        SimResult.Costs costs = r.costs();
        // Fault-free, every partial is a share a server made, and nobody asks for a proof.
        assertTrue(costs.thresholdPartials() > 0, costs::toString);
        assertEquals(costs.thresholdPartials(), s.operations(CryptoCpu.Kind.THRESHOLD_PARTIAL));
        assertEquals(0, s.operations(CryptoCpu.Kind.THRESHOLD_PROOF));
        // The simulator counts servers' signatures and checks; clients sign their updates too.
        assertTrue(s.operations(CryptoCpu.Kind.SIGN) >= costs.serverSignatures() + r.orderedUpdates(), () -> s + " " + costs);
        assertEquals(costs.serverVerifications(), s.operations(CryptoCpu.Kind.VERIFY), costs::toString);
        // One combination per LM signature made; every other site's servers check it.
        assertTrue(s.operations(CryptoCpu.Kind.THRESHOLD_COMBINE) >= r.lmSignatures(), () -> s + " vs " + r.lmSignatures());
        assertTrue(s.operations(CryptoCpu.Kind.LM_SIGNATURE_CHECK) >= r.lmSignatures(), () -> s + " vs " + r.lmSignatures());
        for (CryptoCpu.Kind k : new CryptoCpu.Kind[] {CryptoCpu.Kind.THRESHOLD_PARTIAL, CryptoCpu.Kind.THRESHOLD_COMBINE,
                CryptoCpu.Kind.LM_SIGNATURE_CHECK, CryptoCpu.Kind.SIGN, CryptoCpu.Kind.VERIFY}) {
            assertTrue(s.nanos(k) > 0, k + " took no CPU");
        }
        assertTrue(s.totalNanos() <= cpu, () -> "cryptography " + s.totalNanos() + " ns of the run's " + cpu + " ns");
    }
}
