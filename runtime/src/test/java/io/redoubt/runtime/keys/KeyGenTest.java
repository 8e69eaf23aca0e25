package io.redoubt.runtime.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.lm.sign.SiteSigning;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SignatureException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keygen for a small deployment, then every server loads its part: it signs with its own key,
 * every other server verifies with the published keys, it holds nothing secret of anyone else's,
 * and f+1 loaded threshold shares make a site signature (Lane 2008, sections 4.2 and 4.3).
 */
class KeyGenTest {
    // Sites 0-2 run BFT (4 servers, threshold RSA), site 3 Paxos (3 servers, one site key).
    static final Deployment DEPLOYMENT = Deployment.defaults(Composition.parse("paxos/bft,site3=paxos"), 4, 4);
    static final Deployment SMALL = Deployment.defaults(Composition.parse("paxos/paxos"), 1, 3);
    static final KeyGen.Options TEST_OPTIONS = KeyGen.Options.defaults(2).withInsecureSmallThresholdKeys(true)
            .withTlsHosts(Map.of(ServerId.of(0, 1), List.of("s01.example.net", "10.0.0.7")));
    static final Bytes MSG = Bytes.ofUtf8("an ordered update");

    @TempDir
    static Path shared;
    static Path keys;
    static Map<ServerId, KeyFiles.ServerKeys> loaded = new TreeMap<>();

    @BeforeAll
    static void generateOnce() {
        keys = shared.resolve("keys");
        KeyGen.generate(DEPLOYMENT, keys, TEST_OPTIONS);
        for (ServerId s : DEPLOYMENT.servers()) loaded.put(s, KeyFiles.loadServer(keys, DEPLOYMENT, s));
    }

    @Test
    void everyServerSignsWithItsOwnKeyAndEveryOtherServerVerifiesWithThePublishedKeys() {
        assertEquals(15, loaded.size());
        for (KeyFiles.ServerKeys signer : loaded.values()) {
            Bytes sig = signer.keys().scheme().sign(signer.keys().server(signer.self()).privateKey(), MSG);
            for (KeyFiles.ServerKeys verifier : loaded.values()) {
                assertTrue(verifier.keys().verify(signer.self(), MSG, sig), verifier.self() + " verifies " + signer.self());
                ServerId neighbour = new ServerId(signer.self().site(), (signer.self().index() + 1) % 3);
                assertFalse(verifier.keys().verify(neighbour, MSG, sig), "not under " + neighbour + "'s key");
            }
        }
    }

    @Test
    void aLoadedServerHoldsNoPrivateKeyAndNoShareButItsOwn() {
        KeyFiles.ServerKeys mine = loaded.get(ServerId.of(1, 2));
        for (ServerId other : DEPLOYMENT.servers()) {
            assertEquals(other.equals(mine.self()), mine.keys().holdsPrivateKeyOf(other), other.toString());
            if (!other.equals(mine.self())) assertThrows(IllegalStateException.class, () -> mine.keys().server(other));
        }
        for (SiteId site : DEPLOYMENT.siteIds()) assertFalse(mine.keys().holdsPrivateKeyOf(site));
        assertFalse(mine.keys().holdsPrivateKeyOf(ClientId.of(1, 0)));
        assertEquals(ServerId.of(1, 2), mine.share().orElseThrow().server());
        LmKeyring ring = mine.keyring();
        assertTrue(ring.signingFor(mine.self()) instanceof SiteSigning.Threshold);
        assertThrows(IllegalStateException.class, () -> ring.signingFor(ServerId.of(1, 0)));

        KeyFiles.ServerKeys benign = loaded.get(ServerId.of(3, 0));
        assertTrue(benign.keys().holdsPrivateKeyOf(SiteId.of(3)), "a benign site's servers hold its site key (section 4.3)");
        assertTrue(benign.share().isEmpty());
        SiteSigning.SiteKey siteKey = (SiteSigning.SiteKey) benign.keyring().signingFor(benign.self());
        assertNotNull(siteKey);
    }

    @Test
    void fPlusOneLoadedSharesOfASiteCombineIntoASignatureUnderItsPublicKey() {
        SiteId site = SiteId.of(1);
        Bytes root = Bytes.ofUtf8("a batch root of thirty-two bytes");
        SiteSigning.Shared forwarder = (SiteSigning.Shared) loaded.get(ServerId.of(1, 0)).keyring().signingFor(ServerId.of(1, 0));
        SiteSigning.Collector c = forwarder.collector(root, new TreeSet<>());
        assertNull(c.offerShare(ServerId.of(1, 0), forwarder.share(root)).signature(), "f = 1 share is not enough");
        SiteSigning.Shared other = (SiteSigning.Shared) loaded.get(ServerId.of(1, 3)).keyring().signingFor(ServerId.of(1, 3));
        SiteSigning.Progress p = c.offerShare(ServerId.of(1, 3), other.share(root));
        assertNotNull(p.signature(), "f+1 = 2 shares make the signature");
        Bytes content = LmSignatureScheme.rootContent(site, root);
        for (ServerId verifier : List.of(ServerId.of(0, 0), ServerId.of(3, 2))) {
            LmSignatureScheme scheme = loaded.get(verifier).keyring().verifiers().get(site);
            assertTrue(scheme.verify(site, content, p.signature().value()), verifier + " accepts site 1's signature");
            assertFalse(scheme.verify(site, LmSignatureScheme.rootContent(site, Bytes.ofUtf8("another root")), p.signature().value()));
        }
        LmSignatureScheme site2 = loaded.get(ServerId.of(0, 0)).keyring().verifiers().get(SiteId.of(2));
        assertFalse(site2.verify(SiteId.of(2), LmSignatureScheme.rootContent(SiteId.of(2), root), p.signature().value()));
    }

    @Test
    void aCertificateSiteNeedsNoDealerAndItsServersSignWithTheirOwnKeys() {
        Deployment certificates = Deployment.defaults(Composition.parse("paxos/bft"), 1, 4).toBuilder()
                .byzantineSiteSigning(LmKeyring.Kind.CERTIFICATE).thresholdKeyBits(2048).build();
        Path out = shared.resolve("certificates");
        KeyGen.generate(certificates, out, KeyGen.Options.defaults(0)); // no threshold key, so no small-key permission needed
        assertTrue(KeyFiles.loadPublicKeys(out).thresholdKeys().isEmpty());
        Bytes root = Bytes.ofUtf8("a batch root of thirty-two bytes");
        SiteSigning.Collector c = null;
        SiteSigning.Progress p = null;
        for (int i : new int[] {0, 2}) {
            KeyFiles.ServerKeys server = KeyFiles.loadServer(out, certificates, ServerId.of(0, i));
            assertTrue(server.share().isEmpty());
            SiteSigning.Shared signing = (SiteSigning.Shared) server.keyring().signingFor(server.self());
            if (c == null) c = signing.collector(root, new TreeSet<>());
            p = c.offerShare(server.self(), signing.share(root));
        }
        LmSignatureScheme verifier = KeyFiles.loadServer(out, ServerId.of(0, 3)).keyring().verifiers().get(SiteId.of(0));
        assertTrue(verifier.verify(SiteId.of(0), LmSignatureScheme.rootContent(SiteId.of(0), root), p.signature().value()));
    }

    @Test
    void aClientSignsWithItsOwnKeyAndServersVerifyIt() {
        KeyFiles.ClientKeys client = KeyFiles.loadClient(keys, DEPLOYMENT, ClientId.of(2, 1));
        Bytes sig = client.keys().scheme().sign(client.keys().client(client.self()).privateKey(), MSG);
        assertTrue(loaded.get(ServerId.of(0, 3)).keys().verify(ClientId.of(2, 1), MSG, sig));
        assertFalse(loaded.get(ServerId.of(0, 3)).keys().verify(ClientId.of(2, 0), MSG, sig));
        assertFalse(client.keys().holdsPrivateKeyOf(ServerId.of(2, 1)));
        assertThrows(KeyFileException.class, () -> KeyFiles.loadClient(keys, ClientId.of(2, 2)), "two clients per site were asked for");
    }

    @Test
    void secretsAreReadableByTheirOwnerOnlyAndPublicFilesByAll() throws IOException {
        assertEquals("rwx------", perms(keys));
        List<Path> secrets = new ArrayList<>();
        try (Stream<Path> all = Files.walk(keys)) {
            for (Path p : all.toList()) {
                if (p.startsWith(keys.resolve("servers")) || p.startsWith(keys.resolve("clients"))) secrets.add(p);
            }
        }
        assertEquals(2 + 15 * 4 + 8 * 4, secrets.size(), "servers/, clients/, 15 servers and 8 clients, each a directory of 3 files (keys, TLS store, its password)");
        for (Path p : secrets) assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", perms(p), p.toString());
        assertEquals("rw-r--r--", perms(KeyFiles.publicKeysFile(keys)));
        assertEquals("rw-r--r--", perms(KeyFiles.trustStoreFile(keys)));
    }

    @Test
    void theTlsStoresOpenAndEachServerCertificateChainsToTheDeploymentCa() throws Exception {
        ServerId id = ServerId.of(0, 1);
        KeyFiles.TlsStores tls = loaded.get(id).tls();
        KeyStore trust = open(tls.trustStore(), tls.trustStorePassword());
        assertEquals(List.of(TlsMaterial.CA_ALIAS), java.util.Collections.list(trust.aliases()));
        X509Certificate ca = (X509Certificate) trust.getCertificate(TlsMaterial.CA_ALIAS);
        KeyStore store = open(tls.keyStore(), tls.keyStorePassword());
        assertNotNull(store.getKey(TlsMaterial.KEY_ALIAS, tls.keyStorePassword().toCharArray()));
        Certificate[] chain = store.getCertificateChain(TlsMaterial.KEY_ALIAS);
        X509Certificate leaf = (X509Certificate) chain[0];
        assertEquals("CN=server-0.1", leaf.getSubjectX500Principal().getName());
        leaf.verify(ca.getPublicKey()); // throws unless the CA signed it
        leaf.checkValidity();
        ca.verify(ca.getPublicKey());
        assertEquals(ca, chain[1]);
        List<String> names = new ArrayList<>();
        for (List<?> san : leaf.getSubjectAlternativeNames()) names.add((String) san.get(1));
        assertEquals(List.of("localhost", "127.0.0.1", "s01.example.net", "10.0.0.7"), names);

        Path other = shared.resolve("other-ca");
        KeyGen.generate(SMALL, other, KeyGen.Options.defaults(0));
        KeyFiles.TlsStores foreign = KeyFiles.loadServer(other, ServerId.of(0, 1)).tls();
        X509Certificate stranger = (X509Certificate) open(foreign.keyStore(), foreign.keyStorePassword()).getCertificateChain(TlsMaterial.KEY_ALIAS)[0];
        assertThrows(SignatureException.class, () -> stranger.verify(ca.getPublicKey()), "a certificate of another deployment's CA");
    }

    @Test
    void keygenRefusesToOverwriteUnlessAskedAndThenOnlyAnEarlierOutput() throws IOException {
        Path out = shared.resolve("overwrite");
        KeyGen.generate(SMALL, out, KeyGen.Options.defaults(1));
        Bytes before = Bytes.wrap(Files.readAllBytes(KeyFiles.publicKeysFile(out)));
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyGen.generate(SMALL, out, KeyGen.Options.defaults(1)));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(before, Bytes.wrap(Files.readAllBytes(KeyFiles.publicKeysFile(out))), "untouched");
        KeyGen.generate(SMALL, out, KeyGen.Options.defaults(1).withOverwrite(true));
        assertNotEquals(before, Bytes.wrap(Files.readAllBytes(KeyFiles.publicKeysFile(out))), "fresh keys");
        try (Stream<Path> siblings = Files.list(shared)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".old-") || p.getFileName().toString().contains(".keygen-")));
        }

        Path notKeys = Files.createDirectory(shared.resolve("not-keys"));
        Files.writeString(notKeys.resolve("notes.txt"), "precious");
        e = assertThrows(KeyFileException.class, () -> KeyGen.generate(SMALL, notKeys, KeyGen.Options.defaults(1).withOverwrite(true)));
        assertTrue(e.getMessage().contains("not a keygen output"), e.getMessage());
        assertEquals("precious", Files.readString(notKeys.resolve("notes.txt")));
    }

    @Test
    void smallThresholdKeysOnlyWhenExplicitlyAskedFor() {
        Path out = shared.resolve("insecure");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyGen.generate(DEPLOYMENT, out, KeyGen.Options.defaults(1)));
        assertTrue(e.getMessage().contains("below 2048"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingCorruptedOrMisplacedFileIsAClearErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        Path dir = copy(keys, tmp.resolve("copy"));
        ServerId id = ServerId.of(0, 1);
        Path secret = KeyFiles.serverKeysFile(dir, id);

        byte[] bytes = Files.readAllBytes(secret);
        bytes[bytes.length / 2] ^= 1;
        Files.write(secret, bytes);
        assertError(dir, id, secret, "corrupted");

        Files.copy(KeyFiles.serverKeysFile(dir, ServerId.of(0, 2)), secret, StandardCopyOption.REPLACE_EXISTING);
        assertError(dir, id, secret, "holds the keys of server 0.2, not 0.1");

        Files.copy(KeyFiles.serverKeysFile(keys, id), secret, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(KeyFiles.tlsKeyStoreFile(dir, ServerId.of(0, 2)), KeyFiles.tlsKeyStoreFile(dir, id), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(KeyFiles.tlsPasswordFile(dir, ServerId.of(0, 2)), KeyFiles.tlsPasswordFile(dir, id), StandardCopyOption.REPLACE_EXISTING);
        assertError(dir, id, KeyFiles.tlsKeyStoreFile(dir, id), "holds the certificate of CN=server-0.2, not CN=server-0.1");
        Files.copy(KeyFiles.tlsKeyStoreFile(keys, id), KeyFiles.tlsKeyStoreFile(dir, id), StandardCopyOption.REPLACE_EXISTING);
        assertError(dir, id, KeyFiles.tlsKeyStoreFile(dir, id), "cannot be opened with its password file");
        Files.copy(KeyFiles.tlsPasswordFile(keys, id), KeyFiles.tlsPasswordFile(dir, id), StandardCopyOption.REPLACE_EXISTING);
        KeyFiles.loadServer(dir, id); // whole again

        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertError(dir, id, secret, "chmod 600");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));

        Files.delete(KeyFiles.clientKeysFile(dir, ClientId.of(0, 0)));
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadClient(dir, ClientId.of(0, 0)));
        assertTrue(e.getMessage().startsWith(KeyFiles.clientKeysFile(dir, ClientId.of(0, 0)) + ": missing"), e.getMessage());

        // The public files of another topology: the secret is of another key set, and the configuration does not fit.
        Path small = tmp.resolve("small");
        KeyGen.generate(SMALL, small, KeyGen.Options.defaults(0));
        Files.copy(KeyFiles.publicKeysFile(small), KeyFiles.publicKeysFile(dir), StandardCopyOption.REPLACE_EXISTING);
        assertError(dir, id, secret, "two keygen runs mixed");
        e = assertThrows(KeyFileException.class, () -> KeyFiles.loadServer(dir, DEPLOYMENT, id));
        assertTrue(e.getMessage().startsWith(KeyFiles.publicKeysFile(dir) + ": generated for paxos/paxos with 1 sites"), e.getMessage());
        assertTrue(e.getMessage().contains("run keygen for this configuration"), e.getMessage());
        e = assertThrows(KeyFileException.class, () -> KeyFiles.loadServer(dir, ServerId.of(2, 0)));
        assertTrue(e.getMessage().contains("has no server 2.0"), e.getMessage());

        Files.copy(KeyFiles.caCertificateFile(dir), KeyFiles.publicKeysFile(dir), StandardCopyOption.REPLACE_EXISTING);
        e = assertThrows(KeyFileException.class, () -> KeyFiles.loadServer(dir, id));
        assertTrue(e.getMessage().contains("not a Redoubt key file") || e.getMessage().contains("corrupted"), e.getMessage());
    }

    private static void assertError(Path dir, ServerId id, Path file, String text) {
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadServer(dir, id));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    private static KeyStore open(Path file, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            Collection<Path> paths = all.sorted(Comparator.naturalOrder()).toList();
            for (Path p : paths) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }
}
