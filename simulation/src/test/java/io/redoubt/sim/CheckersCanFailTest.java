package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.paxos.PaxosConfig;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Acceptance: "the checkers can fail". A deliberately broken Paxos ({@link BrokenPaxosFactory}:
 * a new leader ignores the values reported in promises) is planted at one tier, seeds run until
 * the simulator reports a safety violation, and the report must name it and give the replay
 * command of that seed. Correct Paxos on the very same seeds must report nothing, so the
 * detection is due to the bug and not to the checkers crying wolf.
 *
 * <p>Both tiers use the default benign fault mix. At the wide-area tier it exposes the bug in
 * roughly one seed in twenty (isolating the leader site while proposals are in flight: 7 and 8
 * of seeds 1..150 on two versions of the code, the first at seed 17 on one and 79 on the other,
 * so the bound is generous); at the local tier in about one in four, through the fault that cuts
 * a site's leader off from one of its servers, so the others elect a new leader while values
 * are still in flight. Seeds run in small chunks and stop at the first detection.
 */
@Tag("campaign")
class CheckersCanFailTest {
    static final int MAX_SEEDS = 200;

    /** What a detection must look like, and the control on the same seeds. */
    static void assertCaughtWithReplay(List<SimResult> broken, LongFunction<SimConfig> correct, BrokenPaxosFactory factory, String tier) {
        Optional<SimResult> caught = broken.stream().filter(r -> !r.safetyViolations().isEmpty()).findFirst();
        assertTrue(caught.isPresent(), "broken " + tier + " Paxos was not caught in " + broken.size() + " seeds; it overwrote "
                + factory.ignoredReports() + " reported values:\n" + broken.stream().map(Sims::summary).collect(Collectors.joining("\n")));
        SimResult r = caught.get();
        long seed = r.config().seed();

        assertFalse(r.passed());
        assertEquals("safety violation", r.stopReason(), "a safety violation stops the run");
        String violation = r.safetyViolations().get(0);
        assertTrue(violation.startsWith("S1 safety") || violation.matches("logical machine site\\d+ diverged.*"), violation);
        String report = r.failureReport();
        assertTrue(report.contains("seed " + seed + " FAILED"), report);
        assertTrue(report.contains("safety: " + violation), report);
        assertTrue(report.contains("replay: bin/redoubt sim --composition paxos/paxos --sites " + r.config().sites()), report);
        assertTrue(report.contains("--seed " + seed + " --seeds 1"), report);
        assertTrue(report.contains("  replay: " + r.config().replayCommand()), report);
        assertTrue(factory.ignoredReports() > 0, "the planted bug was exercised");

        // Control: correct Paxos, every seed the broken one ran, nothing reported.
        List<SimResult> control = Sims.runAll(broken.stream().map(b -> correct.apply(b.config().seed())).toList());
        for (SimResult c : control) assertTrue(c.safetyViolations().isEmpty(), c::failureReport);
        SimResult sameSeed = control.stream().filter(c -> c.config().seed() == seed).findFirst().orElseThrow();
        assertTrue(sameSeed.passed(), sameSeed::failureReport);
    }

    @Test
    void brokenWideAreaPaxosIsCaughtAsAnS1ViolationWithAReplayCommand() {
        // Several proposals in flight and no wait for load: the defaults carry one wide-area
        // instance at a time, so a leader change rarely finds values in flight to lose.
        BrokenPaxosFactory broken = new BrokenPaxosFactory(PaxosConfig.wideAreaDefaults().withInFlightSlotsMax(8).withLoadBatchDelayMillis(0));
        LongFunction<SimConfig> correct = seed -> Sims.paxos(5, 3, FaultProfile.BENIGN, seed);
        List<SimResult> runs = Sims.untilSafetyViolation(seed -> correct.apply(seed).withCoreOverrides(null, broken), MAX_SEEDS);
        assertCaughtWithReplay(runs, correct, broken, "wide-area");
        SimResult caught = runs.stream().filter(r -> !r.safetyViolations().isEmpty()).findFirst().orElseThrow();
        assertTrue(caught.safetyViolations().stream().anyMatch(v -> v.startsWith("S1 safety")),
                "logical machines diverge on the global order: " + caught.safetyViolations());
    }

    /**
     * Lane 2008, section 2.2.1: a new leader must re-propose the highest accepted value. Planted in
     * every site's local Paxos, the broken rule makes servers of one site execute different events
     * at the same position: the logical machine splits, which the LM-state checker reports.
     */
    @Test
    void brokenLocalPaxosIsCaughtWhenLeadersAreSuspectedWithProposalsInFlight() {
        BrokenPaxosFactory broken = new BrokenPaxosFactory(PaxosConfig.localDefaults());
        LongFunction<SimConfig> correct = seed -> Sims.paxos(3, 3, FaultProfile.BENIGN, seed);
        List<SimResult> runs = Sims.untilSafetyViolation(seed -> correct.apply(seed).withCoreOverrides(broken, null), MAX_SEEDS);
        assertCaughtWithReplay(runs, correct, broken, "local");
    }
}
