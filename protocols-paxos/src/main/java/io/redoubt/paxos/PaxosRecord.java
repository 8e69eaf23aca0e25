package io.redoubt.paxos;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.util.List;

/**
 * What a Paxos node writes to stable storage, and why: an acceptor must never forget a promise
 * or an accepted value once another node may have heard of it (that is what makes a majority's
 * acceptance stick across crashes), and a learner keeps decided values so that a restart can
 * re-deliver them and serve catch-up without asking anyone.
 */
public sealed interface PaxosRecord extends Encodable {
    int TAG_PROMISED = 1, TAG_ACCEPTED = 2, TAG_LEARNED = 3, TAG_BASE = 4;

    /**
     * The host holds a snapshot of its state after {@code slot}: every slot through it is decided
     * and none is re-delivered. First of the records a compacted storage holds
     * (PaxosCore#recordsAfterSnapshot).
     */
    record Base(long slot) implements PaxosRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_BASE).i64(slot);
        }
    }

    /** This acceptor promised to ignore proposals of views below {@code view}. */
    record Promised(long view) implements PaxosRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PROMISED).i64(view);
        }
    }

    /** This acceptor accepted {@code value} for {@code slot} in {@code view}. */
    record Accepted(long slot, long view, List<Bytes> value) implements PaxosRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_ACCEPTED).i64(slot).i64(view).bytesList(value);
        }
    }

    /** {@code slot} is decided with {@code value}. */
    record Learned(long slot, List<Bytes> value) implements PaxosRecord {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_LEARNED).i64(slot).bytesList(value);
        }
    }

    /** Our own storage is trusted, but a torn or foreign file must still fail loudly, not silently. */
    static PaxosRecord decode(Bytes bytes) {
        try {
            CanonicalReader r = new CanonicalReader(bytes);
            int tag = r.u8();
            PaxosRecord rec = switch (tag) {
                case TAG_PROMISED -> new Promised(r.nonNegative("view"));
                case TAG_ACCEPTED -> new Accepted(r.nonNegative("slot"), r.nonNegative("view"),
                        r.bytesList(Integer.MAX_VALUE, Integer.MAX_VALUE));
                case TAG_LEARNED -> new Learned(r.nonNegative("slot"), r.bytesList(Integer.MAX_VALUE, Integer.MAX_VALUE));
                case TAG_BASE -> new Base(r.nonNegative("slot"));
                default -> throw new DecodeException("unknown Paxos record tag " + tag);
            };
            r.expectEnd();
            return rec;
        } catch (DecodeException e) {
            throw new IllegalStateException("corrupt Paxos storage record: " + e.getMessage());
        }
    }
}
