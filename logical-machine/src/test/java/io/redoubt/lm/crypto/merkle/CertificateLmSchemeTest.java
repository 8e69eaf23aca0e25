package io.redoubt.lm.crypto.merkle;

import static io.redoubt.lm.crypto.merkle.MerkleTestData.flipBit;
import static io.redoubt.lm.crypto.merkle.MerkleTestData.messages;
import static io.redoubt.lm.crypto.merkle.MerkleTestData.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A Byzantine site's batch signature as a certificate of f+1 server signatures (Lane 2008,
 * section 4.3: the signature attests "that f + 1 servers agreed on the message", so f faulty
 * servers cannot forge one).
 */
class CertificateLmSchemeTest {
    private static final SiteId A = SiteId.of(0);
    private static final SiteId B = SiteId.of(1);
    private static final int N = 7;
    private static final int F = 2;

    private final CountingScheme counting = new CountingScheme(SignatureScheme.named("ed25519"));
    private final KeyDirectory keys = new KeyDirectory(counting, Bytes.ofUtf8("certificate test deployment"));
    private final CertificateLmScheme schemeA = new CertificateLmScheme(keys, A, N, F);
    private final CertificateLmScheme schemeB = new CertificateLmScheme(keys, B, N, F);
    private final SplittableRandom rnd = new SplittableRandom(31);
    private final MerkleBatch batch = MerkleBatch.of(messages(rnd, 12));

    private ServerSignatureShare share(ServerId server, Bytes root) {
        return new CertificateLmSigner(keys.scheme(), server, keys.server(server).privateKey()).share(root);
    }

    private ServerSignatureShare shareOfA(int index) {
        return share(new ServerId(A, index), batch.root());
    }

    private LmSignature certificateFrom(int... indexes) {
        CertificateCollector c = schemeA.newCollector(batch.root());
        for (int i : indexes) c.offer(shareOfA(i));
        return c.certificate().orElseThrow();
    }

    private boolean verifiesForA(Bytes certificateValue) {
        return schemeA.verify(A, batch.rootContent(A), certificateValue);
    }

    /** A certificate value spelled out entry by entry, for forging. */
    private static Bytes certificateBytes(List<Integer> indexes, List<Bytes> signatures) {
        CanonicalWriter w = new CanonicalWriter().i32(indexes.size());
        for (int i = 0; i < indexes.size(); i++) w.i32(indexes.get(i)).bytes(signatures.get(i));
        return w.toBytes();
    }

    @Test
    void fPlusOneValidSharesFromDistinctServersFormACertificateThatVerifies_section4_3() {
        CertificateCollector c = schemeA.newCollector(batch.root());
        assertInstanceOf(CertificateCollector.Accepted.class, c.offer(shareOfA(4)));
        assertInstanceOf(CertificateCollector.Accepted.class, c.offer(shareOfA(0)));
        CertificateCollector.Completed done = assertInstanceOf(CertificateCollector.Completed.class, c.offer(shareOfA(6)));
        assertEquals("certificate/ed25519", done.certificate().scheme());
        assertEquals(done.certificate(), c.certificate().orElseThrow());
        assertEquals(List.of(new ServerId(A, 0), new ServerId(A, 4), new ServerId(A, 6)), c.signers());
        assertTrue(verifiesForA(done.certificate().value()));
        // and end to end, per message, through the receiver's verifier and cache
        LmMessageVerifier v = new LmMessageVerifier(Map.of(A, schemeA, B, schemeB), new VerifiedRootCache(8));
        long before = counting.verifications();
        for (LmEnvelopePart e : batch.envelopes(done.certificate())) assertTrue(v.verify(A, e).accepted());
        assertEquals(F + 1, counting.verifications() - before, "one certificate check (f+1 signatures) for the whole batch");
        assertFalse(v.verify(B, batch.envelopes(done.certificate()).get(0)).accepted());
    }

    @Test
    void fSharesAreNotACertificate_section4_3() {
        CertificateCollector c = schemeA.newCollector(batch.root());
        for (int i = 0; i < F; i++) {
            CertificateCollector.Accepted a = assertInstanceOf(CertificateCollector.Accepted.class, c.offer(shareOfA(i)));
            assertEquals(i + 1, a.validShares());
            assertEquals(F + 1, a.needed());
        }
        assertTrue(c.certificate().isEmpty());
        // f faulty servers pooling their own valid signatures still cannot make one
        List<Integer> indexes = new ArrayList<>();
        List<Bytes> sigs = new ArrayList<>();
        for (int i = 0; i < F; i++) {
            indexes.add(i);
            sigs.add(shareOfA(i).signature());
        }
        assertFalse(verifiesForA(certificateBytes(indexes, sigs)));
        indexes.add(F);
        sigs.add(randomBytes(rnd, 64));
        assertFalse(verifiesForA(certificateBytes(indexes, sigs)), "the missing entry forged");
    }

    @Test
    void aRepeatedShareFromOneServerCountsOnce() {
        CertificateCollector c = schemeA.newCollector(batch.root());
        c.offer(shareOfA(3));
        long checks = counting.verifications();
        for (int k = 0; k < 5; k++) {
            CertificateCollector.Ignored ignored = assertInstanceOf(CertificateCollector.Ignored.class, c.offer(shareOfA(3)));
            assertEquals(new ServerId(A, 3), ignored.server());
        }
        Bytes otherBytes = flipBit(shareOfA(3).signature(), 1);
        assertInstanceOf(CertificateCollector.Ignored.class, c.offer(new ServerSignatureShare(new ServerId(A, 3), otherBytes)));
        assertEquals(1, c.validShares());
        assertEquals(checks, counting.verifications(), "repeats cost no signature check");
        assertTrue(c.certificate().isEmpty());
    }

    @Test
    void anInvalidShareIsRejectedAndNamesItsServer() {
        CertificateCollector c = schemeA.newCollector(batch.root());
        ServerId s2 = new ServerId(A, 2);
        List<ServerSignatureShare> bad = List.of(
                new ServerSignatureShare(s2, flipBit(shareOfA(2).signature(), 77)),
                new ServerSignatureShare(s2, Bytes.EMPTY),
                share(s2, MerkleBatch.of(messages(rnd, 3)).root()), // a share for another root
                new ServerSignatureShare(s2, shareOfA(5).signature())); // another server's signature
        for (ServerSignatureShare s : bad) {
            CertificateCollector.Rejected r = assertInstanceOf(CertificateCollector.Rejected.class, c.offer(s));
            assertEquals(s2, r.server());
            assertEquals(Rejection.BAD_SIGNATURE, r.reason());
            assertTrue(r.detail().contains(s2.toString()), r.detail());
        }
        assertEquals(0, c.validShares());
        // a rejected attempt does not block the server's real share
        assertInstanceOf(CertificateCollector.Accepted.class, c.offer(shareOfA(2)));
    }

    @Test
    void sharesFromServersOutsideTheSiteAreRejected() {
        CertificateCollector c = schemeA.newCollector(batch.root());
        ServerId ofB = new ServerId(B, 0);
        CertificateCollector.Rejected r = assertInstanceOf(CertificateCollector.Rejected.class, c.offer(share(ofB, batch.root())));
        assertEquals(Rejection.NOT_A_MEMBER, r.reason());
        assertEquals(ofB, r.server());
        ServerId beyond = new ServerId(A, N);
        assertEquals(Rejection.NOT_A_MEMBER, assertInstanceOf(CertificateCollector.Rejected.class, c.offer(share(beyond, batch.root()))).reason());
        // a server of B signing with its own key while claiming to be A.1
        ServerSignatureShare impostor = new ServerSignatureShare(new ServerId(A, 1), share(ofB, batch.root()).signature());
        assertEquals(Rejection.BAD_SIGNATURE, assertInstanceOf(CertificateCollector.Rejected.class, c.offer(impostor)).reason());
        assertEquals(0, c.validShares());
    }

    @Test
    void aCompleteCertificateIsFrozen() {
        CertificateCollector c = schemeA.newCollector(batch.root());
        for (int i = 3; i < 3 + F + 1; i++) c.offer(shareOfA(i));
        LmSignature cert = c.certificate().orElseThrow();
        long checks = counting.verifications();
        assertInstanceOf(CertificateCollector.Ignored.class, c.offer(shareOfA(0)));
        assertEquals(cert, c.certificate().orElseThrow());
        assertEquals(checks, counting.verifications());
    }

    @Test
    void theSameSharesInAnyArrivalOrderGiveTheSameCertificateBytes() {
        List<Integer> indexes = new ArrayList<>(List.of(1, 3, 5));
        Bytes first = null;
        for (int p = 0; p < 12; p++) {
            Collections.shuffle(indexes, new java.util.Random(p));
            Bytes value = certificateFrom(indexes.stream().mapToInt(Integer::intValue).toArray()).value();
            if (first == null) first = value;
            assertEquals(first, value, "arrival order " + indexes);
        }
        List<Bytes> sigs = List.of(shareOfA(1).signature(), shareOfA(3).signature(), shareOfA(5).signature());
        assertEquals(certificateBytes(List.of(1, 3, 5), sigs), first, "entries sorted by server index");
        assertNotEquals(first, certificateFrom(0, 3, 5).value(), "different signers, different certificate");
    }

    @Test
    void aCertificateWithAForgedDuplicatedOrMisplacedEntryFails() {
        Bytes s1 = shareOfA(1).signature(), s3 = shareOfA(3).signature(), s5 = shareOfA(5).signature();
        assertTrue(verifiesForA(certificateBytes(List.of(1, 3, 5), List.of(s1, s3, s5))));
        List<Bytes> invalid = List.of(
                certificateBytes(List.of(1, 3, 5), List.of(s1, flipBit(s3, 9), s5)), // forged entry
                certificateBytes(List.of(1, 3, 5), List.of(s1, randomBytes(rnd, 64), s5)),
                certificateBytes(List.of(1, 1, 5), List.of(s1, s1, s5)), // duplicated entry
                certificateBytes(List.of(1, 3, 3), List.of(s1, s3, s3)),
                certificateBytes(List.of(3, 1, 5), List.of(s3, s1, s5)), // valid signatures, non-canonical order
                certificateBytes(List.of(1, 5, 3), List.of(s1, s3, s5)), // signatures under the wrong servers
                certificateBytes(List.of(1, 3, 5, 6), List.of(s1, s3, s5, shareOfA(6).signature())), // more than f+1
                certificateBytes(List.of(1, 3), List.of(s1, s3)),
                certificateBytes(List.of(1, 3, N), List.of(s1, s3, share(new ServerId(A, N), batch.root()).signature())), // not a server of A
                certificateBytes(List.of(-1, 3, 5), List.of(s1, s3, s5)),
                Bytes.wrap(java.util.Arrays.copyOf(certificateBytes(List.of(1, 3, 5), List.of(s1, s3, s5)).unsafeArray(), 3 * 72 + 5)), // trailing byte
                Bytes.EMPTY);
        for (Bytes b : invalid) assertFalse(verifiesForA(b), b::toHex);
        // a valid certificate of A says nothing for B, nor for another root of A
        Bytes good = certificateBytes(List.of(1, 3, 5), List.of(s1, s3, s5));
        assertFalse(schemeB.verify(B, batch.rootContent(B), good));
        assertFalse(schemeA.verify(B, batch.rootContent(B), good));
        assertFalse(schemeA.verify(A, MerkleBatch.of(messages(rnd, 2)).rootContent(A), good));
    }

    @Test
    void mutatedOrRandomCertificatesNeverVerifyAndNeverThrow() {
        Bytes good = certificateFrom(0, 2, 4).value();
        for (int c = 0; c < 2000; c++) {
            byte[] b = good.toArray();
            switch (rnd.nextInt(3)) {
                case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                default -> {
                    b = new byte[rnd.nextInt(0, 300)];
                    rnd.nextBytes(b);
                }
            }
            if (!Bytes.wrap(b).equals(good)) assertFalse(verifiesForA(Bytes.wrap(b)), () -> "mutation accepted");
        }
    }

    @Test
    void aSiteConfigurationThatCannotMakeCertificatesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CertificateLmScheme(keys, A, 4, -1));
        assertThrows(IllegalArgumentException.class, () -> new CertificateLmScheme(keys, A, 2, 2));
        int tooMany = CertificateLmScheme.SIGNERS_MAX; // f + 1 = SIGNERS_MAX + 1
        assertThrows(IllegalArgumentException.class, () -> new CertificateLmScheme(keys, A, 3 * tooMany + 1, tooMany));
        CertificateLmScheme largest = new CertificateLmScheme(keys, A, 3 * (tooMany - 1) + 1, tooMany - 1);
        assertEquals(CertificateLmScheme.SIGNERS_MAX, largest.signersNeeded());
        assertEquals(1, new CertificateLmScheme(keys, A, 1, 0).signersNeeded());
    }

    @Test
    void theLargestAllowedCertificateFitsInAnLmSignature() {
        int f = CertificateLmScheme.SIGNERS_MAX - 1;
        CertificateLmScheme big = new CertificateLmScheme(keys, A, 3 * f + 1, f);
        List<ServerSignatureShare> shares = new ArrayList<>();
        for (int i = 0; i <= f; i++) shares.add(new ServerSignatureShare(new ServerId(A, i), Bytes.wrap(new byte[ServerSignatureShare.SIGNATURE_BYTES_MAX])));
        assertTrue(big.encodeCertificate(shares).value().length() <= LmSignature.VALUE_BYTES_MAX);
    }
}
