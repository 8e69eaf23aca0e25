package io.redoubt.lm.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyDirectoryTest {

    private static final Bytes SECRET = Bytes.ofUtf8("deployment-secret-1");
    private static final Bytes OTHER_SECRET = Bytes.ofUtf8("deployment-secret-2");
    private static final Bytes MSG = Bytes.ofUtf8("ordered update 42");

    private static KeyDirectory dir(String scheme, Bytes secret) {
        return new KeyDirectory(SignatureScheme.named(scheme), secret);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void sameSecretGivesTheSameKeysInEveryInstance(String scheme) {
        KeyDirectory a = dir(scheme, SECRET);
        KeyDirectory b = dir(scheme, Bytes.copyOf(SECRET.toArray()));
        assertEquals(a.server(ServerId.of(1, 2)), b.server(ServerId.of(1, 2)));
        assertEquals(a.site(SiteId.of(3)), b.site(SiteId.of(3)));
        assertEquals(a.client(ClientId.of(0, 7)), b.client(ClientId.of(0, 7)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void differentSecretsGiveDifferentKeys(String scheme) {
        KeyDirectory a = dir(scheme, SECRET);
        KeyDirectory b = dir(scheme, OTHER_SECRET);
        assertFalse(a.server(ServerId.of(0, 0)).publicKey().equals(b.server(ServerId.of(0, 0)).publicKey()));
        assertFalse(a.site(SiteId.of(0)).publicKey().equals(b.site(SiteId.of(0)).publicKey()));
        assertFalse(a.client(ClientId.of(0, 0)).publicKey().equals(b.client(ClientId.of(0, 0)).publicKey()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void everyPrincipalGetsADistinctKey(String scheme) {
        KeyDirectory d = dir(scheme, SECRET);
        List<Object> principals = List.of(
                ServerId.of(0, 0), ServerId.of(0, 1), ServerId.of(1, 0), ServerId.of(1, 23), ServerId.of(12, 3),
                SiteId.of(0), SiteId.of(1), SiteId.of(12),
                ClientId.of(0, 0), ClientId.of(0, 1), ClientId.of(1, 0), ClientId.of(1, 23), ClientId.of(12, 3));
        Set<Bytes> keys = new HashSet<>();
        for (Object p : principals) keys.add(d.publicKeyOf(p).orElseThrow());
        assertEquals(principals.size(), keys.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void repeatedLookupsReturnTheSameKeyPair(String scheme) {
        KeyDirectory d = dir(scheme, SECRET);
        assertEquals(d.server(ServerId.of(2, 1)), d.server(ServerId.of(2, 1)));
        assertEquals(d.server(ServerId.of(2, 1)).publicKey(), d.publicKeyOf(ServerId.of(2, 1)).orElseThrow());
        assertEquals(d.site(SiteId.of(2)).publicKey(), d.publicKeyOf(SiteId.of(2)).orElseThrow());
        assertEquals(d.client(ClientId.of(2, 1)).publicKey(), d.publicKeyOf(ClientId.of(2, 1)).orElseThrow());
        assertSame(SignatureScheme.named(scheme), d.scheme());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void verifyAcceptsSignaturesByServersSitesAndClients(String scheme) {
        KeyDirectory d = dir(scheme, SECRET);
        SignatureScheme s = d.scheme();
        ServerId server = ServerId.of(1, 2);
        SiteId site = SiteId.of(1);
        ClientId client = ClientId.of(1, 2);
        assertTrue(d.verify(server, MSG, s.sign(d.server(server).privateKey(), MSG)));
        assertTrue(d.verify(site, MSG, s.sign(d.site(site).privateKey(), MSG)));
        assertTrue(d.verify(client, MSG, s.sign(d.client(client).privateKey(), MSG)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void verifyRejectsASignatureByADifferentPrincipal(String scheme) {
        KeyDirectory d = dir(scheme, SECRET);
        SignatureScheme s = d.scheme();
        Bytes byServer = s.sign(d.server(ServerId.of(1, 2)).privateKey(), MSG);
        assertFalse(d.verify(ServerId.of(1, 3), MSG, byServer));
        assertFalse(d.verify(ServerId.of(2, 2), MSG, byServer));
        assertFalse(d.verify(SiteId.of(1), MSG, byServer));
        assertFalse(d.verify(ClientId.of(1, 2), MSG, byServer), "client with the same site and index");
        Bytes bySite = s.sign(d.site(SiteId.of(1)).privateKey(), MSG);
        assertFalse(d.verify(SiteId.of(2), MSG, bySite));
        assertFalse(d.verify(ServerId.of(1, 0), MSG, bySite));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void verifyRejectsASignatureFromAnotherDeployment(String scheme) {
        KeyDirectory mine = dir(scheme, SECRET);
        KeyDirectory theirs = dir(scheme, OTHER_SECRET);
        Bytes sig = theirs.scheme().sign(theirs.server(ServerId.of(0, 0)).privateKey(), MSG);
        assertFalse(mine.verify(ServerId.of(0, 0), MSG, sig));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void unknownPrincipalTypesHaveNoKeyAndNeverVerify(String scheme) {
        KeyDirectory d = dir(scheme, SECRET);
        Bytes sig = d.scheme().sign(d.server(ServerId.of(0, 0)).privateKey(), MSG);
        for (Object p : new Object[] {"0.0", ServerId.of(0, 0).toString(), 0, "site0"}) {
            assertEquals(Optional.empty(), d.publicKeyOf(p));
            assertFalse(d.verify(p, MSG, sig));
        }
        assertEquals(Optional.empty(), d.publicKeyOf(null));
        assertFalse(d.verify(null, MSG, sig));
    }
}
