package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A small swarm campaign on every build: a dozen seeds, each its own composition, size, fault mix
 * and adversaries, all safe and live. The long campaigns ({@code bin/redoubt sim --swarm}) run
 * from the command line and CI.
 */
@Tag("campaign")
class SwarmCampaignTest {
    @Test
    void aDozenSwarmSeedsStaySafeAndLive() {
        // The seeds whose deployments have at most 30 servers, so that the test takes seconds.
        List<SimConfig> configs = new ArrayList<>();
        for (long s = 1; configs.size() < 12; s++) {
            SimConfig c = Swarm.draw(SwarmTest.BASE, s, 12);
            if (c.deployment().servers().size() <= 30) configs.add(c);
        }
        List<SimResult> runs = Sims.runAll(configs);
        for (SimResult r : runs) assertTrue(r.passed(), r::failureReport);
        Set<String> families = new TreeSet<>();
        runs.forEach(r -> families.add(Swarm.family(r.config().composition())));
        assertTrue(families.size() >= 3, "several compositions: " + families);
        assertTrue(runs.stream().anyMatch(r -> !r.exercised().adversaries().isEmpty()), "adversaries were placed");
        assertTrue(runs.stream().anyMatch(r -> r.config().faultMix().intensity() == FaultMix.Intensity.MANY), "a seed with many faults");
        assertTrue(runs.stream().allMatch(r -> r.orderedUpdates() > 0), "every seed ordered updates");
    }
}
