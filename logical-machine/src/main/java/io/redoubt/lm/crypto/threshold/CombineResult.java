package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link ThresholdCombiner#combine}. Either way, {@link #blamed} lists the
 * servers whose partial signatures are proven bad: per Lane 2008, Figure 3.10 (B8-B10), the
 * caller adds them to its corrupted-servers list, ignores their further messages and
 * broadcasts the evidence (each {@link Blame} carries the offending partial and proof; wrap
 * the sender-signed Partial_Sig message that carried them in a Corrupted_Server message).
 */
public sealed interface CombineResult permits CombineResult.Signed, CombineResult.Unsigned {

    List<Blame> blamed();

    /** A valid RSA signature y (y^e = H(M) mod n), made from the partials of {@code signers}. */
    record Signed(Bytes signature, List<Integer> signers, List<Blame> blamed) implements CombineResult {
        public Signed {
            Objects.requireNonNull(signature, "signature");
            signers = List.copyOf(signers);
            blamed = List.copyOf(blamed);
        }
    }

    /**
     * No signature yet. The caller blacklists {@code blamed}, asks the servers in
     * {@code awaitingProof} for their proofs, and waits for more partials (Figure 3.10, B11:
     * "continue to wait for more Partial_Sig messages"), then calls combine again.
     * {@code provenValid} are the servers whose proofs were checked and held.
     */
    record Unsigned(Shortfall shortfall, List<Blame> blamed, List<Integer> awaitingProof, List<Integer> provenValid)
            implements CombineResult {
        public Unsigned {
            Objects.requireNonNull(shortfall, "shortfall");
            blamed = List.copyOf(blamed);
            awaitingProof = List.copyOf(awaitingProof);
            provenValid = List.copyOf(provenValid);
        }
    }

    /** Why no signature came out. */
    enum Shortfall {
        /** Fewer than k partials with a value in range were given; nothing was combined. */
        TOO_FEW_PARTIALS,
        /** The optimistic combination failed and some proofs are not available yet. */
        AWAITING_PROOFS,
        /** Every proof was checked and fewer than k partials are valid. */
        TOO_FEW_VALID_PARTIALS,
        /**
         * k partials with valid proofs combined to a signature that does not verify. Shoup's
         * proofs are sound, so this means the public key itself is inconsistent (a bad dealer).
         */
        KEY_INCONSISTENT
    }

    /** Evidence against one server: a correct server never sends this partial with this proof. */
    record Blame(int serverIndex, Fault fault, PartialSignature partial, CorrectnessProof proof) {
        public Blame {
            Objects.requireNonNull(fault, "fault");
            Objects.requireNonNull(partial, "partial");
            if (partial.serverIndex() != serverIndex) throw new IllegalArgumentException("blame for another server's partial");
            if ((proof == null) != (fault == Fault.VALUE_OUT_OF_RANGE)) {
                throw new IllegalArgumentException("a proof is evidence exactly when the fault is PROOF_REJECTED");
            }
        }
    }

    enum Fault {
        /** The partial is 0 or at least n: evidence by itself, no proof needed. */
        VALUE_OUT_OF_RANGE,
        /** The server's proof of correctness for this partial does not verify (Shoup 2000, "Generating a Signature Share"). */
        PROOF_REJECTED
    }
}
