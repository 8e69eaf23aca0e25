package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;

/** A private key and its public key, as encoded by one {@link SignatureScheme}. */
public record KeyPair(Bytes privateKey, Bytes publicKey) {
    @Override
    public String toString() {
        return "KeyPair(public=" + publicKey + ")"; // never print private keys
    }
}
