package io.redoubt.sim.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RandomSourceTest {

    private static List<Long> draw(RandomSource r, int n) {
        return LongStream.range(0, n).map(i -> r.nextLong()).boxed().toList();
    }

    @Test
    void sameSeedSameSequence() {
        RandomSource a = new RandomSource(42);
        RandomSource b = new RandomSource(42);
        assertEquals(draw(a, 100), draw(b, 100));
        for (int i = 0; i < 100; i++) {
            assertEquals(a.nextInt(17), b.nextInt(17));
            assertEquals(a.nextDouble(), b.nextDouble());
            assertEquals(a.between(-5, 5), b.between(-5, 5));
            assertEquals(a.chance(0.5), b.chance(0.5));
            assertEquals(a.pick(List.of("x", "y", "z")), b.pick(List.of("x", "y", "z")));
        }
        assertNotEquals(draw(new RandomSource(42), 10), draw(new RandomSource(43), 10));
        assertEquals(42, a.seed());
    }

    @Test
    void forkIsDeterministicAndIndependentOfParentUsage() {
        RandomSource fresh = new RandomSource(7);
        RandomSource used = new RandomSource(7);
        draw(used, 1_000);
        assertEquals(draw(fresh.fork("net"), 50), draw(used.fork("net"), 50));
        assertEquals(fresh.fork("net").seed(), used.fork("net").seed());
    }

    @Test
    void forkDoesNotConsumeTheParentStream() {
        RandomSource forked = new RandomSource(7);
        forked.fork("a");
        forked.fork("b").nextLong();
        assertEquals(draw(new RandomSource(7), 20), draw(forked, 20));
    }

    @Test
    void differentLabelsAndSeedsGiveDifferentStreams() {
        RandomSource root = new RandomSource(7);
        assertNotEquals(draw(root.fork("a"), 10), draw(root.fork("b"), 10));
        assertNotEquals(draw(root.fork("a"), 10), draw(root, 10));
        assertNotEquals(draw(new RandomSource(7).fork("a"), 10), draw(new RandomSource(8).fork("a"), 10));
        assertNotEquals(draw(root.fork("a").fork("b"), 10), draw(root.fork("b").fork("a"), 10));
    }

    @Test
    void betweenIsInclusiveAndHandlesExtremes() {
        RandomSource r = new RandomSource(1);
        boolean sawMin = false;
        boolean sawMax = false;
        for (int i = 0; i < 1_000; i++) {
            long v = r.between(3, 5);
            assertTrue(v >= 3 && v <= 5);
            sawMin |= v == 3;
            sawMax |= v == 5;
        }
        assertTrue(sawMin && sawMax);
        assertEquals(9, r.between(9, 9));
        r.between(Long.MIN_VALUE, Long.MAX_VALUE);
        assertTrue(r.between(Long.MAX_VALUE - 1, Long.MAX_VALUE) >= Long.MAX_VALUE - 1);
        assertThrows(IllegalArgumentException.class, () -> r.between(5, 4));
    }

    @Test
    void chanceEdgesAndValidation() {
        RandomSource r = new RandomSource(1);
        for (int i = 0; i < 100; i++) {
            assertFalse(r.chance(0));
            assertTrue(r.chance(1));
        }
        assertThrows(IllegalArgumentException.class, () -> r.chance(1.5));
        assertThrows(IllegalArgumentException.class, () -> r.chance(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> r.pick(List.of()));
        assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
    }
}
