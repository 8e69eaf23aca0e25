package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalWriter;

/**
 * The receiving half of a logical-machine signature scheme: how to check that a site, as one
 * logical machine, signed a batch root (Lane 2008, section 4.3: a benign site signs with one
 * ordinary site key; a Byzantine site must prove that f+1 of its servers agreed).
 *
 * <p>Signing is deliberately not part of this interface. A benign site signs in one local step
 * ({@link LmBatchSigner}); a Byzantine site cannot, because no single server may hold the power
 * to speak for the site: each server contributes a share and the shares are combined
 * ({@link CertificateLmSigner} and {@link CertificateCollector}).
 *
 * <p>Extension point for threshold RSA (the dissertation's choice for Byzantine sites, section
 * 4.3): a third implementation of this interface whose {@link #verify} checks one combined
 * signature against the site's single public key, plus a share signer and a combiner built like
 * the certificate pair. Nothing else here changes: the signed bytes stay {@link #rootContent},
 * and the receiver's {@link LmMessageVerifier} and its cache are scheme-agnostic.
 *
 * <p>Implementations must be deterministic and must never throw on untrusted input.
 */
public interface LmSignatureScheme {
    /** Domain tag of the signed root; distinct from "redoubt/lm-message", the per-message content. */
    String ROOT_DOMAIN_TAG = "redoubt/lm-batch";

    /** Travels in {@link LmSignature#scheme()}; unique per scheme and underlying signature algorithm. */
    String name();

    /**
     * True when {@code signature} proves that logical machine {@code site} signed
     * {@code rootContent}. False for anything else: an unknown site, malformed bytes, a bad
     * signature. Never throws because of the signature's contents.
     */
    boolean verify(SiteId site, Bytes rootContent, Bytes signature);

    /**
     * The canonical bytes a logical machine signs for one batch root: the domain tag, the site
     * and the root. Binding the site means a root signed by site A proves nothing about site B;
     * the tag means the signature cannot be replayed as any other signed object (a per-message
     * LM signature, a timeout notice, a local ordering message) that the same keys sign.
     */
    static Bytes rootContent(SiteId site, Bytes root) {
        return new CanonicalWriter().utf8(ROOT_DOMAIN_TAG).site(site).bytes(root).toBytes();
    }
}
