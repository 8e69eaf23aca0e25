package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import io.redoubt.sim.adversary.Adversary;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's faulty links: servers correct inside their site that, as forwarders or peers between
 * logical machines, drop what they should carry. Every update is still executed everywhere, and
 * the run counts the virtual-link changes it took (the link of today resends from the next
 * forwarder to the next peer; BLink must need far fewer).
 */
class ByzantineLinksTest {
    @Test
    void everyUpdateIsExecutedWithEachSitesFirstForwarderOrPeerDroppingBetweenSites() {
        // Index 0 of each site is its first local leader, so its first forwarder, and the first peer of every message to it.
        SimResult r = Sims.run(SimConfig.defaults(Composition.parse("bft/bft"), 4, 4).withFaults(FaultProfile.NONE).withSeed(1)
                .withWorkload(2, 8).withAdversaries(List.of(PlantedAdversary.parse("1.0=link-dropper"), PlantedAdversary.parse("2.0=deaf-peer"),
                        PlantedAdversary.parse("3.0=one-link-dropper"))));
        assertTrue(r.passed(), r::failureReport);
        assertEquals(r.config().totalUpdates(), r.orderedUpdates());
        assertTrue(r.exercised().linkChanges() > 0, "the dropped messages went again another way");
        // A campaign sums the runs' changes and keeps the most one run needed.
        SimResult.Exercised two = r.exercised().plus(r.exercised()).plus(SimResult.Exercised.none());
        assertEquals(2 * r.exercised().linkChanges(), two.linkChanges());
        assertEquals(r.exercised().linkChanges(), two.linkChangesMaxRun());
        assertEquals(3, r.exercised().adversaries().values().stream().mapToInt(Integer::intValue).sum(), r.exercised()::toString);
    }

    @Test
    void theLinkFaultProfilePlacesOnlyLinkAdversariesAndOnlyInByzantineSites() {
        int placed = 0;
        for (long seed = 1; seed <= 12; seed++) {
            SimConfig c = SimConfig.defaults(Composition.parse("paxos/paxos,site1=bft"), 3, 4).withFaults(FaultProfile.BYZANTINE_LINKS)
                    .withSeed(seed).withWorkload(1, 3);
            SimResult r = Sims.run(c);
            assertTrue(r.passed(), r::failureReport);
            for (var e : r.exercised().adversaries().entrySet()) {
                assertTrue(List.of(Adversary.LINK_DROPPER, Adversary.ONE_LINK_DROPPER, Adversary.DEAF_PEER, Adversary.SILENT, Adversary.ACK_LIAR).stream()
                        .anyMatch(a -> a.description.equals(e.getKey())), e::getKey);
                placed += e.getValue();
            }
            // Only site 1 runs BFT: at most its f = 1 server.
            assertTrue(r.exercised().adversaries().values().stream().mapToInt(Integer::intValue).sum() <= 1, r.exercised()::toString);
        }
        assertTrue(placed > 0, "some seed placed a faulty link");
        assertEquals(FaultProfile.BYZANTINE_LINKS, FaultProfile.parse("byzantine-links"));
        assertEquals("byzantine-links", FaultProfile.BYZANTINE_LINKS.cliName());
    }
}
