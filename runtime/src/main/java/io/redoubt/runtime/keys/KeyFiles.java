package io.redoubt.runtime.keys;

import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.threshold.KeyShare;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdPublicKey;
import io.redoubt.lm.sign.LmKeyring;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.security.auth.x500.X500Principal;

/**
 * Where {@link KeyGen} puts key material and how a server or client loads its part of it.
 *
 * <pre>
 * DIR/                          rwx------
 *   public/                     rwxr-xr-x  the same on every machine
 *     deployment.keys           every principal's public key, every site's signing arrangement and
 *                               threshold public key, the CA's fingerprint (section 4.2)
 *     ca.pem                    the deployment CA's certificate
 *     truststore.p12            PKCS12 holding only that CA; truststore.password opens it
 *   servers/S.I/                rwx------  only on server S.I
 *     server.keys               rw-------  its Ed25519 key, its benign site's site key or its
 *                                          threshold share and proof secret
 *     tls.p12, tls.password     rw-------  its TLS key and certificate chain (CN=server-S.I)
 *   clients/S.C/                rwx------  only on client C of site S
 *     client.keys               rw-------  its Ed25519 key
 * </pre>
 *
 * <p>Every secret file names the key set it belongs to (the SHA-256 of {@code deployment.keys}),
 * so files of two keygen runs are never mixed silently. A loader refuses a secret that others may
 * read. Every problem is a {@link KeyFileException} naming the file and the fix.
 */
public final class KeyFiles {
    static final String PUBLIC_KIND = "deployment-public-keys";
    static final String SERVER_KIND = "server-secret-keys";
    static final String CLIENT_KIND = "client-secret-keys";
    static final int SITES_MAX = 1024;
    static final int CLIENTS_MAX = 1 << 16;
    static final int KEY_BYTES_MAX = 256;
    static final int NAME_CHARS_MAX = 256;
    static final int PASSWORD_BYTES_MAX = 1024;
    static final int PROOF_SECRET_BYTES = 32;

    private KeyFiles() {}

    // ---------------------------------------------------------------- layout

    public static Path publicDir(Path dir) {
        return dir.resolve("public");
    }

    public static Path publicKeysFile(Path dir) {
        return publicDir(dir).resolve("deployment.keys");
    }

    public static Path caCertificateFile(Path dir) {
        return publicDir(dir).resolve("ca.pem");
    }

    public static Path trustStoreFile(Path dir) {
        return publicDir(dir).resolve("truststore.p12");
    }

    public static Path trustStorePasswordFile(Path dir) {
        return publicDir(dir).resolve("truststore.password");
    }

    public static Path serverDir(Path dir, ServerId id) {
        return dir.resolve("servers").resolve(id.site().value() + "." + id.index());
    }

    public static Path serverKeysFile(Path dir, ServerId id) {
        return serverDir(dir, id).resolve("server.keys");
    }

    public static Path tlsKeyStoreFile(Path dir, ServerId id) {
        return serverDir(dir, id).resolve("tls.p12");
    }

    public static Path tlsPasswordFile(Path dir, ServerId id) {
        return serverDir(dir, id).resolve("tls.password");
    }

    public static Path clientDir(Path dir, ClientId id) {
        return dir.resolve("clients").resolve(id.site().value() + "." + id.index());
    }

    public static Path clientKeysFile(Path dir, ClientId id) {
        return clientDir(dir, id).resolve("client.keys");
    }

    public static Path tlsKeyStoreFile(Path dir, ClientId id) {
        return clientDir(dir, id).resolve("tls.p12");
    }

    public static Path tlsPasswordFile(Path dir, ClientId id) {
        return clientDir(dir, id).resolve("tls.password");
    }

    /** The subject common name of a server's TLS certificate: the name its connections are known by. */
    public static String tlsCommonName(ServerId id) {
        return new io.redoubt.runtime.net.Principal.Server(id).name(); // the transport knows a connection's peer by this name
    }

    /** The subject common name of a client's TLS certificate. */
    public static String tlsCommonName(ClientId id) {
        return new io.redoubt.runtime.net.Principal.Client(id).name();
    }

    // ---------------------------------------------------------------- what is loaded

    /**
     * What every server and client knows (section 4.2): each site's signing arrangement, every
     * principal's public key, each threshold site's public key, and the CA by fingerprint.
     *
     * @param insecureThresholdKeys whether keygen was explicitly asked for threshold keys under
     *     2048 bits (tests); a loaded keyring accepts such keys only then
     */
    public record PublicKeySet(String composition, String signatureScheme, Bytes caCertificateSha256, int thresholdKeyBits,
                               boolean insecureThresholdKeys, SortedMap<SiteId, LmKeyring.SiteSpec> sites,
                               KeyDirectory.PublicKeys keys, SortedMap<SiteId, ThresholdPublicKey> thresholdKeys) {
        public PublicKeySet {
            sites = Collections.unmodifiableSortedMap(new TreeMap<>(sites));
            thresholdKeys = Collections.unmodifiableSortedMap(new TreeMap<>(thresholdKeys));
        }

        /** Why these keys do not fit {@code deployment}, or empty if they do. */
        public Optional<String> mismatchWith(Deployment deployment) {
            String mine = describe(composition, sites, thresholdKeyBits);
            SortedMap<SiteId, LmKeyring.SiteSpec> theirs = new TreeMap<>();
            for (SiteId s : deployment.siteIds()) theirs.put(s, deployment.siteSpec(s));
            boolean thresholdUsed = sites.values().stream().anyMatch(s -> s.kind() == LmKeyring.Kind.THRESHOLD);
            String wanted = describe(deployment.composition().cliName(), theirs, thresholdUsed ? deployment.thresholdKeyBits() : thresholdKeyBits);
            return mine.equals(wanted) ? Optional.empty()
                    : Optional.of("generated for " + mine + ", but the configuration describes " + wanted);
        }

        private static String describe(String composition, SortedMap<SiteId, LmKeyring.SiteSpec> sites, int bits) {
            StringBuilder b = new StringBuilder(composition).append(" with ").append(sites.size()).append(" sites (");
            sites.forEach((s, spec) -> b.append(s).append(": ").append(spec.servers()).append(" servers, f=").append(spec.faults())
                    .append(", ").append(kindName(spec.kind())).append("; "));
            return b.append("threshold keys of ").append(bits).append(" bits)").toString();
        }
    }

    /** The paths and passwords of a server's TLS key store and of the deployment trust store. */
    public record TlsStores(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
        /** A TLS 1.3 context that presents this principal's certificate and trusts only the deployment CA. */
        public javax.net.ssl.SSLContext sslContext() {
            try {
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store(keyStore, keyStorePassword), keyStorePassword.toCharArray());
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store(trustStore, trustStorePassword));
                javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
                context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new KeyFileException(keyStore, "cannot make a TLS context (" + e + ")", "run keygen again for this deployment", e);
            }
        }

        private static KeyStore store(Path file, String password) {
            return loadStore(file, password, "copy it again from the keygen output");
        }

        @Override
        public String toString() {
            return "TlsStores(" + keyStore + ", " + trustStore + ")"; // never print passwords
        }
    }

    /**
     * One server's keys: its {@link KeyDirectory} (everyone's public keys, its own private key
     * and its benign site's key), its threshold share if its site has one, and its TLS stores.
     */
    public record ServerKeys(ServerId self, PublicKeySet everyone, KeyDirectory keys, Optional<LmKeyring.OwnShare> share, TlsStores tls) {
        /** The logical-machine keyring of this server: every site's verifier, and its own part in signing for its site. */
        public LmKeyring keyring() {
            return LmKeyring.loaded(keys, everyone.sites(), everyone.thresholdKeys(), share.orElse(null), everyone.insecureThresholdKeys());
        }

        @Override
        public String toString() {
            return "ServerKeys(" + self + ")";
        }
    }

    /** One client's keys: everyone's public keys, its own private key, and its TLS stores. */
    public record ClientKeys(ClientId self, PublicKeySet everyone, KeyDirectory keys, TlsStores tls) {
        @Override
        public String toString() {
            return "ClientKeys(" + self + ")";
        }
    }

    // ---------------------------------------------------------------- loading

    /** Loads {@code id}'s keys from a keygen output (or a copy holding {@code public/} and {@code servers/S.I/}). */
    public static ServerKeys loadServer(Path dir, ServerId id) {
        Loaded everyone = loadPublic(dir);
        LmKeyring.SiteSpec spec = everyone.set.sites().get(id.site());
        Path file = serverKeysFile(dir, id);
        if (spec == null || id.index() >= spec.servers()) {
            throw new KeyFileException(publicKeysFile(dir), "has no server " + id,
                    "check the server id, or run keygen for the configuration that has it");
        }
        KeyFileFormat.checkOwnerOnly(file);
        String fix = "copy " + serverDir(dir, id) + " from the same keygen output as public/";
        ServerSecret secret = KeyFileFormat.open(file, SERVER_KIND, fix, KeyFiles::readServerSecret);
        checkKeySet(file, secret.keySet, everyone.id, fix);
        if (!secret.server.equals(id)) throw new KeyFileException(file, "holds the keys of server " + secret.server + ", not " + id, fix);
        Map<Object, Bytes> own = new LinkedHashMap<>();
        own.put(id, secret.privateKey);
        if (secret.sitePrivateKey != null) own.put(id.site(), secret.sitePrivateKey);
        KeyDirectory keys = directory(file, everyone.set, own, fix);
        Optional<LmKeyring.OwnShare> share = Optional.empty();
        if (secret.share != null) {
            try {
                share = Optional.of(new LmKeyring.OwnShare(id, secret.share, secret.proofSecret));
            } catch (IllegalArgumentException e) {
                throw new KeyFileException(file, "its threshold share: " + e.getMessage(), fix);
            }
        }
        if ((spec.kind() == LmKeyring.Kind.THRESHOLD) != share.isPresent()) {
            throw new KeyFileException(file, share.isPresent() ? "holds a threshold share, but " + id.site() + " does not sign with threshold RSA"
                    : "holds no threshold share, but " + id.site() + " signs with threshold RSA", fix);
        }
        if ((spec.kind() == LmKeyring.Kind.SITE_KEY) != (secret.sitePrivateKey != null)) {
            throw new KeyFileException(file, "its site key does not fit how " + id.site() + " signs (" + kindName(spec.kind()) + ")", fix);
        }
        ServerKeys loaded = new ServerKeys(id, everyone.set, keys, share, loadTls(dir, id, everyone.set));
        try {
            loaded.keyring(); // a share that does not match v_i fails here, at start, and names the file
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, e.getMessage(), fix);
        }
        return loaded;
    }

    /** {@link #loadServer(Path, ServerId)}, after checking that the keys were generated for {@code deployment}. */
    public static ServerKeys loadServer(Path dir, Deployment deployment, ServerId id) {
        checkFits(dir, deployment);
        return loadServer(dir, id);
    }

    public static ClientKeys loadClient(Path dir, ClientId id) {
        Loaded everyone = loadPublic(dir);
        Path file = clientKeysFile(dir, id);
        if (!everyone.set.keys().clients().containsKey(id)) {
            throw new KeyFileException(publicKeysFile(dir), "has no client " + id, "check the client id, or run keygen with more clients per site");
        }
        KeyFileFormat.checkOwnerOnly(file);
        String fix = "copy " + clientDir(dir, id) + " from the same keygen output as public/";
        ClientSecret secret = KeyFileFormat.open(file, CLIENT_KIND, fix, KeyFiles::readClientSecret);
        checkKeySet(file, secret.keySet, everyone.id, fix);
        if (!secret.client.equals(id)) throw new KeyFileException(file, "holds the keys of client " + secret.client + ", not " + id, fix);
        return new ClientKeys(id, everyone.set, directory(file, everyone.set, Map.of(id, secret.privateKey), fix),
                loadTls(dir, tlsKeyStoreFile(dir, id), tlsPasswordFile(dir, id), tlsCommonName(id), fix, everyone.set));
    }

    public static ClientKeys loadClient(Path dir, Deployment deployment, ClientId id) {
        checkFits(dir, deployment);
        return loadClient(dir, id);
    }

    /** The public key set alone, e.g. for a tool that only verifies. */
    public static PublicKeySet loadPublicKeys(Path dir) {
        return loadPublic(dir).set;
    }

    private static void checkFits(Path dir, Deployment deployment) {
        Optional<String> mismatch = loadPublic(dir).set.mismatchWith(deployment);
        if (mismatch.isPresent()) {
            throw new KeyFileException(publicKeysFile(dir), mismatch.get(),
                    "run keygen for this configuration and copy its output to every server and client");
        }
    }

    private record Loaded(PublicKeySet set, Bytes id) {}

    private static Loaded loadPublic(Path dir) {
        Path file = publicKeysFile(dir);
        String fix = "copy public/ from the keygen output, or run keygen --out " + dir;
        byte[] bytes = KeyFileFormat.readBounded(file, fix);
        return new Loaded(KeyFileFormat.open(file, bytes, PUBLIC_KIND, fix, KeyFiles::readPublic), Digests.sha256(bytes));
    }

    private static void checkKeySet(Path file, Bytes keySet, Bytes expected, String fix) {
        if (!keySet.equals(expected)) {
            throw new KeyFileException(file, "belongs to key set " + keySet.toHex().substring(0, 16) + ", but public/deployment.keys is key set "
                    + expected.toHex().substring(0, 16) + " (two keygen runs mixed)", fix);
        }
    }

    private static KeyDirectory directory(Path file, PublicKeySet everyone, Map<Object, Bytes> own, String fix) {
        try {
            return KeyDirectory.loaded(SignatureScheme.named(everyone.signatureScheme()), everyone.keys(), own);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, e.getMessage(), fix);
        }
    }

    private static TlsStores loadTls(Path dir, ServerId id, PublicKeySet everyone) {
        return loadTls(dir, tlsKeyStoreFile(dir, id), tlsPasswordFile(dir, id), tlsCommonName(id),
                "copy " + serverDir(dir, id) + " from the same keygen output as public/", everyone);
    }

    /** A principal's TLS key store (its certificate must name it and chain to this deployment's CA) and the trust store. */
    private static TlsStores loadTls(Path dir, Path keyFile, Path passwordFile, String commonName, String fix, PublicKeySet everyone) {
        Path trustFile = trustStoreFile(dir);
        String publicFix = "copy public/ from the keygen output that made public/deployment.keys";
        String trustPassword = readPassword(trustStorePasswordFile(dir), publicFix);
        KeyStore trust = loadStore(trustFile, trustPassword, publicFix);
        X509Certificate ca;
        try {
            ca = (X509Certificate) trust.getCertificate(TlsMaterial.CA_ALIAS);
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(trustFile, "unreadable (" + e + ")", publicFix, e);
        }
        if (ca == null || !Digests.sha256(encoded(trustFile, ca, publicFix)).equals(everyone.caCertificateSha256())) {
            throw new KeyFileException(trustFile, "does not hold the CA that public/deployment.keys names", publicFix);
        }
        KeyFileFormat.checkOwnerOnly(keyFile);
        KeyFileFormat.checkOwnerOnly(passwordFile);
        String keyPassword = readPassword(passwordFile, fix);
        KeyStore keys = loadStore(keyFile, keyPassword, fix);
        try {
            Certificate[] chain = keys.getCertificateChain(TlsMaterial.KEY_ALIAS);
            if (chain == null || chain.length == 0 || !keys.isKeyEntry(TlsMaterial.KEY_ALIAS)) {
                throw new KeyFileException(keyFile, "has no key entry '" + TlsMaterial.KEY_ALIAS + "'", fix);
            }
            X509Certificate leaf = (X509Certificate) chain[0];
            X500Principal expected = new X500Principal("CN=" + commonName);
            if (!leaf.getSubjectX500Principal().equals(expected)) {
                throw new KeyFileException(keyFile, "holds the certificate of " + leaf.getSubjectX500Principal().getName() + ", not " + expected.getName(), fix);
            }
            try {
                leaf.verify(ca.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new KeyFileException(keyFile, "holds a certificate not signed by this deployment's CA", fix);
            }
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(keyFile, "unreadable (" + e + ")", fix, e);
        }
        return new TlsStores(keyFile, keyPassword, trustFile, trustPassword);
    }

    private static byte[] encoded(Path file, X509Certificate c, String fix) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(file, "unreadable certificate (" + e + ")", fix, e);
        }
    }

    private static KeyStore loadStore(Path file, String password, String fix) {
        byte[] bytes = KeyFileFormat.readBounded(file, fix);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(bytes), password.toCharArray());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new KeyFileException(file, "cannot be opened with its password file (" + e.getMessage() + ")", fix, e);
        }
    }

    private static String readPassword(Path file, String fix) {
        byte[] bytes = KeyFileFormat.readBounded(file, fix);
        if (bytes.length > PASSWORD_BYTES_MAX) throw new KeyFileException(file, "longer than any password (" + bytes.length + " bytes)", fix);
        String p = new String(bytes, StandardCharsets.UTF_8).strip();
        if (p.isEmpty()) throw new KeyFileException(file, "empty", fix);
        return p;
    }

    // ---------------------------------------------------------------- encodings (versioned by KeyFileFormat)

    static String kindName(LmKeyring.Kind kind) {
        return switch (kind) {
            case SITE_KEY -> "site-key";
            case THRESHOLD -> "threshold";
            case CERTIFICATE -> "certificate";
        };
    }

    static Bytes encodePublic(PublicKeySet p) {
        CanonicalWriter w = new CanonicalWriter().utf8(p.composition()).utf8(p.signatureScheme()).bytes(p.caCertificateSha256())
                .i32(p.thresholdKeyBits()).bool(p.insecureThresholdKeys());
        w.list(List.copyOf(p.sites().keySet()), (out, site) -> {
            LmKeyring.SiteSpec spec = p.sites().get(site);
            out.site(site).i32(spec.servers()).i32(spec.faults()).utf8(kindName(spec.kind()));
            Bytes siteKey = p.keys().sites().get(site);
            out.bool(siteKey != null);
            if (siteKey != null) out.bytes(siteKey);
            ThresholdPublicKey t = p.thresholdKeys().get(site);
            out.bool(t != null);
            if (t != null) t.encodeTo(out);
            for (int i = 0; i < spec.servers(); i++) out.bytes(p.keys().servers().get(new ServerId(site, i)));
        });
        w.list(List.copyOf(p.keys().clients().entrySet()), (out, e) -> out.client(e.getKey()).bytes(e.getValue()));
        return KeyFileFormat.seal(PUBLIC_KIND, w);
    }

    private static PublicKeySet readPublic(CanonicalReader r) throws DecodeException {
        String composition = r.utf8(NAME_CHARS_MAX);
        String scheme = r.utf8(NAME_CHARS_MAX);
        try {
            SignatureScheme.named(scheme);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(e.getMessage());
        }
        Bytes ca = r.bytes(32);
        int bits = r.count(ThresholdParameters.MODULUS_BITS_MAX, "threshold key bits");
        boolean insecure = r.bool();
        SortedMap<SiteId, LmKeyring.SiteSpec> sites = new TreeMap<>();
        SortedMap<ServerId, Bytes> servers = new TreeMap<>();
        SortedMap<SiteId, Bytes> siteKeys = new TreeMap<>();
        SortedMap<SiteId, ThresholdPublicKey> threshold = new TreeMap<>();
        int siteCount = r.count(SITES_MAX, "sites");
        for (int s = 0; s < siteCount; s++) {
            SiteId site = r.site();
            int n = r.count(ThresholdParameters.SERVERS_MAX, "servers of " + site);
            int f = r.count(ThresholdParameters.SERVERS_MAX, "faults of " + site);
            LmKeyring.Kind kind;
            LmKeyring.SiteSpec spec;
            try {
                kind = LmKeyring.Kind.parse(r.utf8(32));
                spec = new LmKeyring.SiteSpec(n, f, kind);
            } catch (IllegalArgumentException e) {
                throw new DecodeException(site + ": " + e.getMessage());
            }
            if (sites.put(site, spec) != null) throw new DecodeException(site + " listed twice");
            if (r.bool()) siteKeys.put(site, r.bytes(KEY_BYTES_MAX));
            if (r.bool()) threshold.put(site, ThresholdPublicKey.decode(r));
            if (siteKeys.containsKey(site) != (kind == LmKeyring.Kind.SITE_KEY) || threshold.containsKey(site) != (kind == LmKeyring.Kind.THRESHOLD)) {
                throw new DecodeException(site + " signs with " + kindName(kind) + " but its keys do not fit that");
            }
            for (int i = 0; i < n; i++) servers.put(new ServerId(site, i), r.bytes(KEY_BYTES_MAX));
        }
        SortedMap<ClientId, Bytes> clients = new TreeMap<>();
        int clientCount = r.count(CLIENTS_MAX, "clients");
        for (int c = 0; c < clientCount; c++) {
            ClientId id = r.client();
            if (!sites.containsKey(id.site())) throw new DecodeException("client " + id + " of a site not in the deployment");
            if (clients.put(id, r.bytes(KEY_BYTES_MAX)) != null) throw new DecodeException("client " + id + " listed twice");
        }
        return new PublicKeySet(composition, scheme, ca, bits, insecure, sites, new KeyDirectory.PublicKeys(servers, siteKeys, clients), threshold);
    }

    record ServerSecret(Bytes keySet, ServerId server, Bytes privateKey, Bytes sitePrivateKey, KeyShare share, Bytes proofSecret) {
        @Override
        public String toString() {
            return "ServerSecret(" + server + ")";
        }
    }

    static Bytes encodeServerSecret(ServerSecret s) {
        CanonicalWriter w = new CanonicalWriter().bytes(s.keySet()).server(s.server()).bytes(s.privateKey());
        w.bool(s.sitePrivateKey() != null);
        if (s.sitePrivateKey() != null) w.bytes(s.sitePrivateKey());
        w.bool(s.share() != null);
        if (s.share() != null) {
            s.share().encodeTo(w);
            w.bytes(s.proofSecret());
        }
        return KeyFileFormat.seal(SERVER_KIND, w);
    }

    private static ServerSecret readServerSecret(CanonicalReader r) throws DecodeException {
        Bytes keySet = r.bytes(32);
        ServerId server = r.server();
        Bytes privateKey = r.bytes(KEY_BYTES_MAX);
        Bytes siteKey = r.bool() ? r.bytes(KEY_BYTES_MAX) : null;
        KeyShare share = null;
        Bytes proofSecret = null;
        if (r.bool()) {
            share = KeyShare.decode(r);
            proofSecret = r.bytes(PROOF_SECRET_BYTES);
            if (proofSecret.length() != PROOF_SECRET_BYTES) throw new DecodeException("proof secret of " + proofSecret.length() + " bytes");
        }
        return new ServerSecret(keySet, server, privateKey, siteKey, share, proofSecret);
    }

    record ClientSecret(Bytes keySet, ClientId client, Bytes privateKey) {
        @Override
        public String toString() {
            return "ClientSecret(" + client + ")";
        }
    }

    static Bytes encodeClientSecret(ClientSecret s) {
        return KeyFileFormat.seal(CLIENT_KIND, new CanonicalWriter().bytes(s.keySet()).client(s.client()).bytes(s.privateKey()));
    }

    private static ClientSecret readClientSecret(CanonicalReader r) throws DecodeException {
        return new ClientSecret(r.bytes(32), r.client(), r.bytes(KEY_BYTES_MAX));
    }
}
