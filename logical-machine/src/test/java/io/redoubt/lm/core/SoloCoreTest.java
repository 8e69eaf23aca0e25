package io.redoubt.lm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoloCoreTest {
    /** Records what the core asks of its host. */
    static final class Host implements Outbox<String> {
        final List<Bytes> persisted = new ArrayList<>();
        final List<String> delivered = new ArrayList<>();
        final List<Rejection> rejected = new ArrayList<>();

        public void send(String to, Encodable message) {
            throw new AssertionError("solo never sends");
        }

        public void setTimer(TimerId id, long delayMillis) {
            throw new AssertionError("solo arms no timers");
        }

        public void cancelTimer(TimerId id) {}

        public void persist(Encodable record) {
            persisted.add(record.encode());
        }

        public void deliver(long slot, List<Bytes> payloads) {
            delivered.add(slot + ":" + payloads.get(0).toUtf8());
        }

        public void reject(String from, Rejection reason, String detail) {
            rejected.add(reason);
        }
    }

    @Test
    void everySubmitIsItsOwnSlotPersistedThenDelivered() {
        Host h = new Host();
        SoloCore<String> core = new SoloCore<>(List.of("a"), "a", h, List.of(), 1024);
        core.start();
        core.submit(Bytes.ofUtf8("x"));
        core.submit(Bytes.ofUtf8("y"));
        assertEquals(List.of("0:x", "1:y"), h.delivered);
        assertEquals(2, h.persisted.size());
        assertEquals(1, core.deliveredThrough());
        assertTrue(core.isLeader());
    }

    @Test
    void aRestartReplaysTheStoredSlotsInOrder() {
        Host first = new Host();
        SoloCore<String> core = new SoloCore<>(List.of("a"), "a", first, List.of(), 1024);
        core.start();
        core.submit(Bytes.ofUtf8("x"));
        core.submit(Bytes.ofUtf8("y"));

        Host second = new Host();
        SoloCore<String> restarted = new SoloCore<>(List.of("a"), "a", second, first.persisted, 1024);
        restarted.start();
        assertEquals(first.delivered, second.delivered);
        restarted.submit(Bytes.ofUtf8("z"));
        assertEquals("2:z", second.delivered.get(2), "numbering continues after the replay");
    }

    @Test
    void messagesAndOversizedPayloadsAreRejectedNotThrown() {
        Host h = new Host();
        SoloCore<String> core = new SoloCore<>(List.of("a"), "a", h, List.of(), 4);
        core.start();
        core.onMessage("b", Bytes.ofUtf8("hello"));
        core.submit(Bytes.ofUtf8("too long"));
        assertEquals(List.of(Rejection.NOT_A_MEMBER, Rejection.OVERLOADED), h.rejected);
        assertTrue(h.delivered.isEmpty());
    }

    @Test
    void soloRunsWithExactlyOneMember() {
        assertThrows(IllegalArgumentException.class, () -> new SoloCore<>(List.of("a", "b"), "a", new Host(), List.of(), 16));
    }
    // OrderingCore.stateDigest: equal inputs, equal digests; every slot handed out moves it.
    @Test
    void theDigestFollowsTheNextSlotAndIsStableWithNoInput() {
        SoloCore<String> a = new SoloCore<>(List.of("a"), "a", new Host(), List.of(), 4);
        SoloCore<String> b = new SoloCore<>(List.of("a"), "a", new Host(), List.of(), 4);
        a.start();
        b.start();
        assertEquals(a.stateDigest(), b.stateDigest());
        a.submit(Bytes.ofUtf8("x"));
        a.checkInvariants();
        assertNotEquals(a.stateDigest(), b.stateDigest(), "one more submit");
        b.submit(Bytes.ofUtf8("x"));
        assertEquals(a.stateDigest(), b.stateDigest());
        Bytes before = a.stateDigest();
        a.submit(Bytes.ofUtf8("too long")); // rejected: nothing changes
        a.checkInvariants();
        assertEquals(before, a.stateDigest());
        assertEquals(before, a.stateDigest());
    }

    // A restarted server that replayed its slots is where it was, so its digest is too; before the
    // replay the records still to replay are what differs.
    @Test
    void aRestartedCoreHoldsTheDigestItHadBeforeTheCrash() {
        Host first = new Host();
        SoloCore<String> core = new SoloCore<>(List.of("a"), "a", first, List.of(), 1024);
        core.start();
        core.submit(Bytes.ofUtf8("x"));
        core.submit(Bytes.ofUtf8("y"));
        SoloCore<String> restarted = new SoloCore<>(List.of("a"), "a", new Host(), first.persisted, 1024);
        SoloCore<String> fresh = new SoloCore<>(List.of("a"), "a", new Host(), List.of(), 1024);
        assertNotEquals(fresh.stateDigest(), restarted.stateDigest());
        restarted.start();
        restarted.checkInvariants();
        assertEquals(core.stateDigest(), restarted.stateDigest());
    }
}
