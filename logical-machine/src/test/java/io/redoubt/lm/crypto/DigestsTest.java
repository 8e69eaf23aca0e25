package io.redoubt.lm.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.lm.Bytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestsTest {

    @Test
    void sha256OfAbcMatchesTheStandardVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Digests.sha256(Bytes.ofUtf8("abc")).toHex());
    }

    @Test
    void sha256OfEmptyAndTwoBlockInputsMatchTheStandardVectors() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Digests.sha256(Bytes.EMPTY).toHex());
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                Digests.sha256(Bytes.ofUtf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toHex());
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L})
    void agreesWithTheJdkAndPairHashesTheConcatenation(long seed) throws NoSuchAlgorithmException {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 300; i++) {
            byte[] data = new byte[rnd.nextInt(0, 300)];
            rnd.nextBytes(data);
            Bytes expected = Bytes.wrap(MessageDigest.getInstance("SHA-256").digest(data));
            assertEquals(expected, Digests.sha256(data));
            assertEquals(expected, Digests.sha256(Bytes.wrap(data)));
            int split = rnd.nextInt(data.length + 1);
            Bytes a = Bytes.wrap(Arrays.copyOfRange(data, 0, split));
            Bytes b = Bytes.wrap(Arrays.copyOfRange(data, split, data.length));
            assertEquals(expected, Digests.sha256(a, b));
            assertEquals(32, Digests.sha256(a, b).length());
        }
    }
}
