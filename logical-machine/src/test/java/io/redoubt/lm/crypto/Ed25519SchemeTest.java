package io.redoubt.lm.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ed25519SchemeTest {

    private static final Ed25519Scheme ED = Ed25519Scheme.INSTANCE;

    private static Bytes hex(String h) {
        return Bytes.wrap(HexFormat.of().parseHex(h));
    }

    private static Bytes randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return Bytes.wrap(b);
    }

    private static Bytes flipBit(Bytes b, int bit) {
        byte[] a = b.toArray();
        a[bit / 8] ^= (byte) (1 << (bit % 8));
        return Bytes.wrap(a);
    }

    private static KeyPair keys(long seed) {
        return ED.generate(randomBytes(new SplittableRandom(seed), 32));
    }

    @Test
    void rfc8032Test1KeyAndSignatureMatch() {
        Bytes secret = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        Bytes expectedPublic = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        Bytes expectedSignature = hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
                + "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        KeyPair kp = ED.generate(secret);
        assertEquals(secret, kp.privateKey());
        assertEquals(expectedPublic, kp.publicKey());
        assertEquals(expectedSignature, ED.sign(kp.privateKey(), Bytes.EMPTY));
        assertTrue(ED.verify(expectedPublic, Bytes.EMPTY, expectedSignature));
    }

    @Test
    void rfc8032Test2KeyAndSignatureMatch() {
        Bytes secret = hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
        Bytes expectedPublic = hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        Bytes message = hex("72");
        Bytes expectedSignature = hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
        KeyPair kp = ED.generate(secret);
        assertEquals(expectedPublic, kp.publicKey());
        assertEquals(expectedSignature, ED.sign(secret, message));
        assertTrue(ED.verify(expectedPublic, message, expectedSignature));
        assertFalse(ED.verify(expectedPublic, Bytes.EMPTY, expectedSignature));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 4L})
    void signThenVerifyRoundTrips(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        KeyPair kp = ED.generate(randomBytes(rnd, 32));
        assertEquals(32, kp.publicKey().length());
        for (int len : new int[] {0, 1, 31, 32, 33, 64, 1000}) {
            Bytes msg = randomBytes(rnd, len);
            Bytes sig = ED.sign(kp.privateKey(), msg);
            assertEquals(Ed25519Scheme.SIGNATURE_LENGTH, sig.length());
            assertTrue(ED.verify(kp.publicKey(), msg, sig));
        }
    }

    @Test
    void verificationFailsForAnyFlippedBitInTheMessage() {
        KeyPair kp = keys(10);
        Bytes msg = Bytes.ofUtf8("order slot 17 view 3");
        Bytes sig = ED.sign(kp.privateKey(), msg);
        for (int bit = 0; bit < msg.length() * 8; bit++) {
            assertFalse(ED.verify(kp.publicKey(), flipBit(msg, bit), sig), "message bit " + bit);
        }
    }

    @Test
    void verificationFailsForAnyFlippedBitInTheSignature() {
        KeyPair kp = keys(11);
        Bytes msg = Bytes.ofUtf8("payload");
        Bytes sig = ED.sign(kp.privateKey(), msg);
        for (int bit = 0; bit < sig.length() * 8; bit++) {
            assertFalse(ED.verify(kp.publicKey(), msg, flipBit(sig, bit)), "signature bit " + bit);
        }
    }

    @Test
    void verificationFailsForAnyFlippedBitInThePublicKeyWithoutThrowing() {
        KeyPair kp = keys(12);
        Bytes msg = Bytes.ofUtf8("payload");
        Bytes sig = ED.sign(kp.privateKey(), msg);
        for (int bit = 0; bit < 256; bit++) {
            assertFalse(ED.verify(flipBit(kp.publicKey(), bit), msg, sig), "public key bit " + bit);
        }
    }

    @Test
    void verificationFailsUnderAnotherKey() {
        KeyPair a = keys(13);
        KeyPair b = keys(14);
        Bytes msg = Bytes.ofUtf8("m");
        assertFalse(ED.verify(b.publicKey(), msg, ED.sign(a.privateKey(), msg)));
    }

    @Test
    void malformedKeyAndSignatureLengthsReturnFalseWithoutThrowing() {
        KeyPair kp = keys(15);
        Bytes msg = Bytes.ofUtf8("m");
        Bytes sig = ED.sign(kp.privateKey(), msg);
        byte[] pk = kp.publicKey().toArray();
        byte[] s = sig.toArray();
        for (int len : new int[] {0, 1, 31, 33, 64}) {
            assertFalse(ED.verify(Bytes.wrap(Arrays.copyOf(pk, len)), msg, sig), "key length " + len);
        }
        for (int len : new int[] {0, 1, 32, 63, 65, 128}) {
            assertFalse(ED.verify(kp.publicKey(), msg, Bytes.wrap(Arrays.copyOf(s, len))), "signature length " + len);
        }
        assertFalse(ED.verify(Bytes.EMPTY, msg, Bytes.EMPTY));
    }

    @Test
    void garbageKeysAndSignaturesOfTheRightLengthReturnFalseWithoutThrowing() {
        SplittableRandom rnd = new SplittableRandom(16);
        Bytes msg = Bytes.ofUtf8("m");
        for (int i = 0; i < 200; i++) {
            assertFalse(ED.verify(randomBytes(rnd, 32), msg, randomBytes(rnd, 64)));
        }
        Bytes ones = Bytes.wrap(filled(32, 0xff));
        assertFalse(ED.verify(ones, msg, Bytes.wrap(filled(64, 0xff))));
        assertFalse(ED.verify(Bytes.wrap(new byte[32]), msg, Bytes.wrap(new byte[64])));
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    @Test
    void nonCanonicalSignatureScalarIsRejected() {
        // S + L encodes the same scalar mod L; RFC 8032 requires rejecting S >= L (malleability)
        BigInteger groupOrder = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
        KeyPair kp = keys(17);
        Bytes msg = Bytes.ofUtf8("m");
        byte[] sig = ED.sign(kp.privateKey(), msg).toArray();
        byte[] sLittle = Arrays.copyOfRange(sig, 32, 64);
        byte[] sBig = new byte[32];
        for (int i = 0; i < 32; i++) sBig[i] = sLittle[31 - i];
        BigInteger s = new BigInteger(1, sBig).add(groupOrder);
        byte[] widened = s.toByteArray(); // big-endian, fits in 32 bytes since S + L < 2^253
        byte[] malleated = sig.clone();
        Arrays.fill(malleated, 32, 64, (byte) 0);
        for (int i = 0; i < widened.length && i < 32; i++) malleated[32 + i] = widened[widened.length - 1 - i];
        assertNotEquals(Bytes.wrap(sig), Bytes.wrap(malleated));
        assertFalse(ED.verify(kp.publicKey(), msg, Bytes.wrap(malleated)));
    }

    @Test
    void signaturesAreDeterministic() {
        KeyPair kp = keys(18);
        Bytes msg = Bytes.ofUtf8("same bytes on every server");
        Bytes first = ED.sign(kp.privateKey(), msg);
        assertEquals(first, ED.sign(kp.privateKey(), msg));
        assertEquals(first, ED.sign(Bytes.copyOf(kp.privateKey().toArray()), Bytes.copyOf(msg.toArray())));
        assertNotEquals(first, ED.sign(kp.privateKey(), Bytes.ofUtf8("other bytes")));
    }

    @Test
    void generateFromTheSameSeedGivesTheSameKeyPair() {
        Bytes seed = randomBytes(new SplittableRandom(19), 32);
        KeyPair a = ED.generate(seed);
        KeyPair b = ED.generate(Bytes.copyOf(seed.toArray()));
        assertEquals(a, b);
        assertEquals(a.publicKey(), b.publicKey());
        assertNotEquals(a.publicKey(), ED.generate(flipBit(seed, 0)).publicKey());
    }

    @Test
    void generateRejectsSeedsThatAreNot32Bytes() {
        assertThrows(IllegalArgumentException.class, () -> ED.generate(Bytes.wrap(new byte[31])));
        assertThrows(IllegalArgumentException.class, () -> ED.generate(Bytes.wrap(new byte[33])));
        assertThrows(IllegalArgumentException.class, () -> ED.generate(Bytes.EMPTY));
    }

    @Test
    void keyPairToStringDoesNotRevealThePrivateKey() {
        KeyPair kp = keys(20);
        String s = kp.toString();
        assertFalse(s.contains(kp.privateKey().toString()), s);
        assertFalse(s.contains(kp.privateKey().toHex().substring(0, 16)), s);
        assertTrue(s.contains(kp.publicKey().toString()), s);
    }

    @Test
    void nameIsEd25519AndNamedReturnsTheInstance() {
        assertEquals("ed25519", ED.name());
        assertSame(ED, SignatureScheme.named("ed25519"));
    }
}
