package io.redoubt.lm.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed expected bytes: the encoding is big-endian, fixed-width, length-prefixed. */
class CanonicalEncodingTest {

    private static String hex(CanonicalWriter w) {
        return w.toBytes().toHex();
    }

    @Test
    void i32IsFourBytesBigEndian() {
        assertEquals("01020304", hex(new CanonicalWriter().i32(0x01020304)));
        assertEquals("00000102", hex(new CanonicalWriter().i32(258)));
        assertEquals("ffffffff", hex(new CanonicalWriter().i32(-1)));
        assertEquals("80000000", hex(new CanonicalWriter().i32(Integer.MIN_VALUE)));
        assertEquals("7fffffff", hex(new CanonicalWriter().i32(Integer.MAX_VALUE)));
        assertEquals("fffffffe", hex(new CanonicalWriter().i32(-2)));
    }

    @Test
    void i64IsEightBytesBigEndian() {
        assertEquals("0102030405060708", hex(new CanonicalWriter().i64(0x0102030405060708L)));
        assertEquals("fffffffffffffffe", hex(new CanonicalWriter().i64(-2L)));
        assertEquals("8000000000000000", hex(new CanonicalWriter().i64(Long.MIN_VALUE)));
        assertEquals("00000000ffffffff", hex(new CanonicalWriter().i64(0xffffffffL)));
    }

    @Test
    void u8AndBoolAreOneByte() {
        assertEquals("ab", hex(new CanonicalWriter().u8(0xab)));
        assertEquals("0100", hex(new CanonicalWriter().bool(true).bool(false)));
    }

    @Test
    void byteStringsAndTextAreLengthPrefixed() {
        assertEquals("00000000", hex(new CanonicalWriter().bytes(Bytes.EMPTY)));
        assertEquals("00000002ff00", hex(new CanonicalWriter().bytes(new byte[] {(byte) 0xff, 0})));
        // "hé" is 68 c3 a9 in UTF-8: the prefix counts bytes, not chars
        assertEquals("0000000368c3a9", hex(new CanonicalWriter().utf8("h\u00e9")));
    }

    @Test
    void principalsAreFixedWidthIntegers() {
        assertEquals("00000005", hex(new CanonicalWriter().site(SiteId.of(5))));
        assertEquals("0000000100000002", hex(new CanonicalWriter().server(ServerId.of(1, 2))));
        assertEquals("0000000300000004", hex(new CanonicalWriter().client(ClientId.of(3, 4))));
    }

    @Test
    void listsArePrefixedWithTheItemCount() {
        assertEquals("00000002" + "00000001ab" + "00000000",
                hex(new CanonicalWriter().bytesList(List.of(Bytes.wrap(new byte[] {(byte) 0xab}), Bytes.EMPTY))));
        assertEquals("00000000", hex(new CanonicalWriter().list(List.<Integer>of(), CanonicalWriter::i32)));
        assertEquals("00000002" + "00000007" + "fffffff9",
                hex(new CanonicalWriter().list(List.of(7, -7), CanonicalWriter::i32)));
    }

    @Test
    void compositeMessageHasExactlyTheExpectedBytes() {
        Bytes b = new CanonicalWriter()
                .u8(7)
                .bool(false)
                .i32(258)
                .utf8("A")
                .server(ServerId.of(0, 1))
                .i64(-1)
                .toBytes();
        assertEquals("07" + "00" + "00000102" + "0000000141" + "0000000000000001" + "ffffffffffffffff", b.toHex());
        assertEquals(1 + 1 + 4 + 5 + 8 + 8, b.length());
    }
}
