package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import java.util.List;

/**
 * The combiner's half of THRESHOLD-SIGN (Lane 2008, Figure 3.10, B1-B11), over public data only.
 * {@link ThresholdCombiner} is Shoup threshold RSA; see {@link PartialSigner} for the stand-in.
 * Partials and proofs are untrusted: no method throws because of their content.
 */
public interface PartialCombiner {
    /** VERIFY-SHARE: whether {@code proof} shows {@code partial} was made with its server's share over {@code message}. */
    boolean verifyProof(Bytes message, PartialSignature partial, CorrectnessProof proof);

    /**
     * Optimistic combination: k partials combined and the result checked; only if that fails,
     * the proofs decide which partials to blame and which k to combine (Figure 3.10, B2-B10).
     */
    CombineResult combine(Bytes message, List<PartialSignature> partials, ProofSource proofs);
}
