package io.redoubt.lm.server;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.sign.LmSigner;
import java.util.List;
import java.util.Map;

/**
 * How one server carries its logical machine's messages to other logical machines and takes
 * theirs in (Lane 2008, section 4.4): which server forwards a signed batch, to which peer in the
 * destination site, and what a peer does with what arrives. The implementation lives in the
 * {@code blink} module; the server only routes to it.
 */
public interface WideLink {
    /** What a link asks of its server. */
    interface Host {
        /** The local ordering protocol's current leader: the first forwarder of every batch. */
        ServerId localLeader();

        void sendToServer(ServerId to, Bytes frame);

        /** Checks a wide-area message's Merkle path and its site's signature (section 4.6). */
        LmMessageVerifier.Verdict verify(SiteId from, LmEnvelopePart envelope);

        void reject(Object from, Rejection reason, String detail);

        /** Arms (or re-arms) one of the link's own timers at this server; it comes back through {@link WideLink#onTimer}. */
        void setTimer(io.redoubt.lm.core.TimerId timer, long delayMillis);
    }

    /** Builds one server's link; the assembly picks the implementation. */
    interface Factory {
        /**
         * @param siteSizes every site of the deployment and its number of servers
         * @param byzantineSites the sites that run a Byzantine fault-tolerant protocol inside (the
         *     others tolerate crashes only), which decides BLink's sub-protocol (section 4.4.2)
         * @param recentMax how many recent messages per destination the link remembers to notice retransmissions
         */
        WideLink create(ServerId self, Map<SiteId, Integer> siteSizes, java.util.Set<SiteId> byzantineSites, int recentMax, Host host);
    }

    /**
     * Notes that the logical machine output {@code messages} (one executed batch) and returns how
     * many times it output them before: every correct server executes the same batches, so all
     * count alike, and the count picks the forwarder ({@link #isForwarder}) and the peer.
     */
    int noteAttempt(List<LmHost.Outgoing> messages);

    /** Whether this server forwards the {@code attempt}-th sending of a batch. */
    boolean isForwarder(int attempt);

    /** The server of this site that forwards the {@code attempt}-th sending of a batch; attempts rotate through every server of the site. */
    ServerId forwarder(int attempt);

    /** Sends a signed batch's messages, each with its Merkle path and the site signature on the root. */
    void forward(LmSigner.Batch batch, LmSignature signature);

    /**
     * The Merkle leaves a batch is signed over, given its messages and their distinct contents in
     * order: the contents themselves, unless the link pairs each with a header (BLink's link
     * sequence numbers and acknowledgements, {@link io.redoubt.lm.exec.LinkLeaf}).
     */
    default List<Bytes> leaves(List<LmHost.Outgoing> messages, List<Bytes> distinct) {
        return distinct;
    }

    /** Whether this server sends any of {@code batch}'s messages, so needs the site signature on it. */
    default boolean forwardsAny(LmSigner.Batch batch) {
        return isForwarder(batch.attempt());
    }

    /** This server learned the site signature on {@code batch} from the server of the site that made it. */
    default void signatureKnown(LmSigner.Batch batch, LmSignature signature) {}

    /** The part of the link that is logical-machine state (BLink), or null when the link keeps none. */
    default io.redoubt.lm.exec.LinkLayer linkLayer() {
        return null;
    }

    /** One of the link's own timers fired. */
    default void onTimer(io.redoubt.lm.core.TimerId timer) {}

    /**
     * Whether the batch being signed with attempt number {@code attempt} resends earlier output,
     * so every server of a Byzantine site shares in signing it (not only its committee). The
     * stand-in counts sendings (a later attempt is a resend); BLink knows when its logical
     * machine resends after a move.
     */
    default boolean resend(int attempt) {
        return attempt > 0;
    }

    /** A BLink frame (section 4.4.1); like {@link #onWideFrame}, the event to order or null after a rejection. */
    default Bytes onLinkFrame(ServerId from, Frame.Link frame) {
        return null;
    }

    /**
     * A logical-machine message from another site's forwarder. Returns the encoded LM event to
     * order locally, or null after rejecting the frame through the host.
     */
    Bytes onWideFrame(ServerId from, Frame.Wide frame);

    /** Wide-area messages this server forwarded. */
    long wideMessagesSent();

    /**
     * Batches this server saw its logical machine send again on another virtual link (another
     * forwarder, another peer) because the earlier attempt was not answered: the link changes an
     * operator wants to see grow slowly, if at all.
     */
    long linkChanges();
}
