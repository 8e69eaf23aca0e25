package io.redoubt.lm.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VerifiedSignaturesTest {
    /** Ed25519 that counts the checks it really makes. */
    private static final class CountingScheme implements SignatureScheme {
        final AtomicInteger verifies = new AtomicInteger();

        public String name() {
            return "counting-ed25519";
        }

        public KeyPair generate(Bytes seed32) {
            return Ed25519Scheme.INSTANCE.generate(seed32);
        }

        public Bytes sign(Bytes privateKey, Bytes message) {
            return Ed25519Scheme.INSTANCE.sign(privateKey, message);
        }

        public boolean verify(Bytes publicKey, Bytes message, Bytes signature) {
            verifies.incrementAndGet();
            return Ed25519Scheme.INSTANCE.verify(publicKey, message, signature);
        }
    }

    private final CountingScheme scheme = new CountingScheme();
    private final KeyDirectory keys = KeyDirectory.derived(scheme, Bytes.ofUtf8("verified-signatures-test"));
    private final ServerId alice = ServerId.of(0, 0);
    private final ServerId bob = ServerId.of(0, 1);
    private final Bytes content = Bytes.ofUtf8("prepare v=3 s=17");
    private final Bytes aliceSigned = scheme.sign(keys.server(alice).privateKey(), content);

    @Test
    void aSignatureCheckedOnceIsAnsweredFromMemoryTheSecondTime() {
        VerifiedSignatures cache = new VerifiedSignatures(16);
        assertTrue(cache.verify(keys, alice, content, aliceSigned));
        assertTrue(cache.verify(keys, alice, content, aliceSigned));
        assertEquals(1, scheme.verifies.get());
        assertEquals(1, cache.hits());
    }

    @Test
    void theVerdictNeverDependsOnTheCache() {
        VerifiedSignatures cache = new VerifiedSignatures(16);
        assertTrue(cache.verify(keys, alice, content, aliceSigned));
        // The same signature under another signer, or over other content, is checked, and fails.
        assertFalse(cache.verify(keys, bob, content, aliceSigned));
        assertFalse(cache.verify(keys, alice, Bytes.ofUtf8("prepare v=3 s=18"), aliceSigned));
        byte[] bits = aliceSigned.toArray();
        bits[0] ^= 1;
        Bytes flipped = Bytes.wrap(bits);
        assertFalse(cache.verify(keys, alice, content, flipped));
        // Failures are not remembered: each is checked again.
        int before = scheme.verifies.get();
        assertFalse(cache.verify(keys, bob, content, aliceSigned));
        assertEquals(before + 1, scheme.verifies.get());
        assertEquals(0, cache.hits());
    }

    @Test
    void theOldestEntriesGoFirstWhenFull() {
        VerifiedSignatures cache = new VerifiedSignatures(2);
        Bytes[] contents = {Bytes.ofUtf8("a"), Bytes.ofUtf8("b"), Bytes.ofUtf8("c")};
        for (Bytes c : contents) assertTrue(cache.verify(keys, alice, c, scheme.sign(keys.server(alice).privateKey(), c)));
        int before = scheme.verifies.get();
        assertTrue(cache.verify(keys, alice, contents[2], scheme.sign(keys.server(alice).privateKey(), contents[2])));
        assertEquals(before, scheme.verifies.get(), "the newest is remembered");
        assertTrue(cache.verify(keys, alice, contents[0], scheme.sign(keys.server(alice).privateKey(), contents[0])));
        assertEquals(before + 1, scheme.verifies.get(), "the oldest was forgotten");
    }

    @Test
    void withTheSimulatedSchemeEveryCheckIsMadeAndNothingIsRemembered() {
        KeyDirectory simulated = KeyDirectory.derived(SimulatedScheme.INSTANCE, Bytes.ofUtf8("verified-signatures-test"));
        Bytes signed = SimulatedScheme.INSTANCE.sign(simulated.server(alice).privateKey(), content);
        VerifiedSignatures cache = new VerifiedSignatures(16);
        assertTrue(cache.verify(simulated, alice, content, signed));
        assertTrue(cache.verify(simulated, alice, content, signed));
        assertFalse(cache.verify(simulated, bob, content, signed));
        assertFalse(cache.verify(simulated, alice, Bytes.ofUtf8("prepare v=3 s=18"), signed));
        assertEquals(0, cache.hits(), "the stand-in check is cheaper than the memo, so it is always made");
    }
}
