package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, acceptance 5: a client whose first server is faulty still gets its updates executed
 * (CLink, section 4.5). Client 0 of site 1 starts at server 1.0, which is silent: its first
 * update times out and goes, marked, to f+1 other servers of its site, which order it at home;
 * its later updates go first to the next server, so the faulty one costs one timeout, not one per
 * update.
 */
class FaultyFirstServerTest {
    @Test
    void aClientWhoseFirstServerIsSilentHasEveryUpdateExecutedForOneTimeout() {
        for (String composition : List.of("bft/bft", "paxos/bft")) { // Byzantine sites: a server there may be faulty
            int servers = 4;
            SimResult r = Sims.run(SimConfig.defaults(Composition.parse(composition), 4, servers).withFaults(FaultProfile.NONE).withSeed(3)
                    .withWorkload(1, 6).withAdversaries(List.of(PlantedAdversary.parse("1.0=silent"))));
            assertTrue(r.passed(), r::failureReport);
            assertEquals(r.config().totalUpdates(), r.orderedUpdates(), composition);
            // Only the first update of site 1's client waited for a timeout (a slow local view
            // change at site 1, whose first primary is the silent server, may add one more).
            long again = r.exercised().clientRetransmissions();
            assertTrue(again >= 1 && again <= 2, () -> composition + ": " + again + " client retransmissions");
        }
    }
}
