package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Who holds which key (section 4.2): every server knows the public keys of the servers of its
 * site, of every site, and of every client. Benign sites sign as a logical machine with one
 * ordinary site key that each of their servers holds (section 4.3).
 *
 * <p>Two modes, one class, so that everything above it runs unchanged in both:
 * <ul>
 *   <li>{@link #derived}: every key of every principal derived from one deployment secret, so a
 *       simulation seed reproduces them. Whoever holds the secret holds every private key: right
 *       for the simulator and tests, wrong for a real server.</li>
 *   <li>{@link #loaded}: the deployment's public keys plus only the private keys this holder owns
 *       (a server: its own and, in a benign site, its site's; a client: its own), as written by
 *       an offline key generation. Asking for any other private key fails loudly.</li>
 * </ul>
 */
public final class KeyDirectory {
    /** Every principal's public key, as key generation publishes it to the whole deployment. */
    public record PublicKeys(SortedMap<ServerId, Bytes> servers, SortedMap<SiteId, Bytes> sites, SortedMap<ClientId, Bytes> clients) {
        public PublicKeys {
            servers = Collections.unmodifiableSortedMap(new TreeMap<>(servers));
            sites = Collections.unmodifiableSortedMap(new TreeMap<>(sites));
            clients = Collections.unmodifiableSortedMap(new TreeMap<>(clients));
        }

        Optional<Bytes> of(Object principal) {
            if (principal instanceof ServerId s) return Optional.ofNullable(servers.get(s));
            if (principal instanceof SiteId s) return Optional.ofNullable(sites.get(s));
            if (principal instanceof ClientId c) return Optional.ofNullable(clients.get(c));
            return Optional.empty();
        }
    }

    private static final Bytes OWNERSHIP_PROBE = Bytes.ofUtf8("redoubt/key-directory/ownership-probe/v1");

    private final SignatureScheme scheme;
    private final Bytes deploymentSecret; // derived mode only; null when loaded
    private final PublicKeys published;   // loaded mode only; null when derived
    // Derived mode: a cache of derived pairs. Loaded mode: exactly the pairs this holder owns.
    private final Map<ServerId, KeyPair> servers = new TreeMap<>();
    private final Map<SiteId, KeyPair> sites = new TreeMap<>();
    private final Map<ClientId, KeyPair> clients = new TreeMap<>();

    /** The same as {@link #derived}; kept because the simulator and many tests build it so. */
    public KeyDirectory(SignatureScheme scheme, Bytes deploymentSecret) {
        this.scheme = scheme;
        this.deploymentSecret = Objects.requireNonNull(deploymentSecret, "deploymentSecret");
        this.published = null;
    }

    private KeyDirectory(SignatureScheme scheme, PublicKeys published) {
        this.scheme = scheme;
        this.deploymentSecret = null;
        this.published = published;
    }

    /** Every key derived from {@code deploymentSecret}: the simulator's and the tests' mode. */
    public static KeyDirectory derived(SignatureScheme scheme, Bytes deploymentSecret) {
        return new KeyDirectory(scheme, deploymentSecret);
    }

    /**
     * Keys loaded from key generation's files: everyone's public keys and the private keys this
     * holder owns, each keyed by its principal ({@link ServerId}, {@link SiteId} or
     * {@link ClientId}).
     *
     * @throws IllegalArgumentException if an owned private key belongs to no published principal
     *     or does not match the public key published for it (a key file from another deployment)
     */
    public static KeyDirectory loaded(SignatureScheme scheme, PublicKeys everyone, Map<?, Bytes> ownPrivateKeys) {
        KeyDirectory d = new KeyDirectory(scheme, everyone);
        for (Map.Entry<?, Bytes> e : ownPrivateKeys.entrySet()) {
            Object who = e.getKey();
            Bytes publicKey = everyone.of(who).orElseThrow(() -> new IllegalArgumentException(
                    "a private key for " + who + ", which has no published public key"));
            // Sign and verify a probe rather than re-derive: it holds for any scheme.
            if (!scheme.verify(publicKey, OWNERSHIP_PROBE, scheme.sign(e.getValue(), OWNERSHIP_PROBE))) {
                throw new IllegalArgumentException("the private key of " + who + " does not match its published public key");
            }
            KeyPair pair = new KeyPair(e.getValue(), publicKey);
            if (who instanceof ServerId s) d.servers.put(s, pair);
            else if (who instanceof SiteId s) d.sites.put(s, pair);
            else d.clients.put((ClientId) who, pair);
        }
        return d;
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    /** Whether keys are derived from a deployment secret (the simulator) rather than loaded. */
    public boolean isDerived() {
        return deploymentSecret != null;
    }

    /**
     * A secret derived from the deployment secret for {@code purpose}, e.g. the randomness a
     * dealer uses for a site's threshold key, so that a seed reproduces that key too.
     *
     * @throws IllegalStateException for loaded keys, which have no deployment secret
     */
    public Bytes derivedSecret(String purpose) {
        if (deploymentSecret == null) {
            throw new IllegalStateException("loaded keys have no deployment secret to derive '" + purpose + "' from");
        }
        return Digests.sha256(deploymentSecret, Bytes.wrap(("derived/" + purpose).getBytes(StandardCharsets.UTF_8)));
    }

    private KeyPair derive(String who) {
        Bytes seed = Digests.sha256(deploymentSecret, Bytes.wrap(who.getBytes(StandardCharsets.UTF_8)));
        return scheme.generate(seed);
    }

    /** {@code derivation} names the key to derive; built only when it is derived (verifiers look keys up all the time). */
    private <K> KeyPair pair(Map<K, KeyPair> owned, K id, java.util.function.Function<K, String> derivation) {
        if (deploymentSecret != null) return owned.computeIfAbsent(id, k -> derive(derivation.apply(k)));
        KeyPair pair = owned.get(id);
        if (pair == null) {
            throw new IllegalStateException("this key directory holds no private key of " + id + " (it holds those of "
                    + owned() + "); a server holds only its own key and its benign site's key (section 4.2)");
        }
        return pair;
    }

    private String owned() {
        List<String> names = new ArrayList<>();
        servers.keySet().forEach(s -> names.add("server " + s));
        sites.keySet().forEach(s -> names.add(s.toString()));
        clients.keySet().forEach(c -> names.add("client " + c));
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** {@code id}'s key pair; loaded keys have it only for this holder's own server. */
    public synchronized KeyPair server(ServerId id) {
        return pair(servers, id, k -> "server/" + k);
    }

    /** {@code id}'s site key pair; loaded keys have it only in a server of that (benign) site. */
    public synchronized KeyPair site(SiteId id) {
        return pair(sites, id, k -> "site/" + k.value());
    }

    /** {@code id}'s key pair; loaded keys have it only in that client. */
    public synchronized KeyPair client(ClientId id) {
        return pair(clients, id, k -> "client/" + k);
    }

    /** Whether this directory can sign as {@code principal}: always when derived, only for owned keys when loaded. */
    public synchronized boolean holdsPrivateKeyOf(Object principal) {
        boolean derived = deploymentSecret != null;
        if (principal instanceof ServerId s) return derived || servers.containsKey(s);
        if (principal instanceof SiteId s) return derived || sites.containsKey(s);
        if (principal instanceof ClientId c) return derived || clients.containsKey(c);
        return false;
    }

    /**
     * Public keys already looked up: every signature check asks, and the synchronized lookup of
     * the key pair showed in profiles. Keys never change once derived or loaded.
     */
    private final java.util.concurrent.ConcurrentHashMap<Object, Optional<Bytes>> publicKeys = new java.util.concurrent.ConcurrentHashMap<>();

    /** The public half only, as seen by a verifier; empty for a principal outside the deployment. */
    public Optional<Bytes> publicKeyOf(Object principal) {
        if (principal == null) return Optional.empty();
        Optional<Bytes> known = publicKeys.get(principal);
        if (known != null) return known;
        Optional<Bytes> key = lookUpPublicKey(principal);
        if (key.isPresent()) publicKeys.putIfAbsent(principal, key); // absent ones may be asked for by anyone: not kept
        return key;
    }

    private Optional<Bytes> lookUpPublicKey(Object principal) {
        if (published != null) return published.of(principal);
        if (principal instanceof ServerId s) return Optional.of(server(s).publicKey());
        if (principal instanceof SiteId s) return Optional.of(site(s).publicKey());
        if (principal instanceof ClientId c) return Optional.of(client(c).publicKey());
        return Optional.empty();
    }

    public boolean verify(Object principal, Bytes message, Bytes signature) {
        Optional<Bytes> key = publicKeyOf(principal);
        return key.isPresent() && scheme.verify(key.get(), message, signature);
    }
}
