package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;

/**
 * Checks a benign site's batch signature: one ordinary signature under the site's public key
 * (Lane 2008, section 4.3). One instance serves every benign site of the deployment; which
 * sites sign this way is the {@link LmMessageVerifier}'s table, not this class's business.
 */
public final class SingleKeyLmScheme implements LmSignatureScheme {
    private final KeyDirectory keys;
    private final String name;

    public SingleKeyLmScheme(KeyDirectory keys) {
        this.keys = keys;
        this.name = nameFor(keys.scheme());
    }

    static String nameFor(SignatureScheme scheme) {
        return "site-key/" + scheme.name();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean verify(SiteId site, Bytes rootContent, Bytes signature) {
        return keys.verify(site, rootContent, signature); // the scheme's verify never throws on untrusted bytes
    }
}
