package io.redoubt.lm.sign;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import java.util.Set;

/** A benign site signs as a logical machine in one local step, with the site key every server holds (section 4.3). */
public final class SiteKeySigner implements LmSigner {
    private final SiteSigning.SiteKey key;
    private final Host host;
    private long lmSignatures;

    public SiteKeySigner(SiteSigning.SiteKey key, Host host) {
        this.key = key;
        this.host = host;
    }

    @Override
    public void sign(Batch batch) {
        if (!host.forwardsAny(batch)) return; // only a server that sends some of the batch spends the signature
        lmSignatures++;
        host.signed(batch, key.signer().sign(batch.tree().root()));
    }

    @Override
    public void onFrame(ServerId from, Bytes frame) {
        host.reject(from, Rejection.PROTOCOL_VIOLATION, "this site signs with its site key");
    }

    // One Ed25519 signature per batch is cheap enough to make inline: this signer offloads
    // nothing, so a result handed to it is a host routing bug, not something to ignore.
    @Override
    public void onCryptoDone(CryptoResult result) {
        throw new IllegalStateException("a site-key signer offloads no cryptography, yet was handed " + result);
    }

    @Override
    public boolean isWanted(CryptoJob job) {
        return false;
    }

    @Override
    public long lmSignatures() {
        return lmSignatures;
    }

    @Override
    public long sharesMade() {
        return 0;
    }

    @Override
    public long proofsMade() {
        return 0;
    }

    @Override
    public Set<ServerId> blacklist() {
        return Set.of();
    }
}
