package io.redoubt.blink;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The sending end of one BLink logical link as its logical machine executes it (Lane 2008,
 * section 4.4.1, "Reliability and Monitoring"). Every correct server of the sending site runs the
 * same calls in the same (locally ordered) order, so all agree on the link sequence numbers, the
 * unacknowledged queue, and the virtual link in use. Pure and deterministic: the host arms the
 * LM timeout {@link #monitoring()} asks for and hands in what its site ordered.
 *
 * <ul>
 *   <li>{@link #append} numbers a message the logical machine sends on the link, in execution
 *       order, and keeps it until the receiving logical machine acknowledges it.
 *   <li>{@link #onAck} takes a cumulative acknowledgement signed by the receiving logical
 *       machine: everything through its sequence number arrived there.
 *   <li>{@link #onHeadExpired} is the ordered LM timeout on the first unacknowledged message:
 *       the virtual link is suspected and the link moves to the next one of the selection order
 *       P, whose forwarder sends everything still unacknowledged.
 * </ul>
 *
 * <p>The timeout on the first unacknowledged message doubles each time the link has moved through
 * a whole block of A' * B' virtual links (every virtual link once, Property 4.4.3), up to a cap:
 * section 4.8.2's liveness argument needs the timeout to outgrow the message delay eventually,
 * and a faulty end can make at most VL_max consecutive links fail (Table 4.1).
 */
public final class OutgoingLink {
    /** A message on the link, with the link sequence number it was given. */
    public record Pending(long seq, Bytes message) {}

    /** What an acknowledgement did. */
    public enum AckResult {
        /** It acknowledged messages not acknowledged before: the head moved. */
        ADVANCED,
        /** Nothing new: an older or repeated acknowledgement. */
        STALE,
        /** It acknowledges messages never sent on this link: only a faulty logical machine signs that. */
        BEYOND_SENT
    }

    /**
     * What the host must arm while a message waits: an LM timeout on the head of the queue, and,
     * where the forwarder tries peers itself ((benign, benign), section 4.4.2), the forwarder's
     * own timeout on its peer ({@code peerTimeoutMillis}, 0 otherwise), shorter than the first.
     */
    public record Monitoring(long headSeq, long position, long timeoutMillis, long peerTimeoutMillis) {}

    private final SelectionOrder order;
    private final long baseTimeoutMillis;
    private final long maxTimeoutMillis;
    private final int unackedMax;
    private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
    /** The digest of each message waiting, and its number: what the state digest covers, and how a repeat is recognised. */
    private final java.util.LinkedHashMap<Bytes, Long> waitingDigests = new java.util.LinkedHashMap<>();
    private long nextSeq = 1;
    private long ackedThrough;
    private long position;
    /**
     * (benign, benign), section 4.4.2: no selection order. The forwarder tries the receiver's
     * servers itself, one after another, and the site replaces a forwarder only when it has
     * neither got the head acknowledged nor moved to the next peer in time: at most f_A + f_B
     * moves pass before a working virtual link (Table 4.1).
     */
    private final boolean skipsPeers;
    private long forwarderMoves, peerMoves;
    /** The acknowledged point when the link last moved: an acknowledgement beyond it shows the virtual link in use works. */
    private long ackedWhenMoved;

    /**
     * @param order the selection order of this link (sender and receiver sizes)
     * @param baseTimeoutMillis the timeout on the first unacknowledged message at first
     * @param maxTimeoutMillis what doubling never passes
     * @param unackedMax messages the link holds unacknowledged; {@link #append} refuses more
     */
    public OutgoingLink(SelectionOrder order, long baseTimeoutMillis, long maxTimeoutMillis, int unackedMax) {
        this(order, baseTimeoutMillis, maxTimeoutMillis, unackedMax, false);
    }

    /** @param skipsPeers both logical machines are benign: the forwarder skips peers itself (section 4.4.2) */
    public OutgoingLink(SelectionOrder order, long baseTimeoutMillis, long maxTimeoutMillis, int unackedMax, boolean skipsPeers) {
        this.skipsPeers = skipsPeers;
        if (baseTimeoutMillis < 1 || maxTimeoutMillis < baseTimeoutMillis) {
            throw new IllegalArgumentException("timeouts need 1 <= base <= max ms, were " + baseTimeoutMillis + " and " + maxTimeoutMillis);
        }
        if (unackedMax < 1) throw new IllegalArgumentException("unackedMax must be >= 1, was " + unackedMax);
        this.order = order;
        this.baseTimeoutMillis = baseTimeoutMillis;
        this.maxTimeoutMillis = maxTimeoutMillis;
        this.unackedMax = unackedMax;
    }

    /**
     * Gives {@code message} the next link sequence number and keeps it until acknowledged.
     * Returns that number, 0 when the same bytes already wait on the link, or -1 when {@link #unackedMax} messages already wait: the receiving
     * logical machine is not taking them in, and holding more would only grow memory. The
     * wide-area protocols resend what matters, so dropping is safe; the host counts it.
     */
    public long append(Bytes message) {
        Bytes digest = io.redoubt.lm.crypto.Digests.sha256(message);
        // The same bytes already waiting: a wide-area core resending what the link has not
        // delivered yet. The link resends it itself; a second number would only queue copies.
        if (waitingDigests.containsKey(digest)) return 0;
        if (unacked.size() >= unackedMax) return -1;
        long seq = nextSeq++;
        unacked.addLast(new Pending(seq, message));
        waitingDigests.put(digest, seq);
        return seq;
    }

    /** A cumulative acknowledgement from the receiving logical machine for everything through {@code through}. */
    public AckResult onAck(long through) {
        if (through >= nextSeq) return AckResult.BEYOND_SENT;
        if (through <= ackedThrough) return AckResult.STALE;
        ackedThrough = through;
        while (!unacked.isEmpty() && unacked.peekFirst().seq() <= through) unacked.removeFirst();
        waitingDigests.values().removeIf(seq -> seq <= through); // in number order, like unacked
        return AckResult.ADVANCED;
    }

    /**
     * The LM timeout on the head of the queue executed: the virtual link in use did not get it
     * acknowledged in time. Moves to the next virtual link of P (between benign machines: to the
     * next forwarder, with the same peer if that peer answered since the link came to it, the
     * next peer if not) and returns it; its forwarder sends {@link #unacked()} again from the
     * acknowledged point.
     */
    public VirtualLink onHeadExpired() {
        position++;
        if (skipsPeers) {
            // The forwarder neither got an acknowledgement nor skipped its peer: it is down. Its
            // peer goes on to the next forwarder if it answered since the link came to it; if it
            // never did, it was never tried, and the next forwarder starts at the next peer. That
            // keeps the bound of f_A + f_B moves (OutgoingLinkTest tries every placement) and
            // spares a second move when both ends of a virtual link are down.
            forwarderMoves++;
            if (!answeredSinceMove()) peerMoves++;
        }
        ackedWhenMoved = ackedThrough;
        return current();
    }

    /**
     * (benign, benign) only: the forwarder's ordered timeout on its peer executed. The peer did
     * not acknowledge in time, so the forwarder goes on with the receiver's next server, and a
     * later forwarder continues from there (the site's one sequence of peers, section 4.4.2).
     */
    public VirtualLink onPeerExpired() {
        if (!skipsPeers) throw new IllegalStateException("only a link between benign logical machines skips peers");
        position++;
        ackedWhenMoved = ackedThrough;
        peerMoves++;
        return current();
    }

    /** The virtual link in use: the forwarder of this site and the peer of the receiving one. */
    public VirtualLink current() {
        if (!skipsPeers) return order.at(position);
        return new VirtualLink((int) (forwarderMoves % order.senderServers()), (int) (peerMoves % order.receiverServers()));
    }

    /** Whether the receiving machine acknowledged anything since the link moved to the virtual link in use. */
    private boolean answeredSinceMove() {
        return ackedThrough > ackedWhenMoved;
    }

    /** Whether the forwarder tries the receiver's servers itself ((benign, benign), section 4.4.2) rather than following P. */
    public boolean skipsPeers() {
        return skipsPeers;
    }

    /** How many times the link moved to the next virtual link. */
    public long position() {
        return position;
    }

    /** The timeout on the first unacknowledged message now: doubled for every whole block of virtual links passed. */
    public long headTimeoutMillis() {
        long blocks = position / order.blockLength();
        if (blocks >= 63 || baseTimeoutMillis << blocks > maxTimeoutMillis || baseTimeoutMillis << blocks <= 0) return maxTimeoutMillis;
        return baseTimeoutMillis << blocks;
    }

    /**
     * The LM timeout the host keeps armed: on the head of the queue for the virtual link in use,
     * or null when nothing waits. The pair (head, position) names it, so an acknowledgement that
     * moves the head, or a move to another virtual link, asks for a new one.
     */
    public Monitoring monitoring() {
        if (unacked.isEmpty()) return null;
        long timeout = headTimeoutMillis();
        // Peer skipping: the forwarder's own timer on its peer runs first, a quarter sooner, so
        // that its skip is ordered (one local round) before the site takes it for down. The
        // site's timeout stays what it is along P: the wide-area protocols' own timeouts are set
        // against it, and a longer one here let a wide-area leader change start while a link
        // past a crashed forwarder was still waiting (paxos/paxos, server 0 of every site silent:
        // p99 client latency 5.0 s against 2.8 s).
        if (skipsPeers) return new Monitoring(unacked.peekFirst().seq(), position, timeout, timeout - timeout / 4);
        return new Monitoring(unacked.peekFirst().seq(), position, timeout, 0);
    }

    /** The messages not yet acknowledged, oldest first: what a new forwarder sends again. */
    public List<Pending> unacked() {
        return new ArrayList<>(unacked);
    }

    public long ackedThrough() {
        return ackedThrough;
    }

    /** The sequence number the next message gets. */
    public long nextSeq() {
        return nextSeq;
    }

    public SelectionOrder order() {
        return order;
    }

    /** This link's whole state, for a snapshot: the waiting messages whole (their digests are recomputed on reading). */
    void writeSnapshot(CanonicalWriter w) {
        w.i64(nextSeq).i64(ackedThrough).i64(position).i64(forwarderMoves).i64(peerMoves).i64(ackedWhenMoved).i32(unacked.size());
        for (Pending p : unacked) w.i64(p.seq()).bytes(p.message());
    }

    /** Reads what {@link #writeSnapshot} wrote into this link, which must be new and built like the one that wrote it. */
    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r, int messageBytesMax) throws io.redoubt.lm.codec.DecodeException {
        nextSeq = r.i64();
        ackedThrough = r.nonNegative("acked through");
        if (nextSeq < 1 || ackedThrough >= nextSeq) throw new io.redoubt.lm.codec.DecodeException("link snapshot: next " + nextSeq + ", acked " + ackedThrough);
        position = r.nonNegative("position");
        forwarderMoves = r.nonNegative("forwarder moves");
        peerMoves = r.nonNegative("peer moves");
        ackedWhenMoved = r.nonNegative("acked when moved");
        int count = r.count(unackedMax, "unacknowledged messages");
        long previous = ackedThrough;
        for (int i = 0; i < count; i++) {
            long seq = r.i64();
            if (seq <= previous || seq >= nextSeq) throw new io.redoubt.lm.codec.DecodeException("link snapshot: message " + seq + " after " + previous);
            previous = seq;
            Bytes message = r.bytes(messageBytesMax);
            unacked.addLast(new Pending(seq, message));
            if (waitingDigests.put(io.redoubt.lm.crypto.Digests.sha256(message), seq) != null) {
                throw new io.redoubt.lm.codec.DecodeException("link snapshot: one message waits twice");
            }
        }
    }

    /** Everything that decides this link's future behaviour, for the logical machine's state digest. */
    public void writeState(CanonicalWriter w) {
        // The waiting messages by digest, hashed once each when they were numbered.
        w.i64(nextSeq).i64(ackedThrough).i64(position).bool(skipsPeers).i64(forwarderMoves).i64(peerMoves).i64(ackedWhenMoved)
                .i32(waitingDigests.size());
        waitingDigests.forEach((d, seq) -> w.i64(seq).bytes(d));
    }
}
