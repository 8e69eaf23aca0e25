package io.redoubt.lm.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The global state one logical machine sends another (issue 18): its encoding, its pieces, and putting them back together. */
class GlobalStateTest {
    static Bytes state(int appBytes) {
        TreeMap<ClientId, Map.Entry<Long, Bytes>> clients = new TreeMap<>();
        clients.put(new ClientId(new SiteId(1), 0), Map.entry(7L, Bytes.ofUtf8("ok")));
        byte[] app = new byte[appBytes];
        for (int i = 0; i < app.length; i++) app[i] = (byte) (i * 7);
        return GlobalState.encode(Bytes.ofUtf8("base"), 42, clients, Bytes.wrap(app));
    }

    /** {@code state} after wide-area slot {@code slot} as every piece a machine sends of it. */
    static List<Bytes> pieces(long slot, Bytes state) {
        Bytes digest = io.redoubt.lm.crypto.Digests.sha256(state);
        int pieceBytes = GlobalState.pieceBytesFor(state.length());
        List<Bytes> out = new ArrayList<>();
        long offset = 0;
        do {
            out.add(GlobalState.piece(slot, state, digest, pieceBytes, offset));
            offset += pieceBytes;
        } while (offset < state.length());
        return out;
    }

    @Test
    void aStateDecodesToWhatWasEncoded() throws DecodeException {
        GlobalState.Decoded d = GlobalState.decodeState(state(100));
        assertEquals(Bytes.ofUtf8("base"), d.base());
        assertEquals(42, d.executedUpdates());
        assertEquals(7L, d.clients().get(new ClientId(new SiteId(1), 0)).getKey());
        assertEquals(100, d.app().length());
        assertThrows(DecodeException.class, () -> GlobalState.decodeState(Bytes.ofUtf8("not a state")));
    }

    @Test
    void piecesArrivingInAnyOrderAndTwiceMakeTheWholeAgain() throws DecodeException {
        Bytes whole = state(3 * GlobalState.PIECE_BYTES_MAX + 5);
        List<Bytes> pieces = new ArrayList<>(pieces(99, whole));
        int pieceBytes = GlobalState.pieceBytesFor(whole.length());
        assertEquals(GlobalState.PIECES_PER_STATE, (whole.length() + pieceBytes - 1) / pieceBytes, "about so many pieces a state");
        assertEquals((whole.length() + pieceBytes - 1) / pieceBytes, pieces.size());
        Collections.reverse(pieces);
        pieces.add(pieces.get(1)); // a repeat
        GlobalState.Assembly a = null;
        for (Bytes encoded : pieces) {
            assertTrue(GlobalState.isControl(encoded));
            GlobalState.Piece p = (GlobalState.Piece) GlobalState.decode(encoded);
            if (a == null) a = GlobalState.Assembly.start(p);
            assertTrue(a.sameState(p));
            a.add(p);
        }
        assertTrue(a.complete());
        assertEquals(whole, a.whole());
        assertEquals(99, a.slot());
        // An assembly half done survives the logical machine's snapshot.
        GlobalState.Assembly half = GlobalState.Assembly.start((GlobalState.Piece) GlobalState.decode(pieces.get(0)));
        half.add((GlobalState.Piece) GlobalState.decode(pieces.get(0)));
        CanonicalWriter w = new CanonicalWriter();
        half.writeTo(w);
        GlobalState.Assembly read = GlobalState.Assembly.readFrom(new CanonicalReader(w.toBytes()));
        assertFalse(read.complete());
        CanonicalWriter again = new CanonicalWriter();
        read.writeTo(again);
        assertEquals(w.toBytes(), again.toBytes());
    }

    @Test
    void piecesAreNeverLargerThanTheMostNorSmallerThanTheLeastButForASmallState() {
        assertEquals(GlobalState.PIECE_BYTES_MAX, GlobalState.pieceBytesFor(GlobalState.STATE_BYTES_MAX));
        assertEquals(GlobalState.PIECE_BYTES_MIN, GlobalState.pieceBytesFor(10));
        assertEquals(1, pieces(1, state(10)).size());
    }

    private static Bytes piece(Bytes digest, long total, int pieceBytes, long offset, byte[] data) {
        return new CanonicalWriter().u8(GlobalState.CONTROL_TAG).u8(GlobalState.KIND_PIECE).i64(5).bytes(digest).i64(total).i32(pieceBytes).i64(offset)
                .bytes(Bytes.wrap(data)).toBytes();
    }

    @Test
    void badPiecesAreRefusedOrDropped() throws DecodeException {
        Bytes whole = state(GlobalState.PIECE_BYTES_MAX + 1);
        GlobalState.Piece first = (GlobalState.Piece) GlobalState.decode(pieces(5, whole).get(0));
        int size = first.pieceBytes();
        GlobalState.Assembly a = GlobalState.Assembly.start(first);
        // Not at a piece boundary, of the wrong length, or cut otherwise: dropped, nothing counted.
        a.add(new GlobalState.Piece(5, first.digest(), first.totalBytes(), size, 3, Bytes.ofUtf8("xyz")));
        a.add(new GlobalState.Piece(5, first.digest(), first.totalBytes(), size, size, Bytes.ofUtf8("xyz")));
        assertFalse(a.sameState(new GlobalState.Piece(5, first.digest(), first.totalBytes(), size / 2, 0, Bytes.ofUtf8("x"))));
        assertFalse(a.complete());
        // Too large to take in.
        assertNull(GlobalState.Assembly.start(new GlobalState.Piece(5, first.digest(), GlobalState.STATE_BYTES_MAX + 1, size, 0, Bytes.ofUtf8("x"))));
        // Pieces that claim bytes past the end or past their size, or an unknown kind, do not decode.
        assertThrows(DecodeException.class, () -> GlobalState.decode(piece(first.digest(), 2, 256, 1, new byte[3])));
        assertThrows(DecodeException.class, () -> GlobalState.decode(piece(first.digest(), 1000, 256, 0, new byte[300])));
        // Cut other than pieceBytesFor says (a piece per byte would make us keep a map entry per byte).
        assertEquals(256, GlobalState.pieceBytesFor(1000));
        assertThrows(DecodeException.class, () -> GlobalState.decode(piece(first.digest(), 1000, 1, 0, new byte[1])));
        GlobalState.decode(piece(first.digest(), 1000, 256, 256, new byte[256])); // and the right cut decodes
        assertThrows(DecodeException.class, () -> GlobalState.decode(new CanonicalWriter().u8(GlobalState.CONTROL_TAG).u8(9).toBytes()));
        assertFalse(GlobalState.isControl(Bytes.ofUtf8("a core's message")));
    }
}
