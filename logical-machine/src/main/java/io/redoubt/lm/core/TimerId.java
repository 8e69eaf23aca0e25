package io.redoubt.lm.core;

import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;

/**
 * Names one timer of a core: a kind ("progress", "retransmit", ...) and an argument (a slot,
 * a view). Setting a timer that is already set replaces it. At the wide-area tier a timer id
 * travels inside ordered LM Timeout events, so it has a canonical encoding.
 */
public record TimerId(String kind, long arg) implements Comparable<TimerId> {
    public static final int KIND_LENGTH_MAX = 32;

    public TimerId {
        // Printable ASCII only, so the character limit is also the byte limit of the encoding.
        if (kind == null || kind.isEmpty() || kind.length() > KIND_LENGTH_MAX || !kind.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("timer kind must be 1.." + KIND_LENGTH_MAX + " printable ASCII characters: " + kind);
        }
    }

    public static TimerId of(String kind) {
        return new TimerId(kind, 0);
    }

    public void encodeTo(CanonicalWriter w) {
        w.utf8(kind).i64(arg);
    }

    public static TimerId decode(CanonicalReader r) throws DecodeException {
        String kind = r.utf8(KIND_LENGTH_MAX);
        long arg = r.i64();
        try {
            return new TimerId(kind, arg);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(e.getMessage());
        }
    }

    @Override
    public int compareTo(TimerId o) {
        int c = kind.compareTo(o.kind);
        return c != 0 ? c : Long.compare(arg, o.arg);
    }

    @Override
    public String toString() {
        return kind + "(" + arg + ")";
    }
}
