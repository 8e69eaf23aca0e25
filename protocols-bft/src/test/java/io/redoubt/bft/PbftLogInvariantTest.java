package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftLog.Slot;
import org.junit.jupiter.api.Test;

/**
 * PbftLog checks the slots handed out since its last check after every step and every slot
 * periodically: a slot broken through slot() or get() is caught at the next check, one broken
 * behind the log's back within {@link PbftLog#FULL_CHECK_EVERY} checks.
 */
class PbftLogInvariantTest {
    /** Member 1 of four after one payload went all the way through: its log holds a delivered slot. */
    private static PbftCore<Integer> afterOneSlot() {
        PbftTestCluster c = new PbftTestCluster(4, cfg(8, 4, 3), PbftCore::new, java.util.Map.of(), TestKeys.simulated());
        c.startAll();
        c.deliverAll();
        c.submit(0, p("x"));
        c.deliverAll();
        PbftCore<Integer> core = c.core(1);
        assertTrue(core.log.deliveredThrough >= 0 && !core.log.slots.isEmpty(), "a slot was delivered and is still in the log");
        core.checkInvariants();
        return core;
    }

    private static void breakSlot(Slot s) {
        s.committed = true;
        s.committedBatch = null;
    }

    @Test
    void aSlotBrokenThroughTheLogIsCaughtAtTheNextCheck() {
        PbftCore<Integer> core = afterOneSlot();
        for (int i = 0; i < PbftLog.FULL_CHECK_EVERY / 2; i++) core.checkInvariants(); // away from a full check
        breakSlot(core.log.get(core.log.slots.firstKey()));
        IllegalStateException e = assertThrows(IllegalStateException.class, core::checkInvariants);
        assertTrue(e.getMessage().contains("committed without a batch"), e.getMessage());
    }

    @Test
    void aSlotBrokenBehindTheLogsBackIsCaughtByTheFullCheck() {
        PbftCore<Integer> core = afterOneSlot();
        breakSlot(core.log.slots.firstEntry().getValue()); // not through slot() or get(): not marked
        int checks = 0;
        IllegalStateException caught = null;
        while (caught == null && checks <= PbftLog.FULL_CHECK_EVERY) {
            checks++;
            try {
                core.checkInvariants();
            } catch (IllegalStateException e) {
                caught = e;
            }
        }
        assertTrue(caught != null, "not caught in " + checks + " checks");
        assertTrue(caught.getMessage().contains("committed without a batch"), caught.getMessage());
    }

    @Test
    void aProposalOfOursAtOrAboveNextSeqIsCaught() {
        PbftCore<Integer> core = afterOneSlot();
        for (int i = 0; i < 3; i++) core.checkInvariants();
        Slot s = core.log.slot(core.log.nextSeq + 1);
        s.prePrepare = new PbftMessage.PrePrepare(core.views.view, s.seq, PbftMessage.batchDigest(java.util.List.of()), core.self, java.util.List.of(),
                io.redoubt.lm.Bytes.EMPTY);
        IllegalStateException e = assertThrows(IllegalStateException.class, core::checkInvariants);
        assertTrue(e.getMessage().contains("we proposed slot"), e.getMessage());
    }

    @Test
    void aViewResetMakesTheNextCheckAFullOne() {
        PbftCore<Integer> core = afterOneSlot();
        for (int i = 0; i < 3; i++) core.checkInvariants();
        breakSlot(core.log.slots.firstEntry().getValue());
        assertDoesNotThrow(core::checkInvariants, "unmarked, and no full check due yet");
        core.log.resetTo(core.log.slots.firstEntry().getValue().view);
        assertThrows(IllegalStateException.class, core::checkInvariants);
    }
}
