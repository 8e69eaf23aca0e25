package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, "second-line checks" and "signature provenance": bugs planted behind a first line of
 * checks, each caught by the simulator alone, with an adversary aimed at the check that is
 * missing: a safety violation whose replay command names the planted code, while the correct
 * code on the very same seeds, facing the very same adversaries, reports nothing. The
 * adversaries are planted ({@code --adversary}) so the test does not wait for a seed to draw them.
 */
@Tag("campaign")
class PlantedSecondLineBugsTest {
    static final int MAX_SEEDS = 8;
    static final Composition PAXOS_BFT = Composition.parse("paxos/bft");
    static final String REPLAY = "replay: bin/redoubt sim --composition paxos/bft --sites 3 --servers-per-site 4 --faults byzantine";

    /** paxos/bft on 3 sites of 4 with the given adversaries; the seed's benign faults too. */
    static SimConfig withAdversaries(long seed, String... planted) {
        return SimConfig.defaults(PAXOS_BFT, 3, 4).withFaults(FaultProfile.BYZANTINE).withSeed(seed)
                .withAdversaries(Arrays.stream(planted).map(PlantedAdversary::parse).toList());
    }

    /** Runs seeds until one reports a safety violation of the expected kind; checks its report and the correct code on the same seeds. */
    static SimResult assertCaught(LongFunction<SimConfig> broken, LongFunction<SimConfig> correct, String what, String violationPrefix,
                                  String plantedName, String adversary) {
        List<SimResult> runs = Sims.untilSafetyViolation(broken, MAX_SEEDS);
        Optional<SimResult> caught = runs.stream().filter(r -> !r.safetyViolations().isEmpty()).findFirst();
        assertTrue(caught.isPresent(), what + " was not caught in " + runs.size() + " seeds:\n"
                + runs.stream().map(Sims::summary).collect(Collectors.joining("\n")));
        SimResult r = caught.get();
        assertFalse(r.passed());
        assertEquals("safety violation", r.stopReason());
        String violation = r.safetyViolations().get(0);
        assertTrue(violation.startsWith(violationPrefix), what + ": " + violation);
        assertTrue(r.failureReport().contains(REPLAY), r.failureReport());
        assertTrue(r.failureReport().contains("--seed " + r.config().seed() + " --seeds 1"), r.failureReport());
        assertTrue(r.failureReport().contains("--adversary " + adversary), r.failureReport());
        assertTrue(r.failureReport().contains("with test code planted: " + plantedName), r.failureReport());
        for (SimResult c : Sims.runAll(runs.stream().map(b -> correct.apply(b.config().seed())).toList())) {
            assertTrue(c.safetyViolations().isEmpty(), c::failureReport);
        }
        return r;
    }

    // Every site's view-0 primary sends the first backup it sees prepared a second pre-prepare for
    // that slot. A correct backup refuses it; the broken one takes it in place of the first while
    // its commit for the first is out, and its own log then contradicts itself. The simulator's
    // check of every correct server's invariants after each step reports it (the votes a backup
    // already sent for the first cannot be recalled, so an S1 divergence needs a view change on top).
    @Test
    void backupReplacingAHeldPrePrepare() {
        String[] planted = {"0.0=double-pre-prepare", "1.0=double-pre-prepare", "2.0=double-pre-prepare"};
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, planted);
        LongFunction<SimConfig> broken = seed -> correct.apply(seed).withCoreOverrides(PlantedSecondLineBugs.pbftReplacingHeldPrePrepares(seed), null);
        SimResult r = assertCaught(broken, correct, "a backup replacing its pre-prepare", "invariant broken at ",
                "local pbft-replacing-held-pre-prepares", "0.0=double-pre-prepare");
        assertTrue(r.safetyViolations().get(0).contains("our commit is for"), r.safetyViolations().get(0));
    }

    // Every site's view-0 primary adds to each batch an event no correct server would submit: among
    // them a Paxos catch-up reply of another site, changed to say the open global slots were
    // decided as no-ops, under that site's original LM signature. The correct executor checks
    // the signature again and refuses it; the broken one hands it to its wide-area core, whose
    // site then skips updates the other sites execute.
    @Test
    void logicalMachineSkippingChecksOfOrderedWideMessages() {
        String[] planted = {"0.0=unverified-events", "1.0=unverified-events", "2.0=unverified-events"};
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, planted);
        LongFunction<SimConfig> broken = seed -> correct.apply(seed).withPlantedBug(PlantedSecondLineBugs.lmSkippingChecksOfOrderedWideMessages());
        SimResult r = assertCaught(broken, correct, "an executor not checking ordered wide-area messages", "",
                "a logical machine not checking ordered wide-area messages", "0.0=unverified-events");
        String v = r.safetyViolations().get(0);
        assertTrue(v.startsWith("signature provenance") || v.startsWith("S1 safety"), v);
    }

    // Every site's view-0 primary orders client updates no client signed. Correct servers refuse
    // them when they execute, after the f+1 checkers each update has declined to vouch for it;
    // broken checkers vouch without checking, the others take their word, and a forged update
    // is ordered among sites and executed.
    @Test
    void checkersVouchingForSignaturesTheyNeverChecked() {
        String[] planted = {"0.0=unverified-events", "1.0=unverified-events", "2.0=unverified-events"};
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, planted);
        LongFunction<SimConfig> broken = seed -> correct.apply(seed).withPlantedBug(PlantedSecondLineBugs.checkersVouchingUnchecked());
        SimResult r = assertCaught(broken, correct, "checkers vouching unchecked", "",
                "checkers vouching for client signatures they never checked", "0.0=unverified-events");
        String v = r.safetyViolations().get(0);
        assertTrue(v.startsWith("S2 validity") || v.startsWith("S1 safety") || v.contains("diverged"), v);
    }

    // One faulty server of the wide-area leader site runs an equivocating copy of its site's
    // logical machine and shares its roots. Correct servers share only roots they derived, so it
    // never gathers f+1 shares; broken ones answer its share with theirs, and the other sites
    // accept what the site's correct servers never produced.
    @Test
    void signerVouchingForRootsItNeverDerived() {
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, "0.0=rogue-lm");
        LongFunction<SimConfig> broken = seed -> correct.apply(seed).withPlantedBug(PlantedSecondLineBugs.signersVouchingForAnyRoot());
        assertCaught(broken, correct, "a signer vouching for any root", "signature provenance",
                "signers sharing roots their logical machine never produced", "0.0=rogue-lm");
    }

    // The threshold parameter bug of ByzantineCheckersCanFailTest (f shares make a site's
    // signature), seen by the provenance checker: one faulty server then speaks for its site.
    @Test
    void logicalMachinesAcceptingFSigners() {
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, "0.0=rogue-lm");
        assertCaught(seed -> correct.apply(seed).withWeakLmSignatures(), correct, "an LM accepting f signers", "signature provenance",
                "LM signatures of f shares", "0.0=rogue-lm");
    }

    // One faulty server per site sends, for every slot it sees agreed on, one other member an
    // unasked state-transfer reply with a made-up batch and a forged commit certificate. A member
    // that checks no signature takes the batch for the slot it was about to decide, so its
    // logical machine executes something else than its site's.
    @Test
    void pbftSkippingSignatureChecks() {
        String[] planted = {"0.1=certificate-forger", "1.1=certificate-forger", "2.1=certificate-forger"};
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, planted);
        LongFunction<SimConfig> broken = seed -> correct.apply(seed).withCoreOverrides(PlantedSecondLineBugs.pbftSkippingSignatureChecks(seed), null);
        SimResult r = assertCaught(broken, correct, "PBFT skipping signature checks", "", "local pbft-skipping-signature-checks",
                "0.1=certificate-forger");
        String v = r.safetyViolations().get(0);
        assertTrue(v.startsWith("S1 safety") || v.matches("logical machine site\\d+ diverged.*"), v);
    }
}
