package io.redoubt.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.TimerId;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerIdTest {

    private static Bytes encode(TimerId t) {
        CanonicalWriter w = new CanonicalWriter();
        t.encodeTo(w);
        return w.toBytes();
    }

    private static TimerId decodeAll(Bytes b) throws DecodeException {
        CanonicalReader r = new CanonicalReader(b);
        TimerId t = TimerId.decode(r);
        r.expectEnd();
        return t;
    }

    @Test
    void encodeDecodeRoundTripsKindAndArgument() throws DecodeException {
        List<TimerId> ids = List.of(
                TimerId.of("progress"),
                new TimerId("retransmit", 17),
                new TimerId("v", -1),
                new TimerId("x", Long.MIN_VALUE),
                new TimerId("y", Long.MAX_VALUE),
                new TimerId("k".repeat(TimerId.KIND_LENGTH_MAX), 5));
        for (TimerId t : ids) {
            assertEquals(t, decodeAll(encode(t)));
        }
    }

    @Test
    void encodingIsLengthPrefixedKindThenBigEndianArgument() {
        assertEquals("0000000261620000000000000102", encode(new TimerId("ab", 258)).toHex());
    }

    @Test
    void ofUsesArgumentZero() {
        assertEquals(0, TimerId.of("p").arg());
    }

    @Test
    void constructorRejectsNullEmptyAndTooLongKinds() {
        assertThrows(IllegalArgumentException.class, () -> new TimerId(null, 0));
        assertThrows(IllegalArgumentException.class, () -> new TimerId("", 0));
        assertThrows(IllegalArgumentException.class, () -> TimerId.of("k".repeat(TimerId.KIND_LENGTH_MAX + 1)));
    }

    @Test
    void decodeRejectsEmptyKind() {
        Bytes b = new CanonicalWriter().utf8("").i64(1).toBytes();
        assertThrows(DecodeException.class, () -> decodeAll(b));
    }

    @Test
    void decodeRejectsKindLongerThanTheMaximum() {
        Bytes b = new CanonicalWriter().utf8("k".repeat(TimerId.KIND_LENGTH_MAX + 1)).i64(1).toBytes();
        assertThrows(DecodeException.class, () -> decodeAll(b));
    }

    @Test
    void decodeRejectsEveryTruncation() {
        Bytes full = encode(new TimerId("retransmit", 99));
        for (int cut = 0; cut < full.length(); cut++) {
            Bytes prefix = Bytes.wrap(java.util.Arrays.copyOf(full.toArray(), cut));
            int at = cut;
            assertThrows(DecodeException.class, () -> decodeAll(prefix), () -> "cut at " + at);
        }
    }

    @Test
    void ordersByKindThenArgument() {
        assertTrue(new TimerId("a", 100).compareTo(new TimerId("b", 0)) < 0);
        assertTrue(new TimerId("a", -1).compareTo(new TimerId("a", 0)) < 0);
        assertEquals(0, new TimerId("a", 1).compareTo(new TimerId("a", 1)));
    }

    /**
     * Kinds are printable ASCII so that the character limit is the byte limit of the encoding: a
     * kind that encodes always decodes (17 x U+00E9 is 17 chars but 34 bytes, and is refused).
     */
    @Test
    void nonAsciiKindsAreRefusedAtConstructionAndAtDecode() {
        assertThrows(IllegalArgumentException.class, () -> new TimerId("\u00e9".repeat(17), 1));
        assertThrows(IllegalArgumentException.class, () -> new TimerId("has space", 1));
        io.redoubt.lm.Bytes foreign = new io.redoubt.lm.codec.CanonicalWriter().utf8("\u00e9").i64(1).toBytes();
        assertThrows(DecodeException.class, () -> decodeAll(foreign));
    }
}
