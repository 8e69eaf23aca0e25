package io.redoubt.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BytesTest {

    private static Bytes b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return Bytes.wrap(out);
    }

    /** Reference: unsigned lexicographic order, a proper prefix sorts first. */
    private static int referenceCompare(byte[] x, byte[] y) {
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            int a = x[i] & 0xff;
            int c = y[i] & 0xff;
            if (a != c) return a < c ? -1 : 1;
        }
        return Integer.compare(x.length, y.length);
    }

    private static byte[] randomArray(SplittableRandom rnd) {
        byte[] a = new byte[rnd.nextInt(4)];
        // a tiny alphabet with both signs makes equal arrays, prefixes and 0x7f/0x80 boundaries common
        int[] alphabet = {0x00, 0x01, 0x7f, 0x80, 0xff};
        for (int i = 0; i < a.length; i++) a[i] = (byte) alphabet[rnd.nextInt(alphabet.length)];
        return a;
    }

    @Test
    void equalContentFromDistinctArraysIsEqualWithEqualHashCodes() {
        Bytes x = Bytes.copyOf(new byte[] {1, 2, 3});
        Bytes y = Bytes.wrap(new byte[] {1, 2, 3});
        assertEquals(x, y);
        assertEquals(y, x);
        assertEquals(x.hashCode(), y.hashCode());
        assertEquals(0, x.compareTo(y));
    }

    @Test
    void differentContentOrLengthIsNotEqual() {
        assertNotEquals(b(1, 2, 3), b(1, 2, 4));
        assertNotEquals(b(1, 2), b(1, 2, 0));
        assertNotEquals(Bytes.EMPTY, b(0));
        assertNotEquals(b(1), (Object) new byte[] {1});
        assertNotEquals(b(1), null);
    }

    @Test
    void hashCodeIsStableAndMatchesArraysHashCodeEvenWhenItIsZero() {
        // Arrays.hashCode({-31}) == 31 * 1 + (-31) == 0: the cache sentinel value
        Bytes zeroHash = b(-31);
        assertEquals(0, Arrays.hashCode(new byte[] {-31}));
        assertEquals(0, zeroHash.hashCode());
        assertEquals(0, zeroHash.hashCode());
        Bytes other = b(9, 8, 7);
        assertEquals(Arrays.hashCode(new byte[] {9, 8, 7}), other.hashCode());
        assertEquals(other.hashCode(), other.hashCode());
    }

    @Test
    void compareToIsUnsignedNotSigned() {
        assertTrue(b(0x7f).compareTo(b(0x80)) < 0, "0x7f < 0x80 unsigned");
        assertTrue(b(0x80).compareTo(b(0x7f)) > 0);
        assertTrue(b(0x01).compareTo(b(0xff)) < 0, "0x01 < 0xff unsigned");
        assertTrue(b(0x00, 0xff).compareTo(b(0x01, 0x00)) < 0, "first differing byte decides");
    }

    @Test
    void compareToSortsProperPrefixFirst() {
        assertTrue(Bytes.EMPTY.compareTo(b(0)) < 0);
        assertTrue(b(1).compareTo(b(1, 0)) < 0);
        assertTrue(b(1, 0).compareTo(b(1)) > 0);
        assertTrue(b(1, 0xff).compareTo(b(2)) < 0);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 42L, 0xC0FFEEL, -7L})
    void compareToMatchesReferenceAndIsConsistentWithEquals(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 2_000; i++) {
            byte[] x = randomArray(rnd);
            byte[] y = randomArray(rnd);
            Bytes bx = Bytes.copyOf(x);
            Bytes by = Bytes.copyOf(y);
            int expected = referenceCompare(x, y);
            assertEquals(expected, Integer.signum(bx.compareTo(by)), () -> bx + " vs " + by);
            assertEquals(-expected, Integer.signum(by.compareTo(bx)), () -> by + " vs " + bx);
            assertEquals(expected == 0, bx.equals(by));
            if (expected == 0) assertEquals(bx.hashCode(), by.hashCode());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3L, 99L})
    void treeSetAndHashSetAgreeOnDistinctValues(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Set<Bytes> hashed = new HashSet<>();
        Set<Bytes> sorted = new TreeSet<>();
        for (int i = 0; i < 500; i++) {
            Bytes v = Bytes.copyOf(randomArray(rnd));
            hashed.add(v);
            sorted.add(v);
        }
        assertEquals(hashed, sorted);
        assertEquals(hashed.size(), sorted.size());
    }

    @Test
    void copyOfIsNotAffectedByLaterMutationOfTheSourceArray() {
        byte[] source = {1, 2, 3};
        Bytes copy = Bytes.copyOf(source);
        int hashBefore = copy.hashCode();
        source[0] = 99;
        assertArrayEquals(new byte[] {1, 2, 3}, copy.toArray());
        assertEquals(1, copy.at(0));
        assertEquals(hashBefore, copy.hashCode());
        assertEquals(Bytes.wrap(new byte[] {1, 2, 3}), copy);
    }

    @Test
    void toArrayReturnsAFreshCopy() {
        Bytes v = b(5, 6);
        byte[] out = v.toArray();
        out[0] = 0;
        assertArrayEquals(new byte[] {5, 6}, v.toArray());
        assertEquals(5, v.at(0));
    }

    @Test
    void toStringShowsAllHexUpToEightBytes() {
        assertEquals("", Bytes.EMPTY.toString());
        assertEquals("00ff7f80", b(0x00, 0xff, 0x7f, 0x80).toString());
        assertEquals("0102030405060708", b(1, 2, 3, 4, 5, 6, 7, 8).toString());
    }

    @Test
    void toStringTruncatesLongerValuesToEightBytesAndTheLength() {
        assertEquals("0102030405060708..(9B)", b(1, 2, 3, 4, 5, 6, 7, 8, 9).toString());
        Bytes big = Bytes.wrap(new byte[1000]);
        assertEquals("0000000000000000..(1000B)", big.toString());
    }

    @Test
    void toHexShowsEverything() {
        assertEquals("0102030405060708090a", b(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).toHex());
        assertEquals("", Bytes.EMPTY.toHex());
    }

    @Test
    void utf8RoundTripsIncludingMultiByteCharacters() {
        for (String s : List.of("", "abc", "h\u00e9llo", "\u20ac", "\ud83d\ude00 smile")) {
            Bytes v = Bytes.ofUtf8(s);
            assertEquals(s, v.toUtf8());
            assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, v.length());
        }
        assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9}, Bytes.ofUtf8("\u00e9").toArray());
    }

    @Test
    void emptyConstantIsEmpty() {
        assertEquals(0, Bytes.EMPTY.length());
        assertEquals(Bytes.wrap(new byte[0]), Bytes.EMPTY);
    }
}
