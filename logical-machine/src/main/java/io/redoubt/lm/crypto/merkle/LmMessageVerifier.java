package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks one wide-area message that arrived with its path and its logical machine's batch
 * signature (Lane 2008, section 4.6): recompute the root from the message and the path, then
 * check the site's signature over {@link LmSignatureScheme#rootContent}(site, root). A root
 * already verified with the same signature costs only the hashing ({@link VerifiedRootCache}).
 *
 * <p>Which scheme each site signs with is this verifier's configuration (benign sites a site
 * key, Byzantine sites a certificate or, later, threshold RSA; section 4.3); the scheme name in
 * a signature is only compared with it, never used to choose.
 *
 * <p>Everything given to {@code verify} is untrusted: the answer is a {@link Verdict}, never an
 * exception, and it is the same whatever the cache holds.
 *
 * <p>Not thread-safe; one verifier belongs to one core or host loop.
 */
public final class LmMessageVerifier {
    /** The outcome of checking one message. */
    public sealed interface Verdict permits Accepted, Rejected {
        default boolean accepted() {
            return this instanceof Accepted;
        }
    }

    /** The message is authentic; {@code fromCache} says whether the signature check was skipped. */
    public record Accepted(Bytes root, boolean fromCache) implements Verdict {}

    /** The message must be dropped; hosts count {@code reason} and trace {@code detail}. */
    public record Rejected(Rejection reason, String detail) implements Verdict {}

    private final Map<SiteId, LmSignatureScheme> schemeBySite;
    private final VerifiedRootCache cache;
    private long signatureChecks;
    private long cacheHits;

    /**
     * @param schemeBySite every site this receiver accepts wide-area messages from, with the
     *     scheme that site signs with
     */
    public LmMessageVerifier(Map<SiteId, LmSignatureScheme> schemeBySite, VerifiedRootCache cache) {
        this.schemeBySite = new TreeMap<>(schemeBySite);
        this.cache = cache;
    }

    public Verdict verify(SiteId from, Bytes message, MerklePath path, LmSignature signature) {
        LmSignatureScheme scheme = schemeBySite.get(from);
        if (scheme == null) return new Rejected(Rejection.NOT_A_MEMBER, "no logical machine " + from);
        if (!scheme.name().equals(signature.scheme())) {
            return new Rejected(Rejection.BAD_SIGNATURE, from + " signs with " + scheme.name() + ", got " + signature.scheme());
        }
        Bytes root = MerkleTree.rootFromPath(message, path);
        if (cache.contains(from, root, signature)) {
            cacheHits++;
            return new Accepted(root, true);
        }
        signatureChecks++;
        boolean valid;
        try {
            valid = scheme.verify(from, LmSignatureScheme.rootContent(from, root), signature.value());
        } catch (RuntimeException schemeBug) {
            // A scheme must not throw on untrusted bytes; if one does, the message is still only dropped, and the detail says why.
            return new Rejected(Rejection.BAD_SIGNATURE, scheme.name() + " threw on a signature of " + from + ": " + schemeBug);
        }
        if (!valid) {
            return new Rejected(Rejection.BAD_SIGNATURE, "logical-machine signature of " + from + " over root " + root + " of "
                    + path.leafCount() + " messages");
        }
        cache.add(from, root, signature); // only now: a failed check must never make a root trusted
        return new Accepted(root, false);
    }

    public Verdict verify(SiteId from, LmEnvelopePart envelope) {
        return verify(from, envelope.message(), envelope.path(), envelope.signature());
    }

    /** Decodes and checks an envelope straight off the wire. */
    public Verdict verify(SiteId from, Bytes encodedEnvelope, int messageBytesMax) {
        LmEnvelopePart envelope;
        try {
            envelope = LmEnvelopePart.decode(encodedEnvelope, messageBytesMax);
        } catch (DecodeException e) {
            return new Rejected(Rejection.MALFORMED, "envelope from " + from + ": " + e.getMessage());
        }
        return verify(from, envelope);
    }

    /** Signature checks actually performed (cache misses that reached a scheme). */
    public long signatureChecks() {
        return signatureChecks;
    }

    public long cacheHits() {
        return cacheHits;
    }
}
