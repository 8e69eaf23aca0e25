package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import java.util.List;

/**
 * What the logical-machine executor asks of the server hosting it. Every call is made while the
 * server executes a locally ordered batch, so every correct server of the site makes the same
 * calls in the same order; what differs per server is only what the host does with them (one
 * forwarder sends, the client's own server replies).
 */
public interface LmHost {
    /**
     * A wide-area message the wide-area core sent to logical machine {@code to}. With BLink
     * (section 4.4) it carries its link sequence number on the link to {@code to} (0 for an
     * acknowledgement alone, whose message is empty) and the cumulative acknowledgement of the
     * link from {@code to}; with the stand-in link both are 0.
     */
    record Outgoing(SiteId to, Bytes message, long linkSeq, long ackThrough) {
        public Outgoing(SiteId to, Bytes message) {
            this(to, message, 0, 0);
        }
    }

    /**
     * The wide-area messages produced by executing one locally ordered batch, in the order the
     * core sent them. They share one LM signature over a Merkle root (section 4.6).
     */
    void sendWideBatch(List<Outgoing> messages);

    /** The wide-area core armed timer {@code timer}: start this server's local timer for it (section 4.3). */
    void startLmTimer(TimerId timer, long generation, long delayMillis);

    /**
     * As {@link #startLmTimer(TimerId, long, long)}, for a timer whose expiry only server
     * {@code runBy} of the site reports (BLink's forwarder timing its peer, section 4.4.2); -1:
     * every server. The others still know the timer, so they take that server's notice.
     */
    default void startLmTimer(TimerId timer, long generation, long delayMillis, int runBy) {
        startLmTimer(timer, generation, delayMillis);
    }

    /** The wide-area core disarmed {@code timer}, or its timeout executed. */
    void stopLmTimer(TimerId timer);

    /** Update number {@code globalSeq} (1-based, in global order) was applied, giving {@code reply}. */
    void executed(long globalSeq, SignedUpdate update, Bytes reply);

    /** The reply to {@code update} is known (first execution or a duplicate): answer the client if it is ours. */
    void reply(SignedUpdate update, Bytes reply);

    /** An ordered event was invalid and was skipped, identically at every correct server. */
    void rejected(Object from, Rejection reason, String detail);

    /** Observation: the executor hands {@code message} to the wide-area core as logical machine {@code from}'s (checkers). */
    default void acceptedWide(SiteId from, Bytes message) {}

    /**
     * Executing an Ordering_Request proved a server of this site corrupt (CLink-Order, section
     * 4.5); every correct server of the site calls this at the same point of the order.
     */
    default void provenFaulty(OrderingRequest.Equivocation proof) {}

    /**
     * Test seam: whether the executor checks the LM signature of an ordered wide-area message
     * again before its core sees it. Always, but in the simulator's planted-bug tests: the check at
     * receipt is only the first line, since a faulty local leader can order what nobody received.
     */
    default boolean checksOrderedWideMessages() {
        return true;
    }

    /**
     * Whether the executor checks a client's signature again on a globally ordered update. Needed
     * when a site may be compromised (PBFT among sites: a faulty leader site could propose an
     * update no client signed). With Paxos among sites every logical machine is correct by
     * assumption (section 4.2), and the one that ordered the update first checked it, so checking
     * it again at every server of every site pays one signature check per server for nothing
     * (issue 16: each cryptographic operation once).
     */
    default boolean rechecksOrderedUpdates() {
        return true;
    }

    /**
     * Adversary seam: whether this machine serves spoiled global states (a compromised site's,
     * issue 18), for the simulator to show that a machine behind takes only certified ones. False
     * on every correct server.
     */
    default boolean spoilsGlobalStates() {
        return false;
    }
}
