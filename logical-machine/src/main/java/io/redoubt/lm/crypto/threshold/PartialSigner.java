package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;

/**
 * One server's half of THRESHOLD-SIGN (Lane 2008, Figure 3.10): its partial signature and, on
 * request, the proof that the partial is correct. {@link ThresholdSigner} is Shoup threshold RSA,
 * what deployments use; the simulator's campaigns may use a cheaper stand-in with the same
 * observable behaviour (simulation's SimulatedThreshold).
 */
public interface PartialSigner {
    int serverIndex();

    /** Deterministic for a given share and message. */
    PartialSignature sign(Bytes message);

    /** The proof of correctness for {@code ownPartial}, which must be what {@link #sign} returned for {@code message}. */
    CorrectnessProof prove(Bytes message, PartialSignature ownPartial);
}
