package io.redoubt.sim;

import io.redoubt.compose.Composition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.core.Rejection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * A few seeds of every composition under {@code --faults byzantine}, and the rounds of Table
 * 4.2 for the BFT compositions. The long campaigns run from the command line; these keep the
 * wiring honest on every build.
 */
@Tag("campaign")
class ByzantineCampaignTest {
    static SimConfig config(String composition, int sites, int servers, long seed) {
        return SimConfig.defaults(Composition.parse(composition), sites, servers).withFaults(FaultProfile.BYZANTINE).withSeed(seed);
    }

    @Test
    void everyCompositionStaysSafeAndLiveWithAdversaries() {
        List<SimResult> runs = Sims.runAll(List.of(config("bft/bft", 4, 4, 1), config("paxos/bft", 4, 4, 2),
                config("bft/paxos", 4, 3, 3), config("bft/solo", 4, 1, 4)));
        for (SimResult r : runs) assertTrue(r.passed(), r::failureReport);
        assertTrue(runs.stream().anyMatch(r -> !r.exercised().adversaries().isEmpty()), "adversaries were placed");
    }

    // A compromised site signs nonsense as its logical machine: the other sites' decoders and
    // cores must refuse it (and count why) while the correct sites carry on.
    @Test
    void wellSignedMutatedMessagesFromACompromisedSiteAreRefusedCountedAndSurvived() {
        SimConfig quiet = config("bft/paxos", 4, 3, 6).withFaults(FaultProfile.NONE);
        List<SimResult> runs = Sims.runAll(List.of(quiet, quiet.withAdversaries(List.of(SimConfig.PlantedAdversary.parse("0=mutating-site")))));
        for (SimResult r : runs) assertTrue(r.passed(), r::failureReport);
        assertEquals(0, refused(runs.get(0)), "a fault-free run refuses nothing: " + runs.get(0).rejections());
        assertTrue(refused(runs.get(1)) > 0, "mutated messages were refused: " + runs.get(1).rejections());
    }

    private static long refused(SimResult r) {
        return r.rejections().entrySet().stream()
                .filter(e -> e.getKey() == Rejection.MALFORMED || e.getKey() == Rejection.BAD_SIGNATURE || e.getKey() == Rejection.PROTOCOL_VIOLATION)
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Test
    void aPaxosWideAreaGetsNoCompromisedSitesAndAPaxosSiteNoByzantineServers() {
        SimResult r = Sims.run(config("paxos/paxos", 3, 3, 5));
        assertTrue(r.passed(), r::failureReport);
        assertTrue(r.exercised().adversaries().isEmpty(), r.exercised().adversaries().toString());
    }

    @Test
    void bftCompositionsTakeTheRoundsOfTable42AtTheLeaderSite() {
        for (String name : List.of("bft/bft", "paxos/bft")) {
            Composition c = Composition.parse(name);
            SimConfig quiet = SimConfig.defaults(c, 4, 4).withFaults(FaultProfile.NONE).withWorkload(1, 3).toBuilder()
                    .clientSite(0).clientThinkMillis(2_000).build();
            var rounds = Sims.run(quiet).roundsClientAtLeaderSite();
            int[] table = c.table42Rounds();
            assertEquals(table[0], rounds.wideMin(), name);
            assertEquals(table[0], rounds.wideMax(), name);
            assertEquals(table[1], rounds.localMin(), name);
            assertEquals(table[1], rounds.localMax(), name);
        }
    }

    @Test
    void topologiesTheProtocolsCannotRunOnAreRefusedWithTheFix() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SimConfig.defaults(Composition.parse("paxos/bft"), 3, 3));
        assertTrue(e.getMessage().contains("at least 4"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SimConfig.defaults(Composition.parse("bft/paxos"), 3, 3));
        assertTrue(e.getMessage().contains("3F+1"), e.getMessage());
        assertFalse(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Composition.parse("solo/bft"))
                .getMessage().isEmpty());
    }
}
