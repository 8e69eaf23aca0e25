package io.redoubt.lm.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Key agreement on signature key pairs, from which a site's servers derive pairwise MAC keys (issue 16). */
class KeyAgreementTest {
    private static KeyPair pair(SignatureScheme s, String who) {
        return s.generate(Digests.sha256(Bytes.ofUtf8("agreement-" + who)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "simulated"})
    void bothEndsOfAPairAgreeAndOtherPairsDoNot(String name) {
        SignatureScheme s = SignatureScheme.named(name);
        assertTrue(s.agrees());
        for (int k = 0; k < 8; k++) {
            KeyPair a = pair(s, "a" + k), b = pair(s, "b" + k), c = pair(s, "c" + k);
            Bytes ab = s.agree(a.privateKey(), b.publicKey());
            assertEquals(ab, s.agree(b.privateKey(), a.publicKey()), "both ends derive the same secret");
            assertNotEquals(ab, s.agree(a.privateKey(), c.publicKey()));
            assertNotEquals(ab, s.agree(c.privateKey(), b.publicKey()));
            assertEquals(32, ab.length());
        }
    }

    // RFC 7748 section 4.1's map agrees with BouncyCastle's own X25519 public key for the same scalar.
    @Test
    void ed25519AgreementIsX25519OnTheMappedKeys() {
        KeyPair a = pair(Ed25519Scheme.INSTANCE, "x");
        byte[] h = new byte[64];
        org.bouncycastle.crypto.digests.SHA512Digest d = new org.bouncycastle.crypto.digests.SHA512Digest();
        d.update(a.privateKey().unsafeArray(), 0, 32);
        d.doFinal(h, 0);
        byte[] xPublic = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(h, 0, xPublic, 0);
        KeyPair b = pair(Ed25519Scheme.INSTANCE, "y");
        byte[] expected = new byte[32];
        byte[] hb = new byte[64];
        d.update(b.privateKey().unsafeArray(), 0, 32);
        d.doFinal(hb, 0);
        assertTrue(org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(hb, 0, xPublic, 0, expected, 0));
        assertEquals(Bytes.wrap(expected), Ed25519Scheme.INSTANCE.agree(b.privateKey(), a.publicKey()));
    }

    @Test
    void malformedPeerKeysAreRefused() {
        Bytes own = pair(Ed25519Scheme.INSTANCE, "own").privateKey();
        byte[] identity = new byte[32];
        identity[0] = 1; // y = 1: the neutral point, where 1 - y has no inverse
        assertThrows(IllegalArgumentException.class, () -> Ed25519Scheme.INSTANCE.agree(own, Bytes.wrap(identity)));
        byte[] tooLarge = new byte[32];
        Arrays.fill(tooLarge, (byte) 0xff);
        tooLarge[31] = 0x7f; // y = 2^255 - 1 >= p
        assertThrows(IllegalArgumentException.class, () -> Ed25519Scheme.INSTANCE.agree(own, Bytes.wrap(tooLarge)));
        assertThrows(IllegalArgumentException.class, () -> Ed25519Scheme.INSTANCE.agree(own, Bytes.wrap(new byte[31])));
    }
}
