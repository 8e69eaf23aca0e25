package io.redoubt.bft;

/** The shared test outbox ({@link io.redoubt.lm.testkit.RecordingOutbox}) for PBFT's messages and records. */
final class RecordingOutbox<N> extends io.redoubt.lm.testkit.RecordingOutbox<N, PbftMessage, PbftRecord> {
    RecordingOutbox() {
        super(PbftMessage.class, PbftRecord.class);
    }
}
