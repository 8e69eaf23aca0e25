package io.redoubt.paxos;

/** The shared test outbox ({@link io.redoubt.lm.testkit.RecordingOutbox}) for Paxos's messages and records. */
final class RecordingOutbox<N> extends io.redoubt.lm.testkit.RecordingOutbox<N, PaxosMessage, PaxosRecord> {
    RecordingOutbox() {
        super(PaxosMessage.class, PaxosRecord.class);
    }
}
