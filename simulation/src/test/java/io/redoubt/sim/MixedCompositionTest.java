package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.LocalProtocol;
import io.redoubt.compose.WideProtocol;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.sign.LmKeyring;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A composition is a local protocol per site (section 4.3: "each site can employ either a
 * Byzantine or a benign fault-tolerant SM replication protocol"), so Paxos and BFT sites can
 * share one deployment: each site gets as many servers as its protocol needs for the same f,
 * signs as its kind of site signs, and draws only the adversaries its protocol tolerates.
 */
@Tag("campaign")
class MixedCompositionTest {
    static final Composition PAXOS_WITH_A_BFT_SITE = Composition.parse("paxos/paxos,site1=bft");

    @Test
    void aPerSiteExceptionIsParsedPrintedAndSizedForTheSameF() {
        assertEquals(Composition.of(WideProtocol.PAXOS, LocalProtocol.PAXOS).localBySite().size(), 0);
        assertEquals("paxos/paxos,site1=bft", PAXOS_WITH_A_BFT_SITE.cliName());
        assertEquals(PAXOS_WITH_A_BFT_SITE, Composition.parse(PAXOS_WITH_A_BFT_SITE.cliName()));
        Deployment d = Deployment.defaults(PAXOS_WITH_A_BFT_SITE, 3, 3);
        assertEquals(List.of(3, 4, 3), d.siteIds().stream().map(d::serversAt).toList(), "f = 1 everywhere: 2f+1 Paxos servers, 3f+1 BFT");
        assertEquals(LmKeyring.Kind.THRESHOLD, d.siteSpec(new SiteId(1)).kind());
        assertEquals(LmKeyring.Kind.SITE_KEY, d.siteSpec(new SiteId(0)).kind());
        assertEquals(2, d.repliesNeeded(new SiteId(1)), "a client of the BFT site waits for f+1 replies");
        assertEquals(1, d.repliesNeeded(new SiteId(2)));
        assertEquals(null, PAXOS_WITH_A_BFT_SITE.table42Rounds(), "Table 4.2 has no row for a mixed composition");
    }

    @Test
    void nonsenseIsRefusedWithWhatWouldBeValid() {
        for (String bad : List.of("paxos/paxos,site1", "paxos/paxos,1=bft", "paxos/paxos,site1=raft", "paxos/paxos,site1=bft,site1=paxos")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Composition.parse(bad), bad);
            assertTrue(e.getMessage().contains("valid:"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Deployment.defaults(Composition.parse("paxos/paxos,site5=bft"), 3, 3));
        assertTrue(e.getMessage().contains("names site 5 but there are 3 sites"), e.getMessage());
    }

    @Test
    void paxosAndBftSitesRunTogetherSafelyWithAdversariesOnlyWhereTheyAreTolerated() {
        List<SimResult> runs = Sims.runAll(List.of(
                SimConfig.defaults(PAXOS_WITH_A_BFT_SITE, 3, 3).withFaults(FaultProfile.BYZANTINE).withSeed(1),
                SimConfig.defaults(PAXOS_WITH_A_BFT_SITE, 3, 3).withFaults(FaultProfile.BYZANTINE).withSeed(2),
                SimConfig.defaults(Composition.parse("bft/bft,site0=paxos"), 4, 4).withFaults(FaultProfile.BYZANTINE).withSeed(3)));
        for (SimResult r : runs) {
            assertTrue(r.passed(), r::failureReport);
            assertTrue(r.updatesExecutedByEveryServer() > 0, Sims.summary(r));
            assertTrue(r.config().replayCommand().contains("--composition " + r.config().composition().cliName()), r.config().replayCommand());
        }
        SimConfig planted = SimConfig.defaults(PAXOS_WITH_A_BFT_SITE, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> planted.withAdversaries(List.of(SimConfig.PlantedAdversary.parse("0.0=garbage"))),
                "a Paxos site gets crash faults only");
        SimResult r = Sims.run(planted.withFaults(FaultProfile.NONE).withAdversaries(List.of(SimConfig.PlantedAdversary.parse("1.3=garbage"))));
        assertTrue(r.passed(), r::failureReport);
    }
}
