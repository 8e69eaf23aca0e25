package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import org.junit.jupiter.api.Test;

/**
 * The stable storage a run leaves on its servers, as the sim summary prints it (issue 18 is to
 * bound it). Today nothing is compacted, so a run four times as long leaves more than three times
 * the records: the baseline the bounded-state issue must flatten.
 */
class StorageReportTest {
    @Test
    void theLargestServerStorageIsReportedAndGrowsWithTheRunToday() {
        SimResult shortRun = Sims.run(SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.NONE).withSeed(1).withWorkload(2, 10));
        SimResult longRun = Sims.run(SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.NONE).withSeed(1).withWorkload(2, 40));
        assertTrue(shortRun.passed() && longRun.passed());
        assertTrue(shortRun.storage().recordsMax() > 0, shortRun.storage()::toString);
        assertTrue(shortRun.storage().bytesMax() >= shortRun.storage().recordsMax(), "every record holds at least a byte");
        assertTrue(longRun.storage().recordsMax() > 3 * shortRun.storage().recordsMax(), () -> shortRun.storage() + " then " + longRun.storage());
        assertEquals(longRun.storage(), shortRun.storage().max(longRun.storage()), "a campaign keeps the largest");
    }
}
