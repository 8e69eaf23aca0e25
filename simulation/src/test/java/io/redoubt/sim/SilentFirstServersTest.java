package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Server 0 of every site silent from the start: one faulty server per site, within f = 1. Each
 * site's initial local primary and, with the link as it was, the first peer of every wide-area
 * message to it. Every message then cost a resend, view changes among sites could not complete
 * under load, and bft/bft at 5 sites failed liveness on every seed (5 to 6 s of client latency
 * before it stopped). The link now moves a site's next messages to the peer its last resend
 * reached.
 */
class SilentFirstServersTest {

    @Test
    void bftBftWithServerZeroOfEverySiteSilentStaysLiveAndSendsAboutOneFramePerMessage() {
        List<PlantedAdversary> silent = new ArrayList<>();
        for (int site = 0; site < 5; site++) silent.add(PlantedAdversary.parse(site + ".0=silent"));
        SimResult r = Sims.run(SimConfig.defaults(Composition.parse("bft/bft"), 5, 4).withFaults(FaultProfile.NONE).withSeed(1)
                .withAdversaries(silent));
        assertTrue(r.passed(), r::failureReport);
        assertEquals(r.config().totalUpdates(), r.orderedUpdates());
        SimResult.Costs c = r.costs();
        assertTrue(c.lmFrames() <= c.lmMessages() * 110 / 100, "frames per logical-machine message: " + c);
    }
}
