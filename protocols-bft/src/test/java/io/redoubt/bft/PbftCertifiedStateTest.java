package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.involving;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints that certify the host's state beside the chain (Outbox#checkpointState, issue 18):
 * among sites, a stable checkpoint then vouches for the logical machines' global state, which a
 * machine behind the others' history installs from any one site.
 */
class PbftCertifiedStateTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 2).withHistorySlotsMax(8);

    /** A host whose state is a function of the chain, as every correct host's is of what it delivered. */
    private static Bytes honest(long slot, Bytes chain) {
        return Digests.sha256(Bytes.ofUtf8("host state"), chain);
    }

    private static PbftTestCluster cluster() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int i = 0; i < 4; i++) c.out(i).hostState = PbftCertifiedStateTest::honest;
        return c;
    }

    private static void order(PbftTestCluster c, int payloads, java.util.function.Predicate<PbftTestCluster.Envelope> cut) {
        for (int k = 0; k < payloads; k++) {
            c.submit(k % 3, p("u" + k));
            c.dropWhere(cut);
            c.deliverWhere(cut.negate());
        }
    }

    @Test
    void aStableCheckpointCertifiesTheHostsState() {
        PbftTestCluster c = cluster();
        order(c, 20, e -> false);
        for (int i = 0; i < 4; i++) {
            PbftCore<Integer> core = c.core(i);
            long stable = core.snapshotAnchor();
            assertTrue(stable >= 3, "member " + i + " has no stable checkpoint");
            Bytes digest = core.checkpoints.stableDigest;
            assertEquals(PbftMessage.CHECKPOINT_DIGEST_LENGTH_MAX, digest.length());
            assertEquals(honest(stable, PbftMessage.chainOf(digest)), core.certifiedState(stable), "member " + i);
            assertNull(core.certifiedState(stable + 1), "nothing is certified past the stable checkpoint");
        }
    }

    @Test
    void hostsThatDisagreeCertifyNothing() {
        PbftTestCluster c = cluster();
        // Two against two: no state gathers a quorum of three, so no checkpoint becomes stable.
        for (int i = 2; i < 4; i++) c.out(i).hostState = (slot, chain) -> Digests.sha256(Bytes.ofUtf8("another state"), chain);
        order(c, 6, e -> false);
        for (int i = 0; i < 4; i++) {
            assertTrue(c.core(i).deliveredThrough() >= 3, "member " + i + " delivered too little to checkpoint");
            assertEquals(-1, c.core(i).snapshotAnchor(), "member " + i);
            assertNull(c.core(i).certifiedState(3));
        }
    }

    /**
     * Member 3 is cut off while the others go past their history: fetching, it learns the stable
     * checkpoint and that the slots are gone, installs the certified state there, and then catches
     * up through checkpoint certificates whose digests carry host states.
     */
    @Test
    void aMemberBehindTheHistoryInstallsTheCertifiedStateAndCatchesUp() {
        PbftTestCluster c = cluster();
        order(c, 60, involving(3));
        long others = c.core(0).deliveredThrough();
        assertTrue(others > 3 * CONFIG.historySlotsMax(), "the others went only to " + others);
        assertEquals(-1, c.core(3).deliveredThrough());
        // Back: a new proposal shows member 3 it is behind, and it fetches.
        c.submit(0, p("after"));
        for (int round = 0; round < 5 && c.out(3).snapshotsNeeded().isEmpty(); round++) {
            c.deliverAll();
            c.core(3).onTimer(PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        assertFalse(c.out(3).snapshotsNeeded().isEmpty(), "member 3 was never told the slots it lacks are gone");
        PbftCore<Integer> behind = c.core(3);
        long anchor = behind.snapshotAnchor();
        assertTrue(behind.canInstallSnapshot(anchor));
        Bytes chain = PbftMessage.chainOf(behind.checkpoints.stableDigest);
        assertEquals(honest(anchor, chain), behind.certifiedState(anchor));
        behind.installSnapshot(anchor, chain);
        for (int round = 0; round < 10 && behind.deliveredThrough() < c.core(0).deliveredThrough(); round++) {
            c.deliverAll();
            behind.onTimer(PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        assertEquals(c.core(0).deliveredThrough(), behind.deliveredThrough(), "member 3 did not catch up");
        // Its own checkpoints from there on carry the same state as everyone's.
        order(c, 12, e -> false);
        assertEquals(c.core(0).checkpoints.stableDigest, behind.checkpoints.stableDigest);
        assertEquals(c.core(0).snapshotAnchor(), behind.snapshotAnchor());
        // What it delivered after the install is what the others delivered there (its first delivery
        // follows the installed slot, a gap the cluster's own order check would flag).
        java.util.Map<Long, java.util.List<Bytes>> first = c.firstDelivered();
        c.deliveredLog(3).forEach((slot, batch) -> assertEquals(first.get(slot), batch, "slot " + slot));
        assertTrue(c.deliveredLog(3).keySet().stream().allMatch(slot -> slot > anchor));
    }
}
