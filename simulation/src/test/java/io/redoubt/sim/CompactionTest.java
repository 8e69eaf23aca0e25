package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import org.junit.jupiter.api.Test;

/** Log compaction (issue 18): snapshots of the logical machine, compacted storage, snapshot transfer. */
class CompactionTest {
    /** Runs {@code c}, which must pass and take snapshots; returns its storage report. */
    static SimResult.Storage run(SimConfig c) {
        SimResult r = Sims.run(c);
        assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
        assertTrue(r.storage().snapshotsTaken() > 0, r.storage()::toString);
        return r.storage();
    }

    /** Runs seeds 1..{@code seeds} of {@code config} (run); their storage, counts summed (Storage#max). */
    static SimResult.Storage runs(int seeds, java.util.function.LongFunction<SimConfig> config) {
        SimResult.Storage all = SimResult.Storage.none();
        for (long seed = 1; seed <= seeds; seed++) all = all.max(run(config.apply(seed)));
        return all;
    }

    /** A site cut off past a wide-area history of 16 slots (a snapshot every 16 local slots, 128 kept): seed {@code seed} of {@code composition}. */
    static SimConfig cutOff(String composition, int sites, int servers, long seed) {
        return SimConfig.defaults(Composition.parse(composition), sites, servers).withFaults(FaultProfile.BENIGN).withSeed(seed)
                .withFaultMix(only(FaultKind.CUT_SITE_OFF)).withWorkload(2, 150).withCompaction(16, 128, 16);
    }

    static FaultMix only(FaultKind... kinds) {
        return new FaultMix(java.util.List.of(kinds), FaultMix.Intensity.FEW);
    }
    @Test
    void serversSnapshotAndCompactWithoutChangingWhatTheyExecute() {
        runs(4, seed -> SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.BENIGN).withSeed(seed)
                .withWorkload(2, 40).withCompaction(16, 128));
    }

    @Test
    void aServerKeptDownPastTheHistoryComesBackThroughASnapshot() {
        SimResult.Storage s = runs(6, seed -> SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.BENIGN).withSeed(seed)
                .withFaultMix(only(FaultKind.KEEP_SERVER_DOWN)).withWorkload(3, 60).withCompaction(16, 128));
        assertTrue(s.snapshotsInstalled() > 0, "no run needed a snapshot transfer");
    }

    /** bft/paxos: the logical machine's snapshot holds its wide-area PBFT core whole. */
    @Test
    void aSiteWhoseWideAreaIsPbftSnapshotsAndTransfersToo() {
        SimResult.Storage s = runs(6, seed -> SimConfig.defaults(Composition.parse("bft/paxos"), 4, 3).withFaults(FaultProfile.BENIGN).withSeed(seed)
                .withFaultMix(new FaultMix(java.util.List.of(FaultKind.KEEP_SERVER_DOWN, FaultKind.CRASH_SERVER), FaultMix.Intensity.SOME))
                .withWorkload(2, 40).withCompaction(16, 128));
        assertTrue(s.snapshotsInstalled() > 0, "no run needed a snapshot transfer");
    }

    /**
     * BFT sites: snapshots fetched only against a digest f+1 servers claim, installed only
     * through a stable checkpoint (PbftCore#canInstallSnapshot).
     */
    @Test
    void aByzantineSiteFetchesOnlyCertifiedSnapshots() {
        SimResult.Storage s = runs(4, seed -> SimConfig.defaults(Composition.parse("paxos/bft"), 3, 4).withFaults(FaultProfile.BENIGN).withSeed(seed)
                .withFaultMix(only(FaultKind.KEEP_SERVER_DOWN)).withWorkload(2, 40).withCompaction(64, 128));
        assertTrue(s.snapshotsInstalled() > 0, "no run needed a snapshot transfer");
    }

    /**
     * Acceptance 3 of issue 18: a Byzantine server that serves corrupted snapshot pieces is caught
     * by the certified digest, counted, and the transfer completes from another server.
     */
    @Test
    void aServerServingACorruptedSnapshotIsCaughtAndAnotherServes() {
        java.util.List<SimConfig.PlantedAdversary> liars = java.util.List.of(SimConfig.PlantedAdversary.parse("0.1=snapshot-liar"),
                SimConfig.PlantedAdversary.parse("1.1=snapshot-liar"), SimConfig.PlantedAdversary.parse("2.1=snapshot-liar"));
        SimResult.Storage s = runs(4, seed -> SimConfig.defaults(Composition.parse("paxos/bft"), 3, 4).withFaults(FaultProfile.BENIGN).withSeed(seed)
                .withFaultMix(only(FaultKind.KEEP_SERVER_DOWN)).withAdversaries(liars).withWorkload(2, 40).withCompaction(64, 128));
        assertTrue(s.badSnapshots() > 0, "no corrupted snapshot was caught");
        assertTrue(s.snapshotsInstalled() > 0, "no snapshot was installed");
    }

    /**
     * A site cut off past the wide-area history comes back through another logical machine's
     * global state (GlobalState), with Paxos among the sites.
     */
    @Test
    void aSiteCutOffPastTheWideHistoryComesBackThroughAGlobalState() {
        SimResult.Storage s = runs(4, seed -> cutOff("paxos/paxos", 3, 3, seed));
        assertTrue(s.globalStatesInstalled() > 0, "no site needed another's global state");
    }

    /**
     * The same where PBFT runs among the sites: a global state is installed only if a stable
     * wide-area checkpoint of 2F+1 sites certifies its digest (Outbox#checkpointState).
     */
    @Test
    void aSiteCutOffPastTheWidePbftHistoryComesBackThroughACertifiedGlobalState() {
        SimResult.Storage s = runs(4, seed -> cutOff("bft/paxos", 4, 3, seed));
        assertTrue(s.globalStatesInstalled() > 0, "no site needed another's global state");
    }

    /**
     * Flow control: with links that hold 4 messages unacknowledged, a global state of more pieces
     * than that (these of about 3 KB are cut into pieces of 256 bytes) still goes through, a few
     * pieces at a time as acknowledgements come back. Sent all at once, the rest would be refused
     * by the full link.
     */
    @Test
    void aGlobalStateOfMorePiecesThanALinkHoldsGoesThroughAFewAtATime() {
        SimResult.Storage s = runs(4, seed -> {
            SimConfig c = cutOff("paxos/paxos", 3, 3, seed);
            io.redoubt.blink.BLinkConfig b = c.deployment().blink();
            return c.toBuilder().blink(new io.redoubt.blink.BLinkConfig(true, b.headTimeoutMillis(), b.headTimeoutMaxMillis(), b.resendMillis(),
                    b.ackDelayMillis(), 4, b.windowMax())).build();
        });
        assertTrue(s.globalStatesInstalled() > 0, "no site needed another's global state");
    }

    /**
     * A compromised site serving spoiled global states (Adversary#GLOBAL_STATE_LIAR): the machine
     * behind refuses them against its checkpoint certificate, counts them, and installs a
     * certified state from another site.
     */
    @Test
    void aCompromisedSiteServingASpoiledGlobalStateIsRefusedAndAnotherServes() {
        java.util.List<SimConfig.PlantedAdversary> liar = java.util.List.of(SimConfig.PlantedAdversary.parse("1=global-state-liar"));
        SimResult.Storage s = runs(8, seed -> cutOff("bft/paxos", 4, 3, seed).withAdversaries(liar));
        assertTrue(s.badGlobalStates() > 0, "no spoiled global state was refused");
        assertTrue(s.globalStatesInstalled() > 0, "no global state was installed");
    }

    /**
     * Found by the compaction campaign: in a BFT site whose other servers had restarted from their
     * own snapshots, nobody answered a returning server's request for claims (only fresh
     * snapshots were claimed), so no digest was certified and it never caught up. Servers now
     * claim restored and installed snapshots too.
     */
    @Test
    void serversRestartedFromTheirSnapshotsStillCertifyOne() {
        SimConfig c = SimConfig.defaults(Composition.parse("paxos/bft"), 5, 4).withFaults(FaultProfile.BENIGN).withSeed(153)
                .withFaultMix(FaultMix.parse("crash-server,isolate-site,crash-mid-step,keep-server-down", "some"))
                .withWorkload(2, 20).withCompaction(64, 128);
        assertTrue(run(c).snapshotsInstalled() > 0, "no snapshot was installed");
    }

    /**
     * Found by the cut-site-off campaign: every server of the cut-off site restarted from its own
     * snapshot, whose LM timers its LM timeouts did not know, so none ever expired into a notice
     * and the site never ordered another timeout after the heal.
     */
    @Test
    void aSiteWhoseServersAllRestartedFromSnapshotsStillOrdersItsTimeouts() {
        SimConfig c = SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.BENIGN).withSeed(64)
                .withFaultMix(FaultMix.parse("crash-server,crash-mid-step,cut-site-off", "some"))
                .withWorkload(2, 34).withCompaction(16, 128, 16);
        run(c);
    }

    /**
     * Found by the swarm (seed 361): in an idle BFT site every snapshot a server kept lay past
     * its stable checkpoint, so a server back from a long down could install none. Servers now
     * keep the newest at or below it too.
     */
    @Test
    void aServerBackInAnIdleBftSiteFindsASnapshotItCanInstall() {
        assertTrue(run(Swarm.draw(SwarmTest.BASE, 361, 20)).snapshotsInstalled() > 0, "no snapshot was installed");
    }
}
