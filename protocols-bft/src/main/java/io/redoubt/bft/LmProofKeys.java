package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmProof;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.VerifiedRootCache;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keys for PBFT among logical machines (Lane 2008, sections 4.3 and 4.6): a site's signature on a
 * message is the message's LM proof, its Merkle path and the site's LM signature (threshold RSA,
 * an f+1 certificate or, for a benign site, the site key) on the batch root it was sent in.
 *
 * <p>Why not a site key held by every server: a Byzantine site's key would then be one faulty
 * server away from a compromised site, which could forge that site's entries in the certificates
 * it relays (prepared certificates, checkpoint and commit proofs), beyond the F sites the
 * wide-area protocol tolerates. An LM proof needs f+1 of the site's servers.
 *
 * <p>The message a proof covers is the message as sent, with an empty signature: its signed
 * bytes followed by an empty signature field ({@link PbftMessage#encodeTo}). Verdicts never
 * depend on the cache of verified roots, so every server of a site decides alike.
 */
public final class LmProofKeys implements NodeKeys.Provider {
    private final Map<SiteId, LmSignatureScheme> schemes;
    private final VerifiedRootCache sharedRoots;

    /** @param schemes how each site's LM signatures are checked */
    public LmProofKeys(Map<SiteId, LmSignatureScheme> schemes) {
        this(schemes, null);
    }

    /**
     * @param sharedRoots the server's cache of verified roots, shared with its logical machine
     *     (which checks every ordered wide-area message first), so that this core pays nothing
     *     for a root already checked there; null: a cache of the core's own
     */
    public LmProofKeys(Map<SiteId, LmSignatureScheme> schemes, VerifiedRootCache sharedRoots) {
        this.schemes = Map.copyOf(new TreeMap<>(schemes));
        this.sharedRoots = sharedRoots;
    }

    @Override
    public <N> NodeKeys<N> forNode(N self) {
        if (!(self instanceof SiteId)) throw new IllegalArgumentException("LM proofs sign for sites, not for " + self.getClass().getName());
        LmMessageVerifier verifier = new LmMessageVerifier(schemes, sharedRoots != null ? sharedRoots : new VerifiedRootCache(VerifiedRootCache.DEFAULT_CAPACITY));
        return new NodeKeys<>() {
            @Override
            public Bytes sign(Bytes message) {
                return Bytes.EMPTY; // the transport proves it: see the class comment
            }

            @Override
            public boolean verify(N signer, Bytes signedBytes, Bytes signature) {
                if (!(signer instanceof SiteId site) || signature.isEmpty()) return false;
                LmProof proof;
                try {
                    proof = LmProof.decode(signature);
                } catch (DecodeException e) {
                    return false;
                }
                return verifier.verify(site, asSent(signedBytes), proof.path(), proof.signature()).accepted();
            }

            @Override
            public boolean signsByTransport() {
                return true;
            }
        };
    }

    /** The message's bytes as it left its site: the signed part and an empty signature. */
    static Bytes asSent(Bytes signedBytes) {
        return new CanonicalWriter().raw(signedBytes.unsafeArray()).bytes(Bytes.EMPTY).toBytes();
    }
}
