package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ByzzFuzz (Winter et al., 2023) within the assumptions, at both tiers: faulty servers of BFT
 * sites mutate one field of a few local PBFT messages, a compromised site mutates a few of its
 * wide-area PBFT messages under its own LM signature, and partitions start and end at their
 * rounds. Every correct server must stay safe and execute every update.
 */
@Tag("campaign")
class ByzzFuzzCampaignTest {
    static SimConfig config(String composition, int sites, int servers, long seed, String... planted) {
        return SimConfig.defaults(Composition.parse(composition), sites, servers).withFaults(FaultProfile.BYZANTINE).withSeed(seed)
                .withAdversaries(Arrays.stream(planted).map(PlantedAdversary::parse).toList());
    }

    @Test
    void mutatedMessagesAtBothTiersLeaveCorrectServersSafeAndLive() {
        List<SimConfig> configs = new ArrayList<>();
        for (long seed = 1; seed <= 2; seed++) {
            configs.add(config("paxos/bft", 4, 4, seed, "0.0=mutator", "1.2=mutator", "2.1=mutator"));
            configs.add(config("bft/paxos", 4, 3, seed, "0=mutator-site"));
            configs.add(config("bft/bft", 4, 4, seed, "0=mutator-site", "1.0=mutator", "2.3=mutator"));
        }
        List<SimResult> runs = Sims.runAll(configs);
        for (SimResult r : runs) assertTrue(r.passed(), r::failureReport);
        List<String> log = runs.stream().flatMap(r -> r.faults().stream()).toList();
        String shown = log.stream().filter(l -> l.contains("mutated") || l.contains("round partition")).collect(Collectors.joining("\n"));
        assertTrue(log.stream().anyMatch(l -> l.matches("t=\\d+ms s\\d+\\.\\d+ mutated \\w+\\.\\w+.* at round \\d+")), "local mutations:\n" + shown);
        assertTrue(log.stream().anyMatch(l -> l.matches("t=\\d+ms site 0 mutated \\w+\\.\\w+.* at round \\d+")), "wide-area mutations:\n" + shown);
        assertTrue(log.stream().anyMatch(l -> l.contains(": round partition ")), "partitions at rounds:\n" + shown);
    }
}
