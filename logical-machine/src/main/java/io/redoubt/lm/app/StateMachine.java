package io.redoubt.lm.app;

import io.redoubt.lm.Bytes;

/**
 * The replicated application (section 4.2): a deterministic state machine. Every correct server
 * applies the same updates in the same global order, so each must give the same reply and reach
 * the same state. Implementations must not read clocks, randomness or the environment, and must
 * treat an operation's bytes as untrusted: a malformed operation gets an error reply, not an
 * exception, because clients may be faulty (section 4.2, "updates from faulty clients will be
 * replicated consistently").
 */
public interface StateMachine {
    /** Applies one ordered update and returns the reply for the client. */
    Bytes apply(Bytes operation);

    /** A read that does not change state (not ordered; answered by one server). */
    Bytes query(Bytes read);

    /** The whole state, canonically encoded: equal states give equal snapshots. */
    Bytes snapshot();

    /** Replaces the state with one produced by {@link #snapshot()}. */
    void restore(Bytes snapshot);

    /**
     * A digest of the whole state: equal states give equal digests. The simulator compares it
     * across the servers of a site after the same ordered events. Override when hashing the
     * snapshot is too slow for a large state.
     */
    default Bytes stateDigest() {
        return io.redoubt.lm.crypto.Digests.sha256(snapshot());
    }
}
