package io.redoubt.lm.crypto.merkle;

import static io.redoubt.lm.crypto.merkle.MerkleTestData.messages;
import static io.redoubt.lm.crypto.merkle.MerkleTestData.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Paths, signatures, envelopes and shares come from other sites and servers: decoding is bounded and only ever throws DecodeException. */
class MerkleCodecTest {

    private static final int FUZZ_CASES = 10_000;
    private static final int MESSAGE_BYTES_MAX = 4096;

    @FunctionalInterface
    interface Decoder<T> {
        T decode(Bytes b) throws DecodeException;
    }

    /** Decodes untrusted bytes: a value that re-encodes to exactly the input (canonical), or a DecodeException; anything else fails. */
    private static <T extends io.redoubt.lm.codec.Encodable> boolean decodesCanonicallyOrRejects(Decoder<T> decoder, byte[] input) {
        T value;
        try {
            value = decoder.decode(Bytes.copyOf(input));
        } catch (DecodeException expected) {
            return false;
        } catch (Throwable t) {
            fail("decoder threw " + t + " for input " + Bytes.wrap(input).toHex(), t);
            return false;
        }
        assertArrayEquals(input, value.encode().unsafeArray(), "a decoded value must re-encode to its input");
        return true;
    }

    private static byte[] pathHeader(int leafIndex, int leafCount, int declaredSiblings) {
        return new CanonicalWriter().i32(leafIndex).i32(leafCount).i32(declaredSiblings).toBytes().toArray();
    }

    private static void assertRejected(byte[] input) {
        assertThrows(DecodeException.class, () -> MerklePath.decode(Bytes.wrap(input)), () -> Bytes.wrap(input).toHex());
    }

    // ------------------------------------------------------------ MerklePath

    @Test
    void everyPathOfTreesOf1To70LeavesRoundTripsWithTheExactLength() throws DecodeException {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n = 1; n <= 70; n++) {
            MerkleTree t = MerkleTree.of(messages(rnd, n));
            for (int i = 0; i < n; i++) {
                MerklePath p = t.path(i);
                Bytes encoded = p.encode();
                assertEquals(12 + 36 * p.siblings().size(), encoded.length());
                assertEquals(p, MerklePath.decode(encoded));
            }
        }
    }

    @Test
    void everyTruncationAndAnyTrailingByteIsRejected() {
        List<Bytes> ms = messages(new SplittableRandom(12), 37);
        byte[] full = MerkleTree.of(ms).path(5).encode().toArray();
        for (int len = 0; len < full.length; len++) assertRejected(Arrays.copyOf(full, len));
        assertRejected(Arrays.copyOf(full, full.length + 1));
    }

    @Test
    void leafCountsOutsideOneTo2Pow16AreRejected() {
        for (int count : new int[] {0, -1, MerklePath.LEAF_COUNT_MAX + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRejected(pathHeader(0, count, 0));
        }
    }

    @Test
    void aLeafIndexOutsideTheTreeIsRejected() {
        assertRejected(pathHeader(-1, 4, 2));
        assertRejected(pathHeader(4, 4, 2));
        assertRejected(pathHeader(Integer.MAX_VALUE, 4, 2));
        assertRejected(pathHeader(1, 1, 0));
    }

    @Test
    void aSiblingCountOtherThanTheExactOneForThePositionIsRejected() {
        byte[] sibling = new CanonicalWriter().bytes(new byte[32]).toBytes().toArray();
        for (int declared : new int[] {-1, 0, 1, 3, 17, Integer.MAX_VALUE}) {
            byte[] b = pathHeader(0, 4, declared); // leaf 0 of 4 needs exactly 2
            byte[] withSiblings = Arrays.copyOf(b, b.length + Math.max(0, Math.min(declared, 17)) * sibling.length);
            for (int k = 0; k < Math.max(0, Math.min(declared, 17)); k++) System.arraycopy(sibling, 0, withSiblings, b.length + k * sibling.length, sibling.length);
            assertRejected(withSiblings);
        }
        // leaf 4 of 5 is promoted twice: one sibling, not ceil(log2 5) = 3
        byte[] three = Arrays.copyOf(pathHeader(4, 5, 3), 12 + 3 * sibling.length);
        for (int k = 0; k < 3; k++) System.arraycopy(sibling, 0, three, 12 + k * sibling.length, sibling.length);
        assertRejected(three);
    }

    @Test
    void siblingsOfAnyLengthButThirtyTwoBytesAreRejected() {
        for (int len : new int[] {0, 31, 33, 64}) {
            byte[] b = new CanonicalWriter().i32(0).i32(2).i32(1).bytes(new byte[len]).toBytes().toArray();
            assertRejected(b);
        }
        byte[] ok = new CanonicalWriter().i32(0).i32(2).i32(1).bytes(new byte[32]).toBytes().toArray();
        assertTrue(decodesCanonicallyOrRejects(MerklePath::decode, ok));
    }

    @Test
    void tenThousandRandomInputsOnlyEverThrowDecodeException() {
        SplittableRandom rnd = new SplittableRandom(13);
        int decoded = 0;
        for (int c = 0; c < FUZZ_CASES; c++) {
            byte[] raw = new byte[rnd.nextInt(0, 400)];
            rnd.nextBytes(raw);
            decodesCanonicallyOrRejects(MerklePath::decode, raw);
            // structured: plausible small header fields so decoding gets past the first checks
            int count = rnd.nextInt(1, 20);
            int index = rnd.nextInt(-1, count + 1);
            boolean fitting = index >= 0 && index < count && rnd.nextBoolean();
            int declared = fitting ? MerklePath.expectedSiblingCount(index, count) : rnd.nextInt(-1, 7);
            CanonicalWriter w = new CanonicalWriter().i32(index).i32(count).i32(declared);
            int written = fitting && rnd.nextInt(4) > 0 ? declared : rnd.nextInt(0, 7);
            for (int k = 0; k < written; k++) w.bytes(randomBytes(rnd, rnd.nextInt(10) == 0 ? rnd.nextInt(0, 40) : 32));
            if (rnd.nextInt(8) == 0) w.u8(rnd.nextInt(256));
            if (decodesCanonicallyOrRejects(MerklePath::decode, w.toBytes().toArray())) decoded++;
        }
        assertTrue(decoded > 1000, "the structured fuzz must reach valid paths too, reached " + decoded);
    }

    @Test
    void mutationsOfValidPathsOnlyEverThrowDecodeException() {
        SplittableRandom rnd = new SplittableRandom(14);
        List<Bytes> ms = messages(rnd, 70);
        MerkleTree t = MerkleTree.of(ms);
        for (int c = 0; c < FUZZ_CASES; c++) {
            byte[] b = t.path(rnd.nextInt(70)).encode().toArray();
            decodesCanonicallyOrRejects(MerklePath::decode, mutate(rnd, b));
        }
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] b) {
        switch (rnd.nextInt(4)) {
            case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            case 2 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            default -> {
                int at = rnd.nextInt(b.length);
                byte[] longer = new byte[b.length + 1];
                System.arraycopy(b, 0, longer, 0, at);
                longer[at] = (byte) rnd.nextInt(256);
                System.arraycopy(b, at, longer, at + 1, b.length - at);
                b = longer;
            }
        }
        return b;
    }

    // ------------------------------------------------------------ signature, envelope, share

    @Test
    void signaturesEnvelopesAndSharesRoundTrip() throws DecodeException {
        SplittableRandom rnd = new SplittableRandom(15);
        List<Bytes> ms = messages(rnd, 9);
        MerkleBatch batch = MerkleBatch.of(ms);
        LmSignature sig = new LmSignature("site-key/ed25519", randomBytes(rnd, 64));
        assertEquals(sig, LmSignature.decode(sig.encode()));
        for (LmEnvelopePart e : batch.envelopes(sig)) assertEquals(e, LmEnvelopePart.decode(e.encode(), MESSAGE_BYTES_MAX));
        ServerSignatureShare share = new ServerSignatureShare(ServerId.of(3, 2), randomBytes(rnd, 64));
        assertEquals(share, ServerSignatureShare.decode(share.encode()));
    }

    @Test
    void envelopesBoundTheMessageAndTheSignature() {
        LmEnvelopePart big = new LmEnvelopePart(Bytes.wrap(new byte[MESSAGE_BYTES_MAX + 1]), MerkleTree.of(List.of(Bytes.EMPTY)).path(0),
                new LmSignature("x", Bytes.EMPTY));
        assertThrows(DecodeException.class, () -> LmEnvelopePart.decode(big.encode(), MESSAGE_BYTES_MAX));
        byte[] hugeSignature = new CanonicalWriter().utf8("x").i32(LmSignature.VALUE_BYTES_MAX + 1).toBytes().toArray();
        assertThrows(DecodeException.class, () -> LmSignature.decode(Bytes.wrap(hugeSignature)));
        byte[] emptyName = new CanonicalWriter().utf8("").bytes(new byte[3]).toBytes().toArray();
        assertThrows(DecodeException.class, () -> LmSignature.decode(Bytes.wrap(emptyName)));
        byte[] longName = new CanonicalWriter().utf8("n".repeat(LmSignature.SCHEME_NAME_BYTES_MAX + 1)).bytes(new byte[3]).toBytes().toArray();
        assertThrows(DecodeException.class, () -> LmSignature.decode(Bytes.wrap(longName)));
        assertThrows(IllegalArgumentException.class, () -> new LmSignature("é".repeat(LmSignature.SCHEME_NAME_BYTES_MAX), Bytes.EMPTY));
    }

    @Test
    void mutatedEnvelopesSignaturesAndSharesOnlyEverThrowDecodeException() {
        SplittableRandom rnd = new SplittableRandom(16);
        MerkleBatch batch = MerkleBatch.of(messages(rnd, 23));
        List<LmEnvelopePart> envelopes = batch.envelopes(new LmSignature("certificate/ed25519", randomBytes(rnd, 150)));
        for (int c = 0; c < FUZZ_CASES; c++) {
            byte[] e = envelopes.get(rnd.nextInt(envelopes.size())).encode().toArray();
            decodesCanonicallyOrRejects(b -> LmEnvelopePart.decode(b, MESSAGE_BYTES_MAX), mutate(rnd, e));
            byte[] raw = new byte[rnd.nextInt(0, 200)];
            rnd.nextBytes(raw);
            decodesCanonicallyOrRejects(b -> LmEnvelopePart.decode(b, MESSAGE_BYTES_MAX), raw);
            decodesCanonicallyOrRejects(LmSignature::decode, raw);
            decodesCanonicallyOrRejects(ServerSignatureShare::decode, raw);
            decodesCanonicallyOrRejects(ServerSignatureShare::decode,
                    mutate(rnd, new ServerSignatureShare(ServerId.of(1, 2), randomBytes(rnd, 64)).encode().toArray()));
        }
    }
}
