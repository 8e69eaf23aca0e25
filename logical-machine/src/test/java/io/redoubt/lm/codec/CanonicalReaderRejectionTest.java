package io.redoubt.lm.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.redoubt.lm.Bytes;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalReaderRejectionTest {

    private static CanonicalReader reader(String hex) {
        return new CanonicalReader(Bytes.wrap(HexFormat.of().parseHex(hex)));
    }

    @ParameterizedTest
    @ValueSource(longs = {21L, 22L, 23L, 24L})
    void everyTruncationOfAValidEncodingThrowsDecodeException(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 50; i++) {
            Bytes full = CodecSample.random(rnd).encode();
            byte[] all = full.toArray();
            for (int cut = 0; cut < all.length; cut++) {
                Bytes prefix = Bytes.wrap(Arrays.copyOf(all, cut));
                int at = cut;
                // assertThrows fails on any other exception type as well
                assertThrows(DecodeException.class, () -> CodecSample.decode(prefix),
                        () -> "cut " + at + " of " + full.toHex());
            }
        }
    }

    @Test
    void eachPrimitiveRejectsTooFewBytes() {
        assertThrows(DecodeException.class, () -> reader("").u8());
        assertThrows(DecodeException.class, () -> reader("").bool());
        assertThrows(DecodeException.class, () -> reader("010203").i32());
        assertThrows(DecodeException.class, () -> reader("01020304050607").i64());
        assertThrows(DecodeException.class, () -> reader("000000").bytes(10));
        assertThrows(DecodeException.class, () -> reader("0000000201").bytes(10));
        assertThrows(DecodeException.class, () -> reader("0000000561").utf8(10));
        assertThrows(DecodeException.class, () -> reader("000001").site());
        assertThrows(DecodeException.class, () -> reader("00000001000000").server());
        assertThrows(DecodeException.class, () -> reader("00000001000000").client());
        assertThrows(DecodeException.class, () -> reader("00000002" + "00000000").bytesList(2, 0));
        assertThrows(DecodeException.class, () -> reader("00000001").list(1, CanonicalReader::i32));
    }

    @Test
    void failedReadOfTruncatedIntegerDoesNotConsumeInput() throws DecodeException {
        CanonicalReader r = reader("010203");
        assertThrows(DecodeException.class, r::i32);
        assertEquals(3, r.remaining());
        assertEquals(1, r.u8());
    }

    @Test
    void boolRejectsBytesOtherThanZeroAndOne() {
        for (String b : new String[] {"02", "03", "7f", "80", "ff"}) {
            assertThrows(DecodeException.class, () -> reader(b).bool(), b);
        }
    }

    @Test
    void countAcceptsExactlyZeroThroughMax() throws DecodeException {
        assertEquals(0, reader("00000000").count(0, "x"));
        assertEquals(5, reader("00000005").count(5, "x"));
        assertEquals(0, reader("00000000").count(5, "x"));
        assertEquals(Integer.MAX_VALUE, reader("7fffffff").count(Integer.MAX_VALUE, "x"));
    }

    @Test
    void countRejectsAboveMaxAndNegative() {
        assertThrows(DecodeException.class, () -> reader("00000006").count(5, "x"));
        assertThrows(DecodeException.class, () -> reader("00000001").count(0, "x"));
        assertThrows(DecodeException.class, () -> reader("ffffffff").count(5, "x"));
        assertThrows(DecodeException.class, () -> reader("80000000").count(Integer.MAX_VALUE, "x"));
        DecodeException e = assertThrows(DecodeException.class, () -> reader("00000006").count(5, "widgets"));
        assertTrue(e.getMessage().contains("widgets"), e.getMessage());
    }

    @Test
    void byteStringAndListLengthsAboveTheirMaximumAreRejectedEvenWhenTheBytesArePresent() {
        assertThrows(DecodeException.class, () -> reader("00000003616263").bytes(2));
        assertThrows(DecodeException.class, () -> reader("00000003616263").utf8(2));
        assertThrows(DecodeException.class, () -> reader("00000002" + "00000000" + "00000000").list(1, CanonicalReader::i32));
        assertThrows(DecodeException.class, () -> reader("00000001" + "00000002" + "6162").bytesList(1, 1));
    }

    @Test
    void nonNegativeRejectsNegative() {
        assertThrows(DecodeException.class, () -> reader("ffffffffffffffff").nonNegative("x"));
        assertThrows(DecodeException.class, () -> reader("8000000000000000").nonNegative("x"));
    }

    @Test
    void negativeSiteServerAndClientIndicesAreRejected() {
        assertThrows(DecodeException.class, () -> reader("ffffffff").site());
        assertThrows(DecodeException.class, () -> reader("80000000").site());
        assertThrows(DecodeException.class, () -> reader("ffffffff" + "00000000").server());
        assertThrows(DecodeException.class, () -> reader("00000000" + "ffffffff").server());
        assertThrows(DecodeException.class, () -> reader("00000000" + "80000000").server());
        assertThrows(DecodeException.class, () -> reader("80000000" + "00000000").client());
        assertThrows(DecodeException.class, () -> reader("00000001" + "ffffffff").client());
    }

    @Test
    void expectEndRejectsTrailingBytes() throws DecodeException {
        CanonicalReader r = reader("0102");
        r.u8();
        DecodeException e = assertThrows(DecodeException.class, r::expectEnd);
        assertTrue(e.getMessage().contains("1 trailing"), e.getMessage());
        r.u8();
        r.expectEnd();
    }

    @Test
    void expectEndRejectsUnreadInput() {
        assertThrows(DecodeException.class, () -> reader("00").expectEnd());
        Bytes valid = new CanonicalWriter().i32(1).u8(0).toBytes();
        assertThrows(DecodeException.class, () -> {
            CanonicalReader r = new CanonicalReader(valid);
            r.i32();
            r.expectEnd();
        });
    }

    @Test
    void decodeExceptionCarriesNoStackTrace() {
        DecodeException e = assertThrows(DecodeException.class, () -> reader("").u8());
        assertEquals(0, e.getStackTrace().length);
    }

    // ---- hostile lengths ----

    private static final String HOSTILE = "7fffffff";

    private static final Executable[] HOSTILE_READS = {
        () -> reader(HOSTILE + "0102").bytes(Integer.MAX_VALUE),
        () -> reader(HOSTILE + "61").utf8(Integer.MAX_VALUE),
        () -> reader(HOSTILE + "00000000").list(Integer.MAX_VALUE, CanonicalReader::i32),
        () -> reader(HOSTILE + "00000000").bytesList(Integer.MAX_VALUE, Integer.MAX_VALUE),
        () -> reader("00000001" + HOSTILE).bytesList(1, Integer.MAX_VALUE),
        () -> reader(HOSTILE + "00000001").list(Integer.MAX_VALUE, r -> r.list(Integer.MAX_VALUE, CanonicalReader::i64)),
        () -> reader("fffffffe").bytes(Integer.MAX_VALUE),
        // 64 MiB claims: an implementation that allocated first would succeed in allocating these
        // (rather than die with OutOfMemoryError), so the allocation check below fails cleanly
        () -> reader("04000000" + "0102").bytes(Integer.MAX_VALUE),
        () -> reader("04000000" + "61").utf8(Integer.MAX_VALUE),
        () -> reader("00000001" + "04000000").bytesList(1, Integer.MAX_VALUE),
        () -> reader("04000000" + "00000000").list(Integer.MAX_VALUE, CanonicalReader::i32),
    };

    /** Like assertThrows(DecodeException), but an OutOfMemoryError becomes a plain test failure. */
    private static void assertRejectedWithoutExhaustingMemory(Executable read) {
        Throwable thrown = null;
        try {
            read.execute();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown instanceof OutOfMemoryError) fail("allocated the claimed size of a hostile length: " + thrown);
        assertTrue(thrown instanceof DecodeException, "expected DecodeException, got " + thrown);
    }

    @Test
    void hostileLengthPrefixesThrowDecodeException() {
        for (Executable read : HOSTILE_READS) assertRejectedWithoutExhaustingMemory(read);
    }

    private static long allocatedBytesOfThisThread() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx instanceof com.sun.management.ThreadMXBean sun
                && sun.isThreadAllocatedMemorySupported()
                && sun.isThreadAllocatedMemoryEnabled()) {
            return sun.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }

    @Test
    void hostileLengthPrefixesDoNotAllocateTheClaimedSize() {
        assumeTrue(allocatedBytesOfThisThread() >= 0, "per-thread allocation counter not available");
        for (Executable read : HOSTILE_READS) {
            // warm up: class loading and lambda linkage are not what is measured
            assertRejectedWithoutExhaustingMemory(read);
            long before = allocatedBytesOfThisThread();
            assertRejectedWithoutExhaustingMemory(read);
            long allocated = allocatedBytesOfThisThread() - before;
            assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes for a hostile length");
        }
    }

    @Test
    void hostileLengthAboveCallerMaximumIsRejectedBeforeLookingAtTheInput() {
        // the claimed length is checked against the maximum first: the message names the count
        DecodeException e = assertThrows(DecodeException.class, () -> reader(HOSTILE).bytes(16));
        assertTrue(e.getMessage().contains(String.valueOf(Integer.MAX_VALUE)), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }

    /**
     * 0xff is never valid UTF-8; utf8() decodes it to U+FFFD, so distinct byte strings (ff, fe, c0 80, ...)
     * decode to the same String and re-encode to different bytes (ef bf bd): decoding is not canonical.
     */
    @Test
    void utf8RejectsMalformedUtf8() {
        assertThrows(DecodeException.class, () -> reader("00000001" + "ff").utf8(8));
        assertThrows(DecodeException.class, () -> reader("00000002" + "c080").utf8(8));
        assertThrows(DecodeException.class, () -> reader("00000003" + "eda080").utf8(8)); // lone surrogate
    }
}
