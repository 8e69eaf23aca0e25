package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A logical machine's global state, and the messages that carry it to another logical machine
 * (log compaction among sites, issue 18). The global state after wide-area slot s is what every
 * logical machine holds alike after delivering slots 0..s of the global order: the wide-area
 * core's base there (OrderingCore#baseAfter), the count of executed updates, each client's last
 * reply, and the application. A machine whose wide-area core has fallen behind what the others
 * keep asks one of them for it; the answer comes in pieces, each a message of that logical
 * machine under its site signature, carried by BLink. The asking machine keeps the pieces as they
 * execute, checks the whole against the digest every piece names, installs it and lets its
 * wide-area core go on from there.
 *
 * <p>With Paxos among sites every site is correct, and the answer is the other machine's current
 * global state. With PBFT among sites one site's word is worth nothing: each wide-area checkpoint
 * certifies the global state at its slot beside the hash chain (Outbox#checkpointState), every
 * machine keeps the states from the one below its stable checkpoint on, and the asking machine
 * asks for the state at its own stable checkpoint and takes only pieces naming the digest 2F+1
 * sites certified there.
 *
 * <p>These messages travel on the logical links beside the wide-area core's own, told apart by a
 * first byte no core message uses ({@link #CONTROL_TAG}).
 */
public final class GlobalState {
    /** First byte of a logical machine's own messages: no wide-area core's message starts with it. */
    public static final int CONTROL_TAG = 0xF0;
    static final int KIND_REQUEST = 1, KIND_PIECE = 2, KIND_DONE = 3;
    /** Largest piece: well inside a wide-area message and a local ordering's payload. */
    static final int PIECE_BYTES_MAX = 64 * 1024;
    /** Smallest piece a state is cut into, unless the whole is smaller. */
    static final int PIECE_BYTES_MIN = 256;
    /** A state is cut into about this many pieces, within the bounds above (so even small ones travel under flow control). */
    static final int PIECES_PER_STATE = 64;
    /** Largest global state a machine takes in. */
    static final long STATE_BYTES_MAX = 1L << 30;

    private GlobalState() {}

    sealed interface Control permits Request, Piece, Done {}

    /** Send me your global state after at least wide-area slot {@code atLeast}. */
    record Request(long atLeast) implements Control {}

    /** I installed a global state (another site's): stop sending me yours. */
    record Done() implements Control {}

    /**
     * Bytes {@code offset}.. of the sender's global state after wide-area slot {@code slot},
     * {@code totalBytes} long with SHA-256 {@code digest}, cut into pieces of {@code pieceBytes}
     * (the last shorter).
     */
    record Piece(long slot, Bytes digest, long totalBytes, int pieceBytes, long offset, Bytes data) implements Control {}

    /** A decoded global state. */
    record Decoded(Bytes base, long executedUpdates, TreeMap<ClientId, Map.Entry<Long, Bytes>> clients, Bytes app) {}

    public static boolean isControl(Bytes message) {
        return message.length() > 0 && (message.unsafeArray()[0] & 0xff) == CONTROL_TAG;
    }

    static Bytes request(long atLeast) {
        return new CanonicalWriter().u8(CONTROL_TAG).u8(KIND_REQUEST).i64(atLeast).toBytes();
    }

    static Bytes done() {
        return new CanonicalWriter().u8(CONTROL_TAG).u8(KIND_DONE).toBytes();
    }

    static Bytes encode(Bytes base, long executedUpdates, TreeMap<ClientId, Map.Entry<Long, Bytes>> clients, Bytes app) {
        CanonicalWriter w = new CanonicalWriter().utf8("redoubt/global-state").bytes(base).i64(executedUpdates).i32(clients.size());
        clients.forEach((c, r) -> w.client(c).i64(r.getKey()).bytes(r.getValue()));
        return w.bytes(app).toBytes();
    }

    static Decoded decodeState(Bytes state) throws DecodeException {
        CanonicalReader r = new CanonicalReader(state);
        if (!r.utf8(64).equals("redoubt/global-state")) throw new DecodeException("not a global state");
        Bytes base = r.bytes(1024);
        long executed = r.nonNegative("executed updates");
        int count = r.count(Integer.MAX_VALUE, "clients");
        TreeMap<ClientId, Map.Entry<Long, Bytes>> clients = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            ClientId c = r.client();
            if (clients.put(c, Map.entry(r.nonNegative("client seq"), r.bytes(Integer.MAX_VALUE))) != null) throw new DecodeException("client " + c + " twice");
        }
        Bytes app = r.bytes(Integer.MAX_VALUE);
        r.expectEnd();
        return new Decoded(base, executed, clients, app);
    }

    /** The size of the pieces a state of {@code totalBytes} is cut into. */
    static int pieceBytesFor(long totalBytes) {
        return (int) Math.max(PIECE_BYTES_MIN, Math.min(PIECE_BYTES_MAX, (totalBytes + PIECES_PER_STATE - 1) / PIECES_PER_STATE));
    }

    /** The piece at {@code offset} of {@code state} after wide-area slot {@code slot}, naming {@code digest} (a compromised site's may name another state's). */
    static Bytes piece(long slot, Bytes state, Bytes digest, int pieceBytes, long offset) {
        int length = (int) Math.min(pieceBytes, state.length() - offset);
        byte[] data = new byte[length];
        System.arraycopy(state.unsafeArray(), (int) offset, data, 0, length);
        return new CanonicalWriter().u8(CONTROL_TAG).u8(KIND_PIECE).i64(slot).bytes(digest).i64(state.length()).i32(pieceBytes).i64(offset)
                .bytes(Bytes.wrap(data)).toBytes();
    }

    static Control decode(Bytes message) throws DecodeException {
        CanonicalReader r = new CanonicalReader(message);
        if (r.u8() != CONTROL_TAG) throw new DecodeException("not a logical machine's own message");
        int kind = r.u8();
        Control c = switch (kind) {
            case KIND_REQUEST -> new Request(r.nonNegative("slot"));
            case KIND_DONE -> new Done();
            case KIND_PIECE -> {
                long slot = r.nonNegative("slot");
                Bytes digest = r.bytes(32);
                long total = r.nonNegative("total bytes");
                int pieceBytes = r.i32();
                long offset = r.nonNegative("offset");
                Bytes data = r.bytes(PIECE_BYTES_MAX);
                // The cut is the one pieceBytesFor gives: a sender may not make us keep a piece per byte.
                if (digest.length() != 32 || pieceBytes != pieceBytesFor(total) || data.length() > pieceBytes
                        || offset + data.length() > total || (data.length() == 0 && total > 0)) {
                    throw new DecodeException("global state piece of " + data.length() + " bytes (of " + pieceBytes + ") at " + offset + " of " + total);
                }
                yield new Piece(slot, digest, total, pieceBytes, offset, data);
            }
            default -> throw new DecodeException("unknown logical machine message kind " + kind);
        };
        r.expectEnd();
        return c;
    }

    /** The pieces of one global state received so far; logical-machine state, so deterministic and in the machine's snapshot. */
    static final class Assembly {
        private final long slot;
        private final Bytes digest;
        private final long totalBytes;
        private final int pieceBytes;
        private final TreeMap<Long, Bytes> pieces = new TreeMap<>();
        private long received;

        private Assembly(long slot, Bytes digest, long totalBytes, int pieceBytes) {
            this.slot = slot;
            this.digest = digest;
            this.totalBytes = totalBytes;
            this.pieceBytes = pieceBytes;
        }

        /** A new assembly for the state {@code p} belongs to, or null if it is too large to take in. */
        static Assembly start(Piece p) {
            return p.totalBytes() > STATE_BYTES_MAX ? null : new Assembly(p.slot(), p.digest(), p.totalBytes(), p.pieceBytes());
        }

        boolean sameState(Piece p) {
            return p.slot() == slot && p.digest().equals(digest) && p.totalBytes() == totalBytes && p.pieceBytes() == pieceBytes;
        }

        /** Keeps a piece; one at an offset already held, or not at a piece boundary, is dropped. */
        void add(Piece p) {
            if (p.offset() % pieceBytes != 0 || pieces.containsKey(p.offset())) return;
            long expected = Math.min(pieceBytes, totalBytes - p.offset());
            if (p.data().length() != expected) return;
            pieces.put(p.offset(), p.data());
            received += p.data().length();
        }

        boolean complete() {
            return received == totalBytes;
        }

        Bytes whole() {
            byte[] all = new byte[(int) totalBytes];
            for (Map.Entry<Long, Bytes> e : pieces.entrySet()) System.arraycopy(e.getValue().unsafeArray(), 0, all, e.getKey().intValue(), e.getValue().length());
            return Bytes.wrap(all);
        }

        long slot() {
            return slot;
        }

        Bytes digest() {
            return digest;
        }

        void writeTo(CanonicalWriter w) {
            w.i64(slot).bytes(digest).i64(totalBytes).i32(pieceBytes).i32(pieces.size());
            pieces.forEach((offset, data) -> w.i64(offset).bytes(data));
        }

        static Assembly readFrom(CanonicalReader r) throws DecodeException {
            long slot = r.nonNegative("slot");
            Bytes digest = r.bytes(32);
            long total = r.nonNegative("total bytes");
            if (total > STATE_BYTES_MAX) throw new DecodeException("global state of " + total + " bytes");
            int pieceBytes = r.i32();
            if (pieceBytes != pieceBytesFor(total)) throw new DecodeException("global state of " + total + " bytes in pieces of " + pieceBytes);
            Assembly a = new Assembly(slot, digest, total, pieceBytes);
            int count = r.count((int) (total / pieceBytes) + 1, "global state pieces");
            for (int i = 0; i < count; i++) a.add(new Piece(slot, digest, total, pieceBytes, r.nonNegative("offset"), r.bytes(pieceBytes)));
            if (a.pieces.size() != count) throw new DecodeException("global state pieces that do not fit");
            return a;
        }
    }
}
