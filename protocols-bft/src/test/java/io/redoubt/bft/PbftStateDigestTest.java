package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.from;
import static io.redoubt.bft.PbftTestCluster.to;
import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.lm.Bytes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The state digest of a PBFT core (OrderingCore#stateDigest): the check that every correct server
 * of a site holds the same wide-area state after the same ordered events (Lane 2008, section 4.3)
 * is only as good as a digest that is equal for equal inputs and differs when the state does.
 */
class PbftStateDigestTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 3);

    /** Member 0 proposes one payload; member 1 has its pre-prepare and member 3's prepare, not yet member 2's. */
    private static PbftTestCluster oneSlotHalfPrepared(TestKeys keys) {
        PbftTestCluster c = new PbftTestCluster(4, CONFIG, PbftCore::new, java.util.Map.of(), keys);
        c.startAll();
        c.deliverAll();
        c.submit(0, p("x"));
        c.deliverWhere(type(PrePrepare.class));
        c.deliverWhere(from(3).and(to(1)).and(type(Prepare.class)));
        return c;
    }

    private static List<Bytes> digests(PbftTestCluster c) {
        return java.util.stream.IntStream.range(0, c.n).mapToObj(i -> c.core(i).stateDigest()).toList();
    }

    // Two cores given the same inputs in the same order hold the same state, at both tiers.
    @Test
    void twoClustersFedTheSameInputsHoldEqualDigestsMemberByMember() {
        for (TestKeys keys : List.of(TestKeys.simulated(), TestKeys.transportSigned())) {
            List<Bytes> a = digests(oneSlotHalfPrepared(keys));
            assertEquals(a, digests(oneSlotHalfPrepared(keys)));
            assertEquals(4, new HashSet<>(a).size(), "each member's state is its own: " + a);
        }
    }

    // One prepare more (Castro and Liskov, OSDI '99, section 4.2: a prepare is logged) is another state.
    @Test
    void aCoreThatReceivedOneExtraPrepareHasADifferentDigest() {
        PbftTestCluster a = oneSlotHalfPrepared(TestKeys.simulated());
        PbftTestCluster b = oneSlotHalfPrepared(TestKeys.simulated());
        assertEquals(a.core(1).stateDigest(), b.core(1).stateDigest());
        a.deliver(a.only(from(2).and(to(1)).and(type(Prepare.class))));
        assertNotEquals(a.core(1).stateDigest(), b.core(1).stateDigest(), "member 1 of a logged member 2's prepare");
        b.deliver(b.only(from(2).and(to(1)).and(type(Prepare.class))));
        assertEquals(a.core(1).stateDigest(), b.core(1).stateDigest(), "and b catches up with the same input");
    }

    // The digest reads the state and changes nothing: asking twice gives the same answer.
    @Test
    void theDigestIsStableAcrossCallsWithNoInput() {
        PbftTestCluster c = oneSlotHalfPrepared(TestKeys.simulated());
        List<Bytes> first = digests(c);
        assertEquals(first, digests(c));
        c.deliverAll();
        List<Bytes> settled = digests(c);
        assertNotEquals(first, settled, "the slot was decided meanwhile");
        assertEquals(settled, digests(c));
        assertTrue(c.core(1).deliveredThrough() == 0, c.core(1).describe());
    }

    // Seeded schedules with view changes, checkpoints, fetches and restarts: equal runs, equal
    // digests; a different schedule leaves some member in another state.
    @Test
    void identicalSeededSchedulesEndInEqualDigestsAndDifferentOnesDoNot() {
        Set<List<Bytes>> seen = new HashSet<>();
        for (long seed = 1; seed <= 6; seed++) {
            var a = PbftDeterminismAndSafetyTest.runSchedule(seed, 4, 600, CONFIG, false, PbftCore::new).cluster();
            var b = PbftDeterminismAndSafetyTest.runSchedule(seed, 4, 600, CONFIG, false, PbftCore::new).cluster();
            assertEquals(digests(a), digests(b), "seed " + seed);
            assertTrue(seen.add(digests(a)), "seed " + seed + " ended in the state of an earlier seed");
        }
    }

    // A member rebuilt twice from the same stable storage is in the same state (restore is deterministic).
    @Test
    void aCoreRestoredTwiceFromTheSameStorageHasTheSameDigest() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 10; k++) c.submit(k % 4, p("r" + k));
        c.deliverAll();
        List<Bytes> disk = c.disk(2);
        PbftCore<Integer> one = new PbftCore<>(CONFIG, c.members, 2, new RecordingOutbox<>(), c.keys.of(2), disk);
        PbftCore<Integer> two = new PbftCore<>(CONFIG, c.members, 2, new RecordingOutbox<>(), c.keys.of(2), disk);
        assertEquals(one.stateDigest(), two.stateDigest());
        one.start();
        two.start();
        assertEquals(one.stateDigest(), two.stateDigest());
        assertEquals(c.core(2).deliveredThrough(), one.deliveredThrough(), "the restart re-delivered what was decided");
    }
}
