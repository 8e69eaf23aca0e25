package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;

/**
 * A stand-in for signatures inside the deterministic simulator only: sign = SHA-256(key || msg),
 * and the "public" key is the same secret, so verifying needs the key ring the simulator holds.
 * It models an unforgeable signature because simulated adversaries are handed only their own
 * keys; it is about 300x cheaper than Ed25519, which lets campaigns of hundreds of seeds run in
 * seconds. Never use it outside the simulator: anyone holding the key ring can forge.
 */
public final class SimulatedScheme implements SignatureScheme {
    public static final SimulatedScheme INSTANCE = new SimulatedScheme();

    private SimulatedScheme() {}

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public KeyPair generate(Bytes seed32) {
        Bytes secret = Digests.sha256(seed32);
        return new KeyPair(secret, secret);
    }

    @Override
    public Bytes sign(Bytes privateKey, Bytes message) {
        return Digests.sha256(privateKey, message);
    }

    @Override
    public boolean agrees() {
        return true;
    }

    /** Both keys hashed in a fixed order; as forgeable by a key-ring holder as the signatures here. */
    @Override
    public Bytes agree(Bytes ownPrivateKey, Bytes peerPublicKey) {
        Bytes own = ownPrivateKey; // the "public" key is the secret itself
        boolean ownFirst = java.util.Arrays.compareUnsigned(own.unsafeArray(), peerPublicKey.unsafeArray()) <= 0;
        return Digests.sha256(ownFirst ? own : peerPublicKey, ownFirst ? peerPublicKey : own);
    }

    /** One SHA-256: remembering checks ({@link VerifiedSignatures}) would cost more than it saves. */
    @Override
    public boolean checksAsCheaplyAsMemo() {
        return true;
    }

    @Override
    public boolean verify(Bytes publicKey, Bytes message, Bytes signature) {
        return signature.length() == 32 && Digests.sha256(publicKey, message).equals(signature);
    }
}
