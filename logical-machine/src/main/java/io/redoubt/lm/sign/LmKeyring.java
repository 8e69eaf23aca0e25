package io.redoubt.lm.sign;

import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.CertificateLmScheme;
import io.redoubt.lm.crypto.merkle.CertificateLmSigner;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.SingleKeyLmScheme;
import io.redoubt.lm.crypto.merkle.ThresholdLmScheme;
import io.redoubt.lm.crypto.threshold.KeyShare;
import io.redoubt.lm.crypto.threshold.SeededSecureRandom;
import io.redoubt.lm.crypto.threshold.ThresholdDealer;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdPublicKey;
import io.redoubt.lm.crypto.threshold.ThresholdSigner;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every site's logical-machine signing arrangement in one deployment (Lane 2008, sections 4.2
 * and 4.3): which sites sign with one site key (benign), which combine f+1 shares (Byzantine),
 * and with which share kind; and, for threshold RSA, the key the dealer gave each such site.
 *
 * <p>Two modes, as {@link KeyDirectory} has. The constructor deals threshold keys here from
 * randomness derived from the deployment secret, so a seed reproduces them (the simulator).
 * {@link #loaded} takes what an offline dealer produced: every Byzantine site's public key and,
 * for a server of such a site, its own share only, so no server ever holds another's share.
 * Keys under 2048 bits are accepted only when {@code insecureSmallKeys} says so (the
 * simulator's campaigns, like its stand-in signature scheme, trade key strength for speed).
 */
public final class LmKeyring {
    /** How a site signs as a logical machine. */
    public enum Kind {
        /** One ordinary signature with the site key: a benign site. */
        SITE_KEY,
        /** Shoup threshold RSA with threshold f+1 of 3f+1: a Byzantine site (the dissertation's choice). */
        THRESHOLD,
        /** A certificate of f+1 ordinary server signatures: a Byzantine site, no dealer needed. */
        CERTIFICATE;

        public static Kind parse(String s) {
            return switch (s) {
                case "site-key" -> SITE_KEY;
                case "threshold" -> THRESHOLD;
                case "certificate" -> CERTIFICATE;
                default -> throw new IllegalArgumentException("'" + s + "' is not a logical-machine signature kind; valid: threshold, certificate");
            };
        }
    }

    /** One site: its servers, the faults f it tolerates, and how it signs. */
    public record SiteSpec(int servers, int faults, Kind kind) {
        public SiteSpec {
            if (servers < 1) throw new IllegalArgumentException("a site needs at least one server, had " + servers);
            if (faults < 0 || faults >= servers) throw new IllegalArgumentException("f must be in [0, " + (servers - 1) + "], was " + faults);
        }
    }

    /**
     * One server's part of its site's threshold key as key generation ships it, with the secret
     * its proofs of correctness draw their randomness from ({@link ThresholdSigner#withProofSecret}).
     */
    public record OwnShare(ServerId server, KeyShare share, Bytes proofSecret) {
        public OwnShare {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(share, "share");
            Objects.requireNonNull(proofSecret, "proofSecret");
            if (share.serverIndex() != server.index() + 1) {
                throw new IllegalArgumentException("share of threshold index " + share.serverIndex() + " given to server " + server
                        + ", whose index is " + (server.index() + 1));
            }
        }

        @Override
        public String toString() {
            return "OwnShare(" + server + ")"; // never print the secrets
        }
    }

    private final KeyDirectory keys;
    private final Map<SiteId, SiteSpec> sites;
    private final Map<SiteId, LmSignatureScheme> verifiers = new TreeMap<>();
    private final Map<SiteId, ThresholdKeyMaterial> thresholdKeys = new TreeMap<>(); // derived mode: every share
    private final ThresholdSigner ownSigner; // loaded mode: this server's signer, or null
    private final ServerId ownSignerServer;
    private final Dealer dealer; // derived mode only; null when loaded

    private LmKeyring(KeyDirectory keys, Map<SiteId, SiteSpec> sites, Map<SiteId, ThresholdPublicKey> thresholdPublicKeys,
                      OwnShare own, boolean insecureSmallKeys) {
        this.keys = keys;
        this.sites = Collections.unmodifiableMap(new TreeMap<>(sites));
        LmSignatureScheme siteKey = new SingleKeyLmScheme(keys);
        for (SiteId site : thresholdPublicKeys.keySet()) {
            SiteSpec spec = this.sites.get(site);
            if (spec == null || spec.kind() != Kind.THRESHOLD) {
                throw new IllegalArgumentException("a threshold public key for " + site + ", which does not sign with threshold RSA");
            }
        }
        for (Map.Entry<SiteId, SiteSpec> e : this.sites.entrySet()) {
            SiteId site = e.getKey();
            SiteSpec spec = e.getValue();
            switch (spec.kind()) {
                case SITE_KEY -> verifiers.put(site, siteKey);
                case CERTIFICATE -> verifiers.put(site, new CertificateLmScheme(keys, site, spec.servers(), spec.faults()));
                case THRESHOLD -> {
                    ThresholdPublicKey key = thresholdPublicKeys.get(site);
                    if (key == null) throw new IllegalArgumentException("no threshold public key for " + site);
                    int k = Quorums.oneCorrect(spec.faults());
                    if (key.threshold() != k || key.servers() != spec.servers()) {
                        throw new IllegalArgumentException("the threshold key of " + site + " is (k=" + key.threshold() + ", l="
                                + key.servers() + "); the deployment needs (k=" + k + ", l=" + spec.servers() + ")");
                    }
                    int bits = key.modulus().bitLength();
                    if (bits < ThresholdParameters.MODULUS_BITS_MIN && !insecureSmallKeys) {
                        throw new IllegalArgumentException("the threshold key of " + site + " has " + bits + " bits; valid: >= "
                                + ThresholdParameters.MODULUS_BITS_MIN + " outside simulations and tests");
                    }
                    verifiers.put(site, new ThresholdLmScheme(site, key));
                }
            }
        }
        if (own != null) {
            SiteSpec spec = this.sites.get(own.server().site());
            if (spec == null || spec.kind() != Kind.THRESHOLD || own.server().index() >= spec.servers()) {
                throw new IllegalArgumentException("a threshold share for " + own.server() + ", which is not a server of a threshold-signing site");
            }
            // Checks the share against v_i now: a wrong share file fails at start, not at the first batch.
            this.ownSigner = ThresholdSigner.withProofSecret(thresholdPublicKeys.get(own.server().site()), own.share(), own.proofSecret());
            this.ownSignerServer = own.server();
        } else {
            this.ownSigner = null;
            this.ownSignerServer = null;
        }
        this.dealer = null;
    }

    /**
     * Pre-dealt keys (issue 14): {@code thresholdPublicKeys} holds the public key of exactly the
     * sites that sign with threshold RSA; {@code own} is this server's share, or null for a server
     * of another kind of site and for a client.
     *
     * @throws IllegalArgumentException if the keys do not fit the sites (another topology's files)
     */
    public static LmKeyring loaded(KeyDirectory keys, Map<SiteId, SiteSpec> sites, Map<SiteId, ThresholdPublicKey> thresholdPublicKeys,
                                   OwnShare own, boolean insecureSmallKeys) {
        return new LmKeyring(keys, sites, thresholdPublicKeys, own, insecureSmallKeys);
    }

    /** Deals a site's threshold key (derived mode). */
    @FunctionalInterface
    public interface Dealer {
        ThresholdKeyMaterial deal(SiteId site, ThresholdParameters parameters);

        /**
         * How every receiver checks a threshold site's signatures, given its dealt key: Shoup
         * threshold RSA. Test seam: the simulator's campaigns substitute a cheap stand-in here;
         * keys a deployment loads never pass through a dealer.
         */
        default LmSignatureScheme verifier(SiteId site, ThresholdKeyMaterial material) {
            return new ThresholdLmScheme(site, material.publicKey());
        }

        /** What {@code server} signs its site's roots with, given the site's key and {@link #verifier}: Shoup threshold RSA (same test seam). */
        default SiteSigning.Shared signing(ServerId server, ThresholdKeyMaterial material, LmSignatureScheme verifier,
                                           java.security.SecureRandom proofRandom) {
            return new SiteSigning.Threshold((ThresholdLmScheme) verifier,
                    new ThresholdSigner(material.publicKey(), material.share(server.index() + 1), proofRandom));
        }
    }

    /**
     * The dealer of {@link #LmKeyring(KeyDirectory, Map, int, boolean)}: randomness derived from
     * the deployment secret of {@code keys} and the site, so a seed reproduces its keys.
     */
    public static Dealer seededDealer(KeyDirectory keys, boolean insecureSmallKeys) {
        return (site, p) -> {
            var random = SeededSecureRandom.fromSeed(keys.derivedSecret("threshold-key/" + site));
            return insecureSmallKeys ? ThresholdDealer.dealInsecureForTests(p, random) : ThresholdDealer.deal(p, random);
        };
    }

    /** Deals every threshold key from the deployment secret of {@code keys} (derived mode: the simulator). */
    public LmKeyring(KeyDirectory keys, Map<SiteId, SiteSpec> sites, int thresholdModulusBits, boolean insecureSmallKeys) {
        this(keys, sites, thresholdModulusBits, seededDealer(keys, insecureSmallKeys));
    }

    /** Derived mode with threshold keys from {@code dealer} (the simulator shares them between the runs of a campaign). */
    public LmKeyring(KeyDirectory keys, Map<SiteId, SiteSpec> sites, int thresholdModulusBits, Dealer dealer) {
        this.keys = keys;
        this.sites = Collections.unmodifiableMap(new TreeMap<>(sites));
        this.ownSigner = null;
        this.ownSignerServer = null;
        this.dealer = dealer;
        LmSignatureScheme siteKey = new SingleKeyLmScheme(keys);
        for (Map.Entry<SiteId, SiteSpec> e : this.sites.entrySet()) {
            SiteId site = e.getKey();
            SiteSpec spec = e.getValue();
            switch (spec.kind()) {
                case SITE_KEY -> verifiers.put(site, siteKey);
                case CERTIFICATE -> verifiers.put(site, new CertificateLmScheme(keys, site, spec.servers(), spec.faults()));
                case THRESHOLD -> {
                    // (f+1, n): any f+1 servers sign, f cannot (section 4.2).
                    ThresholdParameters p = new ThresholdParameters(Quorums.oneCorrect(spec.faults()), spec.servers(), thresholdModulusBits);
                    ThresholdKeyMaterial material = dealer.deal(site, p);
                    thresholdKeys.put(site, material);
                    verifiers.put(site, dealer.verifier(site, material));
                }
            }
        }
    }

    /** Every site benign (Paxos inside), signing with its site key: f of 2f+1 per site. */
    public static LmKeyring allBenign(KeyDirectory keys, Map<SiteId, Integer> siteSizes) {
        Map<SiteId, SiteSpec> specs = new TreeMap<>();
        siteSizes.forEach((s, n) -> specs.put(s, new SiteSpec(n, Quorums.crashFaultsTolerated(n), Kind.SITE_KEY)));
        return new LmKeyring(keys, specs, 0, true);
    }

    public Map<SiteId, SiteSpec> sites() {
        return sites;
    }

    /** How every site's signatures are checked: what each server's logical machine verifies against. */
    public Map<SiteId, LmSignatureScheme> verifiers() {
        return Collections.unmodifiableMap(verifiers);
    }

    /** What {@code server} uses to sign for its own site. */
    public SiteSigning signingFor(ServerId server) {
        SiteId site = server.site();
        SiteSpec spec = sites.get(site);
        if (spec == null || server.index() >= spec.servers()) throw new IllegalArgumentException(server + " is not in the deployment");
        return switch (spec.kind()) {
            case SITE_KEY -> SiteSigning.siteKey(keys, site, verifiers.get(site));
            case CERTIFICATE -> new SiteSigning.Certificates((CertificateLmScheme) verifiers.get(site),
                    new CertificateLmSigner(keys.scheme(), server, keys.server(server).privateKey()));
            case THRESHOLD -> {
                ThresholdKeyMaterial m = thresholdKeys.get(site);
                if (m == null) { // loaded: only our own share is here
                    if (!server.equals(ownSignerServer)) {
                        throw new IllegalStateException("this keyring holds the threshold share of " + (ownSignerServer == null ? "no server"
                                : "server " + ownSignerServer + " only") + ", not that of " + server + " (section 4.2: each server holds its own)");
                    }
                    yield new SiteSigning.Threshold((ThresholdLmScheme) verifiers.get(site), ownSigner);
                }
                // Proof randomness per server: deterministic (replayable), distinct per server.
                var random = SeededSecureRandom.fromSeed(keys.derivedSecret("threshold-proof/" + server));
                yield dealer.signing(server, m, verifiers.get(site), random);
            }
        };
    }

    /** LM timeout notices a site needs (section 4.3): one for a benign site; f+1 for a Byzantine one, so that one comes from a correct server. */
    public int noticesNeeded(SiteId site) {
        SiteSpec spec = sites.get(site);
        return spec.kind() == Kind.SITE_KEY ? 1 : Quorums.oneCorrect(spec.faults());
    }
}
