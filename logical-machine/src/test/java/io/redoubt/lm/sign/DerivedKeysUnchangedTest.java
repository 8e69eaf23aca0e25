package io.redoubt.lm.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.merkle.ThresholdLmScheme;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The simulator replays a seed byte for byte, so the keys it derives from a deployment secret
 * must never change. These values were recorded before keys could also be loaded from files
 * (issue 14); if one of them changes, every recorded seed and trace hash changes with it.
 */
class DerivedKeysUnchangedTest {
    private static final Bytes SECRET = Bytes.ofUtf8("derived-mode-regression");

    @Test
    void derivedEd25519KeysAreTheRecordedOnes() {
        KeyDirectory d = KeyDirectory.derived(SignatureScheme.named("ed25519"), SECRET);
        assertEquals("fe0f28fc615d7543b3e5cb8ff8fed51f998889181bee3ccd120eb78f421c0ca3", d.server(ServerId.of(1, 2)).publicKey().toHex());
        assertEquals("16061bfc4047b053f3ab123fbb271323101f7ebbc228bb0de2914320c7a6961e", d.server(ServerId.of(1, 2)).privateKey().toHex());
        assertEquals("2059eaae0c4926a1a8031777e351664e3a94c26876502f79d9a02da0338684a8", d.site(SiteId.of(3)).publicKey().toHex());
        assertEquals("7e828d252f6412ca413bfd822c5e2b4468fc0cd2ed8442e61252f843193b8790", d.client(ClientId.of(0, 7)).publicKey().toHex());
        assertEquals("8d96dd7bce24f73a5506e912c82883e6156cac66c0881d31abe1e51f4ed30c8c", d.derivedSecret("threshold-key/site0").toHex());
    }

    @Test
    void derivedSimulatedKeysAreTheRecordedOnes() {
        KeyDirectory d = new KeyDirectory(SignatureScheme.named("simulated"), SECRET); // the old constructor still works
        assertEquals("a9b17063401c758bf3670e21835e2e325eae462abf39e6675a1e7d3eeb97e5b2", d.server(ServerId.of(1, 2)).publicKey().toHex());
        assertEquals("d43d36b0eb1cc5f265b490ba8bb30f8164e8a97bbcfa9c1be7606ebbd58ac6d2", d.site(SiteId.of(3)).publicKey().toHex());
        assertEquals("cc6fe58bdd3cd9257b5d3c561b13a56d50b00964dd7f32e7561ebeafe6cbf274", d.client(ClientId.of(0, 7)).publicKey().toHex());
    }

    @Test
    void derivedThresholdKeyShareAndProofAreTheRecordedOnes() {
        KeyDirectory d = KeyDirectory.derived(SignatureScheme.named("ed25519"), SECRET);
        Map<SiteId, LmKeyring.SiteSpec> specs = new TreeMap<>();
        specs.put(SiteId.of(0), new LmKeyring.SiteSpec(4, 1, LmKeyring.Kind.THRESHOLD));
        specs.put(SiteId.of(1), new LmKeyring.SiteSpec(3, 1, LmKeyring.Kind.SITE_KEY));
        LmKeyring keyring = new LmKeyring(d, specs, 512, true);
        ThresholdLmScheme verifier = (ThresholdLmScheme) keyring.verifiers().get(SiteId.of(0));
        assertEquals("2d25f03915c4be7eb166588198549a5f8e57f8f1c3142e595d5e6ae6dd365d7d", Digests.sha256(verifier.publicKey().encode()).toHex());
        SiteSigning.Threshold signing = (SiteSigning.Threshold) keyring.signingFor(ServerId.of(0, 2));
        Bytes root = Digests.sha256(Bytes.ofUtf8("root"));
        assertEquals("cdb4a92dcf441a7e73134d74f53e6e7eab800218b0fbce6304621ceb1d9fd28f", Digests.sha256(signing.share(root)).toHex());
        assertEquals("5fbf75bbac9dc1c4bf2a95b69c714b940c57749fd4c377131de7ed219d5259be", Digests.sha256(signing.proof(root)).toHex());
    }
}
