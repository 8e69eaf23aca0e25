package io.redoubt.blink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The receiving end of a BLink logical link (section 4.4.1): each message executed once, in the sender's order. */
class IncomingLinkTest {

    static Bytes msg(long i) {
        return OutgoingLinkTest.msg(i);
    }

    @Test
    void inOrderMessagesAreDeliveredAndRepeatsDropped() {
        IncomingLink in = new IncomingLink(8);
        assertEquals(1, in.nextExpected());
        assertEquals(IncomingLink.Verdict.DELIVERED, in.onMessage(1));
        assertEquals(IncomingLink.Verdict.DELIVERED, in.onMessage(2));
        assertEquals(IncomingLink.Verdict.DUPLICATE, in.onMessage(1));
        assertEquals(2, in.receivedThrough());
        assertEquals(3, in.nextExpected());
    }

    @Test
    void messagesAheadOfAGapAreExecutedAtOnceAndAcknowledgedWhenItFills() {
        IncomingLink in = new IncomingLink(8);
        assertEquals(IncomingLink.Verdict.AHEAD, in.onMessage(3));
        assertEquals(IncomingLink.Verdict.AHEAD, in.onMessage(2));
        assertEquals(IncomingLink.Verdict.DUPLICATE, in.onMessage(3), "executed already");
        assertEquals(IncomingLink.Verdict.AHEAD, in.onMessage(5));
        assertEquals(3, in.aheadCount());
        assertEquals(0, in.receivedThrough(), "the acknowledged point stops at the gap");
        assertEquals(IncomingLink.Verdict.DELIVERED, in.onMessage(1));
        assertEquals(3, in.receivedThrough());
        assertEquals(1, in.aheadCount(), "5 is past the gap at 4");
        assertEquals(IncomingLink.Verdict.DELIVERED, in.onMessage(4));
        assertEquals(5, in.receivedThrough());
        assertEquals(0, in.aheadCount());
    }

    @Test
    void beyondTheWindowNothingIsKept() {
        IncomingLink in = new IncomingLink(4);
        assertEquals(IncomingLink.Verdict.AHEAD, in.onMessage(4));
        assertEquals(IncomingLink.Verdict.BEYOND_WINDOW, in.onMessage(5));
        assertEquals(IncomingLink.Verdict.BEYOND_WINDOW, in.onMessage(Long.MAX_VALUE), "a faulty sender's far number");
        assertEquals(1, in.aheadCount());
        in.onMessage(1);
        assertEquals(IncomingLink.Verdict.AHEAD, in.onMessage(5), "the window moves with the acknowledged point");
    }

    @Test
    void anAcknowledgementIsDueOnlyAfterSomethingNewArrived() {
        IncomingLink in = new IncomingLink(8);
        assertFalse(in.ackDue());
        in.onMessage(2);
        assertFalse(in.ackDue(), "messages ahead of a gap are not acknowledged: the acknowledgement is cumulative");
        in.onMessage(1);
        assertTrue(in.ackDue());
        assertEquals(2, in.takeAck());
        assertFalse(in.ackDue());
        in.onMessage(2);
        assertFalse(in.ackDue(), "a duplicate adds nothing");
        in.onMessage(3);
        assertEquals(3, in.takeAck());
    }

    @Test
    void anyArrivalOrderWithRepeatsWithinTheWindowExecutesEachMessageExactlyOnce() {
        Random rnd = new Random(44);
        for (int trial = 0; trial < 200; trial++) {
            int window = 1 + rnd.nextInt(12);
            IncomingLink in = new IncomingLink(window);
            List<Bytes> delivered = new ArrayList<>();
            // Arrivals: every message at least once, shuffled within the window, with repeats.
            long next = 1;
            while (next <= 100) {
                List<Long> burst = new ArrayList<>();
                for (long s = next; s < next + window && s <= 100; s++) {
                    burst.add(s);
                    if (rnd.nextInt(3) == 0) burst.add(s);
                }
                Collections.shuffle(burst, rnd);
                for (long s : burst) if (IncomingLink.executesNow(in.onMessage(s))) delivered.add(msg(s));
                next = in.receivedThrough() + 1;
            }
            assertEquals(100, delivered.size(), "window " + window);
            assertEquals(100, new java.util.HashSet<>(delivered).size(), "window " + window + ": each once");
            assertEquals(100, in.receivedThrough());
            assertEquals(0, in.aheadCount());
        }
    }

    @Test
    void theStateDigestCoversWhatWasExecutedAheadOfAGap() {
        IncomingLink a = new IncomingLink(8);
        IncomingLink b = new IncomingLink(8);
        a.onMessage(3);
        b.onMessage(4);
        assertNotEquals(state(a), state(b));
        b.onMessage(3);
        a.onMessage(4);
        assertEquals(state(a), state(b), "the same messages, whatever order they came in");
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new IncomingLink(0));
        assertThrows(IllegalArgumentException.class, () -> new IncomingLink(4).onMessage(0));
    }

    static Bytes state(IncomingLink l) {
        CanonicalWriter w = new CanonicalWriter();
        l.writeState(w);
        return w.toBytes();
    }
}
