package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.threshold.RsaPublicKey;
import io.redoubt.lm.crypto.threshold.ThresholdPublicKey;

/**
 * Checks a Byzantine site's batch signature made with Shoup threshold RSA (Lane 2008, section
 * 4.3; Shoup, Eurocrypt 2000): one ordinary RSA signature under the site's single public key,
 * which only f+1 of the site's 3f+1 servers together can produce. The receiver cannot tell it
 * from a plain RSA signature, which is the point: constant size and one verification, whatever f.
 *
 * <p>One instance per Byzantine site (each has its own dealt key).
 */
public final class ThresholdLmScheme implements LmSignatureScheme {
    public static final String NAME = "threshold-rsa";

    private final SiteId site;
    private final ThresholdPublicKey publicKey;
    private final RsaPublicKey rsaKey;

    public ThresholdLmScheme(SiteId site, ThresholdPublicKey publicKey) {
        this.site = site;
        this.publicKey = publicKey;
        this.rsaKey = publicKey.rsaPublicKey();
    }

    @Override
    public String name() {
        return NAME;
    }

    public SiteId site() {
        return site;
    }

    public ThresholdPublicKey publicKey() {
        return publicKey;
    }

    @Override
    public boolean verify(SiteId signer, Bytes rootContent, Bytes signature) {
        if (!signer.equals(site)) return false;
        return rsaKey.verify(rootContent, signature); // never throws on untrusted bytes
    }

    @Override
    public String toString() {
        return "ThresholdLmScheme(" + site + ", " + publicKey + ")";
    }
}
