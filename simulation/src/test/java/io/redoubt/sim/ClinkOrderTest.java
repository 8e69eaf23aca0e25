package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CLink-Order (section 4.5, issue 17's acceptance 5): a corrupt server that signs two
 * Ordering_Requests with one number and different updates is proven faulty by its site's logical
 * machine, at every correct server alike (the checkers compare the machine's state, which holds
 * the proof), and every update is still executed; a faulty local leader that orders forged
 * requests never gets a correct server proven faulty (the simulator's checkers would call that a
 * safety violation).
 */
class ClinkOrderTest {
    @Test
    void aServerSigningTwoRequestsWithOneNumberIsProvenFaultyAndEveryUpdateStillExecutes() {
        for (String composition : List.of("bft/bft", "paxos/bft")) {
            for (long seed = 1; seed <= 3; seed++) {
                // Server 1 of the leader site: it takes its own site's clients and, through CLink-Opt, other sites' too.
                int sites = composition.startsWith("bft/") ? 4 : 3; // BFT among sites needs 3F+1
                SimResult r = Sims.run(SimConfig.defaults(Composition.parse(composition), sites, 4).withFaults(FaultProfile.NONE).withSeed(seed)
                        .withWorkload(3, 6).withAdversaries(List.of(PlantedAdversary.parse("0.1=request-equivocator"))));
                String where = composition + " seed " + seed;
                assertTrue(r.passed(), () -> where + "\n" + r.failureReport());
                assertEquals(r.config().totalUpdates(), r.orderedUpdates(), where);
                assertEquals(1, r.exercised().provenFaulty(), where + ": " + r.exercised());
                assertTrue(r.exercised().orderingRequests() > 0, where);
            }
        }
    }

    @Test
    void forgedRequestsOrderedByAFaultyLeaderProveNobodyFaulty() {
        boolean forgeryRefused = false;
        for (long seed = 1; seed <= 4; seed++) {
            SimResult r = Sims.run(SimConfig.defaults(Composition.parse("paxos/bft"), 3, 4).withFaults(FaultProfile.NONE).withSeed(seed)
                    .withWorkload(3, 6).withAdversaries(List.of(PlantedAdversary.parse("0.0=unverified-events"))));
            assertTrue(r.passed(), r::failureReport);
            assertEquals(0, r.exercised().provenFaulty(), r.exercised()::toString);
            forgeryRefused |= r.rejectionTrace().stream().anyMatch(t -> t.contains("does not hold its signature"));
        }
        assertTrue(forgeryRefused, "the faulty leader ordered a request under another server's number and signature, and it was refused");
    }

    @Test
    void aCrashFaultSiteSignsNoRequests() {
        SimResult r = Sims.run(SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.NONE).withSeed(1).withWorkload(2, 4));
        assertTrue(r.passed(), r::failureReport);
        assertEquals(0, r.exercised().orderingRequests());
    }
}
