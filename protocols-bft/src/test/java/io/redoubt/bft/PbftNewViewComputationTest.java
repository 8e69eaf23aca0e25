package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The new view's O set (Castro and Liskov, OSDI '99, section 4.4), tested directly: per slot above
 * the highest stable checkpoint among the votes, the batch of the prepared certificate from the
 * highest view, and the null batch in gaps; and a backup that recomputes it refuses a new view
 * built any other way. The simulator rarely brings conflicting certificates from different views
 * into one view-change quorum (issue 15), so these cases are built by hand, at both tiers (the
 * wide area runs the same core with LM proofs as signatures).
 */
class PbftNewViewComputationTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4);
    private static final int N = 4;

    private static final List<Bytes> a = batch("a"), b = batch("b"), c = batch("c"), d = batch("d");

    /** Signs as {@code member} would appear inside a certificate: with its key, or with its LM proof at the wide area. */
    private static <M extends PbftMessage> M as(TestKeys keys, int member, M m) {
        return keys.isTransportSigned() ? keys.proved(member, m) : keys.sign(member, m);
    }

    /** A certificate that {@code batch} prepared at {@code seq} in view {@code view}: the primary's pre-prepare and two backups' prepares. */
    private static PreparedCertificate cert(TestKeys keys, long view, long seq, List<Bytes> batch) {
        int primary = (int) (view % N);
        Bytes digest = PbftMessage.batchDigest(batch);
        PrePrepare pp = as(keys, primary, new PrePrepare(view, seq, digest, primary, batch, Bytes.EMPTY));
        List<Prepare> prepares = new ArrayList<>();
        for (int m = 0; m < N && prepares.size() < 2; m++) {
            if (m != primary) prepares.add(as(keys, m, new Prepare(view, seq, digest, m, Bytes.EMPTY)));
        }
        return new PreparedCertificate(pp, prepares);
    }

    private static ViewChange vote(TestKeys keys, long view, int member, PreparedCertificate... prepared) {
        return vote(keys, view, member, -1, List.of(), prepared);
    }

    private static ViewChange vote(TestKeys keys, long view, int member, long stable, List<Checkpoint> proof, PreparedCertificate... prepared) {
        List<PreparedCertificate> sorted = new ArrayList<>(List.of(prepared));
        sorted.sort((x, y) -> Long.compare(x.prePrepare().sequence(), y.prePrepare().sequence()));
        return as(keys, member, new ViewChange(view, stable, proof, sorted, member, Bytes.EMPTY));
    }

    private static Map<Long, List<Bytes>> o(Object... slotThenBatch) {
        Map<Long, List<Bytes>> m = new TreeMap<>();
        for (int i = 0; i < slotThenBatch.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Bytes> batch = (List<Bytes>) slotThenBatch[i + 1];
            m.put(((Number) slotThenBatch[i]).longValue(), batch);
        }
        return m;
    }

    // Section 4.4: "the primary selects ... the pre-prepare with the highest view number" among the
    // prepared certificates for a slot. Whatever the order of the votes, the later view wins.
    @Test
    void conflictingCertificatesFromDifferentViewsResolveToTheHighestViewInAnyVoteOrder() {
        TestKeys keys = TestKeys.simulated();
        List<ViewChange> votes = new ArrayList<>(List.of(
                vote(keys, 5, 0, cert(keys, 1, 0, a)),
                vote(keys, 5, 2, cert(keys, 3, 0, c)),
                vote(keys, 5, 3, cert(keys, 2, 0, b))));
        for (int rotation = 0; rotation < 3; rotation++) {
            Collections.rotate(votes, 1);
            assertEquals(o(0, c), PbftViewChange.computeNewViewBatches(votes), "rotation " + rotation);
            List<ViewChange> reversed = new ArrayList<>(votes);
            Collections.reverse(reversed);
            assertEquals(o(0, c), PbftViewChange.computeNewViewBatches(reversed), "reversed rotation " + rotation);
        }
        assertEquals(1, PbftViewChange.conflictingSlots(votes));
    }

    // Slots up to the highest prepared one with no certificate get the null batch; nothing is
    // proposed beyond the highest prepared slot, and a quorum without certificates proposes nothing.
    @Test
    void gapsGetNullBatchesAndNothingIsProposedBeyondTheHighestPreparedSlot() {
        TestKeys keys = TestKeys.simulated();
        List<ViewChange> votes = List.of(
                vote(keys, 5, 0, cert(keys, 1, 0, a), cert(keys, 1, 3, d)),
                vote(keys, 5, 2),
                vote(keys, 5, 3, cert(keys, 2, 5, b)));
        assertEquals(o(0, a, 1, List.of(), 2, List.of(), 3, d, 4, List.of(), 5, b), PbftViewChange.computeNewViewBatches(votes));
        assertEquals(0, PbftViewChange.conflictingSlots(votes), "no slot has two certificates");
        assertEquals(o(), PbftViewChange.computeNewViewBatches(List.of(vote(keys, 5, 0), vote(keys, 5, 2), vote(keys, 5, 3))));
    }

    // Section 4.4: min-s is the highest stable checkpoint among the votes; certificates at or below
    // it are settled and left out, and the O set starts just above it.
    @Test
    void slotsAtOrBelowTheHighestStableCheckpointAreLeftOut() {
        TestKeys keys = TestKeys.simulated();
        List<ViewChange> votes = List.of(
                vote(keys, 5, 0, cert(keys, 1, 1, a), cert(keys, 1, 3, d), cert(keys, 1, 6, c)),
                vote(keys, 5, 2, 3, checkpointProof(keys, 3), cert(keys, 3, 5, b)),
                vote(keys, 5, 3, cert(keys, 2, 3, b)));
        assertEquals(o(4, List.of(), 5, b, 6, c), PbftViewChange.computeNewViewBatches(votes));
        assertEquals(0, PbftViewChange.conflictingSlots(votes), "the conflict at slot 3 lies below the checkpoint");
    }

    private static List<Checkpoint> checkpointProof(TestKeys keys, long seq) {
        Bytes digest = Bytes.ofUtf8("x".repeat(32));
        List<Checkpoint> proof = new ArrayList<>();
        for (int m : new int[] {0, 2, 3}) proof.add(as(keys, m, new Checkpoint(seq, digest, m, Bytes.EMPTY)));
        return proof;
    }

    // The new primary builds its new view from the votes it holds: with certificates for slot 0
    // from views 1 and 3 it re-proposes view 3's batch, and the gap below slot 2 gets the null batch.
    @ParameterizedTest(name = "transport-signed (wide area): {0}")
    @ValueSource(booleans = {false, true})
    void theNewPrimaryReproposesTheHighestViewsBatchAndNullsTheGaps(boolean wideArea) {
        TestKeys keys = wideArea ? TestKeys.transportSigned() : TestKeys.simulated();
        PbftTestCluster cl = new PbftTestCluster(N, CONFIG, PbftCore::new, Map.of(), keys);
        cl.startAll();
        cl.deliverAll();
        // Votes for view 5 (primary 1) from 0 and 2: f + 1 of them make member 1 join, with its own a quorum.
        cl.inject(0, 1, vote(keys, 5, 0, cert(keys, 1, 0, a)));
        cl.inject(2, 1, vote(keys, 5, 2, cert(keys, 3, 0, c), cert(keys, 3, 2, d)));
        cl.deliverWhere(PbftTestCluster.to(1));
        assertEquals(5, cl.core(1).view());
        assertTrue(cl.core(1).isViewActive(), cl.core(1).describe());
        NewView nv = cl.out(1).sentMessages(NewView.class).get(0);
        assertEquals(List.of(c, List.of(), d), nv.prePrepares().stream().map(PrePrepare::batch).toList());
        assertEquals(List.of(0L, 1L, 2L), nv.prePrepares().stream().map(PrePrepare::sequence).toList());
        assertEquals(5, cl.core(1).lastConflictingNewView(), "the conflict at slot 0 is observed");
    }

    // Section 4.4: "the backups check ... by performing a computation similar to the one used by the
    // primary to create O". A new view that picks the lowest view's batch, ignores the certificates,
    // leaves out a gap or re-proposes a settled slot is refused; the right one is installed.
    @ParameterizedTest(name = "transport-signed (wide area): {0}")
    @ValueSource(booleans = {false, true})
    void aBackupRefusesANewViewThatDoesNotPickTheHighestViewsCertificate(boolean wideArea) {
        TestKeys keys = wideArea ? TestKeys.transportSigned() : TestKeys.simulated();
        PbftTestCluster cl = new PbftTestCluster(N, CONFIG, PbftCore::new, Map.of(), keys);
        cl.startAll();
        cl.deliverAll();
        List<ViewChange> votes = List.of(
                vote(keys, 5, 0, cert(keys, 2, 0, b)),
                vote(keys, 5, 1, cert(keys, 1, 0, a), cert(keys, 1, 2, d)),
                vote(keys, 5, 2, cert(keys, 3, 0, c)));
        List<NewView> wrong = List.of(
                newView(keys, votes, a, List.of(), d),          // the lowest view's batch at slot 0
                newView(keys, votes, b, List.of(), d),          // neither the lowest nor the highest
                newView(keys, votes, List.of(), List.of(), List.of()), // every certificate ignored
                newView(keys, votes, c, d),                     // the gap at slot 1 left out
                newView(keys, votes, c, List.of()),             // slot 2's certificate dropped
                newView(keys, votes, c, List.of(), d, List.of())); // a slot beyond the highest prepared one
        for (NewView nv : wrong) deliverNewView(cl, keys, nv);
        assertEquals(Collections.nCopies(wrong.size(), Rejection.PROTOCOL_VIOLATION), cl.out(3).rejectionReasons(), cl.out(3).rejections().toString());
        assertEquals(0, cl.core(3).view(), "no wrong new view was installed");
        deliverNewView(cl, keys, newView(keys, votes, c, List.of(), d));
        assertEquals(5, cl.core(3).view());
        assertTrue(cl.core(3).isViewActive());
        assertEquals(wrong.size(), cl.out(3).rejectionReasons().size());
        // Its prepare for slot 0 is for view 3's batch.
        Prepare p0 = cl.out(3).sentMessages(Prepare.class).stream().filter(p -> p.view() == 5 && p.sequence() == 0).findFirst().orElseThrow();
        assertEquals(PbftMessage.batchDigest(c), p0.batchDigest());
        assertEquals(5, cl.core(3).lastConflictingNewView());
    }

    @SafeVarargs
    private static NewView newView(TestKeys keys, List<ViewChange> votes, List<Bytes>... batches) {
        List<PrePrepare> pps = new ArrayList<>();
        for (int s = 0; s < batches.length; s++) {
            pps.add(as(keys, 1, new PrePrepare(5, s, PbftMessage.batchDigest(batches[s]), 1, batches[s], Bytes.EMPTY)));
        }
        // At the wide area the new view leaves its primary unsigned and arrives with its proof.
        NewView nv = new NewView(5, votes, pps, 1, Bytes.EMPTY);
        return keys.isTransportSigned() ? nv : keys.sign(1, nv);
    }

    private static void deliverNewView(PbftTestCluster cl, TestKeys keys, NewView nv) {
        cl.inject(1, 3, nv);
        cl.deliverWhere(PbftTestCluster.to(3).and(PbftTestCluster.type(NewView.class)));
    }

    // A correct member computes the O set through its behavior; the default is the protocol's.
    @Test
    void theCorrectBehaviorComputesTheProtocolsOSet() {
        TestKeys keys = TestKeys.simulated();
        List<ViewChange> votes = List.of(vote(keys, 5, 0, cert(keys, 1, 0, a)), vote(keys, 5, 2, cert(keys, 2, 0, b)), vote(keys, 5, 3));
        assertEquals(PbftViewChange.computeNewViewBatches(votes), PbftBehavior.<Integer>correct().newViewBatches(votes));
        assertFalse(PbftBehavior.<Integer>correct().newViewBatches(votes).containsValue(a));
    }
}
