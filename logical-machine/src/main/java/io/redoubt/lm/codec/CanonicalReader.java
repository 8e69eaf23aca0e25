package io.redoubt.lm.codec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the canonical encoding from untrusted bytes. Every length is checked against what is
 * left and against a caller-given maximum before anything is allocated, so a hostile length
 * field cannot make a server allocate gigabytes. Errors are {@link DecodeException}s.
 */
public final class CanonicalReader {
    private final byte[] buf;
    private int pos;

    public CanonicalReader(Bytes bytes) {
        this.buf = bytes.unsafeArray();
    }

    private void need(int n) throws DecodeException {
        if (n < 0 || buf.length - pos < n) {
            throw new DecodeException("truncated: need " + n + " bytes at offset " + pos + " of " + buf.length);
        }
    }

    public int u8() throws DecodeException {
        need(1);
        return buf[pos++] & 0xff;
    }

    public boolean bool() throws DecodeException {
        int v = u8();
        if (v > 1) throw new DecodeException("boolean byte must be 0 or 1, was " + v);
        return v == 1;
    }

    public int i32() throws DecodeException {
        need(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long i64() throws DecodeException {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos++] & 0xff);
        return v;
    }

    /** A non-negative int no larger than {@code max}. */
    public int count(int max, String what) throws DecodeException {
        int n = i32();
        if (n < 0 || n > max) throw new DecodeException(what + " count " + n + " outside [0, " + max + "]");
        return n;
    }

    public long nonNegative(String what) throws DecodeException {
        long v = i64();
        if (v < 0) throw new DecodeException(what + " must be >= 0, was " + v);
        return v;
    }

    public Bytes bytes(int maxLength) throws DecodeException {
        int n = count(maxLength, "byte string");
        need(n);
        Bytes b = Bytes.wrap(Arrays.copyOfRange(buf, pos, pos + n));
        pos += n;
        return b;
    }

    /** Strict UTF-8: malformed sequences are rejected, never replaced, so decoding stays one-to-one. */
    public String utf8(int maxLength) throws DecodeException {
        Bytes b = bytes(maxLength);
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b.unsafeArray()))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DecodeException("malformed UTF-8 string");
        }
    }

    public SiteId site() throws DecodeException {
        int v = i32();
        if (v < 0) throw new DecodeException("site id must be >= 0, was " + v);
        return new SiteId(v);
    }

    public ServerId server() throws DecodeException {
        SiteId s = site();
        int idx = i32();
        if (idx < 0) throw new DecodeException("server index must be >= 0, was " + idx);
        return new ServerId(s, idx);
    }

    public ClientId client() throws DecodeException {
        SiteId s = site();
        int idx = i32();
        if (idx < 0) throw new DecodeException("client index must be >= 0, was " + idx);
        return new ClientId(s, idx);
    }

    /** Reads one list element; may throw {@link DecodeException}. */
    @FunctionalInterface
    public interface ElementReader<T> {
        T read(CanonicalReader in) throws DecodeException;
    }

    public <T> List<T> list(int maxItems, ElementReader<T> each) throws DecodeException {
        int n = count(maxItems, "list");
        List<T> out = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) out.add(each.read(this));
        return List.copyOf(out);
    }

    public List<Bytes> bytesList(int maxItems, int maxLength) throws DecodeException {
        return list(maxItems, r -> r.bytes(maxLength));
    }

    public int remaining() {
        return buf.length - pos;
    }

    /** Decoders call this last: trailing bytes mean the encoding was not canonical. */
    public void expectEnd() throws DecodeException {
        if (pos != buf.length) throw new DecodeException((buf.length - pos) + " trailing bytes");
    }
}
