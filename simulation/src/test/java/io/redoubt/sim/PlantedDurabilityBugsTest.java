package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftFactory;
import io.redoubt.bft.PbftRecord;
import io.redoubt.compose.Composition;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import java.nio.ByteBuffer;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.paxos.PaxosFactory;
import io.redoubt.paxos.PaxosRecord;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, the durability class of the simulator's blind spots: a core that breaks the persist
 * rule ({@link io.redoubt.lm.core.Outbox}: a record is durable before any later send leaves) must
 * be caught by the simulator alone. Each test plants one bug ({@link DurabilityBugFactory}) in
 * every server's local core, runs seeds with the mid-step crash ({@link FaultKind#CRASH_MID_STEP})
 * until a safety violation, checks that the report names the planted code and gives the replay
 * command, and runs the correct protocol on the very same seeds, which must report nothing.
 */
@Tag("campaign")
class PlantedDurabilityBugsTest {
    static final int MAX_SEEDS = 24;
    static final FaultMix MID_STEP_ONLY = FaultMix.parse("crash-mid-step", "many");
    static final Composition PAXOS_BFT = Composition.parse("paxos/bft");

    static boolean acceptedOrPromised(Encodable record) {
        return record instanceof PaxosRecord.Accepted || record instanceof PaxosRecord.Promised;
    }

    /**
     * One site of 3 Paxos servers (a Paxos wide area above it), whose safety phase draws only
     * mid-step crashes, many of them: every one lands in the site, a third of them on its leader.
     */
    static SimConfig paxosSite(long seed) {
        return Sims.paxos(1, 3, FaultProfile.BENIGN, seed).withFaultMix(MID_STEP_ONLY);
    }

    /** The same with one site of 4 PBFT replicas. */
    static SimConfig pbftSite(long seed) {
        return SimConfig.defaults(PAXOS_BFT, 1, 4).withFaults(FaultProfile.BENIGN).withSeed(seed).withFaultMix(MID_STEP_ONLY);
    }

    static SimResult assertCaught(List<SimResult> runs, DurabilityBugFactory bug) {
        Optional<SimResult> caught = runs.stream().filter(r -> !r.safetyViolations().isEmpty()).findFirst();
        assertTrue(caught.isPresent(), bug.protocolName() + " was not caught in " + runs.size() + " seeds (" + bug.misplacedRecords()
                + " records persisted late or dropped):\n" + runs.stream().map(Sims::summary).collect(Collectors.joining("\n")));
        SimResult r = caught.get();
        assertFalse(r.passed());
        assertEquals("safety violation", r.stopReason());
        String violation = r.safetyViolations().get(0);
        assertTrue(violation.startsWith("S1 safety") || violation.matches("logical machine site\\d+ diverged.*"), violation);
        String report = r.failureReport();
        assertTrue(report.contains("with test code planted: local " + bug.protocolName()), report);
        assertTrue(report.contains("  replay: " + r.config().replayCommand()), report);
        assertTrue(report.contains("--seed " + r.config().seed() + " --seeds 1"), report);
        assertTrue(report.contains("--fault-kinds " + r.config().faultMix().kindsCliValue()), report);
        assertTrue(r.exercised().midStepCrashes() > 0, "crashed mid-step: " + r.exercised());
        assertTrue(bug.misplacedRecords() > 0, "the planted bug was exercised");
        return r;
    }

    static void assertCorrectOnSameSeeds(List<SimResult> brokenRuns, LongFunction<SimConfig> correct) {
        for (SimResult c : Sims.runAll(brokenRuns.stream().map(b -> correct.apply(b.config().seed())).toList())) {
            assertTrue(c.passed(), c::failureReport);
        }
    }

    static List<SimResult> assertCaughtAndCorrectClean(LongFunction<SimConfig> correct, LongFunction<DurabilityBugFactory> bug) {
        List<SimResult> runs = Sims.untilSafetyViolation(seed -> correct.apply(seed).withCoreOverrides(bug.apply(seed), null), MAX_SEEDS);
        SimResult caught = runs.stream().filter(r -> !r.safetyViolations().isEmpty()).findFirst().orElse(null);
        assertCaught(runs, caught == null ? bug.apply(0) : (DurabilityBugFactory) caught.config().localOverride());
        assertCorrectOnSameSeeds(runs, correct);
        return runs;
    }

    static DurabilityBugFactory paxos(DurabilityBugFactory.Bug bug, String name) {
        return new DurabilityBugFactory(new PaxosFactory(PaxosConfig.localDefaults()), bug, name, PlantedDurabilityBugsTest::acceptedOrPromised);
    }

    /**
     * A Paxos acceptor (and leader) that sends its Accept (its Propose) before it persists the
     * accepted value. A leader counts as accepting what it proposed, so a follower that hears
     * the proposal decides with its own vote; crashed after the send and before the write, the
     * leader restarts without the value, and a new phase 1 that misses the follower fills the
     * slot with something else. Crashes between steps cannot see this bug (the record is on disk
     * by the end of the step): on the same seeds with crash-server instead, nothing is reported.
     */
    @Test
    void paxosAcceptorSendsBeforePersisting() {
        DurabilityBugFactory bug = paxos(DurabilityBugFactory.Bug.SENDS_BEFORE_PERSISTING, "paxos-sends-before-persisting");
        List<SimResult> runs = assertCaughtAndCorrectClean(PlantedDurabilityBugsTest::paxosSite, seed -> bug);
        FaultMix betweenSteps = FaultMix.parse("crash-server", "many");
        for (SimResult r : Sims.runAll(runs.stream().map(b -> paxosSite(b.config().seed()).withFaultMix(betweenSteps).withCoreOverrides(bug, null)).toList())) {
            assertTrue(r.safetyViolations().isEmpty(), r::failureReport);
        }
    }

    /** A Paxos acceptor that never persists what it accepted or promised: a crash makes it forget both. */
    @Test
    void paxosAcceptorNeverPersists() {
        DurabilityBugFactory bug = paxos(DurabilityBugFactory.Bug.NEVER_PERSISTS, "paxos-never-persisting");
        assertCaughtAndCorrectClean(PlantedDurabilityBugsTest::paxosSite, seed -> bug);
    }

    /**
     * A PBFT replica that never persists anything (pre-prepares it accepted, prepared and committed
     * certificates, view changes, checkpoints). One forgetful replica is within the f = 1 a site of
     * 4 tolerates; the crashes soon make two or three of them forget at once, and they order a
     * slot their site had already executed differently. A replica that only sends before it
     * persists is one faulty replica per crash, which PBFT masks unless two crash within one
     * slot's lifetime: it was not caught in 28 seeds tried (12 of 3 sites, 8 of one site, 8 with
     * an equivocating primary in every site), and one that persists its commits but not its
     * pre-prepares, prepares and view changes stalled 3 seeds of 8 without a safety violation. So
     * this test plants the bug that does break safety.
     */
    @Test
    void pbftReplicaNeverPersists() {
        // The simulation derives its keys from the seed; the planted cores sign with the same ones.
        LongFunction<DurabilityBugFactory> bug = seed -> new DurabilityBugFactory(new PbftFactory(PbftConfig.localDefaults(),
                NodeKeys.fromDirectory(new KeyDirectory(SignatureScheme.named("simulated"), Bytes.wrap(ByteBuffer.allocate(8).putLong(seed).array())))),
                DurabilityBugFactory.Bug.NEVER_PERSISTS, "pbft-never-persisting", r -> r instanceof PbftRecord);
        assertCaughtAndCorrectClean(PlantedDurabilityBugsTest::pbftSite, bug);
    }
}
