package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.VerifiedSignatures;

/**
 * The signing capability a host gives one PBFT core: it signs as this node and verifies what other
 * members signed. PBFT needs signatures, not only authenticated links, because view-change and
 * state-transfer messages carry certificates that a third party must be able to check (Castro and
 * Liskov, OSDI '99, section 4.4). Production passes Ed25519 keys; the simulator passes
 * {@link io.redoubt.lm.crypto.SimulatedScheme} keys. At the wide-area tier a message's signature is
 * its logical machine's proof ({@link LmProofKeys}): no key held by any one server can sign for a
 * site, so a faulty server cannot help another site forge its site's messages.
 *
 * @param <N> node identity type
 */
public interface NodeKeys<N> {
    /** Signs {@code message} as this node. Must be deterministic (Ed25519 is). */
    Bytes sign(Bytes message);

    /** Whether {@code signature} is {@code signer}'s signature of {@code message}; never throws. */
    boolean verify(N signer, Bytes message, Bytes signature);

    /**
     * Whether signatures come from the transport rather than from {@link #sign}: {@code sign}
     * returns {@link Bytes#EMPTY}, each message sent leaves unsigned, and the host hands the core
     * the proof that came with it ({@link io.redoubt.lm.core.OrderingCore#onMessage(Object, Bytes,
     * Bytes)}). A member's own messages then have no signature of their own; inside a message of
     * that same member they need none (the enclosing message's proof covers them).
     */
    default boolean signsByTransport() {
        return false;
    }

    /** Gives each node of a deployment its keys; a factory holds one of these for all its cores. */
    interface Provider {
        <N> NodeKeys<N> forNode(N self);
    }

    /**
     * Server keys from a {@link KeyDirectory}, for PBFT among the servers of a site. Sites sign
     * with {@link LmProofKeys} instead: a key every server of a site holds would let one faulty
     * server sign for the site.
     */
    static Provider fromDirectory(KeyDirectory directory) {
        return new Provider() {
            @Override
            public <N> NodeKeys<N> forNode(N self) {
                if (!(self instanceof ServerId s)) throw new IllegalArgumentException("no server key for " + self + "; sites sign with LmProofKeys");
                Bytes privateKey = directory.server(s).privateKey();
                // Retransmitted and relayed messages carry signatures this member already checked.
                VerifiedSignatures verified = new VerifiedSignatures(8_192);
                return new NodeKeys<>() {
                    @Override
                    public Bytes sign(Bytes message) {
                        return directory.scheme().sign(privateKey, message);
                    }

                    @Override
                    public boolean verify(N signer, Bytes message, Bytes signature) {
                        return verified.verify(directory, signer, message, signature);
                    }
                };
            }
        };
    }
}
