package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.redoubt.lm.Bytes;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The trace hashes a cheap identity of each delivery instead of the whole frame: it must still
 * tell apart runs that differ in one byte of one frame, or in when or between whom it went.
 */
class TraceTest {
    static final Endpoint A = new Endpoint(false, 0, 1);
    static final Endpoint B = new Endpoint(false, 2, 0);
    static final Endpoint C = new Endpoint(true, 0, 1);

    static byte[] frame(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (i * 31 + 7);
        return b;
    }

    /** A short run: three deliveries and an execution, the second frame as given. */
    static String run(long at, Endpoint from, Endpoint to, byte[] second) {
        Trace t = new Trace();
        t.delivered(10, A, B, Bytes.wrap(frame(40)));
        t.delivered(at, from, to, Bytes.wrap(second));
        t.executed(1, Bytes.wrap(frame(32)));
        t.delivered(30, B, A, Bytes.wrap(frame(3)));
        return t.hex();
    }

    @Test
    void theSameDeliveriesGiveTheSameTrace() {
        assertEquals(run(20, A, B, frame(500)), run(20, A, B, frame(500)));
    }

    @Test
    void everySingleByteChangeOfAFrameChangesTheTrace() {
        String base = run(20, A, B, frame(500));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            byte[] planted = frame(500);
            planted[i] ^= (byte) (1 << (i % 8));
            String h = run(20, A, B, planted);
            assertNotEquals(base, h, "a flipped bit at byte " + i + " went unnoticed");
            seen.add(h);
        }
        assertEquals(500, seen.size(), "distinct divergences gave the same trace");
    }

    @Test
    void timeEndpointsLengthAndOrderCount() {
        String base = run(20, A, B, frame(500));
        assertNotEquals(base, run(21, A, B, frame(500)), "delivery time");
        assertNotEquals(base, run(20, B, A, frame(500)), "direction");
        assertNotEquals(base, run(20, A, C, frame(500)), "a client, not a server");
        assertNotEquals(base, run(20, A, B, frame(501)), "one byte longer");
        Trace t = new Trace();
        t.delivered(10, A, B, Bytes.wrap(frame(40)));
        t.delivered(10, A, B, Bytes.wrap(frame(41)));
        Trace swapped = new Trace();
        swapped.delivered(10, A, B, Bytes.wrap(frame(41)));
        swapped.delivered(10, A, B, Bytes.wrap(frame(40)));
        assertNotEquals(t.hex(), swapped.hex(), "order of deliveries");
    }

    @Test
    void executionsCount() {
        Trace a = new Trace();
        a.executed(1, Bytes.wrap(frame(32)));
        Trace b = new Trace();
        b.executed(2, Bytes.wrap(frame(32)));
        assertNotEquals(a.hex(), b.hex());
        assertEquals(64, a.hex().length());
    }
}
