package io.redoubt.lm.codec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The canonical encoding: big-endian fixed-width integers, length-prefixed byte strings and
 * lists, no optional padding and no maps. One value has exactly one encoding, which is what
 * signing needs (every correct server of a site must sign identical bytes, section 4.3).
 * Kryo is kept for host-level framing; anything signed or hashed goes through this class.
 */
public final class CanonicalWriter {
    private byte[] buf;
    private int size;
    // Set for a writer that only hashes (see hashingInto): full buffers go to the digest instead
    // of growing, and flushed counts the bytes already handed to it.
    private final MessageDigest sink;
    private long flushed;

    public CanonicalWriter() {
        this.buf = new byte[128];
        this.sink = null;
    }

    private CanonicalWriter(MessageDigest sink, int bufferBytes) {
        this.buf = new byte[bufferBytes];
        this.sink = sink;
    }

    /**
     * A writer whose bytes go only into {@code sink}; {@link #digest()} ends it. The bytes hashed
     * are exactly those {@link #toBytes()} would return, so the digest is the same, but a large
     * value (a whole core's state, digested by the simulator after every few ordered events) is
     * never held, grown and copied in one piece.
     */
    public static CanonicalWriter hashingInto(MessageDigest sink) {
        return hashingInto(sink, 4096);
    }

    /** As {@link #hashingInto(MessageDigest)}, buffering {@code bufferBytes} at a time: smaller for a writer made often for little. */
    public static CanonicalWriter hashingInto(MessageDigest sink, int bufferBytes) {
        if (bufferBytes < 16) throw new IllegalArgumentException("bufferBytes must be at least 16, was " + bufferBytes);
        return new CanonicalWriter(java.util.Objects.requireNonNull(sink, "sink"), bufferBytes);
    }

    private void ensure(int extra) {
        if (size + extra <= buf.length) return;
        if (sink != null) {
            flush();
            if (extra <= buf.length) return;
        }
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
    }

    private void flush() {
        sink.update(buf, 0, size);
        flushed += size;
        size = 0;
    }

    public CanonicalWriter u8(int v) {
        if (v < 0 || v > 0xff) throw new IllegalArgumentException("u8 out of range: " + v);
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public CanonicalWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public CanonicalWriter i32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public CanonicalWriter i64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) buf[size++] = (byte) (v >>> shift);
        return this;
    }

    public CanonicalWriter bytes(Bytes b) {
        return bytes(b.unsafeArray());
    }

    public CanonicalWriter bytes(byte[] b) {
        if (sink != null && b.length > buf.length / 2) {
            i32(b.length);
            flush();
            sink.update(b);
            flushed += b.length;
            return this;
        }
        ensure(4 + b.length);
        i32(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** Appends raw bytes with no length prefix (for nesting an already-encoded value). */
    public CanonicalWriter raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    public CanonicalWriter utf8(String s) {
        return bytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public CanonicalWriter site(SiteId s) {
        return i32(s.value());
    }

    public CanonicalWriter server(ServerId s) {
        return i32(s.site().value()).i32(s.index());
    }

    public CanonicalWriter client(ClientId c) {
        return i32(c.site().value()).i32(c.index());
    }

    public <T> CanonicalWriter list(List<T> items, BiConsumer<CanonicalWriter, T> each) {
        i32(items.size());
        for (T item : items) each.accept(this, item);
        return this;
    }

    public CanonicalWriter bytesList(List<Bytes> items) {
        // Room for the whole list at once: batches are the largest things encoded, and growing
        // step by step copied them several times over.
        long total = 4;
        for (Bytes b : items) total += 4 + b.length();
        if (sink == null && total < Integer.MAX_VALUE - size) ensure((int) total);
        return list(items, CanonicalWriter::bytes);
    }

    public int size() {
        return Math.toIntExact(flushed + size);
    }

    /** The digest of everything written, for a writer made by {@link #hashingInto}; the writer is done. */
    public Bytes digest() {
        if (sink == null) throw new IllegalStateException("this writer keeps its bytes; hash toBytes() instead");
        flush();
        return Bytes.wrap(sink.digest());
    }

    public Bytes toBytes() {
        if (sink != null) throw new IllegalStateException("a hashing writer keeps no bytes; use digest()");
        // A full buffer is handed over as it is: later writes only append, into a new buffer.
        return Bytes.wrap(size == buf.length ? buf : Arrays.copyOf(buf, size));
    }
}
