package io.redoubt.blink;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The receiving end of one BLink logical link as its logical machine executes it (Lane 2008,
 * section 4.4.1): which link sequence numbers arrived, so that each message is executed once and
 * in the sender's order, and the cumulative acknowledgement the logical machine signs. Every
 * correct server of the receiving site executes the same ordered messages, so all agree.
 *
 * <p>Messages that arrive ahead of a gap (a retransmission racing a new forwarder's resend, a
 * lost frame) wait within a bounded window; beyond it they are dropped, and the sender resends
 * them from the acknowledged point. The window bounds what a faulty sending logical machine,
 * which can sign any sequence number, makes this one hold.
 */
public final class IncomingLink {
    /** What became of a message handed in. */
    public enum Verdict {
        /** The next in order: it and any waiting successors are delivered. */
        DELIVERED,
        /** Executed before: dropped. */
        DUPLICATE,
        /** Ahead of a gap, within the window: waits for the gap to fill. */
        WAITING,
        /** Beyond the window: dropped; the sender resends it after the gap is acknowledged. */
        BEYOND_WINDOW
    }

    /** A verdict and the messages to execute now, in link order. */
    public record Result(Verdict verdict, List<Bytes> deliver) {}

    private final int windowMax;
    private final TreeMap<Long, Bytes> waiting = new TreeMap<>();
    private long receivedThrough;
    private long acknowledged;

    /** @param windowMax how far ahead of the next expected number a message may wait */
    public IncomingLink(int windowMax) {
        if (windowMax < 1) throw new IllegalArgumentException("windowMax must be >= 1, was " + windowMax);
        this.windowMax = windowMax;
    }

    /** The message with link sequence number {@code seq}, as the logical machine executes it. */
    public Result onMessage(long seq, Bytes message) {
        if (seq < 1) throw new IllegalArgumentException("link sequence numbers start at 1, was " + seq);
        if (seq <= receivedThrough) return new Result(Verdict.DUPLICATE, List.of());
        if (seq > receivedThrough + windowMax) return new Result(Verdict.BEYOND_WINDOW, List.of());
        if (seq > receivedThrough + 1) {
            // A second copy of a waiting message is the same message: the LM signature covers the number.
            return new Result(waiting.putIfAbsent(seq, message) == null ? Verdict.WAITING : Verdict.DUPLICATE, List.of());
        }
        List<Bytes> deliver = new ArrayList<>();
        deliver.add(message);
        receivedThrough = seq;
        for (Map.Entry<Long, Bytes> next = waiting.pollFirstEntry(); next != null; next = waiting.pollFirstEntry()) {
            if (next.getKey() != receivedThrough + 1) {
                waiting.put(next.getKey(), next.getValue());
                break;
            }
            deliver.add(next.getValue());
            receivedThrough = next.getKey();
        }
        return new Result(Verdict.DELIVERED, deliver);
    }

    /** Every message through this number was executed. */
    public long receivedThrough() {
        return receivedThrough;
    }

    /** The number the link's next executed message must carry; servers time the local leader on it (fairness, section 4.4.1). */
    public long nextExpected() {
        return receivedThrough + 1;
    }

    /** Whether the sender has not been told of everything received yet: the next acknowledgement is worth signing. */
    public boolean ackDue() {
        return receivedThrough > acknowledged;
    }

    /** The cumulative number to acknowledge now; later {@link #ackDue} calls compare against it. */
    public long takeAck() {
        acknowledged = receivedThrough;
        return receivedThrough;
    }

    /** Messages waiting ahead of a gap. */
    public int waitingCount() {
        return waiting.size();
    }

    /** Everything that decides this link's future behaviour, for the logical machine's state digest. */
    public void writeState(CanonicalWriter w) {
        w.i64(receivedThrough).i64(acknowledged).i32(waiting.size());
        for (Map.Entry<Long, Bytes> e : waiting.entrySet()) w.i64(e.getKey()).bytes(e.getValue());
    }
}
