package io.redoubt.runtime.keys;

import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.Ed25519Scheme;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.threshold.ThresholdDealer;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdPublicKey;
import io.redoubt.lm.sign.LmKeyring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Key generation for a real deployment (issue 14: "keygen --config C --out DIR: everything the
 * topology needs"), run once, offline, by whoever sets the deployment up. It writes the layout
 * {@link KeyFiles} describes: an Ed25519 key per server and client, a site key per benign site,
 * one dealer run per Byzantine site that signs with threshold RSA (each server gets only its own
 * share, Lane 2008 section 4.2), and a deployment CA with a TLS certificate per server.
 *
 * <p>All randomness comes from one real {@link SecureRandom}; nothing is derived from a seed, so
 * unlike the simulator's {@link KeyDirectory#derived} keys these cannot be recomputed by anyone.
 * The CA's private key and the dealer's primes are never written: adding a server means running
 * keygen again and redistributing. Output appears atomically: it is built in a sibling directory
 * and renamed into place, so a failed run leaves no half-written key set.
 */
public final class KeyGen {
    private static final List<String> LOOPBACK_HOSTS = List.of("localhost", "127.0.0.1");

    /**
     * @param clientsPerSite clients to make keys for in each site
     * @param tlsHosts further names (DNS names or IP literals) a server's certificate lists,
     *     besides localhost and 127.0.0.1
     * @param tlsValidity how long the CA and server certificates are valid
     * @param insecureSmallThresholdKeys allow threshold keys under 2048 bits: tests only
     * @param overwrite replace an existing keygen output at the output directory
     */
    public record Options(int clientsPerSite, Map<ServerId, List<String>> tlsHosts, Duration tlsValidity,
                          boolean insecureSmallThresholdKeys, boolean overwrite) {
        public Options {
            if (clientsPerSite < 0) throw new IllegalArgumentException("clients per site must be >= 0, was " + clientsPerSite);
            tlsHosts = Map.copyOf(tlsHosts);
            for (Map.Entry<ServerId, List<String>> e : tlsHosts.entrySet()) {
                for (String h : e.getValue()) {
                    if (!h.matches("[A-Za-z0-9.:-]{1,253}")) {
                        throw new IllegalArgumentException("TLS host '" + h + "' of server " + e.getKey() + " is not a DNS name or IP literal");
                    }
                }
            }
            if (tlsValidity.isNegative() || tlsValidity.isZero()) throw new IllegalArgumentException("TLS validity must be positive, was " + tlsValidity);
        }

        /** {@code clientsPerSite} clients per site, loopback TLS names only, certificates valid a year. */
        public static Options defaults(int clientsPerSite) {
            return new Options(clientsPerSite, Map.of(), Duration.ofDays(365), false, false);
        }

        public Options withTlsHosts(Map<ServerId, List<String>> v) {
            return new Options(clientsPerSite, v, tlsValidity, insecureSmallThresholdKeys, overwrite);
        }

        public Options withTlsValidity(Duration v) {
            return new Options(clientsPerSite, tlsHosts, v, insecureSmallThresholdKeys, overwrite);
        }

        public Options withInsecureSmallThresholdKeys(boolean v) {
            return new Options(clientsPerSite, tlsHosts, tlsValidity, v, overwrite);
        }

        public Options withOverwrite(boolean v) {
            return new Options(clientsPerSite, tlsHosts, tlsValidity, insecureSmallThresholdKeys, v);
        }
    }

    private KeyGen() {}

    /** Generates every key {@code deployment} needs into {@code out}, with the platform's strong-enough default {@link SecureRandom}. */
    public static void generate(Deployment deployment, Path out, Options options) {
        generate(deployment, out, options, new SecureRandom());
    }

    static void generate(Deployment deployment, Path out, Options options, SecureRandom random) {
        checkKeySize(deployment, options);
        out = out.toAbsolutePath().normalize();
        checkOutput(out, options.overwrite());
        Path staging = out.resolveSibling(out.getFileName() + ".keygen-" + Bytes.wrap(randomBytes(random, 8)).toHex());
        try {
            KeyFileFormat.mkdir(staging, KeyFileFormat.SECRET_DIR);
            write(deployment, staging, options, random);
            if (Files.exists(out)) {
                Path old = out.resolveSibling(out.getFileName() + ".old-" + Bytes.wrap(randomBytes(random, 8)).toHex());
                Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new KeyFileException(out, "could not be written (" + e + ")", "check that its parent directory is writable");
        } catch (GeneralSecurityException e) {
            deleteQuietly(staging);
            throw new IllegalStateException("this JDK cannot make the TLS material (" + e + ")", e);
        } catch (RuntimeException e) {
            deleteQuietly(staging);
            throw e;
        }
    }

    private static void checkKeySize(Deployment deployment, Options options) {
        boolean threshold = deployment.siteIds().stream().anyMatch(s -> deployment.siteSpec(s).kind() == LmKeyring.Kind.THRESHOLD);
        if (threshold && deployment.insecureThresholdKeys() && !options.insecureSmallThresholdKeys()) {
            throw new IllegalArgumentException("threshold key bits = " + deployment.thresholdKeyBits() + " is below "
                    + ThresholdParameters.MODULUS_BITS_MIN + "; valid for a real deployment: >= " + ThresholdParameters.MODULUS_BITS_MIN
                    + " (smaller keys only when explicitly asked for, in tests)");
        }
    }

    /** Refuses to replace anything but an earlier keygen output, and that only when asked. */
    private static void checkOutput(Path out, boolean overwrite) {
        if (!Files.exists(out)) return;
        boolean empty;
        try (Stream<Path> entries = Files.list(out)) {
            empty = entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new KeyFileException(out, "exists and cannot be listed (" + e + ")", "choose another output directory");
        }
        if (!overwrite) throw new KeyFileException(out, "already exists", "choose another output directory, or ask to overwrite it");
        if (!empty && !Files.exists(KeyFiles.publicKeysFile(out))) {
            throw new KeyFileException(out, "exists and is not a keygen output, so it will not be replaced", "choose another output directory");
        }
    }

    private static void write(Deployment deployment, Path dir, Options options, SecureRandom random) throws IOException, GeneralSecurityException {
        SignatureScheme scheme = Ed25519Scheme.INSTANCE;
        SortedMap<SiteId, LmKeyring.SiteSpec> sites = new TreeMap<>();
        SortedMap<ServerId, KeyPair> servers = new TreeMap<>();
        SortedMap<SiteId, KeyPair> siteKeys = new TreeMap<>();
        SortedMap<ClientId, KeyPair> clients = new TreeMap<>();
        SortedMap<SiteId, ThresholdKeyMaterial> dealt = new TreeMap<>();
        for (SiteId site : deployment.siteIds()) {
            LmKeyring.SiteSpec spec = deployment.siteSpec(site);
            sites.put(site, spec);
            for (int i = 0; i < spec.servers(); i++) servers.put(new ServerId(site, i), scheme.generate(Bytes.wrap(randomBytes(random, 32))));
            for (int c = 0; c < options.clientsPerSite(); c++) clients.put(new ClientId(site, c), scheme.generate(Bytes.wrap(randomBytes(random, 32))));
            switch (spec.kind()) {
                case SITE_KEY -> siteKeys.put(site, scheme.generate(Bytes.wrap(randomBytes(random, 32))));
                case THRESHOLD -> {
                    // (f+1, n): any f+1 servers sign, f cannot (section 4.2). One dealer run per site.
                    ThresholdParameters p = new ThresholdParameters(Quorums.oneCorrect(spec.faults()), spec.servers(), deployment.thresholdKeyBits());
                    dealt.put(site, p.insecure() ? ThresholdDealer.dealInsecureForTests(p, random) : ThresholdDealer.deal(p, random));
                }
                case CERTIFICATE -> { } // f+1 server signatures: the server keys are all it needs
            }
        }
        Instant now = Instant.now();
        TlsMaterial.Ca ca = TlsMaterial.newCa("Redoubt deployment CA", now, options.tlsValidity(), random);

        SortedMap<SiteId, ThresholdPublicKey> thresholdPublic = new TreeMap<>();
        dealt.forEach((s, m) -> thresholdPublic.put(s, m.publicKey()));
        KeyFiles.PublicKeySet everyone = new KeyFiles.PublicKeySet(deployment.composition().cliName(), scheme.name(),
                Digests.sha256(Bytes.wrap(ca.certificate().getEncoded())), deployment.thresholdKeyBits(), deployment.insecureThresholdKeys(), sites,
                new KeyDirectory.PublicKeys(publicHalves(servers), publicHalves(siteKeys), publicHalves(clients)), thresholdPublic);
        Bytes publicFile = KeyFiles.encodePublic(everyone);
        Bytes keySet = Digests.sha256(publicFile);

        KeyFileFormat.mkdir(KeyFiles.publicDir(dir), KeyFileFormat.PUBLIC_DIR);
        KeyFileFormat.write(KeyFiles.publicKeysFile(dir), publicFile.unsafeArray(), KeyFileFormat.PUBLIC_FILE);
        KeyFileFormat.write(KeyFiles.caCertificateFile(dir), TlsMaterial.pem(ca.certificate()).getBytes(StandardCharsets.US_ASCII), KeyFileFormat.PUBLIC_FILE);
        // The trust store's password guards only its integrity; everything in it is public.
        String trustPassword = TlsMaterial.password(random);
        KeyFileFormat.write(KeyFiles.trustStoreFile(dir), TlsMaterial.trustStore(ca.certificate(), trustPassword.toCharArray()), KeyFileFormat.PUBLIC_FILE);
        KeyFileFormat.write(KeyFiles.trustStorePasswordFile(dir), (trustPassword + "\n").getBytes(StandardCharsets.UTF_8), KeyFileFormat.PUBLIC_FILE);

        KeyFileFormat.mkdir(dir.resolve("servers"), KeyFileFormat.SECRET_DIR);
        for (Map.Entry<ServerId, KeyPair> e : servers.entrySet()) {
            ServerId id = e.getKey();
            KeyFileFormat.mkdir(KeyFiles.serverDir(dir, id), KeyFileFormat.SECRET_DIR);
            ThresholdKeyMaterial m = dealt.get(id.site());
            KeyPair siteKey = siteKeys.get(id.site());
            KeyFiles.ServerSecret secret = new KeyFiles.ServerSecret(keySet, id, e.getValue().privateKey(), siteKey == null ? null : siteKey.privateKey(),
                    m == null ? null : m.share(id.index() + 1), m == null ? null : Bytes.wrap(randomBytes(random, KeyFiles.PROOF_SECRET_BYTES)));
            KeyFileFormat.write(KeyFiles.serverKeysFile(dir, id), KeyFiles.encodeServerSecret(secret).unsafeArray(), KeyFileFormat.SECRET_FILE);

            List<String> hosts = new ArrayList<>(LOOPBACK_HOSTS);
            for (String h : options.tlsHosts().getOrDefault(id, List.of())) if (!hosts.contains(h)) hosts.add(h);
            writeTls(ca, KeyFiles.tlsCommonName(id), hosts, KeyFiles.tlsKeyStoreFile(dir, id), KeyFiles.tlsPasswordFile(dir, id), now,
                    options.tlsValidity(), random);
        }

        KeyFileFormat.mkdir(dir.resolve("clients"), KeyFileFormat.SECRET_DIR);
        for (Map.Entry<ClientId, KeyPair> e : clients.entrySet()) {
            KeyFileFormat.mkdir(KeyFiles.clientDir(dir, e.getKey()), KeyFileFormat.SECRET_DIR);
            KeyFileFormat.write(KeyFiles.clientKeysFile(dir, e.getKey()),
                    KeyFiles.encodeClientSecret(new KeyFiles.ClientSecret(keySet, e.getKey(), e.getValue().privateKey())).unsafeArray(),
                    KeyFileFormat.SECRET_FILE);
            // Clients hold certificates too: every connection's peer is known by its certificate.
            writeTls(ca, KeyFiles.tlsCommonName(e.getKey()), LOOPBACK_HOSTS, KeyFiles.tlsKeyStoreFile(dir, e.getKey()),
                    KeyFiles.tlsPasswordFile(dir, e.getKey()), now, options.tlsValidity(), random);
        }
    }

    /** A principal's TLS key and certificate (named {@code commonName}, signed by the CA) in a PKCS12 store, with its password file. */
    private static void writeTls(TlsMaterial.Ca ca, String commonName, List<String> hosts, Path keyStore, Path passwordFile, Instant now,
                                 Duration validity, SecureRandom random) throws IOException, GeneralSecurityException {
        java.security.KeyPair tlsKey = TlsMaterial.ecKeyPair(random);
        X509Certificate cert = TlsMaterial.serverCertificate(ca, commonName, hosts, tlsKey.getPublic(), now, validity, random);
        String password = TlsMaterial.password(random);
        KeyFileFormat.write(keyStore, TlsMaterial.pkcs12(TlsMaterial.KEY_ALIAS, tlsKey.getPrivate(), new Certificate[] {cert, ca.certificate()},
                password.toCharArray()), KeyFileFormat.SECRET_FILE);
        KeyFileFormat.write(passwordFile, (password + "\n").getBytes(StandardCharsets.UTF_8), KeyFileFormat.SECRET_FILE);
    }

    private static <K extends Comparable<K>> SortedMap<K, Bytes> publicHalves(SortedMap<K, KeyPair> pairs) {
        SortedMap<K, Bytes> out = new TreeMap<>();
        pairs.forEach((k, p) -> out.put(k, p.publicKey()));
        return out;
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: the staging directory has a random name and nothing refers to it
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
