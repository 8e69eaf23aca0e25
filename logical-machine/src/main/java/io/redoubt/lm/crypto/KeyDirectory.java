package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who holds which key (section 4.2): every server knows the public keys of the servers of its
 * site, of every site, and of every client. Benign sites sign as a logical machine with one
 * ordinary site key that each of their servers holds (section 4.3).
 *
 * <p>Keys are derived from a deployment secret so that a deployment or a simulation seed
 * reproduces them; a real deployment's key generation command replaces this derivation.
 */
public final class KeyDirectory {
    private final SignatureScheme scheme;
    private final Map<ServerId, KeyPair> servers = new TreeMap<>();
    private final Map<SiteId, KeyPair> sites = new TreeMap<>();
    private final Map<ClientId, KeyPair> clients = new TreeMap<>();
    private final Bytes deploymentSecret;

    public KeyDirectory(SignatureScheme scheme, Bytes deploymentSecret) {
        this.scheme = scheme;
        this.deploymentSecret = deploymentSecret;
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    /**
     * A secret derived from the deployment secret for {@code purpose}, e.g. the randomness a
     * dealer uses for a site's threshold key, so that a seed reproduces that key too.
     */
    public Bytes derivedSecret(String purpose) {
        return Digests.sha256(deploymentSecret, Bytes.wrap(("derived/" + purpose).getBytes(StandardCharsets.UTF_8)));
    }

    private KeyPair derive(String who) {
        Bytes seed = Digests.sha256(deploymentSecret, Bytes.wrap(who.getBytes(StandardCharsets.UTF_8)));
        return scheme.generate(seed);
    }

    public synchronized KeyPair server(ServerId id) {
        return servers.computeIfAbsent(id, k -> derive("server/" + k));
    }

    public synchronized KeyPair site(SiteId id) {
        return sites.computeIfAbsent(id, k -> derive("site/" + k.value()));
    }

    public synchronized KeyPair client(ClientId id) {
        return clients.computeIfAbsent(id, k -> derive("client/" + k));
    }

    /** The public half only, as seen by a verifier; empty for a principal outside the deployment. */
    public Optional<Bytes> publicKeyOf(Object principal) {
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
