package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.threshold.CombineResult;
import io.redoubt.lm.crypto.threshold.CorrectnessProof;
import io.redoubt.lm.crypto.threshold.PartialSignature;
import io.redoubt.lm.crypto.threshold.ProofSource;
import io.redoubt.lm.sign.SiteSigning;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The stand-in keeps what campaigns rely on from threshold RSA: k partials needed, bad shares caught by their proofs. */
class SimulatedThresholdTest {
    private static final SiteId SITE = new SiteId(2);
    private final SimulatedThreshold t = new SimulatedThreshold(SITE, 2, 4); // f = 1: k = 2 of l = 4
    private final Bytes message = LmSignatureScheme.rootContent(SITE, Bytes.ofUtf8("root"));

    private PartialSignature partial(int i, Bytes m) {
        return t.signer(i).sign(m);
    }

    @Test
    void kCorrectPartialsMakeASignatureOnlyThisSiteAndMessageVerify() {
        assertInstanceOf(CombineResult.Unsigned.class, t.combine(message, List.of(partial(3, message)), ProofSource.none()), "k - 1 partials");
        CombineResult r = t.combine(message, List.of(partial(3, message), partial(1, message)), ProofSource.none());
        Bytes signature = ((CombineResult.Signed) r).signature();
        assertTrue(t.verify(SITE, message, signature));
        assertFalse(t.verify(new SiteId(1), message, signature));
        assertFalse(t.verify(SITE, LmSignatureScheme.rootContent(SITE, Bytes.ofUtf8("other root")), signature));
        assertFalse(new SimulatedThreshold(new SiteId(1), 2, 4).verify(SITE, message, signature), "another site's key");
        // A site dealt k = 1 (the planted weak-signatures bug) is signed for by one server alone.
        SimulatedThreshold weak = new SimulatedThreshold(SITE, 1, 4);
        assertInstanceOf(CombineResult.Signed.class, weak.combine(message, List.of(weak.signer(4).sign(message)), ProofSource.none()));
    }

    @Test
    void aShareOfAnotherRootFailsTheOptimisticCombinationAndItsProofBlamesItsServer() {
        Bytes other = LmSignatureScheme.rootContent(SITE, Bytes.ofUtf8("not-the-root"));
        PartialSignature bad = partial(1, other);
        CorrectnessProof badProof = t.signer(1).prove(other, bad);
        PartialSignature good = partial(2, message);
        CorrectnessProof goodProof = t.signer(2).prove(message, good);
        assertTrue(t.verifyProof(message, good, goodProof));
        assertFalse(t.verifyProof(message, bad, badProof));
        assertFalse(t.verifyProof(message, good, badProof), "a proof binds its partial");

        CombineResult first = t.combine(message, List.of(bad, good), ProofSource.none());
        assertEquals(List.of(1, 2), ((CombineResult.Unsigned) first).awaitingProof());
        ProofSource proofs = ProofSource.of(Map.of(1, badProof, 2, goodProof), Set.of());
        CombineResult second = t.combine(message, List.of(bad, good, partial(4, message)), proofs);
        assertEquals(1, second.blamed().size());
        assertEquals(1, second.blamed().get(0).serverIndex());
        assertEquals(CombineResult.Shortfall.AWAITING_PROOFS, ((CombineResult.Unsigned) second).shortfall());
    }

    @Test
    void theProtocolsCollectorBlacklistsASpoiledShareAndSignsWithoutIt() {
        SiteSigning.Threshold[] servers = new SiteSigning.Threshold[4];
        for (int i = 0; i < 4; i++) servers[i] = new SiteSigning.Threshold(t, SITE, 2, 4, t.signer(i + 1), t);
        Bytes root = Bytes.ofUtf8("root");
        Bytes spoiled = servers[0].share(Bytes.ofUtf8("another root"));
        SiteSigning.Collector c = servers[3].collector(root, new TreeSet<>());
        assertEquals(List.of(), c.offerShare(new ServerId(SITE, 0), spoiled).proofsWanted(), "one share of k = 2: nothing to combine yet");
        SiteSigning.Progress p = c.offerShare(new ServerId(SITE, 1), servers[1].share(root));
        assertEquals(List.of(new ServerId(SITE, 0), new ServerId(SITE, 1)), p.proofsWanted());
        Bytes badProof = servers[0].proof(Bytes.ofUtf8("another root"));
        assertTrue(servers[3].isEvidenceOfBadShare(new ServerId(SITE, 0), root, spoiled, badProof));
        assertFalse(servers[3].isEvidenceOfBadShare(new ServerId(SITE, 1), root, servers[1].share(root), servers[1].proof(root)));
        p = c.offerCheckedProof(new ServerId(SITE, 0), badProof, false);
        assertEquals(List.of(new ServerId(SITE, 0)), p.blamed());
        p = c.offerShare(new ServerId(SITE, 2), servers[2].share(root));
        LmSignature signature = p.signature();
        assertEquals(SimulatedThreshold.NAME, signature.scheme());
        assertTrue(t.verify(SITE, LmSignatureScheme.rootContent(SITE, root), signature.value()));
        assertTrue(c.complete());
    }
}
