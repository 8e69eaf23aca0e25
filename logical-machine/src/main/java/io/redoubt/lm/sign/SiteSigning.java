package io.redoubt.lm.sign;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.CertificateCollector;
import io.redoubt.lm.crypto.merkle.CertificateLmScheme;
import io.redoubt.lm.crypto.merkle.CertificateLmSigner;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.ServerSignatureShare;
import io.redoubt.lm.crypto.merkle.SingleKeyLmSigner;
import io.redoubt.lm.crypto.merkle.ThresholdLmScheme;
import io.redoubt.lm.crypto.threshold.CombineResult;
import io.redoubt.lm.crypto.threshold.CorrectnessProof;
import io.redoubt.lm.crypto.threshold.PartialCombiner;
import io.redoubt.lm.crypto.threshold.PartialSignature;
import io.redoubt.lm.crypto.threshold.PartialSigner;
import io.redoubt.lm.crypto.threshold.ProofSource;
import io.redoubt.lm.crypto.threshold.ThresholdCombiner;
import io.redoubt.lm.crypto.threshold.ThresholdSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How one server's site signs a batch root as a logical machine (Lane 2008, section 4.3).
 *
 * <ul>
 *   <li>A benign site signs in one local step with the site key every server holds.</li>
 *   <li>A Byzantine site cannot: no server may speak for it alone. Each server computes a share
 *       over the root it derived itself by executing the ordered batch; f+1 shares from distinct
 *       servers make the site's signature, so at least one correct server vouched for it. This is
 *       THRESHOLD-SIGN (section 3.4.2, Figure 3.10). Two share kinds exist: a Shoup threshold-RSA
 *       partial (one constant-size RSA signature results) and an ordinary per-server signature
 *       (the result is a certificate of f+1 signatures: larger, far cheaper in CPU).</li>
 * </ul>
 *
 * <p>Everything a collector is handed comes from other servers and is untrusted: it is checked,
 * a bad share is reported with its server and never thrown about.
 */
public sealed interface SiteSigning {
    /** How every receiver checks this site's signatures. */
    LmSignatureScheme verifier();

    /** What the kind is called in reports and configuration. */
    String kindName();

    /** A benign site: the whole signature in one step. */
    record SiteKey(SingleKeyLmSigner signer, LmSignatureScheme verifier) implements SiteSigning {
        public String kindName() {
            return "site-key";
        }
    }

    /** A Byzantine site: shares from f+1 distinct servers, combined by the forwarder. */
    non-sealed interface Shared extends SiteSigning {
        /**
         * This server's share over {@code root}. Deterministic for a given key and root. It and
         * {@link #proof} and {@link #isEvidenceOfBadShare} are pure and thread-safe: a server
         * offloads them ({@link CryptoJob}).
         */
        Bytes share(Bytes root);

        /** Starts collecting shares for {@code root}; {@code blacklist} is shared by all rounds of the server. */
        Collector collector(Bytes root, Set<ServerId> blacklist);

        /**
         * Test seam: whether this server answers a peer's share for a root it never derived with a
         * share of its own. Never: a share vouches that this server's own replica of the logical
         * machine produced what the root covers (section 3.4.2), which is why f+1 shares mean that
         * a correct server did. Only the simulator's planted-bug tests answer true.
         */
        default boolean vouchesForRootsItNeverDerived() {
            return false;
        }

        /** Whether shares come with proofs of correctness on request (threshold RSA) or need none (certificates). */
        default boolean provesShares() {
            return false;
        }

        /** Threshold RSA only: the proof of correctness of this server's share (section 3.4.2, produced on request). */
        default Bytes proof(Bytes root) {
            return null;
        }

        /**
         * Threshold RSA only: whether {@code share} with {@code proof} is evidence that {@code accused}
         * produced an invalid partial for {@code root} (Figure 3.10, B8: the proof does not verify).
         */
        default boolean isEvidenceOfBadShare(ServerId accused, Bytes root, Bytes share, Bytes proof) {
            return false;
        }
    }

    /** What became of the shares offered so far for one root. */
    record Progress(LmSignature signature, List<ServerId> proofsWanted, List<ServerId> blamed, List<Bad> rejected) {
        static final Progress WAITING = new Progress(null, List.of(), List.of(), List.of());

        static Progress rejected(ServerId from, Rejection reason, String detail) {
            return new Progress(null, List.of(), List.of(), List.of(new Bad(from, reason, detail)));
        }
    }

    /** A share refused, and why; the host counts and traces it. */
    record Bad(ServerId server, Rejection reason, String detail) {}

    /** Collects the shares for one root; bounded (one share and one proof per server). */
    interface Collector {
        Progress offerShare(ServerId from, Bytes share);

        default Progress offerProof(ServerId from, Bytes proof) {
            return Progress.rejected(from, Rejection.PROTOCOL_VIOLATION, "this site's shares have no proofs");
        }

        /**
         * A proof the caller has already checked ({@link Shared#isEvidenceOfBadShare}, off the
         * server's thread) against the share it offered for {@code from}: {@code holds} false
         * blames {@code from} and drops its partial; true lets combining trust the proof without
         * checking it again.
         */
        default Progress offerCheckedProof(ServerId from, Bytes proof, boolean holds) {
            return offerProof(from, proof);
        }

        boolean complete();
    }

    // ---------------------------------------------------------------- certificates of f+1 signatures

    /** Shares are ordinary signatures; the result is a certificate ({@link CertificateLmScheme}). */
    final class Certificates implements Shared {
        private final CertificateLmScheme scheme;
        private final CertificateLmSigner signer;

        public Certificates(CertificateLmScheme scheme, CertificateLmSigner signer) {
            this.scheme = scheme;
            this.signer = signer;
        }

        @Override
        public LmSignatureScheme verifier() {
            return scheme;
        }

        @Override
        public String kindName() {
            return "certificate";
        }

        @Override
        public Bytes share(Bytes root) {
            return signer.share(root).signature();
        }

        @Override
        public Collector collector(Bytes root, Set<ServerId> blacklist) {
            CertificateCollector c = scheme.newCollector(root);
            return new Collector() {
                @Override
                public Progress offerShare(ServerId from, Bytes share) {
                    if (share.length() > ServerSignatureShare.SIGNATURE_BYTES_MAX) {
                        return Progress.rejected(from, Rejection.MALFORMED, "share of " + share.length() + " bytes");
                    }
                    CertificateCollector.Outcome o = c.offer(new ServerSignatureShare(from, share));
                    if (o instanceof CertificateCollector.Completed done) {
                        return new Progress(done.certificate(), List.of(), List.of(), List.of());
                    }
                    if (o instanceof CertificateCollector.Rejected r) return Progress.rejected(r.server(), r.reason(), r.detail());
                    return Progress.WAITING;
                }

                @Override
                public boolean complete() {
                    return c.certificate().isPresent();
                }
            };
        }
    }

    // ---------------------------------------------------------------- Shoup threshold RSA

    /**
     * Shares are threshold-RSA partials. The forwarder combines optimistically: f+1 partials,
     * then one RSA verification of the result. Only if that fails does it ask for proofs of
     * correctness, and a server whose proof fails is blamed with transferable evidence (its own
     * signed proof reply) and blacklisted by every correct server of the site (Figure 3.10).
     */
    final class Threshold implements Shared {
        private final LmSignatureScheme scheme;
        private final SiteId site;
        private final int threshold;
        private final int servers;
        private final PartialSigner signer;
        private final PartialCombiner combiner;

        public Threshold(ThresholdLmScheme scheme, ThresholdSigner signer) {
            this(scheme, scheme.site(), scheme.publicKey().threshold(), scheme.publicKey().servers(), signer,
                    new ThresholdCombiner(scheme.publicKey()));
        }

        /**
         * The same protocol over other partial-signature arithmetic: the simulator's stand-in
         * (simulation's SimulatedThreshold) with k = {@code threshold} of l = {@code servers}.
         */
        public Threshold(LmSignatureScheme scheme, SiteId site, int threshold, int servers, PartialSigner signer, PartialCombiner combiner) {
            this.scheme = scheme;
            this.site = site;
            this.threshold = threshold;
            this.servers = servers;
            this.signer = signer;
            this.combiner = combiner;
        }

        @Override
        public LmSignatureScheme verifier() {
            return scheme;
        }

        @Override
        public String kindName() {
            return "threshold";
        }

        private Bytes content(Bytes root) {
            return LmSignatureScheme.rootContent(site, root);
        }

        @Override
        public Bytes share(Bytes root) {
            return signer.sign(content(root)).encode();
        }

        @Override
        public boolean provesShares() {
            return true;
        }

        @Override
        public Bytes proof(Bytes root) {
            Bytes content = content(root);
            PartialSignature own = signer.sign(content);
            return signer.prove(content, own).encode();
        }

        @Override
        public boolean isEvidenceOfBadShare(ServerId accused, Bytes root, Bytes share, Bytes proof) {
            try {
                PartialSignature p = PartialSignature.decode(share);
                if (p.serverIndex() != accused.index() + 1) return false;
                CorrectnessProof c = CorrectnessProof.decode(proof);
                return !combiner.verifyProof(content(root), p, c);
            } catch (DecodeException | IllegalArgumentException malformed) {
                // A signed reply that does not even parse is as damning as a failed proof.
                return true;
            }
        }

        @Override
        public Collector collector(Bytes root, Set<ServerId> blacklist) {
            Bytes content = content(root);
            int k = threshold;
            int l = servers;
            return new Collector() {
                final TreeMap<Integer, PartialSignature> partials = new TreeMap<>();
                final Map<Integer, CorrectnessProof> proofs = new TreeMap<>();
                final java.util.TreeSet<Integer> asked = new java.util.TreeSet<>();
                /** Servers whose proofs the caller checked and found to hold: combining does not check them again. */
                final java.util.TreeSet<Integer> checked = new java.util.TreeSet<>();
                LmSignature signature;

                @Override
                public Progress offerShare(ServerId from, Bytes share) {
                    if (signature != null || blacklist.contains(from)) return Progress.WAITING;
                    if (!from.site().equals(site) || from.index() >= l) {
                        return Progress.rejected(from, Rejection.NOT_A_MEMBER, "partial from outside " + site);
                    }
                    PartialSignature p;
                    try {
                        p = PartialSignature.decode(share);
                    } catch (DecodeException e) {
                        return Progress.rejected(from, Rejection.MALFORMED, "partial signature: " + e.getMessage());
                    }
                    if (p.serverIndex() != from.index() + 1) {
                        return Progress.rejected(from, Rejection.PROTOCOL_VIOLATION, "partial labelled server " + p.serverIndex());
                    }
                    partials.putIfAbsent(p.serverIndex(), p);
                    return tryCombine();
                }

                @Override
                public Progress offerProof(ServerId from, Bytes proofBytes) {
                    if (signature != null || blacklist.contains(from) || !asked.contains(from.index() + 1)) return Progress.WAITING;
                    try {
                        proofs.putIfAbsent(from.index() + 1, CorrectnessProof.decode(proofBytes));
                    } catch (DecodeException e) {
                        return Progress.rejected(from, Rejection.MALFORMED, "correctness proof: " + e.getMessage());
                    }
                    return tryCombine();
                }

                @Override
                public Progress offerCheckedProof(ServerId from, Bytes proofBytes, boolean holds) {
                    int i = from.index() + 1;
                    if (signature != null || blacklist.contains(from) || !asked.contains(i)) return Progress.WAITING;
                    if (!holds) {
                        // Figure 3.10, B8: the proof fails, so the partial is bad; try again without it.
                        partials.remove(i);
                        Progress next = tryCombine();
                        List<ServerId> blamed = new ArrayList<>(List.of(from));
                        blamed.addAll(next.blamed());
                        return new Progress(next.signature(), next.proofsWanted(), blamed, next.rejected());
                    }
                    try {
                        proofs.putIfAbsent(i, CorrectnessProof.decode(proofBytes));
                    } catch (DecodeException e) {
                        return Progress.rejected(from, Rejection.MALFORMED, "correctness proof: " + e.getMessage());
                    }
                    checked.add(i);
                    return tryCombine();
                }

                private Progress tryCombine() {
                    List<PartialSignature> candidates = new ArrayList<>();
                    for (PartialSignature p : partials.values()) {
                        if (!blacklist.contains(new ServerId(site, p.serverIndex() - 1))) candidates.add(p);
                    }
                    if (candidates.size() < k) return Progress.WAITING;
                    CombineResult r = combiner.combine(content, candidates, ProofSource.of(proofs, checked));
                    List<ServerId> blamed = new ArrayList<>();
                    for (CombineResult.Blame b : r.blamed()) {
                        partials.remove(b.serverIndex());
                        blamed.add(new ServerId(site, b.serverIndex() - 1));
                    }
                    if (r instanceof CombineResult.Signed s) {
                        signature = new LmSignature(scheme.name(), s.signature());
                        return new Progress(signature, List.of(), blamed, List.of());
                    }
                    List<ServerId> wanted = new ArrayList<>();
                    for (int i : ((CombineResult.Unsigned) r).awaitingProof()) {
                        if (asked.add(i)) wanted.add(new ServerId(site, i - 1));
                    }
                    return new Progress(null, wanted, blamed, List.of());
                }

                @Override
                public boolean complete() {
                    return signature != null;
                }
            };
        }
    }

    /** The verifier for every site of a deployment, given each site's signing. */
    static Map<SiteId, LmSignatureScheme> verifiers(Map<SiteId, SiteSigning> bySite) {
        Map<SiteId, LmSignatureScheme> out = new TreeMap<>();
        bySite.forEach((s, signing) -> out.put(s, signing.verifier()));
        return out;
    }

    /** Convenience for a benign site. */
    static SiteKey siteKey(KeyDirectory keys, SiteId site, LmSignatureScheme verifier) {
        return new SiteKey(new SingleKeyLmSigner(keys.scheme(), site, keys.site(site).privateKey()), verifier);
    }
}
