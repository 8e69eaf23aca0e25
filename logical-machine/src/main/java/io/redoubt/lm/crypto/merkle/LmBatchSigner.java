package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;

/**
 * Signs a batch root for a logical machine in one local step, which is possible only when one
 * key may speak for the whole site: a benign site (Lane 2008, section 4.3). Byzantine sites
 * combine per-server shares instead (see {@link LmSignatureScheme}).
 */
public interface LmBatchSigner {
    /** The logical machine this signer speaks for. */
    SiteId site();

    /** Signs {@link LmSignatureScheme#rootContent}({@link #site()}, {@code root}); deterministic. */
    LmSignature sign(Bytes root);
}
