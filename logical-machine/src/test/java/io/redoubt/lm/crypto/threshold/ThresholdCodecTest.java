package io.redoubt.lm.crypto.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Canonical encodings of the key material, partials and proofs: they round-trip, and untrusted
 * bytes (truncated, mutated, random) either decode to a value that re-encodes to the same
 * bytes or fail with the codec's DecodeException, never anything else.
 */
class ThresholdCodecTest {

    @FunctionalInterface
    interface Decoder {
        Encodable decode(Bytes bytes) throws DecodeException;
    }

    private record Sample(String name, Encodable value, Decoder decoder) {}

    private static List<Sample> samples() {
        ThresholdKeyMaterial key = TestKeys.small(3, 7);
        ThresholdSigner signer = new ThresholdSigner(key.publicKey(), key.share(5), SeededSecureRandom.fromSeed(5));
        ProvenPartialSignature proven = signer.signWithProof(Bytes.ofUtf8("m"));
        return List.of(
                new Sample("public key", key.publicKey(), ThresholdPublicKey::decode),
                new Sample("rsa public key", key.publicKey().rsaPublicKey(), RsaPublicKey::decode),
                new Sample("key share", key.share(5), KeyShare::decode),
                new Sample("partial", proven.partial(), PartialSignature::decode),
                new Sample("proof", proven.proof(), CorrectnessProof::decode),
                new Sample("proven partial", proven, ProvenPartialSignature::decode),
                new Sample("zero proof", new CorrectnessProof(BigInteger.ZERO, BigInteger.ZERO), CorrectnessProof::decode));
    }

    @Test
    void everyEncodingRoundTripsToAnEqualValue() throws DecodeException {
        for (Sample s : samples()) {
            Bytes encoded = s.value().encode();
            Encodable decoded = s.decoder().decode(encoded);
            assertEquals(s.value(), decoded, s.name());
            assertEquals(encoded, decoded.encode(), s.name());
        }
    }

    @Test
    void everyTruncationAndAnyTrailingByteIsADecodeException() {
        for (Sample s : samples()) {
            byte[] full = s.value().encode().toArray();
            for (int length = 0; length < full.length; length++) {
                Bytes prefix = Bytes.wrap(java.util.Arrays.copyOf(full, length));
                assertThrows(DecodeException.class, () -> s.decoder().decode(prefix), s.name() + " cut at " + length);
            }
            Bytes longer = Bytes.wrap(java.util.Arrays.copyOf(full, full.length + 1));
            assertThrows(DecodeException.class, () -> s.decoder().decode(longer), s.name() + " + trailing byte");
        }
    }

    @Test
    void mutatedAndRandomBytesDecodeCanonicallyOrFailWithDecodeExceptionOnly() {
        SplittableRandom rnd = new SplittableRandom(2024);
        for (Sample s : samples()) {
            byte[] full = s.value().encode().toArray();
            for (int i = 0; i < 400; i++) {
                byte[] mutated = full.clone();
                int flips = rnd.nextInt(1, 4);
                for (int f = 0; f < flips; f++) mutated[rnd.nextInt(mutated.length)] ^= (byte) (1 << rnd.nextInt(8));
                decodeOrReject(s, Bytes.wrap(mutated));
            }
            for (int i = 0; i < 400; i++) {
                byte[] random = new byte[rnd.nextInt(0, 80)];
                rnd.nextBytes(random);
                decodeOrReject(s, Bytes.wrap(random));
            }
        }
    }

    private static void decodeOrReject(Sample s, Bytes bytes) {
        try {
            Encodable decoded = s.decoder().decode(bytes);
            assertEquals(bytes, decoded.encode(), s.name() + ": a decoded value must have come from its one encoding");
        } catch (DecodeException expected) {
            // rejected: fine
        } catch (RuntimeException e) {
            fail(s.name() + " threw " + e + " on " + bytes);
        }
    }

    // One value, one encoding (CanonicalWriter): redundant sign bytes and negative numbers are refused.
    @Test
    void nonMinimalAndNegativeIntegersAreRejected() {
        Bytes nonMinimal = new CanonicalWriter().i32(3).bytes(new byte[] {0, 0x05}).toBytes();
        Bytes negative = new CanonicalWriter().i32(3).bytes(new byte[] {(byte) 0xff}).toBytes();
        Bytes empty = new CanonicalWriter().i32(3).bytes(new byte[0]).toBytes();
        Bytes minimal = new CanonicalWriter().i32(3).bytes(new byte[] {0, (byte) 0x85}).toBytes();
        assertThrows(DecodeException.class, () -> PartialSignature.decode(nonMinimal));
        assertThrows(DecodeException.class, () -> PartialSignature.decode(negative));
        assertThrows(DecodeException.class, () -> PartialSignature.decode(empty));
        assertThrows(DecodeException.class, () -> PartialSignature.decode(
                new CanonicalWriter().i32(0).bytes(new byte[] {5}).toBytes()), "server index 0");
        try {
            assertEquals(new PartialSignature(3, BigInteger.valueOf(0x85)), PartialSignature.decode(minimal));
        } catch (DecodeException e) {
            fail(e);
        }
    }

    // Bounded decoding (CanonicalReader): a hostile length is refused before anything is allocated.
    @Test
    void oversizedLengthsAndCountsAreRejectedBeforeAllocation() {
        Bytes hugeInteger = new CanonicalWriter().i32(1).i32(Integer.MAX_VALUE).toBytes();
        assertThrows(DecodeException.class, () -> PartialSignature.decode(hugeInteger));
        Bytes tooLongInteger = new CanonicalWriter().i32(1).bytes(new byte[RsaPublicKey.MODULUS_BYTES_MAX + 1]).toBytes();
        assertThrows(DecodeException.class, () -> PartialSignature.decode(tooLongInteger));
        Bytes tooLongChallenge = new CanonicalWriter().bytes(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
                .bytes(new byte[] {1}).toBytes();
        assertThrows(DecodeException.class, () -> CorrectnessProof.decode(tooLongChallenge), "c has at most 128 bits");
        Bytes tooManyServers = new CanonicalWriter().i32(2).i32(ThresholdParameters.SERVERS_MAX + 1).toBytes();
        assertThrows(DecodeException.class, () -> ThresholdPublicKey.decode(tooManyServers));
    }

    // A decoded public key obeys Shoup 2000, "The Dealer" (e prime > l, v and v_i in Z_n, one
    // v_i per server) or is a DecodeException.
    @Test
    void publicKeysBreakingTheDealersRulesAreDecodeExceptions() {
        ThresholdPublicKey pk = TestKeys.small(2, 4).publicKey();
        BigInteger n = pk.modulus();
        List<Bytes> bad = new ArrayList<>();
        bad.add(encodeKey(5, 4, n, pk.publicExponent(), pk.verificationBase(), pk.verificationKeys()));
        bad.add(encodeKey(0, 4, n, pk.publicExponent(), pk.verificationBase(), pk.verificationKeys()));
        bad.add(encodeKey(2, 4, n, BigInteger.valueOf(65535), pk.verificationBase(), pk.verificationKeys()));
        bad.add(encodeKey(2, 4, n, BigInteger.valueOf(3), pk.verificationBase(), pk.verificationKeys()));
        bad.add(encodeKey(2, 4, n, pk.publicExponent(), BigInteger.ONE, pk.verificationKeys()));
        bad.add(encodeKey(2, 4, n, pk.publicExponent(), n, pk.verificationKeys()));
        bad.add(encodeKey(2, 4, n.add(BigInteger.ONE), pk.publicExponent(), pk.verificationBase(), pk.verificationKeys()));
        bad.add(encodeKey(2, 4, n, pk.publicExponent(), pk.verificationBase(), pk.verificationKeys().subList(0, 3)));
        List<BigInteger> outOfRange = new ArrayList<>(pk.verificationKeys());
        outOfRange.set(2, n);
        bad.add(encodeKey(2, 4, n, pk.publicExponent(), pk.verificationBase(), outOfRange));
        for (Bytes b : bad) assertThrows(DecodeException.class, () -> ThresholdPublicKey.decode(b));
        try {
            assertEquals(pk, ThresholdPublicKey.decode(
                    encodeKey(2, 4, n, pk.publicExponent(), pk.verificationBase(), pk.verificationKeys())));
        } catch (DecodeException e) {
            fail(e);
        }
    }

    @Test
    void secretSharesNeverAppearInToString() {
        ThresholdKeyMaterial key = TestKeys.small(2, 4);
        for (KeyShare s : key.shares()) {
            assertFalse(s.toString().contains(s.share().toString()));
            assertFalse(s.toString().contains(s.share().toString(16)));
            assertFalse(key.toString().contains(s.share().toString()));
        }
    }

    private static Bytes encodeKey(int k, int l, BigInteger n, BigInteger e, BigInteger v, List<BigInteger> vi) {
        CanonicalWriter w = new CanonicalWriter().i32(k).i32(l);
        for (BigInteger x : new BigInteger[] {n, e, v}) w.bytes(x.toByteArray());
        w.list(vi, (out, x) -> out.bytes(x.toByteArray()));
        return w.toBytes();
    }
}
