package io.redoubt.lm.crypto.threshold;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    /**
     * Whether the caller already checked this server's proof against the very partial being
     * combined and found that it holds, so combine need not check it again. A server checks
     * proofs off its input thread (io.redoubt.lm.sign.ThresholdSign) and must not pay 9 ms per
     * proof twice. Default: no, every proof is checked here.
     */
    default boolean checkedByCaller(int serverIndex) {
        return false;
    }

    static ProofSource none() {
        return serverIndex -> Optional.empty();
    }

    static ProofSource of(Map<Integer, CorrectnessProof> proofsByServer) {
        Map<Integer, CorrectnessProof> copy = Map.copyOf(proofsByServer);
        return serverIndex -> Optional.ofNullable(copy.get(serverIndex));
    }

    /** {@link #of(Map)}, the proofs of {@code checked} already found to hold by the caller. */
    static ProofSource of(Map<Integer, CorrectnessProof> proofsByServer, Set<Integer> checked) {
        Map<Integer, CorrectnessProof> copy = Map.copyOf(proofsByServer);
        Set<Integer> held = Set.copyOf(checked);
        return new ProofSource() {
            @Override
            public Optional<CorrectnessProof> proofFor(int serverIndex) {
                return Optional.ofNullable(copy.get(serverIndex));
            }

            @Override
            public boolean checkedByCaller(int serverIndex) {
                return held.contains(serverIndex) && copy.containsKey(serverIndex);
            }
        };
    }
}
