package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import java.util.function.BiFunction;

/** The shared test outbox ({@link io.redoubt.lm.testkit.RecordingOutbox}) for PBFT's messages and records. */
final class RecordingOutbox<N> extends io.redoubt.lm.testkit.RecordingOutbox<N, PbftMessage, PbftRecord> {
    /** The host's state at a checkpoint, given the slot and the chain there (Outbox#checkpointState); none by default. */
    BiFunction<Long, Bytes, Bytes> hostState = (slot, chain) -> Bytes.EMPTY;

    RecordingOutbox() {
        super(PbftMessage.class, PbftRecord.class);
    }

    @Override
    public Bytes checkpointState(long slot, Bytes base) {
        return hostState.apply(slot, base);
    }
}
