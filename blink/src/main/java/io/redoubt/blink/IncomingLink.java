package io.redoubt.blink;

import io.redoubt.lm.codec.CanonicalWriter;
import java.util.TreeSet;

/**
 * The receiving end of one BLink logical link as its logical machine executes it (Lane 2008,
 * section 4.4.1): which link sequence numbers arrived, so that each message is executed exactly
 * once, and the cumulative acknowledgement the logical machine signs. Every correct server of
 * the receiving site executes the same ordered messages, so all agree.
 *
 * <p>A message is executed as soon as it arrives, even ahead of a gap (a lost frame, a resend
 * racing newer messages): the wide-area protocols need no FIFO order, and holding messages back
 * behind a gap would stall a whole logical link, view changes included, until the sender's
 * timeout filled it. Only the numbers above the gap are kept, within a bounded window; one
 * beyond it is dropped and resent by the sender after the gap is acknowledged. The window bounds
 * what a faulty sending logical machine, which can sign any sequence number, makes this one hold.
 */
public final class IncomingLink {
    /** What became of a message handed in. */
    public enum Verdict {
        /** The next in order: executed, and the acknowledged point moves past it and any executed successors. */
        DELIVERED,
        /** Executed before: dropped. */
        DUPLICATE,
        /** Ahead of a gap, within the window: executed now; acknowledged once the gap fills. */
        AHEAD,
        /** Beyond the window: dropped; the sender resends it after the gap is acknowledged. */
        BEYOND_WINDOW
    }

    private final int windowMax;
    /** Numbers executed above the first gap. */
    private final TreeSet<Long> ahead = new TreeSet<>();
    private long receivedThrough;
    private long acknowledged;
    private boolean ackAgain;

    /** @param windowMax how far ahead of the next expected number a message may be executed */
    public IncomingLink(int windowMax) {
        if (windowMax < 1) throw new IllegalArgumentException("windowMax must be >= 1, was " + windowMax);
        this.windowMax = windowMax;
    }

    /**
     * Message {@code seq} arrived, as the logical machine executes it. It is executed now unless
     * the verdict is {@link Verdict#DUPLICATE} or {@link Verdict#BEYOND_WINDOW}.
     */
    public Verdict onMessage(long seq) {
        if (seq < 1) throw new IllegalArgumentException("link sequence numbers start at 1, was " + seq);
        if (seq <= receivedThrough || ahead.contains(seq)) return Verdict.DUPLICATE;
        if (seq > receivedThrough + windowMax) return Verdict.BEYOND_WINDOW;
        if (seq > receivedThrough + 1) {
            ahead.add(seq);
            return Verdict.AHEAD;
        }
        receivedThrough = seq;
        while (!ahead.isEmpty() && ahead.first() == receivedThrough + 1) receivedThrough = ahead.pollFirst();
        return Verdict.DELIVERED;
    }

    /** Whether a verdict means the message is executed now. */
    public static boolean executesNow(Verdict v) {
        return v == Verdict.DELIVERED || v == Verdict.AHEAD;
    }

    /** Whether message {@code seq} was executed. */
    public boolean executed(long seq) {
        return seq <= receivedThrough || ahead.contains(seq);
    }

    /** Every message through this number was executed. */
    public long receivedThrough() {
        return receivedThrough;
    }

    /** The first number not executed yet. */
    public long nextExpected() {
        return receivedThrough + 1;
    }

    /** Whether the sender has not been told of everything received yet: the next acknowledgement is worth signing. */
    public boolean ackDue() {
        return receivedThrough > acknowledged || ackAgain;
    }

    /** A copy of a message executed before came in: the sender missed the acknowledgement, so send one again. */
    public void ackAgain() {
        ackAgain = true;
    }

    /** The cumulative number to acknowledge now; later {@link #ackDue} calls compare against it. */
    public long takeAck() {
        acknowledged = receivedThrough;
        ackAgain = false;
        return receivedThrough;
    }

    /** Messages executed ahead of a gap. */
    public int aheadCount() {
        return ahead.size();
    }

    /** This link's whole state, for a snapshot (the same as {@link #writeState}). */
    void writeSnapshot(CanonicalWriter w) {
        writeState(w);
    }

    /** Reads what {@link #writeSnapshot} wrote into this link, which must be new. */
    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws io.redoubt.lm.codec.DecodeException {
        receivedThrough = r.nonNegative("received through");
        acknowledged = r.nonNegative("acknowledged");
        if (acknowledged > receivedThrough) throw new io.redoubt.lm.codec.DecodeException("acknowledged " + acknowledged + " past received " + receivedThrough);
        ackAgain = r.bool();
        int count = r.count(windowMax, "messages ahead");
        for (int i = 0; i < count; i++) {
            long seq = r.i64();
            if (seq <= receivedThrough + 1 || seq > receivedThrough + windowMax || !ahead.add(seq)) {
                throw new io.redoubt.lm.codec.DecodeException("message " + seq + " ahead of " + receivedThrough);
            }
        }
    }

    /** Everything that decides this link's future behaviour, for the logical machine's state digest. */
    public void writeState(CanonicalWriter w) {
        w.i64(receivedThrough).i64(acknowledged).bool(ackAgain).i32(ahead.size());
        for (long seq : ahead) w.i64(seq);
    }
}
