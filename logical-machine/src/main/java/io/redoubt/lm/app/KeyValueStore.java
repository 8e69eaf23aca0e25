package io.redoubt.lm.app;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated key-value store, the first application. Operations are canonically encoded:
 * {@code PUT key value}, {@code GET key}, {@code DELETE key}. Replies start with a status byte.
 * A TreeMap keeps iteration (and so the snapshot) in one order on every server.
 */
public final class KeyValueStore implements StateMachine {
    public static final int KEY_LENGTH_MAX = 1024;
    public static final int VALUE_LENGTH_MAX = 64 * 1024;

    private static final int OP_PUT = 1;
    private static final int OP_GET = 2;
    private static final int OP_DELETE = 3;

    public static final int STATUS_OK = 0;
    public static final int STATUS_NOT_FOUND = 1;
    public static final int STATUS_BAD_REQUEST = 2;

    private final TreeMap<Bytes, Bytes> data = new TreeMap<>();

    public static Bytes put(String key, String value) {
        return new CanonicalWriter().u8(OP_PUT).utf8(key).utf8(value).toBytes();
    }

    public static Bytes get(String key) {
        return new CanonicalWriter().u8(OP_GET).utf8(key).toBytes();
    }

    public static Bytes delete(String key) {
        return new CanonicalWriter().u8(OP_DELETE).utf8(key).toBytes();
    }

    @Override
    public Bytes apply(Bytes operation) {
        try {
            CanonicalReader r = new CanonicalReader(operation);
            int op = r.u8();
            Bytes key = r.bytes(KEY_LENGTH_MAX);
            switch (op) {
                case OP_PUT -> {
                    Bytes value = r.bytes(VALUE_LENGTH_MAX);
                    r.expectEnd();
                    Bytes previous = data.put(key, value);
                    return reply(STATUS_OK, previous == null ? Bytes.EMPTY : previous);
                }
                case OP_GET -> {
                    r.expectEnd();
                    return lookup(key);
                }
                case OP_DELETE -> {
                    r.expectEnd();
                    Bytes previous = data.remove(key);
                    return previous == null ? reply(STATUS_NOT_FOUND, Bytes.EMPTY) : reply(STATUS_OK, previous);
                }
                default -> {
                    return reply(STATUS_BAD_REQUEST, Bytes.ofUtf8("unknown operation " + op));
                }
            }
        } catch (DecodeException e) {
            return reply(STATUS_BAD_REQUEST, Bytes.ofUtf8(e.getMessage()));
        }
    }

    @Override
    public Bytes query(Bytes read) {
        try {
            CanonicalReader r = new CanonicalReader(read);
            if (r.u8() != OP_GET) return reply(STATUS_BAD_REQUEST, Bytes.ofUtf8("queries must be GET"));
            Bytes key = r.bytes(KEY_LENGTH_MAX);
            r.expectEnd();
            return lookup(key);
        } catch (DecodeException e) {
            return reply(STATUS_BAD_REQUEST, Bytes.ofUtf8(e.getMessage()));
        }
    }

    private Bytes lookup(Bytes key) {
        Bytes v = data.get(key);
        return v == null ? reply(STATUS_NOT_FOUND, Bytes.EMPTY) : reply(STATUS_OK, v);
    }

    private static Bytes reply(int status, Bytes body) {
        return new CanonicalWriter().u8(status).bytes(body).toBytes();
    }

    /** Splits a reply into its status and body; for clients and tests. */
    public static Map.Entry<Integer, Bytes> parseReply(Bytes reply) throws DecodeException {
        CanonicalReader r = new CanonicalReader(reply);
        int status = r.u8();
        Bytes body = r.bytes(VALUE_LENGTH_MAX + 1024);
        r.expectEnd();
        return Map.entry(status, body);
    }

    public int size() {
        return data.size();
    }

    @Override
    public Bytes snapshot() {
        CanonicalWriter w = new CanonicalWriter().i32(data.size());
        data.forEach((k, v) -> w.bytes(k).bytes(v));
        return w.toBytes();
    }

    /** SHA-256 of {@link #snapshot()}, hashed as written rather than built whole (the simulator asks every few events). */
    @Override
    public Bytes stateDigest() {
        CanonicalWriter w = CanonicalWriter.hashingInto(io.redoubt.lm.crypto.Digests.newSha256()).i32(data.size());
        data.forEach((k, v) -> w.bytes(k).bytes(v));
        return w.digest();
    }

    @Override
    public void restore(Bytes snapshot) {
        try {
            CanonicalReader r = new CanonicalReader(snapshot);
            int n = r.count(Integer.MAX_VALUE, "entries");
            TreeMap<Bytes, Bytes> restored = new TreeMap<>();
            Bytes previous = null;
            for (int i = 0; i < n; i++) {
                Bytes key = r.bytes(KEY_LENGTH_MAX);
                // Canonical snapshots list keys in strictly increasing order; anything else is not ours.
                if (previous != null && previous.compareTo(key) >= 0) throw new DecodeException("snapshot keys out of order");
                restored.put(key, r.bytes(VALUE_LENGTH_MAX));
                previous = key;
            }
            r.expectEnd();
            data.clear();
            data.putAll(restored);
        } catch (DecodeException e) {
            throw new IllegalArgumentException("not a key-value snapshot: " + e.getMessage(), e);
        }
    }
}
