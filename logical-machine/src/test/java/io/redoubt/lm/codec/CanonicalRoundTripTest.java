package io.redoubt.lm.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalRoundTripTest {

    private static CanonicalReader reader(CanonicalWriter w) {
        return new CanonicalReader(w.toBytes());
    }

    @Test
    void everyU8ValueRoundTrips() throws DecodeException {
        CanonicalWriter w = new CanonicalWriter();
        for (int v = 0; v < 256; v++) w.u8(v);
        assertEquals(256, w.size());
        CanonicalReader r = reader(w);
        for (int v = 0; v < 256; v++) assertEquals(v, r.u8());
        r.expectEnd();
    }

    @Test
    void boolsRoundTrip() throws DecodeException {
        CanonicalReader r = reader(new CanonicalWriter().bool(true).bool(false).bool(true));
        assertTrue(r.bool());
        assertFalse(r.bool());
        assertTrue(r.bool());
        r.expectEnd();
    }

    @Test
    void i32RoundTripsExtremeAndNegativeValues() throws DecodeException {
        int[] values = {0, 1, -1, 127, 128, 255, 256, -128, -129, 0x01020304, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1, 0x80, 0x8000, 0x800000};
        CanonicalWriter w = new CanonicalWriter();
        for (int v : values) w.i32(v);
        CanonicalReader r = reader(w);
        for (int v : values) assertEquals(v, r.i32());
        r.expectEnd();
    }

    @Test
    void i64RoundTripsExtremeAndNegativeValues() throws DecodeException {
        long[] values = {0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1,
            Integer.MAX_VALUE, Integer.MIN_VALUE, 0xffffffffL, 0x100000000L, -0x100000000L, 0x0102030405060708L,
            0x8000000000000000L >>> 1, 0x80L, 0xff00ff00ff00ff00L};
        CanonicalWriter w = new CanonicalWriter();
        for (long v : values) w.i64(v);
        CanonicalReader r = reader(w);
        for (long v : values) assertEquals(v, r.i64());
        r.expectEnd();
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L})
    void randomIntegersRoundTrip(long seed) throws DecodeException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] ints = new int[1_000];
        long[] longs = new long[1_000];
        CanonicalWriter w = new CanonicalWriter();
        for (int i = 0; i < ints.length; i++) {
            ints[i] = rnd.nextInt();
            longs[i] = rnd.nextLong();
            w.i32(ints[i]).i64(longs[i]);
        }
        assertEquals(12 * ints.length, w.size());
        CanonicalReader r = reader(w);
        for (int i = 0; i < ints.length; i++) {
            assertEquals(ints[i], r.i32());
            assertEquals(longs[i], r.i64());
        }
        r.expectEnd();
    }

    @Test
    void nonNegativeAcceptsZeroAndMax() throws DecodeException {
        CanonicalReader r = reader(new CanonicalWriter().i64(0).i64(Long.MAX_VALUE));
        assertEquals(0L, r.nonNegative("x"));
        assertEquals(Long.MAX_VALUE, r.nonNegative("x"));
        r.expectEnd();
    }

    @Test
    void byteStringsRoundTripIncludingEmptyAndFromBothOverloads() throws DecodeException {
        Bytes a = Bytes.wrap(new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80});
        byte[] raw = {9, 8, 7};
        CanonicalReader r = reader(new CanonicalWriter().bytes(Bytes.EMPTY).bytes(a).bytes(raw));
        assertEquals(Bytes.EMPTY, r.bytes(0));
        assertEquals(a, r.bytes(4));
        assertEquals(Bytes.wrap(raw), r.bytes(3));
        r.expectEnd();
    }

    @Test
    void largeByteStringRoundTripsAcrossBufferGrowth() throws DecodeException {
        byte[] big = new byte[100_000];
        new SplittableRandom(7).nextBytes(big);
        CanonicalWriter w = new CanonicalWriter().u8(1).bytes(big).u8(2);
        assertEquals(1 + 4 + big.length + 1, w.size());
        CanonicalReader r = reader(w);
        assertEquals(1, r.u8());
        assertEquals(Bytes.wrap(big), r.bytes(big.length));
        assertEquals(2, r.u8());
        r.expectEnd();
    }

    @Test
    void utf8RoundTripsMultiByteText() throws DecodeException {
        List<String> texts = List.of("", "plain", "h\u00e9llo \u20ac", "\ud83d\ude00\ud83d\ude01", "nul\u0000inside");
        CanonicalWriter w = new CanonicalWriter();
        texts.forEach(w::utf8);
        CanonicalReader r = reader(w);
        for (String t : texts) assertEquals(t, r.utf8(64));
        r.expectEnd();
    }

    @Test
    void principalsRoundTrip() throws DecodeException {
        SiteId site = SiteId.of(Integer.MAX_VALUE);
        ServerId server = ServerId.of(3, 0);
        ServerId server2 = ServerId.of(0, Integer.MAX_VALUE);
        ClientId client = ClientId.of(Integer.MAX_VALUE, 12);
        CanonicalReader r = reader(new CanonicalWriter().site(site).server(server).server(server2).client(client));
        assertEquals(site, r.site());
        assertEquals(server, r.server());
        assertEquals(server2, r.server());
        assertEquals(client, r.client());
        r.expectEnd();
    }

    @Test
    void listsRoundTripIncludingEmpty() throws DecodeException {
        List<ServerId> servers = List.of(ServerId.of(0, 0), ServerId.of(0, 1), ServerId.of(5, 2));
        List<Long> longs = List.of(Long.MIN_VALUE, 0L, Long.MAX_VALUE);
        CanonicalReader r = reader(new CanonicalWriter()
                .list(servers, CanonicalWriter::server)
                .list(List.<ServerId>of(), CanonicalWriter::server)
                .list(longs, CanonicalWriter::i64));
        assertEquals(servers, r.list(3, CanonicalReader::server));
        assertEquals(List.of(), r.list(0, CanonicalReader::server));
        assertEquals(longs, r.list(10, CanonicalReader::i64));
        r.expectEnd();
    }

    @Test
    void bytesListRoundTripsIncludingEmptyElements() throws DecodeException {
        List<Bytes> items = List.of(Bytes.EMPTY, Bytes.ofUtf8("x"), Bytes.wrap(new byte[] {(byte) 0x80, 0}), Bytes.EMPTY);
        CanonicalReader r = reader(new CanonicalWriter().bytesList(items).bytesList(List.of()));
        assertEquals(items, r.bytesList(4, 2));
        assertEquals(List.of(), r.bytesList(0, 0));
        r.expectEnd();
    }

    @Test
    void rawAppendsWithoutPrefixSoNestedEncodingsCompose() throws DecodeException {
        Bytes inner = new CanonicalWriter().i32(7).utf8("in").toBytes();
        CanonicalReader r = reader(new CanonicalWriter().u8(1).raw(inner.toArray()).u8(2));
        assertEquals(1, r.u8());
        assertEquals(7, r.i32());
        assertEquals("in", r.utf8(2));
        assertEquals(2, r.u8());
        r.expectEnd();
    }

    @Test
    void remainingCountsDownToZero() throws DecodeException {
        CanonicalReader r = reader(new CanonicalWriter().u8(1).i32(2).i64(3));
        assertEquals(13, r.remaining());
        r.u8();
        assertEquals(12, r.remaining());
        r.i32();
        assertEquals(8, r.remaining());
        r.i64();
        assertEquals(0, r.remaining());
        r.expectEnd();
    }

    @Test
    void writerCanKeepWritingAfterToBytesWithoutChangingEarlierSnapshots() {
        CanonicalWriter w = new CanonicalWriter().u8(1);
        Bytes first = w.toBytes();
        w.u8(2);
        assertEquals("01", first.toHex());
        assertEquals("0102", w.toBytes().toHex());
    }

    @ParameterizedTest
    @ValueSource(longs = {11L, 12L, 13L, 14L, 15L})
    void randomSamplesRoundTripAndReEncodeToIdenticalBytes(long seed) throws DecodeException {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 500; i++) {
            CodecSample s = CodecSample.random(rnd);
            Bytes encoded = s.encode();
            CodecSample decoded = CodecSample.decode(encoded);
            assertEquals(s, decoded);
            assertEquals(encoded, decoded.encode());
        }
    }

    @Test
    void encodableDefaultEncodeMatchesEncodeTo() {
        Encodable e = out -> out.i32(42).utf8("z");
        CanonicalWriter w = new CanonicalWriter();
        e.encodeTo(w);
        assertEquals(w.toBytes(), e.encode());
        assertEquals("0000002a000000017a", e.encode().toHex());
    }
}
