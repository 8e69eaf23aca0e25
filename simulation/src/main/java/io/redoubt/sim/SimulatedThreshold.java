package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.threshold.CombineResult;
import io.redoubt.lm.crypto.threshold.CombineResult.Blame;
import io.redoubt.lm.crypto.threshold.CombineResult.Fault;
import io.redoubt.lm.crypto.threshold.CombineResult.Shortfall;
import io.redoubt.lm.crypto.threshold.CorrectnessProof;
import io.redoubt.lm.crypto.threshold.PartialCombiner;
import io.redoubt.lm.crypto.threshold.PartialSignature;
import io.redoubt.lm.crypto.threshold.PartialSigner;
import io.redoubt.lm.crypto.threshold.ProofSource;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A stand-in for Shoup threshold RSA inside the simulator only, as {@code SimulatedScheme} is
 * for Ed25519: THRESHOLD-SIGN's protocol (Lane 2008, Figure 3.10) runs unchanged, over tokens
 * instead of RSA arithmetic, which was a sixth of a Byzantine campaign's CPU time.
 *
 * <ul>
 *   <li>Server i's partial over M is SHA-256(s_i, M), s_i a secret of its own; its proof of
 *       correctness is a digest binding s_i, M and the partial. A proof verifies only for the
 *       right partial of the right message, so a spoiled share (the bad-shares adversary: a
 *       well-formed share of another root, with that root's proof) fails the optimistic
 *       combination, its proof names the server, and every correct server blacklists it, as with
 *       RSA.</li>
 *   <li>The site's signature over M is SHA-256(site secret, M), and the combiner makes it only from
 *       k = f+1 correct partials of distinct servers: the threshold is enforced as RSA enforces
 *       it (a site dealt k = f, as the planted weak-signatures bug does, is signed for by one
 *       faulty server, and the checkers must see it).</li>
 *   <li>Unforgeable inside the simulator because adversaries are handed only their own server's
 *       {@link PartialSigner}; the secrets sit here, as the stand-in's "public" keys do.</li>
 * </ul>
 *
 * Real threshold RSA stays what deployments use and what {@code --signatures ed25519} campaigns
 * run; its arithmetic is tested in logical-machine's threshold tests.
 */
final class SimulatedThreshold implements PartialCombiner, LmSignatureScheme {
    static final String NAME = "threshold-simulated";
    private static final int CHALLENGE_BYTES = 16; // CorrectnessProof takes a challenge of at most 128 bits

    private final SiteId site;
    private final int threshold;
    private final int servers;
    private final Bytes siteSecret;
    private final Bytes[] shareSecrets;

    SimulatedThreshold(SiteId site, int threshold, int servers) {
        this.site = site;
        this.threshold = threshold;
        this.servers = servers;
        this.siteSecret = Digests.sha256(new CanonicalWriter().utf8("redoubt/simulated-threshold/site").site(site)
                .i32(threshold).i32(servers).toBytes());
        this.shareSecrets = new Bytes[servers + 1];
        for (int i = 1; i <= servers; i++) {
            shareSecrets[i] = Digests.sha256(siteSecret, new CanonicalWriter().utf8("share").i32(i).toBytes());
        }
    }

    int threshold() {
        return threshold;
    }

    int servers() {
        return servers;
    }

    SiteId site() {
        return site;
    }

    /** What server {@code index} (1..l) signs with. */
    PartialSigner signer(int index) {
        if (index < 1 || index > servers) throw new IllegalArgumentException("server index " + index + "; valid: 1.." + servers);
        return new PartialSigner() {
            @Override
            public int serverIndex() {
                return index;
            }

            @Override
            public PartialSignature sign(Bytes message) {
                return new PartialSignature(index, partialValue(index, message));
            }

            @Override
            public CorrectnessProof prove(Bytes message, PartialSignature ownPartial) {
                if (ownPartial.serverIndex() != index) {
                    throw new IllegalArgumentException("partial of server " + ownPartial.serverIndex() + " given to signer " + index);
                }
                return proofOf(index, message, ownPartial.value());
            }
        };
    }

    private BigInteger partialValue(int index, Bytes message) {
        return new BigInteger(1, Digests.sha256(shareSecrets[index], message).unsafeArray());
    }

    private CorrectnessProof proofOf(int index, Bytes message, BigInteger value) {
        byte[] token = Digests.sha256(shareSecrets[index], new CanonicalWriter().utf8("proof").bytes(message)
                .bytes(value.toByteArray()).toBytes()).unsafeArray();
        return new CorrectnessProof(new BigInteger(1, java.util.Arrays.copyOf(token, CHALLENGE_BYTES)), BigInteger.valueOf(index));
    }

    private boolean correct(Bytes message, PartialSignature p) {
        return p.value().equals(partialValue(p.serverIndex(), message));
    }

    @Override
    public boolean verifyProof(Bytes message, PartialSignature partial, CorrectnessProof proof) {
        if (message == null || partial == null || proof == null) return false;
        int i = partial.serverIndex();
        if (i < 1 || i > servers) return false;
        return correct(message, partial) && proof.equals(proofOf(i, message, partial.value()));
    }

    /** The same decisions as ThresholdCombiner#combine, with "combines to a valid signature" meaning "k correct partials". */
    @Override
    public CombineResult combine(Bytes message, List<PartialSignature> partials, ProofSource proofs) {
        List<PartialSignature> sorted = new ArrayList<>(partials);
        sorted.sort(Comparator.comparingInt(PartialSignature::serverIndex));
        for (int at = 0; at < sorted.size(); at++) {
            int i = sorted.get(at).serverIndex();
            if (i < 1 || i > servers) throw new IllegalArgumentException("partial of server " + i + "; valid: 1.." + servers);
            if (at > 0 && sorted.get(at - 1).serverIndex() == i) throw new IllegalArgumentException("two partials of server " + i);
        }
        List<Blame> blamed = new ArrayList<>();
        List<PartialSignature> candidates = new ArrayList<>();
        for (PartialSignature p : sorted) {
            // A token is a 256-bit digest; 0 or anything longer is no partial at all.
            if (p.value().signum() > 0 && p.value().bitLength() <= 256) candidates.add(p);
            else blamed.add(new Blame(p.serverIndex(), Fault.VALUE_OUT_OF_RANGE, p, null));
        }
        if (candidates.size() < threshold) return new CombineResult.Unsigned(Shortfall.TOO_FEW_PARTIALS, blamed, List.of(), List.of());
        List<PartialSignature> first = candidates.subList(0, threshold);
        if (first.stream().allMatch(p -> correct(message, p))) return new CombineResult.Signed(sign(message), indices(first), blamed);

        List<PartialSignature> valid = new ArrayList<>();
        List<Integer> awaiting = new ArrayList<>();
        for (PartialSignature p : candidates) {
            Optional<CorrectnessProof> proof = proofs.proofFor(p.serverIndex());
            if (proof == null || proof.isEmpty()) {
                awaiting.add(p.serverIndex());
            } else if (proofs.checkedByCaller(p.serverIndex()) || verifyProof(message, p, proof.get())) {
                valid.add(p);
            } else {
                blamed.add(new Blame(p.serverIndex(), Fault.PROOF_REJECTED, p, proof.get()));
            }
        }
        blamed.sort(Comparator.comparingInt(Blame::serverIndex));
        if (valid.size() < threshold) {
            Shortfall why = awaiting.isEmpty() ? Shortfall.TOO_FEW_VALID_PARTIALS : Shortfall.AWAITING_PROOFS;
            return new CombineResult.Unsigned(why, blamed, awaiting, indices(valid));
        }
        List<PartialSignature> proven = valid.subList(0, threshold);
        if (proven.stream().allMatch(p -> correct(message, p))) return new CombineResult.Signed(sign(message), indices(proven), blamed);
        // A proof the caller checked vouched for a wrong partial: as RSA's KEY_INCONSISTENT, never with correct code.
        return new CombineResult.Unsigned(Shortfall.KEY_INCONSISTENT, blamed, awaiting, indices(valid));
    }

    private Bytes sign(Bytes message) {
        return Digests.sha256(siteSecret, message);
    }

    private static List<Integer> indices(List<PartialSignature> partials) {
        List<Integer> out = new ArrayList<>(partials.size());
        for (PartialSignature p : partials) out.add(p.serverIndex());
        return out;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean verify(SiteId signer, Bytes rootContent, Bytes signature) {
        return signer.equals(site) && signature.length() == 32 && sign(rootContent).equals(signature);
    }

    @Override
    public String toString() {
        return "SimulatedThreshold(" + site + ", k=" + threshold + ", l=" + servers + ")";
    }
}
