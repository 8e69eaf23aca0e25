package io.redoubt.lm.core;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import java.util.List;

/**
 * Everything a protocol core asks its host to do. A core calls these while it handles one
 * input; the host performs them in the order they were called, with one rule:
 * <b>a {@link #persist} must be durable before any {@link #send} issued after it leaves
 * the node</b> (a host that writes asynchronously holds later sends until the write is done).
 * That is how an acceptor's promise or accepted value reaches disk before anyone hears of it.
 *
 * @param <N> the node type: a {@code ServerId} inside a site, a {@code SiteId} on the wide area
 */
public interface Outbox<N> {
    /** Sends {@code message} to {@code to}; links may lose, duplicate or reorder it. */
    void send(N to, Encodable message);

    /** Arms (or re-arms) timer {@code id} to fire {@link OrderingCore#onTimer} after {@code delayMillis}. */
    void setTimer(TimerId id, long delayMillis);

    /** Disarms timer {@code id}; a timer that is not armed is ignored. */
    void cancelTimer(TimerId id);

    /** Appends a record to this node's stable storage (see the rule above about later sends). */
    void persist(Encodable record);

    /**
     * Hands the host the next batch of the total order. Slots are delivered exactly once per
     * incarnation, in increasing order, with no gaps; an empty batch is a no-op slot.
     */
    void deliver(long slot, List<Bytes> payloads);

    /**
     * A hint, never a commitment: this node accepted a proposal carrying {@code payloads}, which
     * it may deliver later. A host may use the time until then to prepare (the logical machine
     * has its servers check the client signatures in them, see ServerNode#onVouch). Nothing a
     * core does may depend on what the host makes of it.
     */
    default void accepted(List<Bytes> payloads) {}

    /**
     * Whether {@code payload} may be ordered at all: validity only the host can judge (the
     * logical machine checks a client's signature on its update). The verdict must depend on the
     * bytes alone, so that every correct server of a logical machine gives the same one. A core
     * asks only where its protocol says so (PbftCore#checksBeforePreparing); by default
     * everything is admitted.
     */
    default boolean admits(Bytes payload) {
        return true;
    }

    /**
     * Read-only, a hint for fairness: the lane of a payload submitted for ordering. A core that
     * queues submissions per source (PBFT) queues each lane of a source apart and takes the lanes
     * in turn, so one lane's flood does not hold the others back. Inside a site, each incoming
     * BLink logical link is a lane (section 4.4.1); lane 0 is everything else. Must be a pure
     * function of the payload, and small (below 4,096).
     */
    default int lane(Bytes payload) {
        return 0;
    }

    /**
     * Catch-up cannot bring this node up to date: {@code from} no longer keeps the slots through
     * {@code compactedThrough} (log compaction), whose effect lives on only in its host's
     * snapshot. The host fetches a snapshot after at least that slot and hands it to
     * {@link OrderingCore#installSnapshot}. By default nothing happens, and this node stays behind.
     */
    default void snapshotNeeded(N from, long compactedThrough) {}

    /**
     * At a checkpoint after slot {@code slot} (just delivered; {@code base} is what
     * {@link OrderingCore#baseAfter} gives there): the digest of the host's state there, for the
     * checkpoint to certify beside the core's own (PBFT among sites, issue 18: a stable checkpoint
     * then certifies the logical machines' global state, so one that fell behind can take that
     * state from any site and check it). Every correct member's host gives the same for the same
     * slot. Empty by default: the checkpoint certifies the core's history alone.
     */
    default Bytes checkpointState(long slot, Bytes base) {
        return Bytes.EMPTY;
    }

    /** Reports a dropped input; hosts count these per reason. Never used for our own bugs. */
    void reject(N from, Rejection reason, String detail);
}
