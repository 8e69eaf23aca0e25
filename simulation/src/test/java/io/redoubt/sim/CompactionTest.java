package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import org.junit.jupiter.api.Test;

/** Log compaction (issue 18): snapshots of the logical machine, compacted storage, snapshot transfer. */
class CompactionTest {
    @Test
    void serversSnapshotAndCompactWithoutChangingWhatTheyExecute() {
        for (long seed = 1; seed <= 4; seed++) {
            SimConfig c = SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.BENIGN).withSeed(seed)
                    .withWorkload(2, 40).withCompaction(16, 128);
            SimResult r = Sims.run(c);
            assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures());
            assertTrue(r.storage().snapshotsTaken() > 0, r.storage()::toString);
        }
    }

    @Test
    void aServerKeptDownPastTheHistoryComesBackThroughASnapshot() {
        int installed = 0;
        for (long seed = 1; seed <= 6; seed++) {
            SimConfig c = SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.BENIGN).withSeed(seed)
                    .withFaultMix(new FaultMix(java.util.List.of(FaultKind.KEEP_SERVER_DOWN), FaultMix.Intensity.FEW))
                    .withWorkload(3, 60).withCompaction(16, 128);
            SimResult r = Sims.run(c);
            assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
            installed += r.storage().snapshotsInstalled();
        }
        assertTrue(installed > 0, "no run needed a snapshot transfer");
    }

    /** bft/paxos: the logical machine's snapshot holds its wide-area PBFT core whole. */
    @Test
    void aSiteWhoseWideAreaIsPbftSnapshotsAndTransfersToo() {
        int installed = 0;
        for (long seed = 1; seed <= 6; seed++) {
            SimConfig c = SimConfig.defaults(Composition.parse("bft/paxos"), 4, 3).withFaults(FaultProfile.BENIGN).withSeed(seed)
                    .withFaultMix(new FaultMix(java.util.List.of(FaultKind.KEEP_SERVER_DOWN, FaultKind.CRASH_SERVER), FaultMix.Intensity.SOME))
                    .withWorkload(2, 40).withCompaction(16, 128);
            SimResult r = Sims.run(c);
            assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
            assertTrue(r.storage().snapshotsTaken() > 0, r.storage()::toString);
            installed += r.storage().snapshotsInstalled();
        }
        assertTrue(installed > 0, "no run needed a snapshot transfer");
    }

    /**
     * BFT sites: snapshots fetched only against a digest f+1 servers claim, installed only
     * through a stable checkpoint (PbftCore#canInstallSnapshot).
     */
    @Test
    void aByzantineSiteFetchesOnlyCertifiedSnapshots() {
        int installed = 0;
        for (long seed = 1; seed <= 4; seed++) {
            SimConfig c = SimConfig.defaults(Composition.parse("paxos/bft"), 3, 4).withFaults(FaultProfile.BENIGN).withSeed(seed)
                    .withFaultMix(new FaultMix(java.util.List.of(FaultKind.KEEP_SERVER_DOWN), FaultMix.Intensity.FEW))
                    .withWorkload(2, 40).withCompaction(64, 128);
            SimResult r = Sims.run(c);
            assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
            assertTrue(r.storage().snapshotsTaken() > 0, r.storage()::toString);
            installed += r.storage().snapshotsInstalled();
        }
        assertTrue(installed > 0, "no run needed a snapshot transfer");
    }

    /**
     * Acceptance 3 of issue 18: a Byzantine server that serves corrupted snapshot pieces is caught
     * by the certified digest, counted, and the transfer completes from another server.
     */
    @Test
    void aServerServingACorruptedSnapshotIsCaughtAndAnotherServes() {
        long bad = 0, installed = 0;
        for (long seed = 1; seed <= 4; seed++) {
            SimConfig c = SimConfig.defaults(Composition.parse("paxos/bft"), 3, 4).withFaults(FaultProfile.BENIGN).withSeed(seed)
                    .withFaultMix(new FaultMix(java.util.List.of(FaultKind.KEEP_SERVER_DOWN), FaultMix.Intensity.FEW))
                    .withAdversaries(java.util.List.of(SimConfig.PlantedAdversary.parse("0.1=snapshot-liar"), SimConfig.PlantedAdversary.parse("1.1=snapshot-liar"),
                            SimConfig.PlantedAdversary.parse("2.1=snapshot-liar")))
                    .withWorkload(2, 40).withCompaction(64, 128);
            SimResult r = Sims.run(c);
            assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
            bad += r.storage().badSnapshots();
            installed += r.storage().snapshotsInstalled();
        }
        assertTrue(bad > 0, "no corrupted snapshot was caught");
        assertTrue(installed > 0, "no snapshot was installed");
    }

    /**
     * A site cut off past the wide-area history comes back through another logical machine's
     * global state (GlobalState), with Paxos among the sites.
     */
    @Test
    void aSiteCutOffPastTheWideHistoryComesBackThroughAGlobalState() {
        long installed = 0;
        for (long seed = 1; seed <= 4; seed++) {
            SimConfig c = SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.BENIGN).withSeed(seed)
                    .withFaultMix(new FaultMix(java.util.List.of(FaultKind.CUT_SITE_OFF), FaultMix.Intensity.FEW))
                    .withWorkload(2, 150).withCompaction(16, 128, 16);
            SimResult r = Sims.run(c);
            assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
            installed += r.storage().globalStatesInstalled();
        }
        assertTrue(installed > 0, "no site needed another's global state");
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
        SimResult r = Sims.run(c);
        assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
        assertTrue(r.storage().snapshotsInstalled() > 0, r.storage()::toString);
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
        SimResult r = Sims.run(c);
        assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
    }

    /**
     * Found by the swarm (seed 361): in an idle BFT site every snapshot a server kept lay past
     * its stable checkpoint, so a server back from a long down could install none. Servers now
     * keep the newest at or below it too.
     */
    @Test
    void aServerBackInAnIdleBftSiteFindsASnapshotItCanInstall() {
        SimConfig c = Swarm.draw(SwarmTest.BASE, 361, 20);
        SimResult r = Sims.run(c);
        assertTrue(r.passed(), () -> r.safetyViolations() + " " + r.livenessFailures() + "\n" + c.replayCommand());
        assertTrue(r.storage().snapshotsInstalled() > 0, r.storage()::toString);
    }
}
