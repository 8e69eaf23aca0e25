package io.redoubt.lm.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SimulatedSchemeTest {

    private static final SimulatedScheme SIM = SimulatedScheme.INSTANCE;

    private static Bytes randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return Bytes.wrap(b);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L})
    void signThenVerifyRoundTrips(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        KeyPair kp = SIM.generate(randomBytes(rnd, 32));
        for (int len : new int[] {0, 1, 55, 56, 64, 1000}) {
            Bytes msg = randomBytes(rnd, len);
            Bytes sig = SIM.sign(kp.privateKey(), msg);
            assertEquals(32, sig.length());
            assertTrue(SIM.verify(kp.publicKey(), msg, sig));
        }
    }

    @Test
    void tamperedMessageFails() {
        KeyPair kp = SIM.generate(randomBytes(new SplittableRandom(4), 32));
        Bytes msg = Bytes.ofUtf8("hello");
        Bytes sig = SIM.sign(kp.privateKey(), msg);
        assertFalse(SIM.verify(kp.publicKey(), Bytes.ofUtf8("hellp"), sig));
        assertFalse(SIM.verify(kp.publicKey(), Bytes.ofUtf8("hello "), sig));
        assertFalse(SIM.verify(kp.publicKey(), Bytes.EMPTY, sig));
    }

    @Test
    void tamperedSignatureFailsAtEveryByte() {
        KeyPair kp = SIM.generate(randomBytes(new SplittableRandom(5), 32));
        Bytes msg = Bytes.ofUtf8("hello");
        byte[] sig = SIM.sign(kp.privateKey(), msg).toArray();
        for (int i = 0; i < sig.length; i++) {
            byte[] t = sig.clone();
            t[i] ^= 1;
            assertFalse(SIM.verify(kp.publicKey(), msg, Bytes.wrap(t)), "byte " + i);
        }
    }

    @Test
    void wrongKeyFails() {
        SplittableRandom rnd = new SplittableRandom(6);
        KeyPair a = SIM.generate(randomBytes(rnd, 32));
        KeyPair b = SIM.generate(randomBytes(rnd, 32));
        Bytes msg = Bytes.ofUtf8("hello");
        assertFalse(SIM.verify(b.publicKey(), msg, SIM.sign(a.privateKey(), msg)));
    }

    @Test
    void wrongSignatureLengthsReturnFalse() {
        KeyPair kp = SIM.generate(randomBytes(new SplittableRandom(7), 32));
        Bytes msg = Bytes.ofUtf8("hello");
        byte[] sig = SIM.sign(kp.privateKey(), msg).toArray();
        for (int len : new int[] {0, 31, 33, 64}) {
            assertFalse(SIM.verify(kp.publicKey(), msg, Bytes.wrap(Arrays.copyOf(sig, len))), "length " + len);
        }
    }

    @Test
    void signingAndKeyGenerationAreDeterministic() {
        Bytes seed = randomBytes(new SplittableRandom(8), 32);
        KeyPair a = SIM.generate(seed);
        KeyPair b = SIM.generate(Bytes.copyOf(seed.toArray()));
        assertEquals(a, b);
        Bytes msg = Bytes.ofUtf8("m");
        assertEquals(SIM.sign(a.privateKey(), msg), SIM.sign(b.privateKey(), msg));
        assertNotEquals(a, SIM.generate(randomBytes(new SplittableRandom(9), 32)));
    }

    @Test
    void signatureIsSha256OfKeyThenMessage() {
        Bytes key = Bytes.ofUtf8("k");
        Bytes msg = Bytes.ofUtf8("m");
        assertEquals(Digests.sha256(Bytes.ofUtf8("km")), SIM.sign(key, msg));
    }

    @Test
    void nameIsSimulatedAndNamedReturnsTheInstance() {
        assertEquals("simulated", SIM.name());
        assertSame(SIM, SignatureScheme.named("simulated"));
    }
}
