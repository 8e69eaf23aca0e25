package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The O set of a new view (Castro and Liskov, OSDI '99, section 4.4), computed from hand-made votes
 * so that each part of the rule is exercised on its own: per slot the batch of the prepared
 * certificate with the highest view, whatever order the votes come in; null batches in the gaps;
 * nothing at or below the highest stable checkpoint among the votes. Written against the mutants
 * PIT left alive in {@code PbftViewChange.computeNewViewBatches}. Signatures play no part in the
 * computation (the votes were checked before), so the messages here are unsigned.
 */
class PbftNewViewSelectionTest {

    private static PreparedCertificate prepared(long view, long seq, List<Bytes> b) {
        return new PreparedCertificate(new PrePrepare(view, seq, PbftMessage.batchDigest(b), (int) (view % 4), b, Bytes.EMPTY), List.of());
    }

    private static ViewChange vote(int replica, long stable, PreparedCertificate... certs) {
        List<Checkpoint> proof = new ArrayList<>();
        if (stable >= 0) proof.add(new Checkpoint(stable, PbftMessage.CHAIN_START, replica, Bytes.EMPTY));
        return new ViewChange(3, stable, proof, List.of(certs), replica, Bytes.EMPTY);
    }

    private static TreeMap<Long, List<Bytes>> o(ViewChange... votes) {
        return PbftViewChange.computeNewViewBatches(List.of(votes));
    }

    @Test
    void theCertificateOfTheHigherViewWinsInEitherOrder() {
        ViewChange old = vote(0, -1, prepared(0, 0, batch("old")));
        ViewChange newer = vote(1, -1, prepared(1, 0, batch("new")));
        ViewChange none = vote(2, -1);
        assertEquals(Map.of(0L, batch("new")), o(old, newer, none));
        assertEquals(Map.of(0L, batch("new")), o(newer, old, none));
        assertEquals(Map.of(0L, batch("new")), o(none, newer, old));
    }

    @Test
    void twoCertificatesOfOneViewForOneSlotAreResolvedBySmallestDigestWhateverTheOrder() {
        // Cannot happen among correct members (a view has one pre-prepare per slot), but the rule must
        // still be deterministic so that every member recomputes the same O set.
        List<Bytes> a = batch("a"), b = batch("b");
        List<Bytes> smaller = PbftMessage.batchDigest(a).compareTo(PbftMessage.batchDigest(b)) < 0 ? a : b;
        ViewChange va = vote(0, -1, prepared(1, 0, a));
        ViewChange vb = vote(1, -1, prepared(1, 0, b));
        assertEquals(Map.of(0L, smaller), o(va, vb));
        assertEquals(Map.of(0L, smaller), o(vb, va));
    }

    @Test
    void gapsUpToTheHighestPreparedSlotGetTheNullBatch() {
        ViewChange v0 = vote(0, -1, prepared(0, 1, batch("x")), prepared(0, 3, batch("y")));
        ViewChange v1 = vote(1, -1);
        TreeMap<Long, List<Bytes>> expected = new TreeMap<>(Map.of(0L, List.of(), 1L, batch("x"), 2L, List.of(), 3L, batch("y")));
        assertEquals(expected, o(v0, v1));
        assertEquals(expected, o(v1, v0));
    }

    @Test
    void slotsAtOrBelowTheHighestStableCheckpointAmongTheVotesAreLeftOut() {
        // Member 0 is at checkpoint 3 and prepared slot 5; member 1 lags (no checkpoint) and reports
        // slots 2 and 3, which member 0's checkpoint already covers, and 4.
        ViewChange ahead = vote(0, 3, prepared(1, 5, batch("five")));
        ViewChange behind = vote(1, -1, prepared(0, 2, batch("two")), prepared(0, 3, batch("three")), prepared(0, 4, batch("four")));
        TreeMap<Long, List<Bytes>> expected = new TreeMap<>(Map.of(4L, batch("four"), 5L, batch("five")));
        assertEquals(expected, o(behind, ahead));
        assertEquals(expected, o(ahead, behind));
    }

    @Test
    void withNothingPreparedAboveTheCheckpointTheOSetIsEmpty() {
        assertEquals(Map.of(), o(vote(0, 3), vote(1, -1, prepared(0, 3, batch("covered"))), vote(2, -1)));
        assertEquals(Map.of(), o(vote(0, -1), vote(1, -1)));
    }
}
