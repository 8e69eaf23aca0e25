package io.redoubt.lm.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.redoubt.lm.Bytes;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/** Untrusted bytes: the decoder either returns a value or throws DecodeException, nothing else. */
@Tag("property")
class CanonicalReaderFuzzTest {

    private static final int CASES = 10_000;

    /** Returns true if decoding succeeded; fails the test on any exception but DecodeException. */
    private static boolean decodeOnlyThrowsDecodeException(byte[] input) {
        try {
            CodecSample.decode(Bytes.copyOf(input));
            return true;
        } catch (DecodeException expected) {
            return false;
        } catch (Throwable t) {
            fail("decoder threw " + t + " for input " + Bytes.wrap(input).toHex(), t);
            return false;
        }
    }

    private static byte[] biasedRandomBytes(SplittableRandom rnd) {
        byte[] b = new byte[rnd.nextInt(0, 120)];
        rnd.nextBytes(b);
        // small length fields are needed to get past the first prefixes; plant some
        for (int i = 0; i + 4 <= b.length; i += 4) {
            if (rnd.nextInt(3) == 0) {
                b[i] = 0;
                b[i + 1] = 0;
                b[i + 2] = 0;
                b[i + 3] = (byte) rnd.nextInt(-2, 10);
            }
        }
        if (b.length > 1 && rnd.nextBoolean()) b[1] = (byte) rnd.nextInt(3);
        return b;
    }

    @ParameterizedTest
    @ValueSource(longs = {101L, 202L, 303L})
    void randomByteStringsOnlyEverThrowDecodeException(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            byte[] input = new byte[rnd.nextInt(0, 200)];
            rnd.nextBytes(input);
            decodeOnlyThrowsDecodeException(input);
            decodeOnlyThrowsDecodeException(biasedRandomBytes(rnd));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {404L, 505L, 606L})
    void mutatedValidEncodingsOnlyEverThrowDecodeException(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int decoded = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] b = CodecSample.random(rnd).encode().toArray();
            int mutations = 1 + rnd.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                switch (rnd.nextInt(4)) {
                    case 0 -> { // flip one bit
                        if (b.length > 0) {
                            int at = rnd.nextInt(b.length);
                            b[at] ^= (byte) (1 << rnd.nextInt(8));
                        }
                    }
                    case 1 -> { // overwrite a byte
                        if (b.length > 0) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                    }
                    case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncate
                    default -> { // append garbage
                        int extra = 1 + rnd.nextInt(8);
                        byte[] longer = Arrays.copyOf(b, b.length + extra);
                        for (int k = b.length; k < longer.length; k++) longer[k] = (byte) rnd.nextInt(256);
                        b = longer;
                    }
                }
            }
            if (decodeOnlyThrowsDecodeException(b)) decoded++;
        }
        // sanity: the mutations do not all destroy the structure, so deep paths were exercised
        assertTrue(decoded > 0, "no mutated input decoded at all");
        assertTrue(decoded < CASES, "every mutated input decoded");
    }

    @ParameterizedTest
    @ValueSource(longs = {707L})
    void decodingNeverReadsPastTheGivenBytes(long seed) throws DecodeException {
        // a valid encoding followed by arbitrary bytes must be rejected by expectEnd, and
        // the same encoding alone must decode to the same value
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 1_000; i++) {
            CodecSample s = CodecSample.random(rnd);
            byte[] b = s.encode().toArray();
            byte[] longer = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(4));
            assertEquals(s, CodecSample.decode(Bytes.wrap(b)));
            try {
                CodecSample.decode(Bytes.wrap(longer));
                fail("trailing bytes accepted");
            } catch (DecodeException expected) {
                // fine
            }
        }
    }
}
