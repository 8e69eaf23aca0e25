package io.redoubt.sim.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    @Test
    void runsInTimeOrderThenFifoForTies() {
        EventLoop loop = new EventLoop();
        List<String> ran = new ArrayList<>();
        loop.schedule(30, () -> ran.add("c@30"));
        loop.schedule(10, () -> ran.add("a@10"));
        loop.schedule(20, () -> ran.add("b1@20"));
        loop.schedule(20, () -> ran.add("b2@20"));
        loop.schedule(20, () -> ran.add("b3@20"));
        loop.schedule(0, () -> ran.add("z@0"));
        while (loop.runOne()) { }
        assertEquals(List.of("z@0", "a@10", "b1@20", "b2@20", "b3@20", "c@30"), ran);
        assertEquals(30, loop.nowMicros());
        assertEquals(6, loop.stepsRun());
        assertFalse(loop.runOne());
    }

    @Test
    void actionsScheduledFromActionsAreRelativeToTheirTime() {
        EventLoop loop = new EventLoop();
        List<Long> times = new ArrayList<>();
        loop.schedule(100, () -> loop.schedule(50, () -> times.add(loop.nowMicros())));
        loop.schedule(150, () -> times.add(-loop.nowMicros()));
        while (loop.runOne()) { }
        // Same time 150: the one scheduled first (at t=0) runs first.
        assertEquals(List.of(-150L, 150L), times);
    }

    @Test
    void cancelledActionsDoNotRun() {
        EventLoop loop = new EventLoop();
        List<String> ran = new ArrayList<>();
        Cancellable a = loop.schedule(10, () -> ran.add("a"));
        Cancellable b = loop.schedule(20, () -> ran.add("b"));
        loop.schedule(30, () -> ran.add("c"));
        assertEquals(3, loop.pending());
        b.cancel();
        b.cancel();
        assertTrue(b.isCancelled());
        assertEquals(2, loop.pending());
        while (loop.runOne()) { }
        assertEquals(List.of("a", "c"), ran);
        assertEquals(2, loop.stepsRun());
        assertEquals(0, loop.pending());
        a.cancel(); // after it ran: no effect
        assertFalse(a.isCancelled());
        assertEquals(0, loop.pending());
    }

    @Test
    void cancellingTheOnlyActionLeavesNothingToRun() {
        EventLoop loop = new EventLoop();
        loop.schedule(5, () -> { throw new AssertionError("must not run"); }).cancel();
        assertFalse(loop.runOne());
        assertEquals(0, loop.nowMicros());
    }

    @Test
    void runUntilTimeRunsDueActionsAndSetsTheClock() {
        EventLoop loop = new EventLoop();
        List<Long> ran = new ArrayList<>();
        for (long t : new long[] {10, 50, 100, 101, 200}) loop.scheduleAt(t, () -> ran.add(t));
        loop.runUntil(100);
        assertEquals(List.of(10L, 50L, 100L), ran);
        assertEquals(100, loop.nowMicros());
        loop.runUntil(150);
        assertEquals(150, loop.nowMicros());
        assertEquals(List.of(10L, 50L, 100L, 101L), ran);
        assertThrows(IllegalArgumentException.class, () -> loop.runUntil(149));
        assertThrows(IllegalArgumentException.class, () -> loop.scheduleAt(149, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> loop.schedule(-1, () -> { }));
    }

    @Test
    void runUntilPredicateStopsAtTheRightStepWithoutJumpingTime() {
        EventLoop loop = new EventLoop();
        int[] counter = {0};
        for (int i = 1; i <= 10; i++) loop.schedule(i * 100L, () -> counter[0]++);
        assertTrue(loop.runUntil(() -> counter[0] == 4, 10_000));
        assertEquals(4, loop.stepsRun());
        assertEquals(400, loop.nowMicros());

        // Already true: runs nothing.
        assertTrue(loop.runUntil(() -> true, 10_000));
        assertEquals(4, loop.stepsRun());

        // Deadline before the condition holds: stops at the last action <= deadline.
        assertFalse(loop.runUntil(() -> counter[0] == 9, 750));
        assertEquals(7, counter[0]);
        assertEquals(700, loop.nowMicros());

        // Queue runs dry: false, time stays at the last action.
        assertFalse(loop.runUntil(() -> false, Long.MAX_VALUE));
        assertEquals(1_000, loop.nowMicros());
        assertEquals(10, loop.stepsRun());
    }

    @Test
    void afterStepHookSeesEveryStepNumber() {
        EventLoop loop = new EventLoop();
        List<Long> steps = new ArrayList<>();
        loop.setAfterStep(steps::add);
        for (int i = 0; i < 3; i++) loop.schedule(i, () -> { });
        loop.schedule(1, () -> { }).cancel();
        loop.runUntil(10);
        assertEquals(List.of(1L, 2L, 3L), steps);
    }
}
