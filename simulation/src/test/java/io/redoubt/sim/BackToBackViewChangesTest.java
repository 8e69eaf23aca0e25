package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The back-to-back view-change schedule reaches the rare path it is for (prepared certificates
 * for one slot from two views, for two batches, in one new view's quorum) at a BFT site and among
 * BFT sites, leaves correct code clean, and is a function of the seed like every other fault.
 */
@Tag("campaign")
class BackToBackViewChangesTest {
    static final FaultMix SCHEDULE = new FaultMix(List.of(FaultKind.BACK_TO_BACK_VIEW_CHANGES), FaultMix.Intensity.SOME);

    @ParameterizedTest(name = "{0}, {1} sites of {2}")
    @CsvSource({"paxos/bft, 3, 4", "bft/paxos, 4, 3"})
    void theScheduleBringsConflictingCertificatesIntoOneNewViewAndRepeatsExactly(String composition, int sites, int servers) {
        // Among sites the schedule runs on the stand-in link: its first phase needs the prepares
        // that do not reach the holder to stay lost, and BLink resends them once the cut moves on
        // (see PlantedViewChangeBugsTest#correctWide). Inside a site the link plays no part.
        boolean amongSites = Composition.parse(composition).wide().byzantine();
        List<SimConfig> configs = Sims.seeds(1, 4, seed -> SimConfig.defaults(Composition.parse(composition), sites, servers)
                .withFaults(FaultProfile.BENIGN).withSeed(seed).withFaultMix(SCHEDULE).withBlink(!amongSites));
        List<SimResult> first = Sims.runAll(configs);
        for (SimResult r : first) assertTrue(r.passed(), r::failureReport);
        assertTrue(first.stream().anyMatch(r -> r.exercised().conflictingViewChanges() > 0), () -> first.stream()
                .map(r -> "seed " + r.config().seed() + ": " + String.join("\n    ", r.faults())).collect(Collectors.joining("\n")));
        assertTrue(first.stream().anyMatch(r -> r.faults().stream().anyMatch(f -> f.contains("prepared certificates from different views met"))));
        SimResult again = Sims.run(configs.get(0));
        assertEquals(first.get(0).traceHash(), again.traceHash());
        assertEquals(first.get(0).faults(), again.faults());
        assertEquals(first.get(0).exercised(), again.exercised());
    }
}
