package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.SignatureScheme;

/**
 * A benign site's batch signer: one ordinary signature with the site key, which every server of
 * the site holds (Lane 2008, section 4.3: "the message carries a standard RSA signature"; here
 * any deterministic {@link SignatureScheme}, so every server signs identical bytes).
 */
public final class SingleKeyLmSigner implements LmBatchSigner {
    private final SignatureScheme scheme;
    private final SiteId site;
    private final Bytes sitePrivateKey;
    private final String name;

    public SingleKeyLmSigner(SignatureScheme scheme, SiteId site, Bytes sitePrivateKey) {
        this.scheme = scheme;
        this.site = site;
        this.sitePrivateKey = sitePrivateKey;
        this.name = SingleKeyLmScheme.nameFor(scheme);
    }

    @Override
    public SiteId site() {
        return site;
    }

    @Override
    public LmSignature sign(Bytes root) {
        return new LmSignature(name, scheme.sign(sitePrivateKey, LmSignatureScheme.rootContent(site, root)));
    }

    @Override
    public String toString() {
        return "SingleKeyLmSigner(" + name + ", " + site + ")"; // never print the key
    }
}
