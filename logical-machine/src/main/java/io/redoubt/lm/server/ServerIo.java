package io.redoubt.lm.server;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.exec.OrderingRequest;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.sign.CryptoJob;
import java.util.List;

/**
 * What a {@link ServerNode} asks of its host (the simulator or the Pekko runtime). Calls come in
 * order; a {@link #persist} must be durable before any later send leaves (see
 * {@link io.redoubt.lm.core.Outbox}).
 */
public interface ServerIo {
    void sendToServer(ServerId to, Bytes frame);

    void sendToClient(ClientId to, Bytes frame);

    /** Arms (or re-arms) {@code timer} to fire {@link ServerNode#onTimer} after {@code delayMillis}. */
    void setTimer(ServerTimer timer, long delayMillis);

    /** Disarms {@code timer}; one that is not armed is ignored. */
    void cancelTimer(ServerTimer timer);

    /** Appends one record to this server's stable storage; a restart hands them all back. */
    void persist(Bytes record);

    /**
     * Log compaction (issue 18): replaces this server's whole stable storage by {@code records},
     * atomically (a crash leaves either the old storage or the new one); a restart hands back
     * these and whatever is persisted after. Like a persist, durable before any later send
     * leaves. A host that does nothing keeps every record, which is correct but unbounded.
     */
    default void compactStorage(List<Bytes> records) {}

    /**
     * Runs {@code job} (CPU-heavy cryptography: a share, a proof, a proof check) wherever the host
     * decides, and hands its result back as a later input, {@link ServerNode#onCryptoDone}; never
     * during this call (the server must not be re-entered). The simulator runs it on its event
     * loop; the Pekko host on a bounded pool, off the actor thread. A host may drop a job it has
     * not started if {@link ServerNode#isCryptoWanted} says it is no longer of use.
     */
    void offload(CryptoJob job);

    /** Observation: this server snapshotted its logical machine after local slot {@code slot} and compacted its storage (issue 18). */
    default void snapshotTaken(long slot, Bytes digest, int bytes) {}

    /** Observation: this server installed a snapshot after local slot {@code slot} that {@code from} served. */
    default void snapshotInstalled(long slot, ServerId from) {}

    /** Observation: update {@code globalSeq} executed here (checkers, metrics). */
    default void executed(long globalSeq, SignedUpdate update, Bytes reply) {}

    /** Observation: an input was rejected (hosts count per reason and trace). */
    default void rejected(Object from, Rejection reason, String detail) {}

    /** Observation: this server's logical machine produced these wide-area messages, to be signed for its site (checkers). */
    default void lmProduced(List<LmHost.Outgoing> messages) {}

    /**
     * Observation: this server accepted {@code message} as logical machine {@code from}'s, at
     * receipt (its LM signature verified) or on executing it (checkers).
     */
    default void lmAccepted(SiteId from, Bytes message) {}

    /**
     * Report: this server's logical machine proved a server of its site corrupt by two
     * Ordering_Requests it signed with one number and different updates (CLink-Order, section
     * 4.5). Hosts log it for operators; the simulator checks that it never names a correct server.
     */
    default void provenFaulty(OrderingRequest.Equivocation proof) {}

    /**
     * Adversary seam: whether this server signs a second Ordering_Request with the number of each
     * new one, for another update (ServerNode#submitUpdate). False but for the simulator's
     * {@code request-equivocator}.
     */
    default boolean equivocatesOrderingRequests() {
        return false;
    }

    /**
     * Adversary seam: whether this server vouches for every client update it is one of the
     * checkers of without checking it (ServerNode#vouchForAccepted), as a faulty server may. False
     * but for the simulator's {@code vouch-liar}.
     */
    default boolean vouchesUnchecked() {
        return false;
    }

    /**
     * Adversary seam: whether this server's logical machine serves spoiled global states to
     * machines behind (LmHost#spoilsGlobalStates). False but for the simulator's
     * {@code global-state-liar}, which takes a whole site.
     */
    default boolean spoilsGlobalStates() {
        return false;
    }

    /** Test seam: see {@link LmHost#checksOrderedWideMessages}; always true outside the simulator's planted-bug tests. */
    default boolean checksOrderedWideMessages() {
        return true;
    }
}
