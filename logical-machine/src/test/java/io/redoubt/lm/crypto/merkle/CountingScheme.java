package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.crypto.SignatureScheme;

/** Wraps a real scheme and counts the signature checks that reach it. */
final class CountingScheme implements SignatureScheme {
    private final SignatureScheme inner;
    private long verifications;

    CountingScheme(SignatureScheme inner) {
        this.inner = inner;
    }

    long verifications() {
        return verifications;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public KeyPair generate(Bytes seed32) {
        return inner.generate(seed32);
    }

    @Override
    public Bytes sign(Bytes privateKey, Bytes message) {
        return inner.sign(privateKey, message);
    }

    @Override
    public boolean verify(Bytes publicKey, Bytes message, Bytes signature) {
        verifications++;
        return inner.verify(publicKey, message, signature);
    }
}
