package io.redoubt.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.TestEnvelopes;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.SingleKeyLmScheme;
import io.redoubt.lm.crypto.merkle.VerifiedRootCache;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server's logical machine checks every ordered wide-area message, and its wide-area PBFT core
 * checks the same message's LM proof again; sharing the server's cache of checked roots, the two
 * pay for one signature check (issue 16: each cryptographic operation once), and the verdict of
 * each stays its own.
 */
class LmProofKeysTest {
    private final KeyDirectory keys = new KeyDirectory(SignatureScheme.named("simulated"), Bytes.ofUtf8("lm-proof-keys-test"));
    private int checks;
    private final LmSignatureScheme counting = new LmSignatureScheme() {
        private final SingleKeyLmScheme inner = new SingleKeyLmScheme(keys);

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public boolean verify(SiteId site, Bytes rootContent, Bytes signature) {
            checks++;
            return inner.verify(site, rootContent, signature);
        }
    };
    private final Map<SiteId, LmSignatureScheme> schemes = Map.of(SiteId.of(0), counting, SiteId.of(1), counting);
    private static final SiteId SENDER = SiteId.of(1);

    @Test
    void aRootTheLogicalMachineCheckedCostsTheCoreNoSecondCheck() {
        Bytes signed = Bytes.ofUtf8("a prepare's signed bytes");
        LmEnvelopePart envelope = TestEnvelopes.signed(keys, SENDER, LmProofKeys.asSent(signed));
        Bytes proof = envelope.proof().encode();
        VerifiedRootCache shared = new VerifiedRootCache(16);

        assertTrue(new LmMessageVerifier(schemes, shared).verify(SENDER, envelope).accepted());
        assertEquals(1, checks);
        NodeKeys<SiteId> core = new LmProofKeys(schemes, shared).forNode(SiteId.of(0));
        assertTrue(core.verify(SENDER, signed, proof));
        assertEquals(1, checks, "the same root, checked once per server");

        NodeKeys<SiteId> alone = new LmProofKeys(schemes).forNode(SiteId.of(0));
        assertTrue(alone.verify(SENDER, signed, proof));
        assertEquals(2, checks, "a core with a cache of its own checks it again");
    }

    @Test
    void aSharedCacheNeverTurnsABadProofIntoAGoodOne() {
        Bytes signed = Bytes.ofUtf8("a commit's signed bytes");
        LmEnvelopePart envelope = TestEnvelopes.signed(keys, SENDER, LmProofKeys.asSent(signed));
        VerifiedRootCache shared = new VerifiedRootCache(16);
        assertTrue(new LmMessageVerifier(schemes, shared).verify(SENDER, envelope).accepted());
        NodeKeys<SiteId> core = new LmProofKeys(schemes, shared).forNode(SiteId.of(0));

        Bytes forged = TestEnvelopes.withSignatureValue(envelope, Bytes.ofUtf8("not a signature")).proof().encode();
        assertFalse(core.verify(SENDER, signed, forged), "another signature on a cached root is checked, and fails");
        assertFalse(core.verify(SiteId.of(0), signed, envelope.proof().encode()), "a root cached for one site proves nothing for another");
        assertFalse(core.verify(SENDER, Bytes.ofUtf8("other bytes"), envelope.proof().encode()), "the path must lead to the cached root");
    }
}
