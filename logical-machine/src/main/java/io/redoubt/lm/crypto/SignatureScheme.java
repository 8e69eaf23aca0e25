package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;

/**
 * An ordinary (single-signer) signature scheme. Implementations must be deterministic:
 * signing the same bytes with the same key gives the same signature, which is what lets every
 * server of a benign site produce the identical LM signature (section 4.3).
 */
public interface SignatureScheme {
    String name();

    /** Derives a key pair from 32 bytes of seed material (deployments and the simulator use seeds). */
    KeyPair generate(Bytes seed32);

    Bytes sign(Bytes privateKey, Bytes message);

    /** False for any malformed key or signature; never throws on untrusted input. */
    boolean verify(Bytes publicKey, Bytes message, Bytes signature);

    /**
     * Whether a check costs no more than remembering it ({@link VerifiedSignatures} then checks
     * directly): true only for the simulator's one-digest stand-in.
     */
    default boolean checksAsCheaplyAsMemo() {
        return false;
    }

    /** Whether {@link #agree} works: two key holders can derive a secret only they share. */
    default boolean agrees() {
        return false;
    }

    /**
     * A secret shared by the holders of two key pairs of this scheme: {@code agree(a, B) ==
     * agree(b, A)}, and nobody else can compute it. Pairwise MAC keys come from it (PBFT's
     * authenticators among the servers of a site), so no key needs to be dealt beyond the
     * signature keys.
     *
     * @throws IllegalArgumentException for a malformed or weak peer key
     */
    default Bytes agree(Bytes ownPrivateKey, Bytes peerPublicKey) {
        throw new UnsupportedOperationException(name() + " has no key agreement");
    }

    static SignatureScheme named(String name) {
        return switch (name) {
            case "ed25519" -> Ed25519Scheme.INSTANCE;
            case "simulated" -> SimulatedScheme.INSTANCE;
            default -> throw new IllegalArgumentException(
                    "unknown signature scheme '" + name + "'; valid: ed25519, simulated");
        };
    }
}
