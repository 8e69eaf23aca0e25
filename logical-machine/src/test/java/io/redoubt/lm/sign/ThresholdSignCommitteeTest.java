package io.redoubt.lm.sign;

import static io.redoubt.lm.sign.ThresholdSignOffloadTest.batch;
import static io.redoubt.lm.sign.ThresholdSignOffloadTest.lying;
import static io.redoubt.lm.sign.ThresholdSignOffloadTest.verifies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.sign.ThresholdSignOffloadTest.Cluster;
import io.redoubt.lm.sign.ThresholdSignOffloadTest.Node;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Threshold partials only where a combination needs them (issue 16): with amortization on, the
 * committee of a batch (its first forwarder and the next f in forwarding order) shares it unasked,
 * the others when asked or when the batch is sent again. Four servers, f = 1: two shares sign.
 */
class ThresholdSignCommitteeTest {
    private static long sharesMade(Cluster c) {
        return c.nodes.stream().mapToLong(n -> n.signer.sharesMade()).sum();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void faultFreeOnlyTheCommitteeSharesAndTheForwarderCombines(long seed) {
        Cluster c = new Cluster(8, Map.of(), true);
        LmSigner.Batch b = batch("one batch", 0);
        for (Node n : c.nodes) n.signer.sign(b);
        assertEquals(1, c.node(0).jobs.size(), "the forwarder of attempt 0 shares");
        assertEquals(1, c.node(1).jobs.size(), "and the forwarder of attempt 1");
        assertEquals(0, c.node(2).jobs.size() + c.node(3).jobs.size(), "the others wait to be asked");
        c.settle(seed);
        assertEquals(1, c.node(0).signed.size());
        assertTrue(verifies(c, b, c.node(0).signed.get(0)));
        assertEquals(2, sharesMade(c), "f+1 partials, not 3f+1");
        for (Node n : c.nodes) assertTrue(n.rejected.isEmpty(), n.id + " rejected " + n.rejected);
    }

    @Test
    void withAmortizationOffEveryServerShares() {
        Cluster c = new Cluster(8, Map.of(), false);
        for (Node n : c.nodes) n.signer.sign(batch("b", 0));
        c.settle(1);
        assertEquals(4, sharesMade(c), "Figure 3.10 as written");
    }

    // A silent committee member: the batch waits for the core to send it again, when everyone
    // shares; from then on the forwarder asks another server in its place at once.
    @Test
    void aSilentCommitteeMemberCostsOneResendThenIsReplacedUpFront() {
        Cluster c = new Cluster(8, Map.of(), true);
        Node silent = c.node(1);
        LmSigner.Batch first = batch("first", 0);
        executeWithout(c, silent, first);
        assertEquals(0, c.node(0).signed.size(), "one committee share is missing");
        // The core sends the batch again (attempt 2: attempt 1's forwarder is the silent one).
        LmSigner.Batch again = batch("first", 2);
        executeWithout(c, silent, again);
        assertEquals(1, c.node(2).signed.size(), "every live server shared; attempt 2's forwarder combined");
        assertTrue(verifies(c, again, c.node(2).signed.get(0)));

        long before = sharesMade(c);
        LmSigner.Batch next = batch("next", 0);
        executeWithout(c, silent, next);
        assertEquals(1, c.node(0).signed.size(), "the forwarder asked server 2 in place of server 1 and combined at attempt 0");
        assertTrue(verifies(c, next, c.node(0).signed.get(0)));
        assertEquals(2, sharesMade(c) - before, "two partials: the forwarder's and the replacement's");
        assertEquals(0, c.node(3).jobs.size());
    }

    // A committee member that stays silent while later batches execute: the forwarder asks another
    // server for the stalled batch too, without waiting for the core to send it again.
    @Test
    void aBatchStalledOnASilentMemberIsSignedOnceLaterBatchesExecute() {
        Cluster c = new Cluster(8, Map.of(), true);
        Node silent = c.node(1);
        LmSigner.Batch stalled = batch("stalled", 0);
        executeWithout(c, silent, stalled);
        assertEquals(0, c.node(0).signed.size());
        for (int k = 0; k < ThresholdSign.SUSPECT_AFTER_ROUNDS + 1; k++) {
            LmSigner.Batch later = batch("later " + k, 0);
            executeWithout(c, silent, later);
        }
        assertTrue(c.node(0).signed.stream().anyMatch(sig -> verifies(c, stalled, sig)), "the stalled batch got its signature at attempt 0");
    }

    // A share requested before the asked server executed the batch is made once it does.
    @Test
    void aShareRequestThatArrivesBeforeTheBatchIsAnsweredWhenTheBatchExecutes() {
        Cluster c = new Cluster(8, Map.of(), true);
        LmSigner.Batch b = batch("b", 0);
        Node late = c.node(2);
        late.signer.onFrame(c.node(0).id, new SigningFrame.ShareRequest(b.tree().root()).encode());
        assertEquals(0, late.jobs.size());
        late.signer.sign(b);
        assertEquals(1, late.jobs.size(), "the early request makes this server share");
    }

    // A committee member's bad partial: the combination fails, proofs unmask it, and the forwarder
    // asks everyone else, so the signature still forms within the batch's first sending.
    @Test
    void aBadPartialFromTheCommitteeMakesTheForwarderAskTheOthers() {
        Cluster honest = new Cluster(8, Map.of(), true);
        Cluster c = new Cluster(8, Map.of(1, lying((SiteSigning.Shared) honest.ring.signingFor(ServerId.of(0, 1)))), true);
        LmSigner.Batch b = batch("b", 0);
        for (Node n : c.nodes) n.signer.sign(b);
        c.settle(3);
        assertEquals(1, c.node(0).signed.size());
        assertTrue(verifies(c, b, c.node(0).signed.get(0)));
        assertTrue(c.node(0).signer.blacklist().contains(ServerId.of(0, 1)));
    }

    // The server that combined a batch's signature sends it to the rest of the site: when the core
    // sends the batch again, its next forwarder resends at once and nobody makes a new partial.
    @Test
    void theCombinedSignatureReachesTheSiteSoAResendNeedsNoNewPartial() {
        Cluster c = new Cluster(8, Map.of(), true);
        LmSigner.Batch b = batch("b", 0);
        for (Node n : c.nodes) n.signer.sign(b);
        c.settle(5);
        assertEquals(1, c.node(0).signed.size());
        for (Node n : c.nodes) {
            if (n != c.node(0)) assertEquals(1, n.signer.signaturesReceived(), n.id + " holds the site's signature");
        }
        long before = sharesMade(c);
        LmSigner.Batch again = batch("b", 1); // the same output sent again: attempt 1's forwarder is server 1
        for (Node n : c.nodes) n.signer.sign(again);
        assertEquals(1, c.node(1).signed.size(), "the next forwarder resends at once");
        assertTrue(verifies(c, again, c.node(1).signed.get(0)));
        for (Node n : c.nodes) assertEquals(0, n.jobs.size(), n.id + " makes no partial for a batch the site has signed");
        c.settle(5);
        assertEquals(before, sharesMade(c));
        for (Node n : c.nodes) assertTrue(n.rejected.isEmpty(), n.id + " rejected " + n.rejected);
    }

    // A signature sent by a faulty server that does not verify is refused and counted, and the
    // resend then collects partials as before.
    @Test
    void aSignatureThatDoesNotVerifyIsRefusedAndTheResendCollectsShares() {
        Cluster c = new Cluster(8, Map.of(), true);
        LmSigner.Batch b = batch("b", 0);
        Node receiver = c.node(2);
        receiver.signer.sign(b);
        io.redoubt.lm.crypto.merkle.LmSignature forged = new io.redoubt.lm.crypto.merkle.LmSignature(
                c.ring.verifiers().get(ServerId.of(0, 0).site()).name(), Bytes.wrap(new byte[64]));
        receiver.signer.onFrame(c.node(3).id, new SigningFrame.Signed(b.tree().root(), forged).encode());
        assertEquals(java.util.List.of(io.redoubt.lm.core.Rejection.BAD_SIGNATURE), receiver.rejected);
        assertEquals(0, receiver.signer.signaturesReceived());
        receiver.signer.sign(batch("b", 2)); // attempt 2: this server forwards, and holds no signature
        assertEquals(0, receiver.signed.size());
        assertEquals(1, receiver.jobs.size(), "it shares, as every server does for a batch sent again");
    }

    /** Every server but {@code silent} executes {@code b}; then everything settles without it. */
    private static void executeWithout(Cluster c, Node silent, LmSigner.Batch b) {
        for (Node n : c.nodes) if (n != silent) n.signer.sign(b);
        settleWithout(c, silent);
    }

    /** Delivers and runs everything except what goes to, or would run at, {@code silent}. */
    private static void settleWithout(Cluster c, Node silent) {
        while (true) {
            Object[] m = c.network.poll();
            if (m != null) {
                if (!m[1].equals(silent.id)) c.node(((ServerId) m[1]).index()).signer.onFrame((ServerId) m[0], (Bytes) m[2]);
                continue;
            }
            Node busy = c.nodes.stream().filter(n -> n != silent && !n.jobs.isEmpty()).findFirst().orElse(null);
            if (busy == null) return;
            busy.finish(0);
        }
    }
}
