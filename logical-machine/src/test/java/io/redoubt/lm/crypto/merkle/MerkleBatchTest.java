package io.redoubt.lm.crypto.merkle;

import static io.redoubt.lm.crypto.merkle.MerkleTestData.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The producing side: all wide-area messages produced by executing one locally ordered batch form one tree (Lane 2008, section 4.6). */
class MerkleBatchTest {
    private static final SiteId A = SiteId.of(2);

    @Test
    void theMessagesOfOneExecutedBatchShareOneRootAndEachGetsItsPath_section4_6() {
        List<Bytes> produced = messages(new SplittableRandom(41), 13);
        MerkleBatch batch = MerkleBatch.of(produced);
        MerkleTree tree = MerkleTree.of(produced);
        assertEquals(tree.root(), batch.root());
        assertEquals(13, batch.size());
        assertEquals(produced, batch.messages());
        for (int i = 0; i < produced.size(); i++) {
            assertEquals(tree.path(i), batch.path(i));
            assertEquals(batch.root(), MerkleTree.rootFromPath(produced.get(i), batch.paths().get(i)));
        }
        assertEquals(LmSignatureScheme.rootContent(A, batch.root()), batch.rootContent(A));
    }

    @Test
    void everyServerExecutingTheSameBatchSignsTheSameBytes_section4_3() {
        List<Bytes> produced = messages(new SplittableRandom(42), 20);
        assertEquals(MerkleBatch.of(produced).rootContent(A), MerkleBatch.of(new ArrayList<>(produced)).rootContent(A));
    }

    @Test
    void oneSignatureSignedOnceAuthenticatesEveryEnvelope() {
        KeyDirectory keys = new KeyDirectory(SignatureScheme.named("ed25519"), Bytes.ofUtf8("batch"));
        List<Bytes> produced = messages(new SplittableRandom(43), 7);
        MerkleBatch batch = MerkleBatch.of(produced);
        LmSignature sig = new SingleKeyLmSigner(keys.scheme(), A, keys.site(A).privateKey()).sign(batch.root());
        List<LmEnvelopePart> envelopes = batch.envelopes(sig);
        assertEquals(7, envelopes.size());
        LmMessageVerifier v = new LmMessageVerifier(Map.of(A, new SingleKeyLmScheme(keys)), new VerifiedRootCache(4));
        for (int i = 0; i < envelopes.size(); i++) {
            assertEquals(produced.get(i), envelopes.get(i).message());
            assertTrue(v.verify(A, envelopes.get(i)).accepted());
        }
        assertEquals(1, v.signatureChecks());
    }

    @Test
    void theBatchKeepsItsOwnCopyOfTheMessages() {
        List<Bytes> produced = new ArrayList<>(messages(new SplittableRandom(44), 3));
        MerkleBatch batch = MerkleBatch.of(produced);
        Bytes root = batch.root();
        produced.set(0, Bytes.ofUtf8("changed later"));
        assertEquals(root, MerkleTree.of(batch.messages()).root());
    }

    @Test
    void anEmptyBatchHasNothingToSign() {
        assertThrows(IllegalArgumentException.class, () -> MerkleBatch.of(List.of()));
    }
}
