package io.redoubt.sim;

import io.redoubt.compose.Composition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftConfig;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Acceptance of the Byzantine issue, "the checkers can fail": (a) a PBFT whose quorums are 2f
 * instead of 2f+1 and (b) logical machines that sign and accept with f servers instead of f+1
 * are caught, each with a replay command; the correct protocols on the very same seeds, facing
 * the very same planted adversaries, report nothing. The adversaries are planted ({@code
 * --adversary}) rather than drawn, so the test does not wait for a seed to draw them.
 */
@Tag("campaign")
class ByzantineCheckersCanFailTest {
    static final int MAX_SEEDS = 8;
    static final Composition PAXOS_BFT = Composition.parse("paxos/bft");

    /** paxos/bft on 3 sites of 4 with the given adversaries; the seed's benign faults too. */
    static SimConfig withAdversaries(long seed, String... planted) {
        return SimConfig.defaults(PAXOS_BFT, 3, 4).withFaults(FaultProfile.BYZANTINE).withSeed(seed)
                .withAdversaries(java.util.Arrays.stream(planted).map(PlantedAdversary::parse).toList());
    }

    static SimResult assertCaught(List<SimResult> runs, String what) {
        Optional<SimResult> caught = runs.stream().filter(r -> !r.safetyViolations().isEmpty()).findFirst();
        assertTrue(caught.isPresent(), what + " was not caught in " + runs.size() + " seeds:\n"
                + runs.stream().map(Sims::summary).collect(Collectors.joining("\n")));
        SimResult r = caught.get();
        assertFalse(r.passed());
        assertEquals("safety violation", r.stopReason());
        String violation = r.safetyViolations().get(0);
        // A site signature over what its correct servers never produced is reported by the
        // provenance checker, usually before another site acts on it (S1).
        // Or a correct server's own core stops on finding its history contradicted by a certified one.
        assertTrue(violation.startsWith("S1 safety") || violation.startsWith("signature provenance")
                || violation.matches("logical machine site\\d+ diverged.*") || violation.startsWith("a correct server "), violation);
        assertTrue(r.failureReport().contains("replay: bin/redoubt sim --composition paxos/bft --sites 3 --servers-per-site 4 --faults byzantine"),
                r.failureReport());
        assertTrue(r.failureReport().contains("--seed " + r.config().seed() + " --seeds 1"), r.failureReport());
        return r;
    }

    static void assertCorrectOnSameSeeds(List<SimResult> brokenRuns, LongFunction<SimConfig> correct) {
        for (SimResult c : Sims.runAll(brokenRuns.stream().map(b -> correct.apply(b.config().seed())).toList())) {
            assertTrue(c.safetyViolations().isEmpty(), c::failureReport);
        }
    }

    // Every site's view-0 primary equivocates (and commits to both versions). With quorums of
    // 2f+1 the halves cannot both decide; with 2f, two quorums need share no correct server.
    @Test
    void pbftWithQuorumsOf2fIsCaughtWithAReplayCommand() {
        String[] planted = {"0.0=equivocating-leader", "1.0=equivocating-leader", "2.0=equivocating-leader"};
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, planted);
        LongFunction<SimConfig> broken = seed -> {
            // The simulation derives its keys from the seed; the planted cores sign with the same ones.
            KeyDirectory keys = new KeyDirectory(SignatureScheme.named("simulated"), Bytes.wrap(ByteBuffer.allocate(8).putLong(seed).array()));
            return correct.apply(seed).withCoreOverrides(new WeakQuorumPbftFactory(PbftConfig.localDefaults(), keys), null);
        };
        List<SimResult> runs = Sims.untilSafetyViolation(broken, MAX_SEEDS);
        SimResult r = assertCaught(runs, "a 2f-quorum PBFT");
        assertTrue(r.failureReport().contains("--adversary 0.0=equivocating-leader"), r.failureReport());
        assertTrue(r.failureReport().contains("with test code planted: local pbft-quorum-2f"), r.failureReport());
        assertCorrectOnSameSeeds(runs, correct);
    }

    // One faulty server of the wide-area leader site runs an equivocating copy of its site's
    // logical machine and signs for the site alone. With f+1 signers needed nothing it sends
    // verifies; with f, the other sites accept different proposals for one global slot.
    @Test
    void logicalMachinesAcceptingFSignersAreCaughtWithAReplayCommand() {
        LongFunction<SimConfig> correct = seed -> withAdversaries(seed, "0.0=rogue-lm");
        List<SimResult> runs = Sims.untilSafetyViolation(seed -> correct.apply(seed).withWeakLmSignatures(), MAX_SEEDS);
        SimResult r = assertCaught(runs, "an LM accepting f signers");
        assertTrue(r.failureReport().contains("with test code planted: LM signatures of f shares"), r.failureReport());
        assertCorrectOnSameSeeds(runs, correct);
    }

    @Test
    void plantedAdversariesMustRespectTheCompositionsAssumptions() {
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> withAdversaries(1, "1.0=silent", "1.2=garbage"));
        assertTrue(tooMany.getMessage().contains("more than f = 1 faulty servers in site 1"), tooMany.getMessage());
        IllegalArgumentException noSite = assertThrows(IllegalArgumentException.class, () -> withAdversaries(1, "2=silent-site"));
        assertTrue(noSite.getMessage().contains("with paxos on the wide area no site may be compromised"), noSite.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> withAdversaries(1, "2=silent"));
        assertTrue(shape.getMessage().contains("silent is one server; write SITE.SERVER=silent"), shape.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> withAdversaries(1, "0.1=sneaky"));
        assertTrue(kind.getMessage().contains("'sneaky' is not an adversary; valid: silent, garbage"), kind.getMessage());
        IllegalArgumentException paxosSite = assertThrows(IllegalArgumentException.class, () -> SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3)
                .withAdversaries(List.of(PlantedAdversary.parse("0.0=garbage"))));
        assertTrue(paxosSite.getMessage().contains("paxos sites have crash faults only"), paxosSite.getMessage());
        // A silent server is a crash from the start, which a Paxos site tolerates up to its f.
        SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withAdversaries(List.of(PlantedAdversary.parse("0.0=silent")));
        IllegalArgumentException tooManyCrashed = assertThrows(IllegalArgumentException.class, () -> SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3)
                .withAdversaries(List.of(PlantedAdversary.parse("0.0=silent"), PlantedAdversary.parse("0.1=silent"))));
        assertTrue(tooManyCrashed.getMessage().contains("more than f = 1"), tooManyCrashed.getMessage());
    }
}
