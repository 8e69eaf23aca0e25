package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.exec.SignedUpdate;
import org.junit.jupiter.api.Test;

/**
 * The counters behind the cost summary of {@code bin/redoubt sim} (issue 16) add up, each checked
 * against something counted elsewhere or computed here; and asking the simulation to report the
 * end of a run's warm-up changes nothing in the run.
 */
class CostCountersTest {
    private static final int UPDATES = 8;

    /** One client at the leader site, one update at a time, fault-free: the cost of a lone update. */
    private static SimConfig solo(int sites) {
        return Sims.paxos(sites, 3, FaultProfile.NONE, 1).withWorkload(1, UPDATES).toBuilder()
                .clientSite(0).clientThinkMillis(2_000).build();
    }

    @Test
    void framesAndBytesSplitIntoLocalAndWideAreaAddUpToTheNetworksCount() {
        SimResult r = Sims.run(solo(5));
        assertTrue(r.passed(), r::failureReport);
        SimResult.Costs c = r.costs();
        // The network counts every frame it is handed; the simulation counts local and wide-area
        // frames apart as it hands them over.
        assertEquals(r.messages(), c.localFrames() + c.wideFrames(), c::toString);
        assertTrue(c.localFrames() > 0 && c.wideFrames() > 0, c::toString);
        // Fault-free, the network transmits every frame: the protocol's bytes plus the simulator's 8-byte header each.
        assertEquals(r.bytes(), c.localFrameBytes() + c.wideFrameBytes() + 8 * r.messages(), c::toString);
    }

    @Test
    void logicalMachineMessagesAreCountedOnceEachBesideTheFramesThatCarryThem() {
        SimResult r = Sims.run(solo(5));
        assertTrue(r.passed(), r::failureReport);
        SimResult.Costs c = r.costs();
        // Each update: at least a proposal to 4 sites and their 4 answers; fault-free, every
        // message leaves once but for the rare one the wide-area protocol resends.
        assertTrue(c.lmMessages() >= 8L * UPDATES, c::toString);
        assertTrue(c.lmFrames() >= c.lmMessages() && c.lmFrames() <= c.lmMessages() * 105 / 100, c::toString);
        assertTrue(c.lmFrames() <= c.wideFrames(), "each one is a wide-area frame: " + c);
    }

    @Test
    void theWideAreaFloorIsEachUpdatesOwnBytesOncePerOtherSite() {
        int sites = 5;
        SimConfig config = solo(sites);
        SimResult r = Sims.run(config);
        assertTrue(r.passed(), r::failureReport);
        SimResult.Costs c = r.costs();
        assertEquals(UPDATES, r.orderedUpdates());
        assertEquals(c.orderedUpdateBytes() * (sites - 1), c.wideFloorBytes());
        // A client's update (SimClient): key "k<client>/<0..15>", value "v<seq>-<a long>", a signature of the run's scheme.
        ClientId client = ClientId.of(0, 0);
        SignatureScheme scheme = SignatureScheme.named(config.signatureScheme());
        Bytes sig = scheme.sign(scheme.generate(Bytes.wrap(new byte[32])).privateKey(), Bytes.wrap(new byte[] {1}));
        long shortest = new SignedUpdate(client, 1, KeyValueStore.put("k" + client + "/0", "v1-0"), sig).encode().length();
        long longest = new SignedUpdate(client, UPDATES, KeyValueStore.put("k" + client + "/15", "v" + UPDATES + "-" + Long.MIN_VALUE), sig)
                .encode().length();
        assertTrue(c.orderedUpdateBytes() >= UPDATES * shortest && c.orderedUpdateBytes() <= UPDATES * longest,
                () -> c.orderedUpdateBytes() + " bytes for " + UPDATES + " updates of " + shortest + ".." + longest + " bytes each");
        // No protocol carries an update to every other site in fewer bytes than the update itself.
        assertTrue(c.wideFrameBytes() > c.wideFloorBytes(), c::toString);
    }

    @Test
    void aLoneClientsUpdateCostsTheLogicalMachineSignaturesOfTable42sWideRounds() {
        int sites = 5;
        SimResult r = Sims.run(solo(sites));
        assertTrue(r.passed(), r::failureReport);
        double perUpdate = (double) r.lmSignatures() / r.orderedUpdates();
        // Section 4.3: the leader LM signs its proposal and every other LM its accept, one
        // signature each (one forwarder per site signs): `sites` per update. While the client
        // thinks, the leader's heartbeat and each other LM's acknowledgement add at most as many
        // again, and BLink's acknowledgements at most as many more: a logical machine with
        // nothing to send back within ack-delay signs its acknowledgements alone, once for all
        // its links (section 4.4.1; under load they ride on the protocol's own messages).
        // Start-up (prepare and promises, `sites` more) is spread over the updates.
        assertTrue(perUpdate >= sites && perUpdate <= 3 * sites + (double) sites / UPDATES, () -> perUpdate + " LM signatures per update");
        assertEquals(0, r.costs().thresholdPartials(), "benign sites sign with their site key");
        assertTrue(r.costs().serverSignatures() > 0 && r.costs().serverVerifications() > 0, () -> r.costs().toString());
    }

    @Test
    void reportingTheEndOfTheWarmUpChangesNothingInTheRun() {
        SimConfig c = Sims.paxos(3, 3, FaultProfile.BENIGN, 3).withWorkload(2, 10);
        SimResult plain = Sims.run(c);
        long[] told = {-1, 0};
        SimResult observed = new Simulation(c).onExecutedEverywhere(20, executed -> {
            told[0] = executed;
            told[1]++;
        }).run();
        assertTrue(plain.passed(), plain::failureReport);
        assertEquals(plain.traceHash(), observed.traceHash());
        assertEquals(plain.costs(), observed.costs());
        assertEquals(1, told[1], "told once");
        // At the step in which the last server reached its 20th update; a batch may carry it past.
        assertTrue(told[0] >= 20 && told[0] < c.totalUpdates(), () -> "told at " + told[0]);
    }
}
