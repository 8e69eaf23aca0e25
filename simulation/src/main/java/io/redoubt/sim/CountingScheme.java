package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.crypto.SignatureScheme;

/**
 * A signature scheme that reports every signature it makes and checks, so the simulator can
 * charge it to the server whose input is being processed (Table 4.3 counts signatures per server
 * and update; issue 16's cost summary counts verifications too).
 */
final class CountingScheme implements SignatureScheme {
    private final SignatureScheme base;
    private final Runnable onSign;
    private final Runnable onVerify;

    CountingScheme(SignatureScheme base, Runnable onSign, Runnable onVerify) {
        this.base = base;
        this.onSign = onSign;
        this.onVerify = onVerify;
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public KeyPair generate(Bytes seed32) {
        return base.generate(seed32);
    }

    @Override
    public Bytes sign(Bytes privateKey, Bytes message) {
        onSign.run();
        return CryptoCpu.time(CryptoCpu.Kind.SIGN, () -> base.sign(privateKey, message));
    }

    @Override
    public boolean agrees() {
        return base.agrees();
    }

    @Override
    public Bytes agree(Bytes ownPrivateKey, Bytes peerPublicKey) {
        return base.agree(ownPrivateKey, peerPublicKey);
    }

    @Override
    public boolean checksAsCheaplyAsMemo() {
        return base.checksAsCheaplyAsMemo();
    }

    @Override
    public boolean verify(Bytes publicKey, Bytes message, Bytes signature) {
        onVerify.run();
        return CryptoCpu.timeCheck(CryptoCpu.Kind.VERIFY, () -> base.verify(publicKey, message, signature));
    }
}
