package io.redoubt.lm;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string with value equality. Payloads, encoded messages, digests and
 * signatures are all {@code Bytes}, so they can be map keys and compared without surprises.
 */
public final class Bytes implements Comparable<Bytes> {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] bytes;
    private int hash; // cached; 0 means not yet computed (an all-zero hash is just recomputed)

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies {@code bytes}, so later changes to the array do not leak in. */
    public static Bytes copyOf(byte[] bytes) {
        return new Bytes(bytes.clone());
    }

    /** Takes ownership of {@code bytes}: the caller promises never to change the array again. */
    public static Bytes wrap(byte[] bytes) {
        return new Bytes(bytes);
    }

    public static Bytes ofUtf8(String s) {
        return new Bytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public boolean isEmpty() {
        return length() == 0;
    }

    public int length() {
        return bytes.length;
    }

    public byte at(int index) {
        return bytes[index];
    }

    /** A fresh copy of the content. */
    public byte[] toArray() {
        return bytes.clone();
    }

    /** The backing array, for hashing and writing only; callers must not modify it. */
    public byte[] unsafeArray() {
        return bytes;
    }

    public String toUtf8() {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 8));
        return bytes.length <= 8 ? hex : hex + "..(" + bytes.length + "B)";
    }
}
