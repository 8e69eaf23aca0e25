package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A small campaign of the deterministic simulator over Paxos/Paxos: under the benign fault mix
 * (loss, duplication, reordering, partitions, crashes with restart) every run must keep S1, S2
 * and the logical-machine property, and after the heal every update must be executed by every
 * server. A failure prints the failing seeds' reports, each with its replay command.
 */
@Tag("campaign")
class SimulationCampaignTest {
    static final int SEEDS = 15;

    @ParameterizedTest(name = "{0} sites x {1} servers, benign faults, seeds 1..15")
    @CsvSource({"5, 3", "3, 3"})
    void everyBenignRunOrdersAndExecutesEveryUpdateEverywhere(int sites, int serversPerSite) {
        List<SimResult> results = Sims.runAll(Sims.seeds(1, SEEDS, seed -> Sims.paxos(sites, serversPerSite, FaultProfile.BENIGN, seed)));

        String failures = results.stream().filter(r -> !r.passed()).map(SimResult::failureReport).collect(Collectors.joining("\n"));
        assertTrue(failures.isEmpty(), failures);
        for (SimResult r : results) {
            long total = r.config().totalUpdates();
            assertTrue(total > 0);
            assertEquals(total, r.orderedUpdates(), () -> Sims.summary(r));
            assertEquals(total, r.updatesExecutedByEveryServer(), () -> Sims.summary(r));
            assertTrue(r.replicasAgree(), () -> Sims.summary(r));
            assertEquals(sites * serversPerSite, r.servers());
            assertTrue(r.faults().get(0).startsWith("links:"), () -> "a benign run draws its link faults first: " + r.faults());
        }
        // The campaign is only worth something if it actually crashed servers and cut the network.
        String allFaults = results.stream().flatMap(r -> r.faults().stream()).collect(Collectors.joining("\n"));
        assertTrue(allFaults.contains("crash"), allFaults);
        assertTrue(allFaults.contains("isolate") || allFaults.contains("partition"), allFaults);
        assertTrue(allFaults.contains("restart"), allFaults);
    }

    @Test
    void aFaultFreeRunPassesWithoutInjectingOrRejectingAnything() {
        SimResult r = Sims.run(Sims.paxos(5, 3, FaultProfile.NONE, 1));
        assertTrue(r.passed(), r::failureReport);
        assertEquals(r.config().totalUpdates(), r.orderedUpdates());
        assertEquals(r.config().totalUpdates(), r.updatesExecutedByEveryServer());
        assertTrue(r.replicasAgree());
        assertTrue(r.faults().isEmpty(), () -> "faults injected: " + r.faults());
        assertEquals(Map.of(), r.rejections(), "correct servers on a clean network never reject each other's messages");
        assertTrue(r.safetyViolations().isEmpty() && r.livenessFailures().isEmpty());
    }

    @Test
    void aRunWithoutClientsFinishesAtOnce() {
        SimResult r = Sims.run(Sims.paxos(3, 3, FaultProfile.NONE, 1).withWorkload(0, 0));
        assertTrue(r.passed(), r::failureReport);
        assertEquals(0, r.orderedUpdates());
        assertEquals(0, r.updatesExecutedByEveryServer());
    }
}
