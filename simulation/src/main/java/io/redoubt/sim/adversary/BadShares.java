package io.redoubt.sim.adversary;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.sign.SiteSigning;
import java.util.Set;

/**
 * A server that spoils its share of its site's LM signature (THRESHOLD-SIGN, section 3.4.2):
 * each share is a well-formed share of a different root, and so is the proof it gives when the
 * combiner asks. The combiner's optimistic combination fails, the proofs name this server, and
 * every correct server of the site blacklists it (Figure 3.10). With certificates, its shares
 * simply fail verification.
 */
public final class BadShares implements SiteSigning.Shared {
    private final SiteSigning.Shared honest;

    public BadShares(SiteSigning.Shared honest) {
        this.honest = honest;
    }

    private static Bytes otherRoot(Bytes root) {
        return io.redoubt.lm.crypto.Digests.sha256(Bytes.ofUtf8("not-the-root"), root);
    }

    @Override
    public LmSignatureScheme verifier() {
        return honest.verifier();
    }

    @Override
    public String kindName() {
        return honest.kindName();
    }

    @Override
    public Bytes share(Bytes root) {
        return honest.share(otherRoot(root));
    }

    @Override
    public Collector collector(Bytes root, Set<ServerId> blacklist) {
        return honest.collector(root, blacklist);
    }

    @Override
    public boolean provesShares() {
        return honest.provesShares();
    }

    @Override
    public Bytes proof(Bytes root) {
        return honest.proof(otherRoot(root));
    }

    @Override
    public boolean isEvidenceOfBadShare(ServerId accused, Bytes root, Bytes share, Bytes proof) {
        return honest.isEvidenceOfBadShare(accused, root, share, proof);
    }
}
