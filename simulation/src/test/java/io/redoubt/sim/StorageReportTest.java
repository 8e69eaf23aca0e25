package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import org.junit.jupiter.api.Test;

/**
 * The stable storage a run leaves on its servers, as the sim summary prints it (issue 18). Without
 * compaction every record stays, so a run four times as long leaves more than three times the
 * records; with a snapshot every 16 local slots, a run four times as long leaves about as much.
 */
class StorageReportTest {
    static SimConfig run(int updatesPerClient, int snapshotInterval) {
        return SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.NONE).withSeed(1)
                .withWorkload(2, updatesPerClient).withCompaction(snapshotInterval, 128);
    }

    @Test
    void withoutCompactionStorageGrowsWithTheRun() {
        SimResult shortRun = Sims.run(run(10, 0));
        SimResult longRun = Sims.run(run(40, 0));
        assertTrue(shortRun.passed() && longRun.passed());
        assertTrue(shortRun.storage().recordsMax() > 0, shortRun.storage()::toString);
        assertTrue(shortRun.storage().bytesMax() >= shortRun.storage().recordsMax(), "every record holds at least a byte");
        assertTrue(longRun.storage().recordsMax() > 3 * shortRun.storage().recordsMax(), () -> shortRun.storage() + " then " + longRun.storage());
        assertEquals(0, longRun.storage().snapshotsTaken());
        assertEquals(longRun.storage().recordsMax(), shortRun.storage().max(longRun.storage()).recordsMax(), "a campaign keeps the largest");
    }

    @Test
    void withCompactionStorageStaysBoundedAsTheRunGrows() {
        SimResult shortRun = Sims.run(run(10, 16));
        SimResult longRun = Sims.run(run(40, 16));
        assertTrue(shortRun.passed() && longRun.passed());
        assertTrue(longRun.storage().snapshotsTaken() > shortRun.storage().snapshotsTaken(), () -> shortRun.storage() + " then " + longRun.storage());
        // Records: a snapshot, and at most an interval's worth of the local core's (plus what was in flight).
        assertTrue(longRun.storage().peakRecords() <= 2 * shortRun.storage().peakRecords() + 16,
                () -> shortRun.storage() + " then " + longRun.storage());
        assertTrue(longRun.storage().recordsMax() < 3 * shortRun.storage().recordsMax() + 16, () -> shortRun.storage() + " then " + longRun.storage());
    }
}
