package io.redoubt.lm.sign;

import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.CertificateLmScheme;
import io.redoubt.lm.crypto.merkle.CertificateLmSigner;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.SingleKeyLmScheme;
import io.redoubt.lm.crypto.merkle.ThresholdLmScheme;
import io.redoubt.lm.crypto.threshold.SeededSecureRandom;
import io.redoubt.lm.crypto.threshold.ThresholdDealer;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdSigner;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every site's logical-machine signing arrangement in one deployment (Lane 2008, sections 4.2
 * and 4.3): which sites sign with one site key (benign), which combine f+1 shares (Byzantine),
 * and with which share kind; and, for threshold RSA, the key the dealer gave each such site.
 *
 * <p>Threshold keys are dealt here from randomness derived from the deployment secret, so a
 * seed reproduces them; a real deployment runs the dealer once, offline, and ships each server
 * its share. Keys under 2048 bits are accepted only when {@code insecureSmallKeys} says so (the
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

    private final KeyDirectory keys;
    private final Map<SiteId, SiteSpec> sites;
    private final Map<SiteId, LmSignatureScheme> verifiers = new TreeMap<>();
    private final Map<SiteId, ThresholdKeyMaterial> thresholdKeys = new TreeMap<>();

    public LmKeyring(KeyDirectory keys, Map<SiteId, SiteSpec> sites, int thresholdModulusBits, boolean insecureSmallKeys) {
        this.keys = keys;
        this.sites = Collections.unmodifiableMap(new TreeMap<>(sites));
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
                    var random = SeededSecureRandom.fromSeed(keys.derivedSecret("threshold-key/" + site));
                    ThresholdKeyMaterial material = insecureSmallKeys ? ThresholdDealer.dealInsecureForTests(p, random) : ThresholdDealer.deal(p, random);
                    thresholdKeys.put(site, material);
                    verifiers.put(site, new ThresholdLmScheme(site, material.publicKey()));
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
                // Proof randomness per server: deterministic (replayable), distinct per server.
                var random = SeededSecureRandom.fromSeed(keys.derivedSecret("threshold-proof/" + server));
                yield new SiteSigning.Threshold((ThresholdLmScheme) verifiers.get(site),
                        new ThresholdSigner(m.publicKey(), m.share(server.index() + 1), random));
            }
        };
    }

    /** LM timeout notices a site needs (section 4.3): one for a benign site; f+1 for a Byzantine one, so that one comes from a correct server. */
    public int noticesNeeded(SiteId site) {
        SiteSpec spec = sites.get(site);
        return spec.kind() == Kind.SITE_KEY ? 1 : Quorums.oneCorrect(spec.faults());
    }
}
