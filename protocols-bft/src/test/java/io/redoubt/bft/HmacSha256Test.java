package io.redoubt.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.lm.Bytes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The MAC is HMAC-SHA256 as RFC 4231 gives it, whichever implementation computes it. */
class HmacSha256Test {
    @Test
    void rfc4231TestCase2() {
        byte[] key = "Jefe".getBytes(StandardCharsets.US_ASCII);
        Bytes data = Bytes.wrap("what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Bytes.wrap(NodeKeys.mac(key, data)).toHex());
    }

    @Test
    void rfc4231TestCase6AKeyLongerThanABlock() {
        byte[] key = new byte[131];
        java.util.Arrays.fill(key, (byte) 0xaa);
        Bytes data = Bytes.wrap("Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII));
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", Bytes.wrap(NodeKeys.mac(key, data)).toHex());
    }
}
