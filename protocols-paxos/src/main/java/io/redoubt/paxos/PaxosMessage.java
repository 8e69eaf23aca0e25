package io.redoubt.paxos;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.util.List;

/**
 * Messages of Multi-Paxos (Lane 2008, section 2.2.1; Lamport, "Paxos Made Simple"). Views are
 * ballots: view v is led by member {@code v mod n}. The sender is known from the link (a server)
 * or from the site signature (a logical machine), so no message names its sender.
 */
public sealed interface PaxosMessage extends Encodable {
    int TAG_PREPARE = 1, TAG_PROMISE = 2, TAG_PROPOSE = 3, TAG_ACCEPT = 4, TAG_FORWARD = 5,
            TAG_CATCH_UP_REQUEST = 6, TAG_CATCH_UP_REPLY = 7, TAG_VIEW_CHANGE = 8, TAG_HEARTBEAT = 9,
            TAG_HEARTBEAT_ACK = 10, TAG_COMPACTED = 11;

    /** Phase 1a: the leader of {@code view} asks for promises and for what was accepted from {@code fromSlot} on. */
    record Prepare(long view, long fromSlot) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PREPARE).i64(view).i64(fromSlot);
        }
    }

    /** One slot as an acceptor knows it: the value, the view it was accepted in, and whether it is decided. */
    record SlotReport(long slot, long acceptedView, List<Bytes> value, boolean decided) {
        void encodeTo(CanonicalWriter w) {
            w.i64(slot).i64(acceptedView).bytesList(value).bool(decided);
        }
    }

    /**
     * Phase 1b: a promise not to accept proposals of lower views, with the slots this acceptor holds
     * from the prepare's {@code fromSlot} on. {@code truncated} says more slots exist than fit.
     */
    record Promise(long view, long decidedThrough, List<SlotReport> slots, boolean truncated) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PROMISE).i64(view).i64(decidedThrough);
            w.list(slots, (out, s) -> s.encodeTo(out));
            w.bool(truncated);
        }
    }

    /** Phase 2a: the leader of {@code view} proposes {@code value} (a batch of payloads) for {@code slot}. */
    record Propose(long view, long slot, List<Bytes> value, long decidedThrough) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PROPOSE).i64(view).i64(slot).bytesList(value).i64(decidedThrough);
        }
    }

    /** Phase 2b: the sender accepted the proposal of {@code view} for {@code slot}; sent to every member. */
    record Accept(long view, long slot, long decidedThrough) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_ACCEPT).i64(view).i64(slot).i64(decidedThrough);
        }
    }

    /** Payloads submitted at a follower, passed to the leader for ordering. */
    record Forward(List<Bytes> payloads) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_FORWARD).bytesList(payloads);
        }
    }

    /** A lagging member asks for decided slots from {@code fromSlot} on. */
    record CatchUpRequest(long fromSlot) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_CATCH_UP_REQUEST).i64(fromSlot);
        }
    }

    /** Decided slots, in order, and how far the sender has decided. */
    record CatchUpReply(long decidedThrough, List<SlotReport> slots) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_CATCH_UP_REPLY).i64(decidedThrough);
            w.list(slots, (out, s) -> s.encodeTo(out));
        }
    }

    /** The sender suspects the leader and has moved to {@code view}; its leader should run phase 1. */
    record ViewChange(long view) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_VIEW_CHANGE).i64(view);
        }
    }

    /** The leader tells a member that looks behind how far the order is decided. */
    record Heartbeat(long view, long decidedThrough) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_HEARTBEAT).i64(view).i64(decidedThrough);
        }
    }

    /**
     * The answer to a catch-up request or a prepare that reaches below what the sender keeps: it
     * dropped every slot through {@code compactedThrough} (log compaction, issue 18), and the
     * asker needs its host's snapshot first. {@code decidedThrough} says how far the sender is.
     */
    record Compacted(long compactedThrough, long decidedThrough) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_COMPACTED).i64(compactedThrough).i64(decidedThrough);
        }
    }

    /** A member's answer to a heartbeat: how far it has decided. */
    record HeartbeatAck(long view, long decidedThrough) implements PaxosMessage {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_HEARTBEAT_ACK).i64(view).i64(decidedThrough);
        }
    }

    /**
     * Views above this are refused: no honest run gets near it (a view change a millisecond would
     * take 146,000 years), and refusing them keeps {@code view + 1} from ever overflowing.
     */
    long VIEW_MAX = 1L << 62;

    /** Decodes untrusted bytes; every count and length is bounded by {@code config}. */
    static PaxosMessage decode(Bytes bytes, PaxosConfig config) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8();
        int payloadMax = config.payloadBytesMax();
        int batchMax = config.batchPayloadsMax();
        PaxosMessage m = switch (tag) {
            case TAG_PREPARE -> new Prepare(view(r), r.nonNegative("fromSlot"));
            case TAG_PROMISE -> new Promise(view(r), decidedThrough(r),
                    r.list(config.catchUpSlotsMax() + config.windowSlots() * 4, in -> slotReport(in, batchMax, payloadMax)),
                    r.bool());
            case TAG_PROPOSE -> new Propose(view(r), r.nonNegative("slot"),
                    r.bytesList(batchMax, payloadMax), decidedThrough(r));
            case TAG_ACCEPT -> new Accept(view(r), r.nonNegative("slot"), decidedThrough(r));
            case TAG_FORWARD -> new Forward(r.bytesList(config.pendingPayloadsMax(), payloadMax));
            case TAG_CATCH_UP_REQUEST -> new CatchUpRequest(r.nonNegative("fromSlot"));
            case TAG_CATCH_UP_REPLY -> new CatchUpReply(decidedThrough(r),
                    r.list(config.catchUpSlotsMax(), in -> slotReport(in, batchMax, payloadMax)));
            case TAG_VIEW_CHANGE -> new ViewChange(view(r));
            case TAG_HEARTBEAT -> new Heartbeat(view(r), decidedThrough(r));
            case TAG_HEARTBEAT_ACK -> new HeartbeatAck(view(r), decidedThrough(r));
            case TAG_COMPACTED -> {
                long compacted = r.nonNegative("compactedThrough");
                long decided = decidedThrough(r);
                if (decided < compacted) throw new DecodeException("compacted through " + compacted + " past decided " + decided);
                yield new Compacted(compacted, decided);
            }
            default -> throw new DecodeException("unknown Paxos message tag " + tag);
        };
        r.expectEnd();
        return m;
    }

    private static long view(CanonicalReader r) throws DecodeException {
        long v = r.nonNegative("view");
        if (v > VIEW_MAX) throw new DecodeException("view " + v + " exceeds " + VIEW_MAX);
        return v;
    }

    private static long decidedThrough(CanonicalReader r) throws DecodeException {
        long v = r.i64();
        if (v < -1) throw new DecodeException("decidedThrough must be >= -1, was " + v);
        return v;
    }

    private static SlotReport slotReport(CanonicalReader r, int batchMax, int payloadMax) throws DecodeException {
        return new SlotReport(r.nonNegative("slot"), r.nonNegative("acceptedView"), r.bytesList(batchMax, payloadMax), r.bool());
    }
}
