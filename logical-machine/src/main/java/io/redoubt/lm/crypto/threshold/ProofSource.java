package io.redoubt.lm.crypto.threshold;

import java.util.Map;
import java.util.Optional;

/**
 * Where {@link ThresholdCombiner#combine} gets proofs of correctness, and only when the
 * optimistic combination failed (Lane 2008, Figure 3.10, B5-B6). A host that sends proofs with
 * every partial answers from what it holds; a host that sends them lazily answers with what
 * has arrived, and requests the rest for the servers the result lists as awaiting a proof.
 * Must not block: a proof that is not here yet is {@link Optional#empty()}.
 */
@FunctionalInterface
public interface ProofSource {
    /** The proof server {@code serverIndex} sent for its partial on the message being combined. */
    Optional<CorrectnessProof> proofFor(int serverIndex);

    static ProofSource none() {
        return serverIndex -> Optional.empty();
    }

    static ProofSource of(Map<Integer, CorrectnessProof> proofsByServer) {
        Map<Integer, CorrectnessProof> copy = Map.copyOf(proofsByServer);
        return serverIndex -> Optional.ofNullable(copy.get(serverIndex));
    }
}
