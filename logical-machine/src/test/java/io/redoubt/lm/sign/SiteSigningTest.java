package io.redoubt.lm.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** THRESHOLD-SIGN (section 3.4.2, Figure 3.10) as a site's servers run it, with one faulty server. */
class SiteSigningTest {
    static final SiteId SITE = SiteId.of(0);
    static final Bytes ROOT = Bytes.ofUtf8("a batch root, 32 bytes long.....");

    static LmKeyring keyring(LmKeyring.Kind kind) {
        KeyDirectory keys = new KeyDirectory(SignatureScheme.named("ed25519"), Bytes.ofUtf8("site-signing-test"));
        return new LmKeyring(keys, Map.of(SITE, new LmKeyring.SiteSpec(4, 1, kind), SiteId.of(1), new LmKeyring.SiteSpec(3, 1, LmKeyring.Kind.SITE_KEY)),
                512, true);
    }

    static SiteSigning.Shared signer(LmKeyring ring, int index) {
        return (SiteSigning.Shared) ring.signingFor(ServerId.of(0, index));
    }

    @Test
    void fPlusOneThresholdSharesMakeOneRsaSignatureThatEveryReceiverAccepts() {
        LmKeyring ring = keyring(LmKeyring.Kind.THRESHOLD);
        SiteSigning.Collector c = signer(ring, 0).collector(ROOT, new TreeSet<>());
        assertNull(c.offerShare(ServerId.of(0, 2), signer(ring, 2).share(ROOT)).signature(), "f shares are not enough");
        SiteSigning.Progress p = c.offerShare(ServerId.of(0, 3), signer(ring, 3).share(ROOT));
        assertNotNull(p.signature());
        LmSignatureScheme verifier = ring.verifiers().get(SITE);
        assertTrue(verifier.verify(SITE, LmSignatureScheme.rootContent(SITE, ROOT), p.signature().value()));
        assertFalse(verifier.verify(SITE, LmSignatureScheme.rootContent(SITE, Bytes.ofUtf8("another root")), p.signature().value()));
        assertFalse(verifier.verify(SiteId.of(1), LmSignatureScheme.rootContent(SiteId.of(1), ROOT), p.signature().value()),
                "a site's signature proves nothing for another site");
        assertEquals(2, ring.noticesNeeded(SITE), "a Byzantine site needs f+1 timeout notices");
        assertEquals(1, ring.noticesNeeded(SiteId.of(1)), "a benign site needs one");
    }

    @Test
    void aBadPartialIsFoundByItsProofBlamedWithTransferableEvidenceAndTheOthersStillSign() {
        LmKeyring ring = keyring(LmKeyring.Kind.THRESHOLD);
        Bytes otherRoot = Bytes.ofUtf8("not the root the others computed");
        ServerId liar = ServerId.of(0, 1);
        TreeSet<ServerId> blacklist = new TreeSet<>();
        SiteSigning.Collector c = signer(ring, 0).collector(ROOT, blacklist);

        c.offerShare(liar, signer(ring, 1).share(otherRoot)); // well formed, wrong value
        SiteSigning.Progress p = c.offerShare(ServerId.of(0, 2), signer(ring, 2).share(ROOT));
        assertNull(p.signature(), "the optimistic combination fails");
        assertEquals(List.of(liar, ServerId.of(0, 2)), p.proofsWanted(), "so it asks both for proofs");

        Bytes liarProof = signer(ring, 1).proof(otherRoot);
        assertTrue(signer(ring, 3).isEvidenceOfBadShare(liar, ROOT, signer(ring, 1).share(otherRoot), liarProof),
                "any server of the site can check the evidence");
        assertFalse(signer(ring, 3).isEvidenceOfBadShare(ServerId.of(0, 2), ROOT, signer(ring, 2).share(ROOT), signer(ring, 2).proof(ROOT)),
                "a correct partial with its proof is no evidence");

        c.offerProof(ServerId.of(0, 2), signer(ring, 2).proof(ROOT));
        p = c.offerProof(liar, liarProof);
        assertEquals(List.of(liar), p.blamed());
        blacklist.addAll(p.blamed());
        assertNull(p.signature());
        p = c.offerShare(ServerId.of(0, 3), signer(ring, 3).share(ROOT));
        assertNotNull(p.signature(), "f+1 correct servers sign without the liar");
        assertTrue(c.complete());
    }

    @Test
    void certificateSharesAreCheckedOnArrival() {
        LmKeyring ring = keyring(LmKeyring.Kind.CERTIFICATE);
        SiteSigning.Collector c = signer(ring, 0).collector(ROOT, new TreeSet<>());
        SiteSigning.Progress bad = c.offerShare(ServerId.of(0, 1), signer(ring, 1).share(Bytes.ofUtf8("other")));
        assertEquals(Rejection.BAD_SIGNATURE, bad.rejected().get(0).reason());
        assertNull(c.offerShare(ServerId.of(0, 2), signer(ring, 2).share(ROOT)).signature());
        SiteSigning.Progress done = c.offerShare(ServerId.of(0, 3), signer(ring, 3).share(ROOT));
        assertTrue(ring.verifiers().get(SITE).verify(SITE, LmSignatureScheme.rootContent(SITE, ROOT), done.signature().value()));
    }

    @Test
    void malformedAndMislabelledSharesAreRejectedNotThrown() {
        LmKeyring ring = keyring(LmKeyring.Kind.THRESHOLD);
        SiteSigning.Collector c = signer(ring, 0).collector(ROOT, new TreeSet<>());
        assertEquals(Rejection.MALFORMED, c.offerShare(ServerId.of(0, 1), Bytes.ofUtf8("junk")).rejected().get(0).reason());
        assertEquals(Rejection.PROTOCOL_VIOLATION, c.offerShare(ServerId.of(0, 1), signer(ring, 2).share(ROOT)).rejected().get(0).reason(),
                "a partial labelled with another server's index");
        assertEquals(Rejection.NOT_A_MEMBER, c.offerShare(ServerId.of(1, 0), signer(ring, 2).share(ROOT)).rejected().get(0).reason());
        assertFalse(c.complete());
    }
}
