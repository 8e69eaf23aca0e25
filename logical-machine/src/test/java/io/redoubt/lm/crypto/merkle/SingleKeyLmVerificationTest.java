package io.redoubt.lm.crypto.merkle;

import static io.redoubt.lm.crypto.merkle.MerkleTestData.flipBit;
import static io.redoubt.lm.crypto.merkle.MerkleTestData.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.exec.LogicalMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A benign site's batch signature (Lane 2008, section 4.3: one ordinary signature with the site
 * key) checked per message through its Merkle path, with the receiver's root cache (section 4.6).
 */
class SingleKeyLmVerificationTest {
    private static final SiteId A = SiteId.of(0);
    private static final SiteId B = SiteId.of(1);
    private static final SiteId UNKNOWN = SiteId.of(9);

    private final CountingScheme counting = new CountingScheme(SignatureScheme.named("ed25519"));
    private final KeyDirectory keys = new KeyDirectory(counting, Bytes.ofUtf8("merkle test deployment"));
    private final SingleKeyLmScheme scheme = new SingleKeyLmScheme(keys);
    private final SplittableRandom rnd = new SplittableRandom(21);

    private LmBatchSigner signerOf(SiteId site) {
        return new SingleKeyLmSigner(keys.scheme(), site, keys.site(site).privateKey());
    }

    private LmMessageVerifier verifier(VerifiedRootCache cache) {
        return new LmMessageVerifier(Map.of(A, scheme, B, scheme), cache);
    }

    private List<LmEnvelopePart> signedBatch(SiteId site, int n) {
        MerkleBatch batch = MerkleBatch.of(messages(rnd, n));
        return batch.envelopes(signerOf(site).sign(batch.root()));
    }

    @Test
    void everyMessageOfABatchVerifiesUnderTheOneSignatureOverItsRoot_section4_6() {
        LmMessageVerifier v = verifier(new VerifiedRootCache(64));
        for (int n : new int[] {1, 2, 3, 17, 64}) {
            List<LmEnvelopePart> envelopes = signedBatch(A, n);
            for (LmEnvelopePart e : envelopes) {
                LmMessageVerifier.Verdict verdict = v.verify(A, e);
                assertTrue(verdict.accepted(), verdict::toString);
                assertEquals(MerkleTree.rootFromPath(e.message(), e.path()), ((LmMessageVerifier.Accepted) verdict).root());
            }
        }
    }

    @Test
    void eachOutgoingMessageIsSelfContainedOnTheWire_section4_6() {
        List<LmEnvelopePart> envelopes = signedBatch(A, 10);
        LmMessageVerifier fresh = verifier(new VerifiedRootCache(8));
        for (LmEnvelopePart e : envelopes) assertTrue(fresh.verify(A, e.encode(), 4096).accepted());
        LmMessageVerifier.Verdict garbage = fresh.verify(A, Bytes.ofUtf8("not an envelope"), 4096);
        assertEquals(Rejection.MALFORMED, ((LmMessageVerifier.Rejected) garbage).reason());
    }

    @Test
    void theSingleKeySignerWorksWithAnyDeterministicScheme() {
        KeyDirectory simulated = new KeyDirectory(SignatureScheme.named("simulated"), Bytes.ofUtf8("sim"));
        SingleKeyLmScheme simScheme = new SingleKeyLmScheme(simulated);
        MerkleBatch batch = MerkleBatch.of(messages(rnd, 5));
        LmSignature sig = new SingleKeyLmSigner(simulated.scheme(), A, simulated.site(A).privateKey()).sign(batch.root());
        assertEquals("site-key/simulated", sig.scheme());
        LmMessageVerifier v = new LmMessageVerifier(Map.of(A, simScheme), new VerifiedRootCache(4));
        for (LmEnvelopePart e : batch.envelopes(sig)) assertTrue(v.verify(A, e).accepted());
        // deterministic: every server of the site produces the identical LM signature (section 4.3)
        assertEquals(sig, new SingleKeyLmSigner(simulated.scheme(), A, simulated.site(A).privateKey()).sign(batch.root()));
    }

    @Test
    void aMessageOfSiteAPresentedAsSiteBIsRejectedEvenAfterItsRootWasVerifiedForA() {
        VerifiedRootCache cache = new VerifiedRootCache(16);
        LmMessageVerifier v = verifier(cache);
        List<LmEnvelopePart> envelopes = signedBatch(A, 8);
        LmMessageVerifier.Verdict asB = v.verify(B, envelopes.get(0));
        assertEquals(Rejection.BAD_SIGNATURE, ((LmMessageVerifier.Rejected) asB).reason());
        assertTrue(v.verify(A, envelopes.get(0)).accepted());
        long checks = v.signatureChecks();
        // the root is now cached for A; for B it is still a miss, and the check still fails
        LmMessageVerifier.Verdict again = v.verify(B, envelopes.get(1));
        assertFalse(again.accepted());
        assertEquals(checks + 1, v.signatureChecks());
        assertEquals(1, cache.size());
    }

    @Test
    void anUnknownSiteOrAnotherSchemeIsRejectedWithoutASignatureCheck() {
        LmMessageVerifier v = verifier(new VerifiedRootCache(16));
        LmEnvelopePart e = signedBatch(A, 3).get(1);
        assertEquals(Rejection.NOT_A_MEMBER, ((LmMessageVerifier.Rejected) v.verify(UNKNOWN, e)).reason());
        LmEnvelopePart otherScheme = new LmEnvelopePart(e.message(), e.path(), new LmSignature("certificate/ed25519", e.signature().value()));
        assertEquals(Rejection.BAD_SIGNATURE, ((LmMessageVerifier.Rejected) v.verify(A, otherScheme)).reason());
        assertEquals(0, counting.verifications());
    }

    @Test
    void aTamperedMessagePathOrSignatureIsRejected() {
        LmMessageVerifier v = verifier(new VerifiedRootCache(16));
        List<LmEnvelopePart> envelopes = signedBatch(A, 12);
        LmEnvelopePart e = envelopes.get(5);
        Bytes sig = e.signature().value();
        List<LmEnvelopePart> tampered = List.of(
                new LmEnvelopePart(flipBit(e.message(), 3), e.path(), e.signature()),
                new LmEnvelopePart(e.message(), envelopes.get(6).path(), e.signature()),
                new LmEnvelopePart(e.message(), e.path(), new LmSignature(e.signature().scheme(), flipBit(sig, 100))),
                new LmEnvelopePart(e.message(), e.path(), new LmSignature(e.signature().scheme(), Bytes.EMPTY)));
        for (LmEnvelopePart t : tampered) assertFalse(v.verify(A, t).accepted(), t::toString);
    }

    /** A per-message LM signature (the unbatched content) must not pass as a batch signature, and the reverse. */
    @Test
    void theBatchRootContentIsDomainSeparatedFromThePerMessageContent() {
        MerkleBatch batch = MerkleBatch.of(messages(rnd, 4));
        Bytes perMessageContent = new io.redoubt.lm.codec.CanonicalWriter().utf8("redoubt/lm-message").site(A).bytes(batch.root()).toBytes();
        Bytes perMessageStyle = keys.scheme().sign(keys.site(A).privateKey(), perMessageContent);
        LmSignature forged = new LmSignature(scheme.name(), perMessageStyle);
        LmMessageVerifier v = verifier(new VerifiedRootCache(16));
        assertFalse(v.verify(A, batch.envelopes(forged).get(0)).accepted());
        assertNotEquals(LmSignatureScheme.rootContent(A, batch.root()), perMessageContent);
        assertNotEquals(LmSignatureScheme.rootContent(A, batch.root()), LmSignatureScheme.rootContent(B, batch.root()));
    }

    // ------------------------------------------------------------ the root cache

    @Test
    void laterMessagesOfAVerifiedBatchCostOnlyHashing_section4_6() {
        LmMessageVerifier v = verifier(new VerifiedRootCache(16));
        List<LmEnvelopePart> envelopes = signedBatch(A, 20);
        LmMessageVerifier.Verdict first = v.verify(A, envelopes.get(0));
        assertEquals(new LmMessageVerifier.Accepted(((LmMessageVerifier.Accepted) first).root(), false), first);
        assertEquals(1, counting.verifications());
        for (LmEnvelopePart e : envelopes.subList(1, envelopes.size())) {
            LmMessageVerifier.Accepted verdict = assertInstanceOf(LmMessageVerifier.Accepted.class, v.verify(A, e));
            assertTrue(verdict.fromCache());
        }
        assertEquals(1, counting.verifications());
        assertEquals(1, v.signatureChecks());
        assertEquals(19, v.cacheHits());
    }

    @Test
    void aFailedVerificationNeverPopulatesTheCache() {
        VerifiedRootCache cache = new VerifiedRootCache(16);
        LmMessageVerifier v = verifier(cache);
        List<LmEnvelopePart> envelopes = signedBatch(A, 6);
        LmEnvelopePart e = envelopes.get(2);
        LmEnvelopePart badSignature = new LmEnvelopePart(e.message(), e.path(), new LmSignature(e.signature().scheme(), flipBit(e.signature().value(), 7)));
        LmEnvelopePart badMessage = new LmEnvelopePart(flipBit(e.message(), 9), e.path(), e.signature());
        for (int round = 1; round <= 2; round++) {
            assertFalse(v.verify(A, badSignature).accepted());
            assertFalse(v.verify(A, badMessage).accepted());
            assertFalse(v.verify(B, e).accepted());
            assertEquals(0, cache.size());
            assertEquals(3L * round, counting.verifications(), "every failed attempt is checked afresh");
        }
        assertTrue(v.verify(A, e).accepted());
        assertEquals(1, cache.size());
    }

    /** Keyed on the signature too: a mangled signature on a later message is still rejected, so a verdict never depends on the cache. */
    @Test
    void aCachedRootDoesNotExcuseABadSignatureOnALaterMessage() {
        LmMessageVerifier v = verifier(new VerifiedRootCache(16));
        List<LmEnvelopePart> envelopes = signedBatch(A, 4);
        assertTrue(v.verify(A, envelopes.get(0)).accepted());
        LmEnvelopePart later = envelopes.get(1);
        LmEnvelopePart mangled = new LmEnvelopePart(later.message(), later.path(), new LmSignature(later.signature().scheme(), flipBit(later.signature().value(), 500)));
        assertFalse(v.verify(A, mangled).accepted());
        assertTrue(v.verify(A, later).accepted());
    }

    @Test
    void theVerdictIsTheSameWhateverTheCacheHolds() {
        List<LmEnvelopePart> stream = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            SiteId site = b % 2 == 0 ? A : B;
            for (LmEnvelopePart e : signedBatch(site, 1 + rnd.nextInt(9))) {
                switch (rnd.nextInt(5)) {
                    case 0 -> stream.add(new LmEnvelopePart(e.message(), e.path(), new LmSignature(e.signature().scheme(), flipBit(e.signature().value(), rnd.nextInt(512)))));
                    case 1 -> stream.add(new LmEnvelopePart(flipBit(e.message(), 1), e.path(), e.signature()));
                    default -> stream.add(e);
                }
            }
        }
        SiteId[] claimed = new SiteId[stream.size()];
        for (int i = 0; i < claimed.length; i++) claimed[i] = rnd.nextInt(6) == 0 ? (rnd.nextBoolean() ? A : B) : null;
        LmMessageVerifier tiny = verifier(new VerifiedRootCache(1));
        LmMessageVerifier large = verifier(new VerifiedRootCache(1000));
        int accepted = 0;
        for (int i = 0; i < stream.size(); i++) {
            LmEnvelopePart e = stream.get(i);
            SiteId from = claimed[i] != null ? claimed[i] : siteOf(e);
            boolean fresh = verifier(new VerifiedRootCache(1)).verify(from, e).accepted();
            assertEquals(fresh, tiny.verify(from, e).accepted(), "message " + i);
            assertEquals(fresh, large.verify(from, e).accepted(), "message " + i);
            if (fresh) accepted++;
        }
        assertTrue(accepted > 0 && accepted < stream.size());
        assertTrue(large.cacheHits() > 0);
    }

    private SiteId siteOf(LmEnvelopePart e) {
        Bytes root = MerkleTree.rootFromPath(e.message(), e.path());
        return keys.verify(A, LmSignatureScheme.rootContent(A, root), e.signature().value()) ? A : B;
    }

    @Test
    void theCacheIsBoundedAndForgetsTheLeastRecentlyUsedRootFirst() {
        VerifiedRootCache cache = new VerifiedRootCache(3);
        LmMessageVerifier v = verifier(cache);
        List<List<LmEnvelopePart>> batches = new ArrayList<>();
        for (int b = 0; b < 10; b++) batches.add(signedBatch(A, 3));
        for (int b = 0; b < 3; b++) assertTrue(v.verify(A, batches.get(b).get(0)).accepted());
        assertTrue(fromCache(v.verify(A, batches.get(0).get(1)))); // batch 0 is now the most recently used
        assertTrue(v.verify(A, batches.get(3).get(0)).accepted()); // evicts batch 1
        assertEquals(3, cache.size());
        assertTrue(fromCache(v.verify(A, batches.get(0).get(2))));
        assertFalse(fromCache(v.verify(A, batches.get(1).get(1))));
        for (List<LmEnvelopePart> batch : batches) assertTrue(v.verify(A, batch.get(0)).accepted());
        assertEquals(3, cache.size());
        assertEquals(3, cache.capacity());
        assertThrows(IllegalArgumentException.class, () -> new VerifiedRootCache(0));
    }

    private static boolean fromCache(LmMessageVerifier.Verdict verdict) {
        return assertInstanceOf(LmMessageVerifier.Accepted.class, verdict).fromCache();
    }
}
