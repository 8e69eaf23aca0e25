package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * How the parts of a PBFT core write their whole state into a snapshot and read it back (issue
 * 18): the logical machine snapshots its wide-area core with everything in it, so that a server
 * restored from the snapshot is the same logical machine. Messages travel whole, as encoded on the
 * wire (signatures included), and are read back with the wire's own bounded decoder.
 */
final class PbftSnapshot {
    private final PbftConfig config;
    private final int members;

    PbftSnapshot(PbftConfig config, int members) {
        this.config = config;
        this.members = members;
    }

    static void message(CanonicalWriter w, PbftMessage m) {
        w.bool(m != null);
        if (m != null) w.bytes(m.encode());
    }

    static void messages(CanonicalWriter w, Collection<? extends PbftMessage> ms) {
        w.i32(ms.size());
        for (PbftMessage m : ms) w.bytes(m.encode());
    }

    /** A message of type {@code type} or null, as {@link #message} wrote it. */
    <T extends PbftMessage> T message(CanonicalReader r, Class<T> type) throws DecodeException {
        if (!r.bool()) return null;
        return one(r, type);
    }

    private <T extends PbftMessage> T one(CanonicalReader r, Class<T> type) throws DecodeException {
        PbftMessage m = PbftMessage.decode(r.bytes(Integer.MAX_VALUE), config, members);
        if (!type.isInstance(m)) throw new DecodeException("PBFT snapshot: a " + m.getClass().getSimpleName() + " where a " + type.getSimpleName() + " belongs");
        return type.cast(m);
    }

    /** At most {@code max} messages of type {@code type}, as {@link #messages} wrote them. */
    <T extends PbftMessage> List<T> messages(CanonicalReader r, Class<T> type, int max) throws DecodeException {
        int count = r.count(max, "PBFT snapshot messages");
        List<T> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(one(r, type));
        return out;
    }

    /** A member index. */
    int member(CanonicalReader r) throws DecodeException {
        int i = r.i32();
        if (i < 0 || i >= members) throw new DecodeException("PBFT snapshot: member " + i + " outside [0, " + members + ")");
        return i;
    }

    List<Bytes> batch(CanonicalReader r) throws DecodeException {
        return r.bytesList(config.batchPayloadsMax(), config.payloadBytesMax());
    }

    PbftConfig config() {
        return config;
    }

    int members() {
        return members;
    }
}
