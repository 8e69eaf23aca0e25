package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Twins (Bano et al., 2022): a twinned server runs as two correct copies with one identity and
 * one set of keys, and the network splits its peers between them. Within the assumptions (at most
 * f twinned servers in a BFT site) the twin is one faulty server and the checkers find nothing;
 * with f+1 twins in one site of 3f+1, each copy set forms a quorum of 2f+1 with a different
 * correct server, the site's servers order different events, and the checkers must say so.
 */
@Tag("campaign")
class TwinsTest {
    static final Composition PAXOS_BFT = Composition.parse("paxos/bft");

    static SimConfig paxosBft(long seed) {
        return SimConfig.defaults(PAXOS_BFT, 3, 4).withFaults(FaultProfile.BYZANTINE).withSeed(seed);
    }

    static List<PlantedAdversary> planted(String... specs) {
        return Arrays.stream(specs).map(PlantedAdversary::parse).toList();
    }

    @Test
    void oneTwinInABftSiteIsOneFaultyServer() {
        // The twin leads site 0 in view 0 (its copies pre-prepare different batches), in site 1 it does not.
        List<SimResult> runs = Sims.runAll(Sims.seeds(1, 3, seed -> paxosBft(seed).withAdversaries(planted("0.0=twin", "1.2=twin"))));
        for (SimResult r : runs) {
            assertTrue(r.passed(), r::failureReport);
            assertEquals(Map.of("twin: two correct copies of one server", 2), r.exercised().adversaries());
            assertTrue(r.faults().stream().anyMatch(l -> l.contains("server 0.0 Byzantine: twin")), r.faults()::toString);
        }
    }

    @Test
    void twinLogicalMachinesOfOneSiteAreOneCompromisedSite() {
        SimConfig c = SimConfig.defaults(Composition.parse("bft/paxos"), 4, 3).withFaults(FaultProfile.BYZANTINE).withSeed(7)
                .withAdversaries(planted("0=twin-site"));
        SimResult r = Sims.run(c);
        assertTrue(r.passed(), r::failureReport);
        assertEquals(Map.of("compromised site: twin logical machines", 1), r.exercised().adversaries());
    }

    // f + 1 = 2 twins in site 0 of 4 servers: while servers 2 and 3 hear different copies, {0, 1, 2}
    // and {0', 1', 3} are both quorums of 2f+1 = 3 and commit different batches at one sequence
    // number: on seed 1 the correct servers 0.2 and 0.3 execute different events (the
    // logical-machine checker's execution digest may see it first), and site 0's two logical
    // machines then tell the other sites different things (S1 at some global sequence number,
    // which moves with the schedule: 1 before site signatures were passed around the site, 11 after).
    @Test
    void fPlusOneTwinsInOneBftSiteAreCaught() {
        List<SimResult> runs = Sims.untilSafetyViolation(
                seed -> paxosBft(seed).withAdversariesBeyondAssumptions(planted("0.0=twin", "0.1=twin")), 4);
        SimResult r = ByzantineCheckersCanFailTest.assertCaught(runs, "f+1 twins in one site");
        String violation = r.safetyViolations().get(0);
        assertEquals(1, r.config().seed());
        assertTrue(violation.startsWith("S1 safety: at global seq ") || violation.startsWith("logical machine site0 diverged")
                || violation.startsWith("a correct server "), violation);
        assertTrue(r.failureReport().contains("--adversary 0.0=twin --adversary 0.1=twin"), r.failureReport());
        assertTrue(r.failureReport().contains("with test code planted: adversaries beyond the assumptions"), r.failureReport());
        assertFalse(r.passed());
    }
}
