package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.crypto.SignatureScheme;

/**
 * A server's half of a Byzantine site's batch signature: it signs the root content with its own
 * key and hands the share to whoever collects them ({@link CertificateCollector}). A correct
 * server calls this only for a root it computed itself by executing the locally ordered batch,
 * which is what makes f+1 shares evidence that a correct server agreed (Lane 2008, section 4.3).
 */
public final class CertificateLmSigner {
    private final SignatureScheme scheme;
    private final ServerId self;
    private final Bytes serverPrivateKey;

    public CertificateLmSigner(SignatureScheme scheme, ServerId self, Bytes serverPrivateKey) {
        this.scheme = scheme;
        this.self = self;
        this.serverPrivateKey = serverPrivateKey;
    }

    public ServerId self() {
        return self;
    }

    public ServerSignatureShare share(Bytes root) {
        return new ServerSignatureShare(self, scheme.sign(serverPrivateKey, LmSignatureScheme.rootContent(self.site(), root)));
    }

    @Override
    public String toString() {
        return "CertificateLmSigner(" + scheme.name() + ", " + self + ")"; // never print the key
    }
}
