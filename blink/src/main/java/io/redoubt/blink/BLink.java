package io.redoubt.blink;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.exec.LinkLayer;
import io.redoubt.lm.exec.LinkLeaf;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.server.Frame;
import io.redoubt.lm.server.WideLink;
import io.redoubt.lm.sign.LmSigner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One server's part in BLink (Lane 2008, section 4.4.1). What the logical machine decides lives
 * in {@link BLinkState}, which the executor runs: link sequence numbers, acknowledgements, and
 * the virtual link each logical link uses, moved along the selection order P by an ordered
 * timeout on the link's first unacknowledged message. This class does what a server does with
 * those decisions:
 *
 * <ul>
 *   <li>it pairs every message of a batch with its link header under the batch's Merkle root
 *       ({@link LinkLeaf}), so the one site signature covers numbers and acknowledgements;</li>
 *   <li>as the forwarder of a link's current virtual link, it sends that link's messages of each
 *       signed batch to the virtual link's peer, once per batch;</li>
 *   <li>as a peer, it checks a message's header and site signature and submits it for ordering
 *       in its site (a copy of one executed already once per acknowledgement).</li>
 * </ul>
 *
 * <p>After a virtual link is abandoned the executor puts every unacknowledged message of the
 * link into the batch it is executing, so the next forwarder sends them under that batch's
 * signature. Each forwarder of a Byzantine site combines the shares of the batches it sends
 * itself (and a signature made is passed to the whole site as well); a benign site's forwarder
 * signs with the site key itself.
 */
public final class BLink implements WideLink {
    private final ServerId self;
    private final SiteId site;
    private final List<ServerId> siteServers;
    private final Map<SiteId, Integer> siteSizes;
    private final Host host;
    private final BLinkState state;
    private final BLinkConfig config;
    /** Roots of batches this server already sent (every output has its own root), most recent last; a batch goes out once per server. */
    private final LinkedHashSet<Bytes> sentRoots = new LinkedHashSet<>();
    private static final int SENT_ROOTS_MAX = 1024;
    private long wideMessagesSent;

    public static Factory factory(BLinkConfig config) {
        return (self, siteSizes, byzantineSites, recentMax, host) -> new BLink(self, siteSizes, byzantineSites, host, config);
    }

    private BLink(ServerId self, Map<SiteId, Integer> siteSizes, java.util.Set<SiteId> byzantineSites, Host host, BLinkConfig config) {
        this.self = self;
        this.site = self.site();
        this.siteSizes = new TreeMap<>(siteSizes);
        this.host = host;
        this.config = config;
        this.state = new BLinkState(site, siteSizes, byzantineSites, config);
        List<ServerId> servers = new ArrayList<>();
        for (int i = 0; i < siteSizes.get(site); i++) servers.add(new ServerId(site, i));
        this.siteServers = List.copyOf(servers);
    }

    @Override
    public LinkLayer linkLayer() {
        return state;
    }

    /**
     * The attempt number whose forwarder ({@link #forwarder}) is the forwarder of the batch's
     * first link, so that the committee of a Byzantine site's signature (the f+1 servers that
     * share unasked) starts there. Each server that sends some of the batch combines the shares
     * itself ({@link #forwardsAny}), so a silent server holds back only the links it forwards on
     * (their head timeouts move past it) or, in the committee, a batch until the forwarder asks
     * another server or a resend has every server share.
     */
    @Override
    public int noteAttempt(List<LmHost.Outgoing> messages) {
        if (messages.isEmpty()) return 0;
        return Math.floorMod(state.forwarder(messages.get(0).to()) - host.localLeader().index(), siteServers.size());
    }

    /**
     * A batch that resends a link's unacknowledged messages after a move is signed by every
     * server of a Byzantine site, not the committee alone: a silent committee member must not
     * hold back the one batch an idle logical machine is waiting on.
     */
    @Override
    public boolean resend(int attempt) {
        return state.outputResends();
    }

    @Override
    public boolean isForwarder(int attempt) {
        return forwarder(attempt).equals(self);
    }

    /** The server {@code attempt} places after the local leader: with {@link #noteAttempt}, the forwarder of a batch's first link, then the servers after it. */
    @Override
    public ServerId forwarder(int attempt) {
        return siteServers.get(Math.floorMod(host.localLeader().index() + attempt, siteServers.size()));
    }

    /** Each distinct message, then its link header: leaves 2k and 2k+1 are siblings, so the message's path carries the header's hash. */
    @Override
    public List<Bytes> leaves(List<LmHost.Outgoing> messages, List<Bytes> distinct) {
        LinkedHashMap<Bytes, List<LinkLeaf.Entry>> entries = new LinkedHashMap<>();
        for (Bytes m : distinct) entries.put(m, new ArrayList<>());
        for (LmHost.Outgoing o : messages) entries.get(o.message()).add(new LinkLeaf.Entry(o.to(), o.linkSeq(), o.ackThrough()));
        List<Bytes> leaves = new ArrayList<>(2 * distinct.size());
        for (Map.Entry<Bytes, List<LinkLeaf.Entry>> e : entries.entrySet()) {
            leaves.add(e.getKey());
            leaves.add(new LinkLeaf(state.output(), e.getValue()).encode());
        }
        return leaves;
    }

    @Override
    public boolean forwardsAny(LmSigner.Batch batch) {
        for (LmHost.Outgoing o : batch.messages()) if (state.forwarder(o.to()) == self.index()) return true;
        return false;
    }

    @Override
    public void forward(LmSigner.Batch batch, LmSignature signature) {
        send(batch, signature);
    }

    @Override
    public void signatureKnown(LmSigner.Batch batch, LmSignature signature) {
        send(batch, signature);
    }

    /** Sends the batch's messages on every link whose current virtual link this server forwards on, once per batch. */
    private void send(LmSigner.Batch batch, LmSignature signature) {
        if (!forwardsAny(batch) || !sentRoots.add(batch.tree().root())) return;
        if (sentRoots.size() > SENT_ROOTS_MAX) {
            Iterator<Bytes> it = sentRoots.iterator();
            it.next();
            it.remove();
        }
        List<LmEnvelopePart> envelopes = batch.tree().envelopes(signature);
        List<Bytes> leaves = batch.tree().messages();
        HashMap<Bytes, Integer> leafOf = new HashMap<>(); // distinct message k is leaf 2k
        for (int k = 0; k < batch.distinct().size(); k++) leafOf.put(batch.distinct().get(k), 2 * k);
        // Per link this server forwards on: each leaf to send once, with the link numbers it carries there.
        TreeMap<SiteId, LinkedHashMap<Integer, List<Long>>> byDestination = new TreeMap<>();
        for (LmHost.Outgoing o : batch.messages()) {
            if (state.forwarder(o.to()) != self.index()) continue;
            byDestination.computeIfAbsent(o.to(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(leafOf.get(o.message()), k -> new ArrayList<>()).add(o.linkSeq());
        }
        byDestination.forEach((to, leavesToSend) -> {
            ServerId peer = new ServerId(to, state.peer(to));
            leavesToSend.forEach((leaf, seqs) -> {
                Bytes frame = new Frame.Link(site, to, envelopes.get(leaf), leaves.get(leaf + 1)).encode();
                host.sendToServer(peer, frame);
                wideMessagesSent++;
                for (long seq : seqs) if (seq > 0) keepForResend(to, seq, frame); // an acknowledgement alone (0) is not kept
            });
        });
    }

    // ---------------------------------------------------------------- the forwarder's own resends

    /** A frame this server sent as forwarder, and whether a resend tick has passed since (it is then due again). */
    private static final class Sent {
        final Bytes frame;
        boolean aged;

        Sent(Bytes frame) {
            this.frame = frame;
        }
    }

    /** Per link this server forwards on, the frames it sent that are not acknowledged yet, by link sequence number. */
    private final TreeMap<SiteId, TreeMap<Long, Sent>> unackedSent = new TreeMap<>();
    /** Resent per tick from the head of the link: the oldest are what the acknowledged point waits for. */
    private static final int RESENDS_PER_TICK_MAX = 32;
    private static final String RESEND_TIMER = "blink-resend";
    private long resends;

    private void keepForResend(SiteId to, long seq, Bytes frame) {
        TreeMap<Long, Sent> sent = unackedSent.get(to);
        if (sent == null) {
            sent = new TreeMap<>();
            unackedSent.put(to, sent);
            host.setTimer(new TimerId(RESEND_TIMER, to.value()), config.resendMillis());
        }
        sent.putIfAbsent(seq, new Sent(frame));
    }

    /**
     * A resend tick on the link to one site: what the peer acknowledged is forgotten; what was
     * sent before the last tick and is still unacknowledged goes again, on the same virtual link
     * under the same signature. A lost frame so costs a resend, and only a virtual link that
     * keeps failing costs the ordered timeout that moves to the next one. A server that no
     * longer forwards on the link stops: the next forwarder sends everything again.
     */
    @Override
    public void onTimer(TimerId timer) {
        if (!timer.kind().equals(RESEND_TIMER)) return;
        SiteId to = new SiteId((int) timer.arg());
        TreeMap<Long, Sent> sent = unackedSent.get(to);
        if (sent == null) return;
        sent.headMap(state.ackedThrough(to), true).clear();
        if (sent.isEmpty() || state.forwarder(to) != self.index()) {
            unackedSent.remove(to);
            return;
        }
        ServerId peer = new ServerId(to, state.peer(to));
        int budget = RESENDS_PER_TICK_MAX;
        for (Sent s : sent.values()) {
            if (!s.aged) {
                s.aged = true;
            } else if (budget-- > 0) {
                host.sendToServer(peer, s.frame);
                wideMessagesSent++;
                resends++;
            }
        }
        host.setTimer(timer, config.resendMillis());
    }

    /** Frames this server sent again as forwarder because they stayed unacknowledged for a resend period. */
    public long resends() {
        return resends;
    }

    @Override
    public Bytes onWideFrame(ServerId from, Frame.Wide frame) {
        host.reject(from, Rejection.PROTOCOL_VIOLATION, "wide-area message outside a logical link (this deployment runs BLink)");
        return null;
    }

    @Override
    public Bytes onLinkFrame(ServerId from, Frame.Link f) {
        if (!f.to().equals(site) || f.from().equals(site) || !siteSizes.containsKey(f.from()) || !from.site().equals(f.from())) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "logical-link frame " + f.from() + "->" + f.to() + " from " + from);
            return null;
        }
        if (!LinkLeaf.pairedWith(f.header(), f.envelope())) {
            host.reject(from, Rejection.BAD_SIGNATURE, "link header not under the message's root");
            return null;
        }
        LinkLeaf header;
        try {
            header = LinkLeaf.decode(f.header());
        } catch (DecodeException e) {
            host.reject(from, Rejection.MALFORMED, "link header: " + e.getMessage());
            return null;
        }
        List<LinkLeaf.Entry> mine = header.entriesFor(site);
        if (mine.isEmpty()) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "logical-link message not addressed to " + site);
            return null;
        }
        // Ordering costs the site a local agreement: an acknowledgement alone that tells us
        // nothing new is dropped unchecked. A copy of a message executed here already is ordered
        // once per acknowledgement: it is the sender resending because our acknowledgement did
        // not reach it, and executing the copy has the site acknowledge again. While an
        // acknowledgement is due anyway, more copies (a faulty forwarder replaying old frames)
        // are dropped.
        boolean news = false;
        for (LinkLeaf.Entry e : mine) {
            if (e.seq() > 0) news |= !state.received(f.from(), e.seq()) || !state.ackPending(f.from());
            else news |= !state.acknowledged(f.from(), e.ackThrough());
        }
        if (!news) return null;
        // The peer checks the path and the site signature before spending local ordering on the
        // message; every server checks them again when the event executes.
        if (host.verify(f.from(), f.envelope()) instanceof LmMessageVerifier.Rejected r) {
            host.reject(from, r.reason(), "logical-machine message of " + f.from() + ": " + r.detail());
            return null;
        }
        return new LmEvent.LinkMessage(f.from(), f.envelope(), f.header()).encode();
    }

    @Override
    public long wideMessagesSent() {
        return wideMessagesSent;
    }

    /** Moves to a next virtual link, over every outgoing link of this site's logical machine. */
    @Override
    public long linkChanges() {
        return state.virtualLinkChanges();
    }
}
