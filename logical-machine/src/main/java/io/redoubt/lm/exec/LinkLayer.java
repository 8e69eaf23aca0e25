package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalWriter;
import java.util.List;
import java.util.Map;

/**
 * The logical links of one logical machine as it executes them (BLink, Lane 2008, section 4.4.1):
 * the part of BLink that is logical-machine state, so every correct server of the site holds
 * the same link sequence numbers, unacknowledged queues, receive windows and virtual links. The
 * {@code blink} module implements it; the executor calls it only while it executes ordered events.
 */
public interface LinkLayer {
    /** What an acknowledgement did to the link it acknowledges. */
    enum AckResult { ADVANCED, STALE, BEYOND_SENT }

    /** A message still unacknowledged, to send again. */
    record Unacked(long seq, Bytes message) {}

    /**
     * The LM timeouts to keep armed on a link's first unacknowledged message, for the virtual link
     * in use: one that every server runs ({@code timeoutMillis}), and, where the forwarder tries
     * peers itself ((benign, benign), section 4.4.2), a shorter one only the forwarder runs
     * ({@code peerTimeoutMillis}; 0: none).
     */
    record Monitoring(long headSeq, long position, long timeoutMillis, long peerTimeoutMillis) {}

    /** Builds the link layer of {@code self}'s logical machine. */
    interface Factory {
        LinkLayer create(SiteId self, Map<SiteId, Integer> siteSizes);
    }

    /**
     * Numbers {@code message} on the link to {@code to}; 0 when the same bytes already wait
     * there unacknowledged (the link resends them itself), -1 when the link already holds as many
     * unacknowledged messages as it may.
     */
    long append(SiteId to, Bytes message);

    /** This machine is about to output a batch: numbers it (the link headers carry the number). */
    void noteOutput();

    /** A cumulative acknowledgement signed by {@code from} for our link to it. */
    AckResult onAck(SiteId from, long through);

    /** Message {@code seq} of the link from {@code from} arrived: whether to execute it now (false: executed before, or beyond the window). */
    boolean onMessage(SiteId from, long seq);

    /** Whether the link from {@code from} received messages not yet acknowledged. */
    boolean ackDue(SiteId from);

    /** The cumulative acknowledgement to send {@code from} now (it is then no longer due). */
    long takeAck(SiteId from);

    /** The timeout to keep armed on the link to {@code to}, or null when nothing waits. */
    Monitoring monitoring(SiteId to);

    /**
     * The ordered timeout on the link to {@code to}'s first unacknowledged message: move to the
     * next virtual link (between benign machines, the next forwarder); returns what to send again.
     */
    List<Unacked> headExpired(SiteId to);

    /** The forwarder's ordered timeout on its peer of the link to {@code to}: skip to the next peer; returns what to send again. */
    List<Unacked> peerExpired(SiteId to);

    /** How long the receiving side waits for a message to carry its acknowledgement before sending one alone (an LM timeout). */
    long ackDelayMillis();

    /** Server index within this site that forwards on the link to {@code to} now. */
    int forwarder(SiteId to);

    /** Server index within site {@code to} that receives on the link to {@code to} now. */
    int peer(SiteId to);

    /** Moves to the next virtual link made so far, over every outgoing link. */
    long virtualLinkChanges();

    /** Messages numbered on outgoing links so far (new messages, not resends). */
    long messagesNumbered();

    /** Messages not numbered because their link was full. */
    long messagesRefused();

    /** Everything that decides the links' future behaviour, for the logical machine's state digest. */
    void writeState(CanonicalWriter w);

    /** The links' whole state, for the logical machine's snapshot (issue 18): unacknowledged messages whole. */
    void writeSnapshot(CanonicalWriter w);

    /**
     * Reads a snapshot {@link #writeSnapshot} wrote, for a site of this shape, into a new link
     * layer; this one is unchanged until {@link #adoptSnapshot}.
     */
    LinkLayer parseSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws io.redoubt.lm.codec.DecodeException;

    /** Takes over the state of {@code parsed}, which {@link #parseSnapshot} of this layer returned. */
    void adoptSnapshot(LinkLayer parsed);
}
