package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.StateMachine;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.VerifiedSignatures;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.SingleKeyLmScheme;
import io.redoubt.lm.crypto.merkle.VerifiedRootCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The logical-machine executor (Lane 2008, section 4.3, Figure 4.1). It takes the batches the
 * local protocol orders and feeds their events, in that order, to the wide-area protocol core;
 * it routes that core's outputs: wide-area messages to the link, timers to LM timeouts, ordered
 * client updates to the application, replies to clients.
 *
 * <p>Its state is a pure function of the sequence of ordered events, so every correct server of
 * the site holds the same state after the same batch: the site is one deterministic machine.
 * {@link #stateDigest()} digests that state (this executor's own tables, the wide-area core's
 * state and the application's) so that checkers can verify exactly that. {@link #executionDigest()}
 * is the cheap companion: a running digest of the events and of what each batch made the
 * machine do.
 *
 * <p>The wide-area core's persist requests are not written anywhere: the logical machine's
 * durability is the local order itself, which a majority (Paxos) or 2f+1 (PBFT) of the site's
 * servers keep on stable storage, and a restarted server rebuilds this executor by replaying it.
 */
public final class LogicalMachine {
    private final SiteId site;
    private final List<ServerId> siteServers;
    private final int noticesNeeded;
    private final KeyDirectory keys;
    private final StateMachine app;
    private final LmHost host;
    /** Replaced only by {@link #restore}. */
    private OrderingCore<SiteId> wide;
    private final CoreFactory wideFactory;
    private final List<SiteId> sites;
    private final VerifiedSignatures verified;
    private final LmMessageVerifier wideVerifier;
    private final List<LmHost.Outgoing> outgoing = new ArrayList<>();
    /** BLink's logical links (null: the stand-in carries messages); see {@link LinkLayer}. */
    private final LinkLayer links;
    private final List<SiteId> peerSites;
    /** Links from these sites get an acknowledgement alone in this batch: their ack timeout executed. */
    private final TreeSet<SiteId> ackAloneDue = new TreeSet<>();
    /** Per outgoing link, the (head, position) its armed head timeout was armed for. */
    private final Map<SiteId, LinkLayer.Monitoring> headTimerArmedFor = new TreeMap<>();
    static final String HEAD_TIMER = "blink-head", ACK_TIMER = "blink-ack", PEER_TIMER = "blink-peer";

    private final Map<ClientId, ClientRecord> clients = new TreeMap<>();
    private final Map<TimerId, ActiveTimer> timers = new TreeMap<>();
    private long nextTimerGeneration = 1;
    private long executedUpdates;
    private long executedEvents;
    /** The state digest and the event count it was computed at: the state changes only by executing events. */
    private Bytes stateDigest;
    private long stateDigestAt = -1;
    /** The execution digest after the batches executed so far (see {@link #executionDigest()}). */
    private Bytes trail = Bytes.EMPTY;
    /** Hashes the batch being executed and its effects; null between batches. */
    private CanonicalWriter trailWriter;
    /** The execution digest's hash (reset by each digest()), and its label. */
    private final java.security.MessageDigest trailHash = Digests.newSha256();
    private static final byte[] TRAIL_LABEL = "redoubt/lm-trail".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private record ClientRecord(long seq, Bytes reply) {}

    /** CLink-Order's executed Ordering_Requests and the servers they proved corrupt (section 4.5). */
    private OrderingRequests requests;

    /**
     * An armed LM timer, kept to re-arm it after a restart. {@code runBy}: the index of the one server of the site whose clock
     * drives it (BLink's forwarder timing its peer, section 4.4.2), or -1 for every server.
     */
    public record ActiveTimer(long generation, long delayMillis, int runBy) {
        public ActiveTimer(long generation, long delayMillis) {
            this(generation, delayMillis, -1);
        }
    }

    /**
     * @param noticesNeeded signed expiry notices needed to order an LM timeout: 1 for a benign
     *     site, f+1 for a Byzantine one (section 4.3)
     */
    public LogicalMachine(SiteId site, List<SiteId> sites, List<ServerId> siteServers, int noticesNeeded,
                          CoreFactory wideFactory, KeyDirectory keys, StateMachine app, LmHost host) {
        this(site, sites, siteServers, noticesNeeded, wideFactory, keys, siteKeysFor(sites, keys), app, host);
    }

    /** Every site signs with one site key: a deployment of benign sites. */
    private static Map<SiteId, LmSignatureScheme> siteKeysFor(List<SiteId> sites, KeyDirectory keys) {
        Map<SiteId, LmSignatureScheme> schemes = new TreeMap<>();
        LmSignatureScheme siteKey = new SingleKeyLmScheme(keys);
        for (SiteId s : sites) schemes.put(s, siteKey);
        return schemes;
    }

    /**
     * @param lmSchemes how each site's LM signatures are checked: a site key for a benign site,
     *     threshold RSA or an f+1 certificate for a Byzantine one (section 4.3)
     */
    public LogicalMachine(SiteId site, List<SiteId> sites, List<ServerId> siteServers, int noticesNeeded,
                          CoreFactory wideFactory, KeyDirectory keys, Map<SiteId, LmSignatureScheme> lmSchemes,
                          StateMachine app, LmHost host) {
        this(site, sites, siteServers, noticesNeeded, wideFactory, keys, lmSchemes, new VerifiedRootCache(VerifiedRootCache.DEFAULT_CAPACITY),
                new VerifiedSignatures(VERIFIED_SIGNATURES_MAX), app, host);
    }

    /** How many checked signatures a server's memo remembers (VerifiedSignatures). */
    public static final int VERIFIED_SIGNATURES_MAX = 65_536;

    /**
     * @param verifiedRoots the server's cache of checked roots; the server may share it with
     *     whatever else checks the same roots (its wide-area PBFT core), so each is checked once
     * @param verified the server's memo of checked signatures, shared likewise (its LM timeouts
     *     check each notice on arrival, and this machine checks the same notices when the timeout
     *     executes)
     */
    public LogicalMachine(SiteId site, List<SiteId> sites, List<ServerId> siteServers, int noticesNeeded,
                          CoreFactory wideFactory, KeyDirectory keys, Map<SiteId, LmSignatureScheme> lmSchemes,
                          VerifiedRootCache verifiedRoots, VerifiedSignatures verified, StateMachine app, LmHost host) {
        this(site, sites, siteServers, noticesNeeded, wideFactory, keys, lmSchemes, verifiedRoots, verified, app, host, null);
    }

    /**
     * @param links BLink's logical links as this machine executes them (section 4.4.1), or null
     *     when the stand-in link carries wide-area messages without link numbers
     */
    public LogicalMachine(SiteId site, List<SiteId> sites, List<ServerId> siteServers, int noticesNeeded,
                          CoreFactory wideFactory, KeyDirectory keys, Map<SiteId, LmSignatureScheme> lmSchemes,
                          VerifiedRootCache verifiedRoots, VerifiedSignatures verified, StateMachine app, LmHost host, LinkLayer links) {
        this.links = links;
        this.requests = new OrderingRequests(keys);
        this.wideFactory = wideFactory;
        this.sites = List.copyOf(sites);
        this.peerSites = new ArrayList<>();
        for (SiteId s : sites) if (!s.equals(site)) peerSites.add(s);
        if (noticesNeeded < 1 || noticesNeeded > siteServers.size()) {
            throw new IllegalArgumentException("noticesNeeded must be in [1, " + siteServers.size() + "], was " + noticesNeeded);
        }
        this.site = site;
        this.siteServers = List.copyOf(siteServers);
        this.noticesNeeded = noticesNeeded;
        this.keys = keys;
        this.verified = verified;
        this.app = app;
        this.host = host;
        if (!lmSchemes.keySet().containsAll(sites)) throw new IllegalArgumentException("no LM signature scheme for some of " + sites);
        this.wideVerifier = new LmMessageVerifier(new TreeMap<>(lmSchemes), verifiedRoots);
        this.wide = new io.redoubt.lm.core.ReentryGuard<>(wideFactory.create(sites, site, new WideOutbox(), List.of()));
        this.wide.start();
        if (links != null) linkUpkeep();
        flushOutgoing();
    }

    /** Executes one locally ordered batch of encoded {@link LmEvent}s. */
    public void execute(List<Bytes> batch) {
        if (trailWriter != null) throw new IllegalStateException("execute re-entered from its own effects");
        // An empty batch (a slot filled with a no-op after a view change) executes no event and so
        // changes nothing; it must not move the execution digest either, or a server that checked
        // its digest between such a slot and the one before would disagree with one that did not.
        if (batch.isEmpty()) return;
        trailWriter = CanonicalWriter.hashingInto(trailHash, 512).bytes(TRAIL_LABEL).bytes(trail).i32(batch.size());
        for (Bytes encoded : batch) {
            executedEvents++;
            trailWriter.u8(0).bytes(encoded);
            LmEvent event;
            try {
                event = LmEvent.decode(encoded);
            } catch (DecodeException e) {
                // Only a faulty local leader orders garbage; every correct server skips it alike.
                host.rejected(site, Rejection.MALFORMED, "ordered LM event: " + e.getMessage());
                continue;
            }
            if (event instanceof LmEvent.ClientUpdate e) executePlainClientUpdate(e);
            else if (event instanceof LmEvent.WideMessage e) executeWideMessage(e);
            else if (event instanceof LmEvent.Timeout e) executeTimeout(e);
            else if (event instanceof LmEvent.LinkMessage e) executeLinkMessage(e);
            else if (event instanceof LmEvent.Requested e) executeRequested(e);
            else throw new IllegalStateException("unhandled LM event " + event);
        }
        if (links != null) linkUpkeep();
        flushOutgoing();
        trail = trailWriter.digest();
        trailWriter = null;
    }

    /** Adds an effect of the batch being executed to the execution digest (none outside a batch: the core's start). */
    private CanonicalWriter effect(int tag) {
        return trailWriter == null ? new CanonicalWriter() : trailWriter.u8(tag);
    }

    /** Everything one ordered batch made the wide-area core send: one Merkle tree, one signature. */
    private void flushOutgoing() {
        if (outgoing.isEmpty()) return;
        List<LmHost.Outgoing> batch = List.copyOf(outgoing);
        outgoing.clear();
        host.sendWideBatch(batch);
    }

    /**
     * A client update handed in without an Ordering_Request: a crash-fault site's way. Where
     * CLink-Order is required (a Byzantine site, {@link #requireOrderingRequests}), refused: a
     * server that could hand updates in plainly could never be proven to equivocate, and its
     * {@code via} is only what its submitter says.
     */
    private void executePlainClientUpdate(LmEvent.ClientUpdate e) {
        if (orderingRequestsRequired) {
            host.rejected(site, Rejection.PROTOCOL_VIOLATION, "client update without an ordering request, in a site that requires one");
            return;
        }
        executeClientUpdate(e.via(), e.update(), null);
    }

    private boolean orderingRequestsRequired;

    /**
     * From now on client updates must come as Ordering_Requests (CLink-Order, section 4.5): a
     * Byzantine site's setting, made once when its servers are built, before any event executes.
     */
    public void requireOrderingRequests() {
        if (executedEvents > 0) throw new IllegalStateException("requireOrderingRequests() after events executed");
        orderingRequestsRequired = true;
    }

    /** @param digest the update's digest if already computed, or null */
    private void executeClientUpdate(ServerId via, SignedUpdate u, Bytes digest) {
        // The client may belong to another site: CLink-Opt (section 4.5) hands the leader site the
        // updates of every site's clients. Only the client's signature vouches for it, checked below.
        if (!via.site().equals(site)) {
            host.rejected(via, Rejection.INVALID_REQUEST, "client update handed in by a server of another site");
            return;
        }
        if (requests.isProvenFaulty(via)) {
            host.rejected(via, Rejection.PROTOCOL_VIOLATION, "client update handed in by a server proven faulty");
            return;
        }
        boolean vouchedFor = !vouched.isEmpty() && vouched.contains(digest != null ? digest : updateDigest(u.encode()));
        if (!vouchedFor && !verifyClientUpdate(u)) {
            host.rejected(u.client(), Rejection.BAD_SIGNATURE, "client update signature");
            return;
        }
        ClientRecord last = clients.get(u.client());
        if (last != null && u.seq() <= last.seq) {
            if (u.seq() == last.seq) {
                effect(1).client(u.client()).i64(u.seq());
                host.reply(u, last.reply); // a retransmission: answer from the cache
            }
            return;
        }
        wide.submit(u.encode());
    }

    /**
     * CLink-Order (section 4.5): the request is kept as evidence (OrderingRequests), and its
     * update executes as if its server had handed it in. Once a server is proven corrupt, nothing
     * it hands in is executed (requests or plain client updates in its name); its clients
     * retransmit to f+1 servers and are served through the others.
     */
    private void executeRequested(LmEvent.Requested e) {
        OrderingRequest r = e.request();
        // Rejections of a bad request name the site, not the request's server: whoever ordered it
        // chose that name (its submitter or the local leader), and the named server may be correct.
        if (!r.server().site().equals(site) || r.server().index() >= siteServers.size()) {
            host.rejected(site, Rejection.NOT_A_MEMBER, "ordering request in the name of " + r.server() + ", outside the site");
            return;
        }
        Bytes digest = updateDigest(e.update().encode());
        if (!r.updateDigest().equals(digest)) {
            host.rejected(site, Rejection.MALFORMED, "ordering request in the name of " + r.server() + " names another update than it carries");
            return;
        }
        switch (requests.onExecuted(r)) {
            case FAULTY -> {
                host.rejected(r.server(), Rejection.PROTOCOL_VIOLATION, "ordering request of a server proven faulty");
                return;
            }
            case PROVEN -> {
                // From the proof on, nothing comes in through that server, this update included:
                // its client retransmits to f+1 servers, and a correct one hands it in.
                effect(13).server(r.server()).i64(r.seq());
                host.provenFaulty(requests.proofAgainst(r.server()));
                return;
            }
            case FORGED -> host.rejected(site, Rejection.BAD_SIGNATURE, "an ordering request in the name of " + r.server()
                    + " numbered " + r.seq() + " conflicts with one executed and does not hold its signature (forged by its submitter or the local leader)");
            case FORGERY_REPLACED -> host.rejected(site, Rejection.BAD_SIGNATURE, "the ordering request executed before in the name of "
                    + r.server() + " numbered " + r.seq() + " did not hold its signature (forged); this one does and replaces it");
            case FORGED_AHEAD -> host.rejected(site, Rejection.BAD_SIGNATURE, "an ordering request in the name of " + r.server()
                    + " numbered " + r.seq() + ", far ahead of its checked numbers, does not hold its signature: not kept");
            case TOO_OLD -> {
                host.rejected(site, Rejection.OUT_OF_WINDOW, "ordering request of " + r.server() + " numbered " + r.seq() + ", below its window");
                return;
            }
            case RECORDED, REPEATED -> { }
        }
        executeClientUpdate(r.server(), e.update(), digest);
    }

    /** Servers of this site proven corrupt by conflicting Ordering_Requests, with the proof (section 4.5). */
    public java.util.SortedMap<ServerId, OrderingRequest.Equivocation> provenFaulty() {
        return requests.proven();
    }

    /** Whether {@code server} has been proven corrupt by conflicting Ordering_Requests. */
    public boolean isProvenFaulty(ServerId server) {
        return requests.isProvenFaulty(server);
    }



    private void executeWideMessage(LmEvent.WideMessage e) {
        if (links != null) {
            host.rejected(e.from(), Rejection.PROTOCOL_VIOLATION, "wide-area message outside a logical link");
            return;
        }
        if (e.from().equals(site)) {
            host.rejected(e.from(), Rejection.PROTOCOL_VIOLATION, "wide-area message from our own site");
            return;
        }
        // Checked again here, not only at receipt: a faulty local leader orders what it likes.
        if (host.checksOrderedWideMessages() && verifyWide(e.from(), e.envelope()) instanceof LmMessageVerifier.Rejected r) {
            host.rejected(e.from(), r.reason(), "logical-machine message of " + e.from() + ": " + r.detail());
            return;
        }
        if (GlobalState.isControl(e.envelope().message())) {
            host.rejected(e.from(), Rejection.PROTOCOL_VIOLATION, "global state transfer outside a logical link");
            return;
        }
        host.acceptedWide(e.from(), e.envelope().message());
        wide.onMessage(e.from(), e.envelope().message(), e.envelope().proof().encode());
    }

    /**
     * Checks a client's signature on its update through this server's cache, so the check made
     * when the client hands the update in is not paid again when the update executes.
     */
    public boolean verifyClientUpdate(SignedUpdate u) {
        return verified.verify(keys, u.client(), u.signedContent(), u.signature());
    }

    /** The digest a {@link io.redoubt.lm.server.Frame.Vouch} names an encoded update by. */
    public static Bytes updateDigest(Bytes encodedUpdate) {
        return Bytes.wrap(Digests.newSha256().digest(encodedUpdate.toArray()));
    }

    /**
     * Encoded updates whose client signatures enough servers of this site vouched for (see
     * ServerNode#onVouch). Like the memo of checked signatures, it only saves checks: an update is
     * here only if a correct server checked its signature, so the verdict is the same either way.
     * Bounded; the oldest go first.
     */
    private final java.util.LinkedHashSet<Bytes> vouched = new java.util.LinkedHashSet<>();
    private static final int VOUCHED_MAX = 65_536;

    /** The server learned that the update with this digest has a good client signature. */
    public void vouched(Bytes updateDigest) {
        if (!vouched.add(updateDigest) || vouched.size() <= VOUCHED_MAX) return;
        java.util.Iterator<Bytes> it = vouched.iterator();
        it.next();
        it.remove();
    }

    private boolean vouchedFor(Bytes encodedUpdate) {
        return !vouched.isEmpty() && vouched.contains(updateDigest(encodedUpdate));
    }

    /**
     * Read-only, a hint: the client updates a wide-area message from {@code from} will have this
     * machine admit when it executes (a pre-prepare this site checks before it prepares, a forwarded
     * update), so that the site's checkers can check them while the message is ordered locally.
     */
    public List<Bytes> updatesToAdmit(SiteId from, Bytes message) {
        if (!host.rechecksOrderedUpdates() || from.equals(site) || GlobalState.isControl(message)) return List.of();
        return wide.payloadsToAdmit(from, message);
    }

    /**
     * Checks a wide-area message's Merkle path and its site's signature on the root (section
     * 4.6). Verified roots are cached, but the verdict never depends on the cache, so every
     * correct server decides alike.
     */
    public LmMessageVerifier.Verdict verifyWide(SiteId from, LmEnvelopePart envelope) {
        return wideVerifier.verify(from, envelope);
    }

    private void executeTimeout(LmEvent.Timeout e) {
        ActiveTimer active = timers.get(e.timer());
        if (active == null || active.generation != e.generation()) return; // stale: re-armed or cancelled since
        TreeSet<ServerId> signers = new TreeSet<>();
        for (TimeoutNotice n : e.proof()) {
            if (!n.signer().site().equals(site) || n.signer().index() >= siteServers.size()) continue;
            if (!n.timer().equals(e.timer()) || n.generation() != e.generation()) continue;
            if (verified.verify(keys, n.signer(), n.signedContent(), n.signature())) signers.add(n.signer());
        }
        if (signers.size() < noticesNeeded) {
            host.rejected(site, Rejection.BAD_SIGNATURE, "LM timeout with " + signers.size() + " valid notices, need " + noticesNeeded);
            return;
        }
        timers.remove(e.timer());
        host.stopLmTimer(e.timer());
        if (links != null && isLinkTimer(e.timer())) onLinkTimer(e.timer());
        else wide.onTimer(e.timer());
    }

    // ---------------------------------------------------------------- BLink (section 4.4.1)

    private static boolean isLinkTimer(TimerId t) {
        return t.kind().equals(HEAD_TIMER) || t.kind().equals(ACK_TIMER) || t.kind().equals(PEER_TIMER);
    }

    private static TimerId linkTimer(String kind, SiteId s) {
        return new TimerId(kind, s.value());
    }

    private void onLinkTimer(TimerId t) {
        SiteId s = new SiteId((int) t.arg());
        if (!peerSites.contains(s) && !t.kind().equals(ACK_TIMER)) return; // only this machine arms link timers, and only for its peers
        if (t.kind().equals(ACK_TIMER)) {
            // One timer for all incoming links: every link still owed an acknowledgement gets it
            // alone, all in this batch under one signature.
            for (SiteId from : peerSites) if (links.ackDue(from)) ackAloneDue.add(from);
            return;
        }
        // The virtual link in use did not get the first unacknowledged message acknowledged in
        // time: the next one carries everything unacknowledged again, in this batch's tree. The
        // head timeout moves along P (between benign machines: to the next forwarder); the
        // forwarder's own peer timeout, between benign machines only, to the next peer. Unless an
        // acknowledgement ordered before this timeout already moved the head (or the link
        // moved): then it is stale, and the link's timeouts are armed afresh after the batch.
        LinkLayer.Monitoring armed = headTimerArmedFor.remove(s);
        LinkLayer.Monitoring now = links.monitoring(s);
        if (armed == null || now == null || armed.headSeq() != now.headSeq() || armed.position() != now.position()) return;
        boolean peer = t.kind().equals(PEER_TIMER);
        List<LinkLayer.Unacked> again = peer ? links.peerExpired(s) : links.headExpired(s);
        effect(peer ? 14 : 8).site(s).i32(again.size());
        for (LinkLayer.Unacked u : again) outgoing.add(new LmHost.Outgoing(s, u.message(), u.seq(), 0));
    }

    /**
     * A wide-area message on the link from {@code e.from()}: checked like any wide-area message,
     * its header checked to be paired with it under the signed root, its acknowledgement applied
     * to our link to that machine, and the message itself executed exactly once.
     */
    private void executeLinkMessage(LmEvent.LinkMessage e) {
        if (links == null) {
            host.rejected(e.from(), Rejection.PROTOCOL_VIOLATION, "logical-link message, but this deployment runs the stand-in link");
            return;
        }
        if (e.from().equals(site) || !peerSites.contains(e.from())) {
            host.rejected(e.from(), Rejection.PROTOCOL_VIOLATION, "logical-link message from " + e.from());
            return;
        }
        if (!LinkLeaf.pairedWith(e.header(), e.envelope())) {
            host.rejected(e.from(), Rejection.BAD_SIGNATURE, "link header not under the message's signed root");
            return;
        }
        if (host.checksOrderedWideMessages() && verifyWide(e.from(), e.envelope()) instanceof LmMessageVerifier.Rejected r) {
            host.rejected(e.from(), r.reason(), "logical-machine message of " + e.from() + ": " + r.detail());
            return;
        }
        LinkLeaf header;
        try {
            header = LinkLeaf.decode(e.header());
        } catch (DecodeException ex) {
            host.rejected(e.from(), Rejection.MALFORMED, "link header: " + ex.getMessage()); // signed by that site: it is faulty
            return;
        }
        List<LinkLeaf.Entry> mine = header.entriesFor(site);
        if (mine.isEmpty()) {
            host.rejected(e.from(), Rejection.PROTOCOL_VIOLATION, "logical-link message not addressed to " + site);
            return;
        }
        for (LinkLeaf.Entry entry : mine) {
            LinkLayer.AckResult acked = links.onAck(e.from(), entry.ackThrough());
            if (acked == LinkLayer.AckResult.BEYOND_SENT) {
                host.rejected(e.from(), Rejection.PROTOCOL_VIOLATION, "acknowledgement through " + entry.ackThrough() + " of messages never sent");
            } else if (acked == LinkLayer.AckResult.ADVANCED) {
                effect(9).site(e.from()).i64(entry.ackThrough());
                globalPiecesAcked(e.from(), entry.ackThrough());
            }
            if (entry.seq() == 0 || !links.onMessage(e.from(), entry.seq())) continue; // an acknowledgement alone, or executed before
            effect(10).site(e.from()).i64(entry.seq());
            host.acceptedWide(e.from(), e.envelope().message());
            if (GlobalState.isControl(e.envelope().message())) executeControl(e.from(), e.envelope().message());
            else wide.onMessage(e.from(), e.envelope().message(), e.envelope().proof().encode());
        }
    }

    /**
     * After each batch: every message to a site carries the acknowledgement of that site's link
     * to us; sites owed one that no message carries get it alone once the ack timeout executes
     * (one timer for all links, so an idle logical machine signs once for all its acknowledgements);
     * and each outgoing link's head timeout is armed for its first unacknowledged message on the
     * virtual link in use (or disarmed when nothing waits).
     */
    private void linkUpkeep() {
        // A global state on its way that the wide-area core has got past another way: no longer needed.
        if (!globalAssembling.isEmpty()) globalAssembling.values().removeIf(a -> a.slot() <= wide.deliveredThrough());
        pruneCheckpointStates();
        globalServingUpkeep();
        for (SiteId s : ackAloneDue) {
            boolean carried = false;
            for (LmHost.Outgoing o : outgoing) carried |= o.to().equals(s);
            if (!carried) outgoing.add(new LmHost.Outgoing(s, Bytes.EMPTY, 0, 0));
        }
        ackAloneDue.clear();
        if (!outgoing.isEmpty()) {
            links.noteOutput();
            TreeMap<SiteId, Long> acks = new TreeMap<>();
            for (int i = 0; i < outgoing.size(); i++) {
                LmHost.Outgoing o = outgoing.get(i);
                long ack = acks.computeIfAbsent(o.to(), links::takeAck);
                outgoing.set(i, new LmHost.Outgoing(o.to(), o.message(), o.linkSeq(), ack));
            }
        }
        boolean ackDue = false;
        for (SiteId s : peerSites) ackDue |= links.ackDue(s);
        TimerId ackTimer = linkTimer(ACK_TIMER, site);
        if (!ackDue) disarmTimer(ackTimer);
        else if (!timers.containsKey(ackTimer)) armTimer(ackTimer, links.ackDelayMillis());
        for (SiteId s : peerSites) {
            LinkLayer.Monitoring m = links.monitoring(s);
            LinkLayer.Monitoring armed = headTimerArmedFor.get(s);
            TimerId headTimer = linkTimer(HEAD_TIMER, s), peerTimer = linkTimer(PEER_TIMER, s);
            if (m == null) {
                // Both, whether or not a stale timeout already forgot what was armed (disarming an unarmed timer does nothing).
                headTimerArmedFor.remove(s);
                disarmTimer(headTimer);
                disarmTimer(peerTimer);
            } else if (armed == null || armed.headSeq() != m.headSeq() || armed.position() != m.position()) {
                headTimerArmedFor.put(s, m);
                armTimer(headTimer, m.timeoutMillis(), -1);
                // Only the forwarder can tell that its peer is not answering (section 4.4.2).
                if (m.peerTimeoutMillis() > 0) armTimer(peerTimer, m.peerTimeoutMillis(), links.forwarder(s));
                else disarmTimer(peerTimer);
            }
        }
    }

    private void armTimer(TimerId id, long delayMillis) {
        armTimer(id, delayMillis, -1);
    }

    /** @param runBy the one server whose clock drives the timer, or -1 for every server */
    private void armTimer(TimerId id, long delayMillis, int runBy) {
        long generation = nextTimerGeneration++;
        timers.put(id, new ActiveTimer(generation, delayMillis, runBy));
        id.encodeTo(effect(4).i64(generation).i64(delayMillis));
        if (runBy >= 0) effect(15).i32(runBy);
        host.startLmTimer(id, generation, delayMillis, runBy);
    }

    private void disarmTimer(TimerId id) {
        if (timers.remove(id) != null) {
            id.encodeTo(effect(5));
            host.stopLmTimer(id);
        }
    }

    private void executeOrderedUpdates(List<Bytes> payloads) {
        for (Bytes p : payloads) {
            SignedUpdate u;
            try {
                u = SignedUpdate.decode(p);
            } catch (DecodeException ex) {
                host.rejected(site, Rejection.MALFORMED, "globally ordered update: " + ex.getMessage());
                continue;
            }
            // Where sites may be faulty (LmHost#rechecksOrderedUpdates), a faulty origin site must
            // not be able to have an unsigned update executed (S2 - validity). A core that orders
            // only what a correct member admitted (PBFT's checkers, see WideOutbox#admits) has
            // made sure of that already; with any other, every site checks again here.
            if (host.rechecksOrderedUpdates() && !wide.deliversOnlyAdmitted() && !vouchedFor(p) && !verifyClientUpdate(u)) {
                host.rejected(u.client(), Rejection.BAD_SIGNATURE, "globally ordered update signature");
                continue;
            }
            ClientRecord last = clients.get(u.client());
            if (last != null && u.seq() <= last.seq) {
                if (u.seq() == last.seq) {
                    effect(1).client(u.client()).i64(u.seq());
                    host.reply(u, last.reply);
                }
                continue; // ordered twice (retransmission); executed once
            }
            Bytes reply = app.apply(u.operation());
            effect(2).client(u.client()).i64(u.seq()).bytes(reply);
            clients.put(u.client(), new ClientRecord(u.seq(), reply));
            executedUpdates++;
            host.executed(executedUpdates, u, reply);
            host.reply(u, reply);
        }
    }

    /** The wide-area core's outbox: its effects, made identically at every correct server. */
    private final class WideOutbox implements Outbox<SiteId> {
        @Override
        public void send(SiteId to, Encodable message) {
            sendOnLink(to, message.encode());
        }

        @Override
        public void snapshotNeeded(SiteId from, long compactedThrough) {
            requestGlobalState(from, compactedThrough);
        }

        /**
         * A wide-area checkpoint (PBFT among sites) certifies our global state after {@code slot}:
         * we keep it, to serve a machine behind, and give its digest. Nothing with the stand-in
         * link, which carries no global state.
         */
        @Override
        public Bytes checkpointState(long slot, Bytes base) {
            if (links == null) return Bytes.EMPTY;
            Bytes state = GlobalState.encode(base, executedUpdates, clientsView(), app.snapshot());
            Bytes digest = Digests.sha256(state);
            checkpointStates.put(slot, new KeptState(state, digest));
            effect(24).i64(slot).bytes(digest);
            return digest;
        }

        /**
         * A message of this machine to {@code to}: the wide-area core's, or the machine's own
         * (global state transfer). Whether it left (false: its link is full, or the same bytes wait there already).
         */
        boolean sendOnLink(SiteId to, Bytes encoded) {
            return sendNumbered(to, encoded) >= 0;
        }

        /** As {@link #sendOnLink}: its number on the link (0 with the stand-in link), or -1 if it did not leave. */
        long sendNumbered(SiteId to, Bytes encoded) {
            long seq = 0;
            if (links != null) {
                if (!peerSites.contains(to)) {
                    host.rejected(site, Rejection.PROTOCOL_VIOLATION, "the wide-area core sent to " + to + ", which is no other site");
                    return -1;
                }
                // Numbered on the link in execution order, so every correct server agrees (section 4.4.1).
                seq = links.append(to, encoded);
                if (seq == 0) {
                    effect(12).site(to); // the same message waits on the link already; the link resends it
                    return -1;
                }
                if (seq < 0) {
                    // The link holds as many unacknowledged messages as it may: the receiver is not
                    // taking them in. Dropped, like a lost message; the core resends what matters.
                    effect(11).site(to);
                    return -1;
                }
            }
            CanonicalWriter w = effect(3).site(to);
            if (links != null) w.i64(seq);
            w.bytes(encoded);
            outgoing.add(new LmHost.Outgoing(to, encoded, seq, 0));
            return seq;
        }

        @Override
        public void setTimer(TimerId id, long delayMillis) {
            if (isLinkTimer(id)) throw new IllegalStateException("the wide-area core used a timer kind BLink reserves: " + id);
            armTimer(id, delayMillis);
        }

        @Override
        public void cancelTimer(TimerId id) {
            disarmTimer(id);
        }

        @Override
        public void persist(Encodable record) {
            // Durable through the local order; see the class comment. What the core records is
            // its state changing, so it goes into the execution digest.
            if (trailWriter != null) record.encodeTo(trailWriter.u8(6));
        }

        @Override
        public void deliver(long slot, List<Bytes> payloads) {
            effect(7).i64(slot).i32(payloads.size());
            executeOrderedUpdates(payloads);
        }

        /**
         * An update is admitted to the wide-area order if its client's signature holds, checked
         * through this server's vouches and memo (the verdict is the signature's, whichever way
         * it is reached, so every correct server of the site gives the same one). Where sites
         * are all benign, the site that ordered the update has checked it.
         */
        @Override
        public boolean admits(Bytes payload) {
            if (!host.rechecksOrderedUpdates()) return true;
            SignedUpdate u;
            try {
                u = SignedUpdate.decode(payload);
            } catch (DecodeException e) {
                return false;
            }
            return vouchedFor(payload) || verifyClientUpdate(u);
        }

        @Override
        public void reject(SiteId from, Rejection reason, String detail) {
            host.rejected(from, reason, detail);
        }
    }

    // ---------------------------------------------------------------- read-only views

    public SiteId site() {
        return site;
    }

    /** The last executed sequence number and reply for {@code client}, or null. */
    public Map.Entry<Long, Bytes> lastReply(ClientId client) {
        ClientRecord r = clients.get(client);
        return r == null ? null : Map.entry(r.seq, r.reply);
    }

    public Map<TimerId, ActiveTimer> activeTimers() {
        return java.util.Collections.unmodifiableMap(timers);
    }

    public OrderingCore<SiteId> wideCore() {
        return wide;
    }

    public long executedUpdates() {
        return executedUpdates;
    }

    public long executedEvents() {
        return executedEvents;
    }

    /**
     * A digest of this logical machine's whole state after the events executed so far: the
     * executor's own tables (clients' last replies, armed wide-area timers, counters), the
     * wide-area core's state and the application's state. Every correct server of the site must
     * hold the same digest after the same number of ordered events (section 4.3); the simulator
     * checks it. Computed at most once per executed event count.
     */
    public Bytes stateDigest() {
        if (stateDigestAt != executedEvents) {
            // Hashed as written, never held whole (CanonicalWriter#hashingInto).
            CanonicalWriter w = CanonicalWriter.hashingInto(Digests.newSha256()).utf8("redoubt/lm-state").site(site).i64(executedEvents).i64(executedUpdates)
                    .i64(nextTimerGeneration);
            w.i32(clients.size());
            clients.forEach((c, r) -> w.client(c).i64(r.seq).bytes(Digests.sha256(r.reply)));
            writeTimers(w);
            if (links != null) links.writeState(w);
            requests.writeState(w);
            writeGlobalTransfer(w, false);
            w.bool(orderingRequestsRequired);
            w.bytes(wide.stateDigest()).bytes(app.stateDigest());
            stateDigest = w.digest();
            stateDigestAt = executedEvents;
        }
        return stateDigest;
    }

    // ---------------------------------------------------------------- global state transfer among logical machines (issue 18)

    /** Per site, the wide-area slot after which we asked it for its global state (one request out per site). */
    private final TreeMap<SiteId, Long> globalRequested = new TreeMap<>();
    /** Per site, the global state on its way to it. */
    private final TreeMap<SiteId, Serving> globalServing = new TreeMap<>();
    /** Pieces of a global state on their way to one site unacknowledged at most: its link stays open to the core's own messages, and a state of any size goes through. */
    static final int GLOBAL_PIECES_IN_FLIGHT = 8;

    /**
     * A global state on its way to another machine (flow control): pieces go out as the link's
     * acknowledgements come back, at most {@link #GLOBAL_PIECES_IN_FLIGHT} unacknowledged; the link
     * resends those itself. {@code named} is the digest the pieces name (a compromised site's
     * may not be the state's).
     */
    private static final class Serving {
        final long slot;
        /** The state, its SHA-256 (for the machine's state digest) and the digest its pieces name. */
        final Bytes state, stateDigest, named;
        final int pieceBytes;
        long nextOffset;
        final java.util.ArrayDeque<Long> inFlight = new java.util.ArrayDeque<>();

        Serving(long slot, Bytes state, Bytes stateDigest, Bytes named) {
            this.slot = slot;
            this.state = state;
            this.stateDigest = stateDigest;
            this.named = named;
            this.pieceBytes = GlobalState.pieceBytesFor(state.length());
        }

        boolean done() {
            return nextOffset >= state.length() && inFlight.isEmpty();
        }

        void writeTo(CanonicalWriter w, boolean whole) {
            w.i64(slot).bytes(whole ? state : stateDigest).bytes(named).i32(pieceBytes).i64(nextOffset).i32(inFlight.size());
            for (long seq : inFlight) w.i64(seq);
        }

        static Serving readFrom(io.redoubt.lm.codec.CanonicalReader r) throws DecodeException {
            long slot = r.nonNegative("slot");
            Bytes state = r.bytes(Integer.MAX_VALUE), named = r.bytes(32);
            int pieceBytes = r.i32();
            long next = r.i64();
            if (pieceBytes != GlobalState.pieceBytesFor(state.length()) || next < 0 || next > (long) state.length() + pieceBytes) {
                throw new DecodeException("global state served in pieces of " + pieceBytes + " from " + next);
            }
            Serving s = new Serving(slot, state, Digests.sha256(state), named);
            s.nextOffset = next;
            int n = r.count(GLOBAL_PIECES_IN_FLIGHT, "global state pieces in flight");
            for (int i = 0; i < n; i++) s.inFlight.add(r.nonNegative("link seq"));
            return s;
        }
    }
    /** Per site, the global state it is sending us, piece by piece. */
    private final TreeMap<SiteId, GlobalState.Assembly> globalAssembling = new TreeMap<>();
    private long globalStatesInstalled;
    /** Global states (or their pieces) refused: not matching their digest or what a certificate vouches for, or not installable. */
    private long globalStatesRefused;

    /**
     * The wide-area core is behind what {@code from} still keeps (log compaction): ask that
     * logical machine for its global state, once per site and slot. Every correct server of the
     * site executes this at the same point; the request is an ordinary message of this machine,
     * signed by the site and carried by BLink.
     */
    private void requestGlobalState(SiteId from, long compactedThrough) {
        if (links == null || !globalTransferSound()) return; // nothing brings this machine past the dropped slots
        long wanted = compactedThrough;
        if (wide.certifiesState()) {
            // Only the state after a slot our certificates vouch for and our core can install: its
            // stable checkpoint. If that does not reach past the dropped slots, the core says so
            // again once installed, with a newer stable checkpoint by then.
            wanted = wide.snapshotAnchor();
            if (!wide.canInstallSnapshot(wanted) || wide.certifiedState(wanted) == null) return;
        }
        boolean quiet = executedEvents - globalRequestedAt.getOrDefault(from, 0L) >= GLOBAL_REQUEST_RETRY_EVENTS;
        GlobalState.Assembly under = globalAssembling.get(from);
        if (under != null && wide.certifiesState() && (!wide.canInstallSnapshot(under.slot()) || wide.certifiedState(under.slot()) == null)) {
            globalAssembling.remove(from); // no certificate of ours vouches for it any more: of no use
            under = null;
        }
        if (under != null) {
            // A state on its way: let it come, even if it does not go as far as we now want. Asking
            // that site for another would make it start over, and a large state under load would
            // never arrive; once this one is installed the core tells us again if it is not enough.
            // If it has gone quiet, ask for the same one again: a site still sending it goes on.
            if (!quiet) return;
            wanted = under.slot();
        } else {
            Long asked = globalRequested.get(from);
            // Once asked, ask again only for more, or if nothing came of it for a while (a request the
            // link refused, a site that went down, an idle system where nobody compacts further).
            if (asked != null && asked >= wanted && !quiet) return;
        }
        if (!new WideOutbox().sendOnLink(from, GlobalState.request(wanted))) return;
        globalRequested.put(from, wanted);
        globalRequestedAt.put(from, executedEvents);
        effect(16).site(from).i64(wanted);
    }

    /** Most kept global states a snapshot may hold: one per wide-area checkpoint inside PBFT's window and one below, whatever the configuration. */
    private static final int CHECKPOINT_STATES_MAX = 1 << 20;

    /** Executed events after which an unanswered request for a global state may be repeated. */
    static final long GLOBAL_REQUEST_RETRY_EVENTS = 64;
    /** Per site, the executed-event count when we last asked it for its global state, or a piece of it came. */
    private final TreeMap<SiteId, Long> globalRequestedAt = new TreeMap<>();

    /**
     * Whether a global state from one other logical machine may be installed: where sites are
     * benign (Paxos among them), on its word; where a site may be compromised (PBFT among sites),
     * only a state whose digest a stable checkpoint of 2F+1 sites certifies (Outbox#checkpointState),
     * so the bytes may come from any site, faulty or not.
     */
    private boolean globalTransferSound() {
        return !host.rechecksOrderedUpdates() || wide.certifiesState();
    }

    /** A global state a wide-area checkpoint certifies, kept to serve machines behind, with its digest. */
    private record KeptState(Bytes state, Bytes digest) {}

    /**
     * Where wide-area checkpoints certify global states: ours after each checkpoint's slot, from
     * the newest below the stable checkpoint on (a machine behind asks for the state at its stable
     * checkpoint, which may be the one before ours).
     */
    private final TreeMap<Long, KeptState> checkpointStates = new TreeMap<>();

    private void pruneCheckpointStates() {
        if (checkpointStates.isEmpty()) return;
        Long below = checkpointStates.lowerKey(wide.snapshotAnchor());
        if (below != null) checkpointStates.headMap(below, false).clear();
    }

    /**
     * A message of another logical machine's own (not its wide-area core's): a request for our
     * global state, which we send in pieces (all of them in this batch, under one signature), or a
     * piece of its global state, which we keep until all have come and then install.
     */
    private void executeControl(SiteId from, Bytes message) {
        GlobalState.Control c;
        try {
            c = GlobalState.decode(message);
        } catch (DecodeException ex) {
            host.rejected(from, Rejection.MALFORMED, "global state message: " + ex.getMessage()); // signed by that site: it is faulty
            return;
        }
        if (!globalTransferSound()) {
            host.rejected(from, Rejection.PROTOCOL_VIOLATION, "global state transfer where sites may be compromised");
            return;
        }
        if (c instanceof GlobalState.Request q) serveGlobalState(from, q.atLeast());
        else if (c instanceof GlobalState.Piece p) onGlobalPiece(from, p);
        else if (c instanceof GlobalState.Done && globalServing.remove(from) != null) effect(27).site(from);
    }

    private void serveGlobalState(SiteId to, long atLeast) {
        // Where checkpoints certify global states, exactly the one asked for (the asker can check
        // and install only that); elsewhere our current one.
        KeptState kept = wide.certifiesState() ? checkpointStates.get(atLeast) : null;
        long slot = wide.certifiesState() ? atLeast : wide.deliveredThrough();
        Serving serving = globalServing.get(to);
        // One on its way that serves the asker goes on (BLink resends what it lost): where states are
        // certified, the one asked for exactly; elsewhere any going far enough.
        boolean onItsWay = serving != null && (wide.certifiesState() ? serving.slot == atLeast : serving.slot >= atLeast);
        if (slot < atLeast || !wide.compactsWithSnapshots() || onItsWay || (wide.certifiesState() && kept == null)) {
            effect(17).site(to).i64(atLeast); // nothing to send, or on its way already
            return;
        }
        Bytes state = kept != null ? kept.state() : GlobalState.encode(wide.baseAfter(slot), executedUpdates, clientsView(), app.snapshot());
        if (state.length() > GlobalState.STATE_BYTES_MAX) {
            // No machine takes it in (GlobalState.Assembly#start): say so here rather than stream it.
            host.rejected(site, Rejection.OVERLOADED, "our global state of " + state.length() + " bytes is larger than a machine takes in");
            effect(17).site(to).i64(atLeast);
            return;
        }
        Bytes digest = kept != null ? kept.digest() : Digests.sha256(state), named = digest;
        if (host.spoilsGlobalStates()) {
            // A compromised site's (LmHost#spoilsGlobalStates): the last byte changed, named by the
            // true state's digest (to sites of even index) or by the changed state's own (to the others).
            byte[] b = state.toArray();
            b[b.length - 1] ^= 1;
            state = Bytes.wrap(b);
            digest = Digests.sha256(state);
            if (to.value() % 2 != 0) named = digest;
        }
        serving = new Serving(slot, state, digest, named);
        globalServing.put(to, serving); // in place of an older one on its way
        effect(18).site(to).i64(slot).i32(serving.pieceBytes).i64(state.length());
        sendGlobalPieces(to, serving);
    }

    /** Sends what the link to {@code to} takes of the global state on its way there, within the window. */
    private void sendGlobalPieces(SiteId to, Serving s) {
        WideOutbox out = new WideOutbox();
        while (s.nextOffset < s.state.length() && s.inFlight.size() < GLOBAL_PIECES_IN_FLIGHT) {
            long seq = out.sendNumbered(to, GlobalState.piece(s.slot, s.state, s.named, s.pieceBytes, s.nextOffset));
            if (seq < 0) return; // the link is full: again after its next acknowledgement
            if (seq > 0) s.inFlight.add(seq);
            s.nextOffset += s.pieceBytes;
        }
    }

    /** The link to {@code to} is acknowledged through {@code through}: pieces of a global state on their way there arrived. */
    private void globalPiecesAcked(SiteId to, long through) {
        Serving s = globalServing.get(to);
        if (s == null) return;
        while (!s.inFlight.isEmpty() && s.inFlight.peekFirst() <= through) s.inFlight.pollFirst();
    }

    /** After each batch: more pieces of the global states on their way, and those all acknowledged are done. */
    private void globalServingUpkeep() {
        if (globalServing.isEmpty()) return;
        for (Map.Entry<SiteId, Serving> e : new ArrayList<>(globalServing.entrySet())) {
            sendGlobalPieces(e.getKey(), e.getValue());
            if (e.getValue().done()) {
                globalServing.remove(e.getKey());
                effect(21).site(e.getKey()).i64(e.getValue().slot);
            }
        }
    }

    private void onGlobalPiece(SiteId from, GlobalState.Piece p) {
        // We got that far another way (another site's state, or catching up): a late piece, no fault of the sender's.
        if (p.slot() <= wide.deliveredThrough()) return;
        Long asked = globalRequested.get(from);
        if (asked == null) {
            host.rejected(from, Rejection.PROTOCOL_VIOLATION, "a piece of a global state not asked for (after " + p.slot() + ")");
            return;
        }
        // A late piece of a state asked for before, which no longer goes far enough (no fault of the
        // sender's). Where checkpoints certify states, a late answer is as good as any.
        if (p.slot() < asked && !wide.certifiesState()) return;
        if (wide.certifiesState()) {
            Bytes certified = wide.certifiedState(p.slot());
            if (certified == null) {
                effect(25).site(from).i64(p.slot()); // no certificate of ours covers it (any more): asked again from our stable checkpoint
                return;
            }
            if (!certified.equals(p.digest())) {
                // The sending site is compromised: 2F+1 sites certified another state there.
                host.rejected(from, Rejection.MALFORMED, "a piece of a global state after wide-area slot " + p.slot() + " that its checkpoint certificate does not vouch for");
                effect(26).site(from).i64(p.slot());
                globalStatesRefused++;
                return;
            }
        }
        GlobalState.Assembly a = globalAssembling.get(from);
        if (a != null && p.slot() < a.slot()) return; // a late piece of an older state: the newer one stays
        if (a == null || !a.sameState(p)) {
            effect(22).site(from).i64(p.slot());
            a = GlobalState.Assembly.start(p);
            if (a == null) {
                host.rejected(from, Rejection.OVERLOADED, "global state of " + p.totalBytes() + " bytes");
                return;
            }
            globalAssembling.put(from, a);
        }
        a.add(p);
        globalRequestedAt.put(from, executedEvents); // it is coming: no need to ask again yet
        effect(19).site(from).i64(p.slot()).i64(p.offset());
        if (!a.complete()) return;
        globalAssembling.remove(from);
        Bytes state = a.whole();
        // Every check before anything changes: a state that fails one leaves this machine as it was.
        String refused = null;
        GlobalState.Decoded g = null;
        if (!Digests.sha256(state).equals(a.digest())) {
            refused = "does not match its digest";
        } else {
            try {
                g = GlobalState.decodeState(state);
                if (!wide.acceptsBase(g.base())) refused = "carries a base its wide-area core cannot go on from";
                else if (!wide.canInstallSnapshot(a.slot())) refused = "cannot be installed here";
                else app.restore(g.app()); // all or nothing (StateMachine#restore); the last check
            } catch (DecodeException | IllegalArgumentException ex) {
                refused = "does not decode: " + ex.getMessage();
            }
        }
        if (refused != null) {
            host.rejected(from, Rejection.MALFORMED, "global state after wide-area slot " + a.slot() + " " + refused);
            effect(23).site(from).i64(a.slot());
            globalStatesRefused++;
            globalRequested.remove(from);
            globalRequestedAt.remove(from);
            return;
        }
        clients.clear();
        g.clients().forEach((c, r) -> clients.put(c, new ClientRecord(r.getKey(), r.getValue())));
        executedUpdates = g.executedUpdates();
        // The other sites we asked may still be sending theirs: they can stop.
        WideOutbox out = new WideOutbox();
        for (SiteId other : globalRequested.keySet()) if (!other.equals(from)) out.sendOnLink(other, GlobalState.done());
        globalRequested.clear();
        globalRequestedAt.clear();
        globalAssembling.clear();
        globalStatesInstalled++;
        effect(20).site(from).i64(a.slot());
        if (wide.certifiesState()) checkpointStates.put(a.slot(), new KeptState(state, a.digest())); // to serve others in turn
        wide.installSnapshot(a.slot(), g.base()); // the wide-area core goes on from there and catches up
    }

    private TreeMap<ClientId, Map.Entry<Long, Bytes>> clientsView() {
        TreeMap<ClientId, Map.Entry<Long, Bytes>> view = new TreeMap<>();
        clients.forEach((c, r) -> view.put(c, Map.entry(r.seq, r.reply)));
        return view;
    }

    /** The global transfer's state: in a snapshot whole, in the state digest with kept states by their digests. */
    private void writeGlobalTransfer(CanonicalWriter w, boolean whole) {
        w.i32(checkpointStates.size());
        checkpointStates.forEach((slot, k) -> w.i64(slot).bytes(whole ? k.state() : k.digest()));
        w.i64(globalStatesInstalled).i64(globalStatesRefused).i32(globalRequested.size());
        globalRequested.forEach((s, slot) -> w.site(s).i64(slot));
        w.i32(globalRequestedAt.size());
        globalRequestedAt.forEach((s, at) -> w.site(s).i64(at));
        w.i32(globalServing.size());
        globalServing.forEach((s, serving) -> {
            w.site(s);
            serving.writeTo(w, whole);
        });
        w.i32(globalAssembling.size());
        globalAssembling.forEach((s, a) -> {
            w.site(s);
            a.writeTo(w);
        });
    }

    private long[] readGlobalTransfer(io.redoubt.lm.codec.CanonicalReader r, TreeMap<Long, KeptState> kept, TreeMap<SiteId, Long> requested,
                                    TreeMap<SiteId, Long> requestedAt, TreeMap<SiteId, Serving> serving, TreeMap<SiteId, GlobalState.Assembly> assembling)
            throws DecodeException {
        int k = r.count(CHECKPOINT_STATES_MAX, "kept global states");
        for (int i = 0; i < k; i++) {
            long slot = r.nonNegative("slot");
            Bytes state = r.bytes(Integer.MAX_VALUE);
            kept.put(slot, new KeptState(state, Digests.sha256(state)));
        }
        long installed = r.nonNegative("global states installed"), refused = r.nonNegative("global states refused");
        int n = r.count(sites.size(), "global state requests");
        for (int i = 0; i < n; i++) requested.put(r.site(), r.nonNegative("slot"));
        n = r.count(sites.size(), "global state request times");
        for (int i = 0; i < n; i++) requestedAt.put(r.site(), r.nonNegative("events"));
        n = r.count(sites.size(), "global states served");
        for (int i = 0; i < n; i++) serving.put(r.site(), Serving.readFrom(r));
        n = r.count(sites.size(), "global states arriving");
        for (int i = 0; i < n; i++) assembling.put(r.site(), GlobalState.Assembly.readFrom(r));
        return new long[] {installed, refused};
    }

    /** Global states (or pieces of them) from other logical machines this one refused. */
    public long globalStatesRefused() {
        return globalStatesRefused;
    }

    /** Global states of other logical machines this one installed (its wide-area core was behind their history). */
    public long globalStatesInstalled() {
        return globalStatesInstalled;
    }

    // ---------------------------------------------------------------- snapshots (issue 18)

    private static final String SNAPSHOT_LABEL = "redoubt/lm-snapshot";

    /** Whether this machine can be snapshotted: its wide-area core writes snapshots (Paxos and PBFT both do). */
    public boolean snapshots() {
        return wide.writesSnapshots();
    }

    /**
     * This logical machine's whole state after the events executed so far, canonically encoded:
     * the executor's tables (clients' last replies, armed timers, counters, the execution
     * digest), BLink's links, CLink-Order's requests, the wide-area core and the application.
     * Every correct server of the site holds the same bytes after the same ordered events
     * (section 4.3), so a checkpoint can certify their digest and a server restored from them is
     * the same logical machine: it goes on exactly as the one that wrote them.
     */
    public Bytes snapshot() {
        if (trailWriter != null) throw new IllegalStateException("snapshot while a batch executes");
        CanonicalWriter w = new CanonicalWriter().utf8(SNAPSHOT_LABEL).site(site).i32(siteServers.size()).i32(sites.size());
        w.i64(executedEvents).i64(executedUpdates).i64(nextTimerGeneration).bytes(trail).bool(orderingRequestsRequired);
        w.i32(clients.size());
        clients.forEach((c, r) -> w.client(c).i64(r.seq).bytes(r.reply));
        writeTimers(w);
        requests.writeSnapshot(w);
        CanonicalWriter core = new CanonicalWriter();
        wide.writeSnapshot(core);
        w.bytes(core.toBytes()).bytes(app.snapshot()).bool(links != null);
        if (links != null) links.writeSnapshot(w);
        writeGlobalTransfer(w, true);
        return w.toBytes();
    }

    /**
     * Replaces this logical machine's state by a snapshot {@link #snapshot()} wrote at a server
     * of this site (another's, fetched, or our own, at a restart). Everything is read and checked
     * before anything changes: on a DecodeException this machine is as it was. The caller checks
     * the bytes against their certified digest first; this only guards against bytes that are
     * not a snapshot of this site at all. Timers the restored machine has armed are the host's
     * to re-arm ({@link #activeTimers()}).
     */
    public void restore(Bytes snapshot) throws DecodeException {
        if (trailWriter != null) throw new IllegalStateException("restore while a batch executes");
        io.redoubt.lm.codec.CanonicalReader r = new io.redoubt.lm.codec.CanonicalReader(snapshot);
        if (!r.utf8(64).equals(SNAPSHOT_LABEL)) throw new DecodeException("not a logical-machine snapshot");
        SiteId ofSite = r.site();
        int servers = r.i32(), siteCount = r.i32();
        if (!ofSite.equals(site) || servers != siteServers.size() || siteCount != sites.size()) {
            throw new DecodeException("a snapshot of " + ofSite + " (" + servers + " servers, " + siteCount + " sites), not of " + site);
        }
        long events = r.nonNegative("executed events"), updates = r.nonNegative("executed updates");
        long timerGeneration = r.i64();
        Bytes trailRead = r.bytes(32);
        if (r.bool() != orderingRequestsRequired) throw new DecodeException("a snapshot of a site that handles client updates otherwise");
        int clientCount = r.count(Integer.MAX_VALUE, "clients");
        TreeMap<ClientId, ClientRecord> clientsRead = new TreeMap<>();
        for (int i = 0; i < clientCount; i++) {
            ClientId c = r.client();
            clientsRead.put(c, new ClientRecord(r.nonNegative("client seq"), r.bytes(Integer.MAX_VALUE)));
        }
        int timerCount = r.count(TIMERS_MAX, "timers");
        TreeMap<TimerId, ActiveTimer> timersRead = new TreeMap<>();
        for (int i = 0; i < timerCount; i++) {
            TimerId id = TimerId.decode(r);
            long generation = r.nonNegative("timer generation");
            long delay = r.nonNegative("timer delay");
            int runBy = r.i32();
            if (generation >= timerGeneration || runBy < -1 || runBy >= siteServers.size()) throw new DecodeException("snapshot timer " + id);
            timersRead.put(id, new ActiveTimer(generation, delay, runBy));
        }
        int headCount = r.count(sites.size(), "head timers");
        TreeMap<SiteId, LinkLayer.Monitoring> headsRead = new TreeMap<>();
        for (int i = 0; i < headCount; i++) {
            SiteId s = r.site();
            if (!peerSites.contains(s)) throw new DecodeException("snapshot head timer for " + s);
            headsRead.put(s, new LinkLayer.Monitoring(r.i64(), r.i64(), r.i64(), r.i64()));
        }
        OrderingRequests requestsRead = new OrderingRequests(keys);
        requestsRead.readSnapshot(r, siteServers.size());
        OrderingCore<SiteId> wideRead = new io.redoubt.lm.core.ReentryGuard<>(wideFactory.create(sites, site, new WideOutbox(), List.of()));
        wideRead.readSnapshot(new io.redoubt.lm.codec.CanonicalReader(r.bytes(Integer.MAX_VALUE)));
        Bytes appRead = r.bytes(Integer.MAX_VALUE);
        if (r.bool() != (links != null)) throw new DecodeException("a snapshot of a site with another kind of link");
        LinkLayer linksRead = links == null ? null : links.parseSnapshot(r);
        TreeMap<SiteId, Long> requestedRead = new TreeMap<>(), requestedAtRead = new TreeMap<>();
        TreeMap<SiteId, Serving> servingRead = new TreeMap<>();
        TreeMap<SiteId, GlobalState.Assembly> assemblingRead = new TreeMap<>();
        TreeMap<Long, KeptState> keptRead = new TreeMap<>();
        long[] countsRead = readGlobalTransfer(r, keptRead, requestedRead, requestedAtRead, servingRead, assemblingRead);
        r.expectEnd();
        try {
            app.restore(appRead); // all or nothing (StateMachine#restore)
        } catch (IllegalArgumentException e) {
            throw new DecodeException("application snapshot: " + e.getMessage());
        }
        // Everything read: take it over.
        executedEvents = events;
        executedUpdates = updates;
        nextTimerGeneration = timerGeneration;
        trail = trailRead;
        clients.clear();
        clients.putAll(clientsRead);
        timers.clear();
        timers.putAll(timersRead);
        headTimerArmedFor.clear();
        headTimerArmedFor.putAll(headsRead);
        requests = requestsRead;
        wide = wideRead;
        if (links != null) links.adoptSnapshot(linksRead);
        globalRequested.clear();
        globalRequested.putAll(requestedRead);
        globalRequestedAt.clear();
        globalRequestedAt.putAll(requestedAtRead);
        globalServing.clear();
        globalServing.putAll(servingRead);
        globalAssembling.clear();
        globalAssembling.putAll(assemblingRead);
        globalStatesInstalled = countsRead[0];
        globalStatesRefused = countsRead[1];
        checkpointStates.clear();
        checkpointStates.putAll(keptRead);
        ackAloneDue.clear();
        outgoing.clear();
        stateDigestAt = -1;
    }

    /**
     * The armed LM timers, and which (head, position) each link's head timeout was armed for (it
     * decides whether a timeout is stale): the same in the state digest and in the snapshot.
     */
    private void writeTimers(CanonicalWriter w) {
        w.i32(timers.size());
        timers.forEach((id, t) -> {
            id.encodeTo(w);
            w.i64(t.generation).i64(t.delayMillis).i32(t.runBy);
        });
        w.i32(headTimerArmedFor.size());
        headTimerArmedFor.forEach((s, m) -> w.site(s).i64(m.headSeq()).i64(m.position()).i64(m.timeoutMillis()).i64(m.peerTimeoutMillis()));
    }

    /** Most LM timers a snapshot may hold: the wide-area core's few, and BLink's per link. */
    private static final int TIMERS_MAX = 4096;

    /**
     * A running digest of everything this logical machine executed and did: each ordered event's
     * bytes and, batch by batch, its effects (wide-area messages sent, timers armed and cancelled,
     * the wide-area core's state-change records, deliveries, the application's replies). Every
     * correct server of the site must hold the same one after the same ordered events (section
     * 4.3). It costs one hash over the batch instead of one over the whole state, and it cannot
     * be fooled by a later overwrite hiding a divergence, but it does not see inside the
     * application or the core: a change they make without any effect shows only in
     * {@link #stateDigest()}.
     */
    public Bytes executionDigest() {
        return trail;
    }

    public StateMachine app() {
        return app;
    }

    /** BLink's logical links as this machine executes them, or null with the stand-in link. */
    public LinkLayer links() {
        return links;
    }
}
