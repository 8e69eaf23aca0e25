package io.redoubt.lm.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.threshold.SeededSecureRandom;
import io.redoubt.lm.crypto.threshold.ThresholdDealer;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdPublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Keys as a real server holds them (issue 14): everyone's public keys, its own private key and
 * its own threshold share, nothing of anyone else's (Lane 2008, section 4.2).
 */
class LoadedKeysTest {
    static final SignatureScheme ED25519 = SignatureScheme.named("ed25519");
    static final SiteId BYZANTINE = SiteId.of(0);
    static final SiteId BENIGN = SiteId.of(1);
    static final Map<SiteId, LmKeyring.SiteSpec> SITES = Map.of(
            BYZANTINE, new LmKeyring.SiteSpec(4, 1, LmKeyring.Kind.THRESHOLD),
            BENIGN, new LmKeyring.SiteSpec(3, 1, LmKeyring.Kind.SITE_KEY));
    static final Bytes MSG = Bytes.ofUtf8("an update");
    static final Bytes ROOT = Digests.sha256(Bytes.ofUtf8("a root"));
    // Plays key generation: the pairs come from a derived directory, then only the public halves are published.
    static final KeyDirectory ALL = KeyDirectory.derived(ED25519, Bytes.ofUtf8("loaded-keys-test"));
    static final ThresholdKeyMaterial DEALT = ThresholdDealer.dealInsecureForTests(new ThresholdParameters(2, 4, 512), SeededSecureRandom.fromSeed(14));

    static KeyDirectory.PublicKeys published() {
        TreeMap<ServerId, Bytes> servers = new TreeMap<>();
        for (int i = 0; i < 4; i++) servers.put(ServerId.of(0, i), ALL.server(ServerId.of(0, i)).publicKey());
        for (int i = 0; i < 3; i++) servers.put(ServerId.of(1, i), ALL.server(ServerId.of(1, i)).publicKey());
        return new KeyDirectory.PublicKeys(servers, new TreeMap<>(Map.of(BENIGN, ALL.site(BENIGN).publicKey())),
                new TreeMap<>(Map.of(ClientId.of(0, 0), ALL.client(ClientId.of(0, 0)).publicKey())));
    }

    static KeyDirectory serverKeys(ServerId self) {
        Map<Object, Bytes> own = new LinkedHashMap<>();
        own.put(self, ALL.server(self).privateKey());
        if (self.site().equals(BENIGN)) own.put(BENIGN, ALL.site(BENIGN).privateKey());
        return KeyDirectory.loaded(ED25519, published(), own);
    }

    static LmKeyring keyring(ServerId self) {
        LmKeyring.OwnShare share = self.site().equals(BYZANTINE)
                ? new LmKeyring.OwnShare(self, DEALT.share(self.index() + 1), Digests.sha256(Bytes.ofUtf8("proof secret " + self)))
                : null;
        return LmKeyring.loaded(serverKeys(self), SITES, Map.of(BYZANTINE, DEALT.publicKey()), share, true);
    }

    @Test
    void aServerSignsWithItsOwnKeyAndEveryOtherServerVerifiesWithThePublishedOne() {
        ServerId self = ServerId.of(0, 1);
        KeyDirectory mine = serverKeys(self);
        Bytes sig = mine.scheme().sign(mine.server(self).privateKey(), MSG);
        for (ServerId other : published().servers().keySet()) {
            KeyDirectory theirs = serverKeys(other);
            assertTrue(theirs.verify(self, MSG, sig), other + " verifies");
            assertFalse(theirs.verify(ServerId.of(0, 2), MSG, sig), "under another server's key it does not verify");
        }
        assertTrue(mine.verify(ClientId.of(0, 0), MSG, ED25519.sign(ALL.client(ClientId.of(0, 0)).privateKey(), MSG)));
    }

    @Test
    void aLoadedDirectoryHoldsNoOtherPrivateKeyAndSaysSo() {
        ServerId self = ServerId.of(1, 0);
        KeyDirectory mine = serverKeys(self);
        assertFalse(mine.isDerived());
        assertTrue(mine.holdsPrivateKeyOf(self));
        assertTrue(mine.holdsPrivateKeyOf(BENIGN), "a benign site's servers hold the site key (section 4.3)");
        assertFalse(mine.holdsPrivateKeyOf(ServerId.of(1, 1)));
        assertFalse(mine.holdsPrivateKeyOf(BYZANTINE));
        assertFalse(mine.holdsPrivateKeyOf(ClientId.of(0, 0)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> mine.server(ServerId.of(1, 1)));
        assertTrue(e.getMessage().contains("no private key of 1.1"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> mine.client(ClientId.of(0, 0)));
        assertThrows(IllegalStateException.class, () -> mine.derivedSecret("threshold-proof/1.0"));
        assertEquals(ALL.server(ServerId.of(1, 1)).publicKey(), mine.publicKeyOf(ServerId.of(1, 1)).orElseThrow());
        assertTrue(mine.publicKeyOf(ServerId.of(1, 7)).isEmpty(), "a server outside the deployment has no key");
        assertTrue(mine.publicKeyOf(SiteId.of(0)).isEmpty(), "a Byzantine site has no ordinary site key");
    }

    @Test
    void aPrivateKeyThatDoesNotMatchItsPublishedKeyIsRefused() {
        ServerId self = ServerId.of(0, 0);
        KeyPair stranger = KeyDirectory.derived(ED25519, Bytes.ofUtf8("another deployment")).server(self);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyDirectory.loaded(ED25519, published(), Map.of(self, stranger.privateKey())));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> KeyDirectory.loaded(ED25519, published(), Map.of(ServerId.of(5, 0), stranger.privateKey())));
    }

    @Test
    void fPlusOneLoadedSharesCombineIntoASignatureUnderTheSitesPublicKey() {
        SiteSigning.Collector c = ((SiteSigning.Shared) keyring(ServerId.of(0, 0)).signingFor(ServerId.of(0, 0))).collector(ROOT, new TreeSet<>());
        assertNull(c.offerShare(ServerId.of(0, 1), ((SiteSigning.Shared) keyring(ServerId.of(0, 1)).signingFor(ServerId.of(0, 1))).share(ROOT)).signature());
        SiteSigning.Progress p = c.offerShare(ServerId.of(0, 3), ((SiteSigning.Shared) keyring(ServerId.of(0, 3)).signingFor(ServerId.of(0, 3))).share(ROOT));
        assertNotNull(p.signature());
        LmSignatureScheme verifier = keyring(ServerId.of(1, 2)).verifiers().get(BYZANTINE);
        assertTrue(verifier.verify(BYZANTINE, LmSignatureScheme.rootContent(BYZANTINE, ROOT), p.signature().value()));
    }

    @Test
    void proofsFromTheProofSecretVerifyAndDoNotRepeatAcrossMessages() {
        ServerId self = ServerId.of(0, 2);
        SiteSigning.Shared s = (SiteSigning.Shared) keyring(self).signingFor(self);
        Bytes other = Digests.sha256(Bytes.ofUtf8("another root"));
        assertFalse(s.isEvidenceOfBadShare(self, ROOT, s.share(ROOT), s.proof(ROOT)), "a correct share's proof verifies");
        assertEquals(s.proof(ROOT), ((SiteSigning.Shared) keyring(self).signingFor(self)).proof(ROOT), "a restart proves the same message alike");
        assertFalse(s.proof(ROOT).equals(s.proof(other)));
    }

    @Test
    void aKeyringServesOnlyItsOwnShareAndRefusesKeysOfAnotherShape() {
        LmKeyring ring = keyring(ServerId.of(0, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ring.signingFor(ServerId.of(0, 1)));
        assertTrue(e.getMessage().contains("server 0.0 only"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ring.signingFor(ServerId.of(1, 0)), "nor another site's key");
        assertTrue(keyring(ServerId.of(1, 0)).signingFor(ServerId.of(1, 0)) instanceof SiteSigning.SiteKey);

        KeyDirectory keys = serverKeys(ServerId.of(0, 0));
        ThresholdPublicKey twoOfThree = ThresholdDealer.dealInsecureForTests(new ThresholdParameters(2, 3, 512), SeededSecureRandom.fromSeed(3)).publicKey();
        assertThrows(IllegalArgumentException.class, () -> LmKeyring.loaded(keys, SITES, Map.of(BYZANTINE, twoOfThree), null, true));
        assertThrows(IllegalArgumentException.class, () -> LmKeyring.loaded(keys, SITES, Map.of(), null, true));
        assertThrows(IllegalArgumentException.class, () -> LmKeyring.loaded(keys, SITES, Map.of(BYZANTINE, DEALT.publicKey()), null, false),
                "a 512-bit key only when small keys are allowed");
        LmKeyring.OwnShare notMine = new LmKeyring.OwnShare(ServerId.of(0, 0),
                ThresholdDealer.dealInsecureForTests(new ThresholdParameters(2, 4, 512), SeededSecureRandom.fromSeed(15)).share(1), ROOT);
        assertThrows(IllegalArgumentException.class, () -> LmKeyring.loaded(keys, SITES, Map.of(BYZANTINE, DEALT.publicKey()), notMine, true),
                "a share from another dealing does not match v_i");
        assertThrows(IllegalArgumentException.class, () -> new LmKeyring.OwnShare(ServerId.of(0, 0), DEALT.share(2), ROOT));
    }
}
