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
}
