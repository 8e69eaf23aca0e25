package io.redoubt.lm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.exec.ScriptedCore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OrderingCore's no-re-entry rule, enforced: an output that calls back into its own core fails loudly; queries are fine. */
class ReentryGuardTest {
    /** An outbox that, on delivery, does what {@link #onDeliver} says with the guarded core. */
    static final class CallingBackOutbox implements Outbox<Integer> {
        ReentryGuard<Integer> core;
        Runnable onDeliver = () -> {};
        final List<Long> delivered = new ArrayList<>();

        public void send(Integer to, Encodable message) {}

        public void setTimer(TimerId id, long delayMillis) {}

        public void cancelTimer(TimerId id) {}

        public void persist(Encodable record) {}

        public void deliver(long slot, List<Bytes> payloads) {
            delivered.add(slot);
            onDeliver.run();
        }

        public void reject(Integer from, Rejection reason, String detail) {}
    }

    static CallingBackOutbox guarded() {
        CallingBackOutbox out = new CallingBackOutbox();
        out.core = new ReentryGuard<>(ScriptedCore.Factory.instant().create(List.of(0, 1, 2), 0, out, List.of()));
        out.core.start();
        return out;
    }

    @Test
    void anOutputThatSubmitsToItsOwnCoreDuringTheCallIsRefusedNamingBothInputs() {
        CallingBackOutbox out = guarded();
        out.onDeliver = () -> out.core.submit(Bytes.ofUtf8("again"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> out.core.submit(Bytes.ofUtf8("first")));
        assertTrue(e.getMessage().contains("re-entrant submit() while submit() runs"), e.getMessage());
        assertEquals(List.of(0L), out.delivered, "the inner call never reached the core");
    }

    @Test
    void readOnlyQueriesDuringTheCallAreAllowedAndTheGuardResetsAfterwards() {
        CallingBackOutbox out = guarded();
        List<Object> seen = new ArrayList<>();
        out.onDeliver = () -> seen.add(out.core.isLeader() + " " + out.core.leader() + " " + out.core.deliveredThrough());
        out.core.submit(Bytes.ofUtf8("a"));
        out.core.submit(Bytes.ofUtf8("b")); // a second input after the first returned is no re-entry
        assertEquals(List.of("true 0 0", "true 0 1"), seen); // the scripted core counts a slot delivered as it hands it out
        assertEquals(List.of(0L, 1L), out.delivered);
    }

    @Test
    void aTimerFiringInsideAMessageHandlerIsRefusedToo() {
        CallingBackOutbox out = guarded();
        out.onDeliver = () -> out.core.onTimer(TimerId.of("progress"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> out.core.submit(Bytes.ofUtf8("x")));
        assertTrue(e.getMessage().contains("re-entrant onTimer(progress(0)) while submit() runs"), e.getMessage());
    }
}
