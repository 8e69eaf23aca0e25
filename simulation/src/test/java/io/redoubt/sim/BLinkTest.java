package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.SimConfig.PlantedAdversary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, acceptance 3, with BLink carrying the logical machines' messages (section 4.4.1):
 * about one wide-area frame per logical message, fault-free and with server 0 of every site (the
 * first forwarder and the first peer of every link) silent from the start; and the planted
 * faulty links of {@link ByzantineLinksTest} cost a few virtual-link changes per faulty link.
 */
class BLinkTest {
    private static final List<String[]> SHAPES = List.of(
            new String[] {"bft/bft", "5", "4"}, new String[] {"paxos/paxos", "5", "3"},
            new String[] {"bft/paxos", "5", "3"}, new String[] {"paxos/bft", "5", "4"});

    private static SimConfig config(String[] shape) {
        return SimConfig.defaults(Composition.parse(shape[0]), Integer.parseInt(shape[1]), Integer.parseInt(shape[2]))
                .withFaults(FaultProfile.NONE).withSeed(1).withBlink(true);
    }

    @Test
    void faultFreeEveryLogicalMessageCostsAtMostOnePointZeroFiveFramesAndNoLinkMoves() {
        for (String[] shape : SHAPES) {
            SimResult r = Sims.run(config(shape));
            assertTrue(r.passed(), r::failureReport);
            assertEquals(r.config().totalUpdates(), r.orderedUpdates(), shape[0]);
            SimResult.Costs c = r.costs();
            assertTrue(c.lmMessages() > 0, shape[0]);
            assertTrue(c.lmFrames() * 100 <= c.lmMessages() * 105, () -> shape[0] + ": " + c.lmFrames() + " frames for " + c.lmMessages() + " messages");
            assertEquals(0, r.exercised().linkChanges(), shape[0] + ": a working virtual link was abandoned");
        }
    }

    @Test
    void withServerZeroOfEverySiteSilentEveryLogicalMessageCostsAtMostOnePointTwoFrames() {
        for (String[] shape : SHAPES) {
            List<PlantedAdversary> silent = new ArrayList<>();
            for (int site = 0; site < Integer.parseInt(shape[1]); site++) silent.add(PlantedAdversary.parse(site + ".0=silent"));
            SimResult r = Sims.run(config(shape).withAdversaries(silent));
            assertTrue(r.passed(), r::failureReport);
            assertEquals(r.config().totalUpdates(), r.orderedUpdates(), shape[0]);
            SimResult.Costs c = r.costs();
            assertTrue(c.lmFrames() * 100 <= c.lmMessages() * 120, () -> shape[0] + ": " + c.lmFrames() + " frames for " + c.lmMessages() + " messages");
            // Every link starts on (server 0, server 0): each moves on once or twice, then stays.
            long links = (long) Integer.parseInt(shape[1]) * (Integer.parseInt(shape[1]) - 1);
            assertTrue(r.exercised().linkChanges() >= 1 && r.exercised().linkChanges() <= 2 * links,
                    () -> shape[0] + ": " + r.exercised().linkChanges() + " virtual-link changes over " + links + " links");
        }
    }

    @Test
    void plantedFaultyLinksCostAFewVirtualLinkChangesEach() {
        SimConfig c = SimConfig.defaults(Composition.parse("bft/bft"), 4, 4).withFaults(FaultProfile.NONE).withSeed(1).withWorkload(2, 8)
                .withAdversaries(List.of(PlantedAdversary.parse("1.0=link-dropper"), PlantedAdversary.parse("2.0=deaf-peer"),
                        PlantedAdversary.parse("3.0=one-link-dropper")));
        SimResult standIn = Sims.run(c.withBlink(false));
        SimResult blink = Sims.run(c.withBlink(true));
        assertTrue(blink.passed(), blink::failureReport);
        assertEquals(blink.config().totalUpdates(), blink.orderedUpdates());
        // 12 links; the three faulty servers sit on the first virtual link of 9 of them (as forwarder or peer).
        assertTrue(blink.exercised().linkChanges() >= 1 && blink.exercised().linkChanges() <= 2 * 12,
                () -> "BLink: " + blink.exercised().linkChanges() + " virtual-link changes; the stand-in: " + standIn.exercised().linkChanges());
        assertTrue(blink.exercised().linkChanges() < standIn.exercised().linkChanges(),
                () -> "BLink: " + blink.exercised().linkChanges() + ", the stand-in: " + standIn.exercised().linkChanges());
    }

    @Test
    void aPeerThatAcknowledgesWhatItNeverPassedOnIsRefusedAndTheMessagesStillArrive() {
        // 1.0 is the first peer of every link to site 1; it swallows each message and answers with
        // an acknowledgement its site never signed.
        SimConfig c = SimConfig.defaults(Composition.parse("bft/bft"), 4, 4).withFaults(FaultProfile.NONE).withSeed(2).withWorkload(2, 8)
                .withBlink(true).withAdversaries(List.of(PlantedAdversary.parse("1.0=ack-liar")));
        SimResult r = Sims.run(c);
        assertTrue(r.passed(), r::failureReport);
        assertEquals(r.config().totalUpdates(), r.orderedUpdates());
        assertTrue(r.rejections().getOrDefault(io.redoubt.lm.core.Rejection.BAD_SIGNATURE, 0L) > 0, () -> "lies refused: " + r.rejections());
        assertTrue(r.rejectionTrace().stream().anyMatch(t -> t.contains("link header not under the message's root")), () -> String.join("\n", r.rejectionTrace()));
        // The three links into site 1 each moved past the liar once.
        assertTrue(r.exercised().linkChanges() >= 3 && r.exercised().linkChanges() <= 6, () -> r.exercised().linkChanges() + " virtual-link changes");
    }
}
