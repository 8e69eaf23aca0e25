package io.redoubt.lm.server;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.StateMachine;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.exec.LogicalMachine;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.exec.TimeoutNotice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One server of a site, as a pure object: the local ordering core, the logical-machine executor
 * on top of it (which holds the wide-area core), LM timeouts, a simple forwarder-to-peer link
 * between logical machines, and the client entry point. The simulator and the Pekko host drive
 * this same class; it never reads a clock or touches a socket.
 *
 * <p>Flow (Lane 2008, section 4.3, Figure 4.1): every input that can change the wide-area
 * protocol (a client update, a wide-area message, an LM timeout) is submitted to the local core
 * as an {@link LmEvent}; the local core orders it; {@link LogicalMachine} executes the ordered
 * events. Outgoing wide-area messages are signed with the site's key (a benign site) and sent
 * by one forwarder, the local leader, to one peer in the destination site, who submits them
 * for ordering there. BLink proper (forwarder monitoring, cumulative acks) is a later layer;
 * here the wide-area protocol's own retransmissions give reliability, and a retransmitted
 * message goes to the next peer, so a crashed peer cannot block a link.
 */
public final class ServerNode {
    private static final String LOCAL_TIMER = "L:";
    private static final String LM_TIMER = "W:";

    private final ServerId self;
    private final SiteId site;
    private final List<ServerId> siteServers;
    private final Map<SiteId, Integer> siteSizes;
    private final ServerConfig config;
    private final KeyDirectory keys;
    private final ServerIo io;
    private final OrderingCore<ServerId> local;
    private final LogicalMachine lm;

    private boolean replaying;
    private boolean started;
    private boolean draining;
    private final ArrayDeque<Bytes> toSubmit = new ArrayDeque<>();
    private final TreeMap<TimerId, Long> lmTimers = new TreeMap<>();
    private final TreeMap<TimerId, NoticeSet> notices = new TreeMap<>();
    private final TreeMap<SiteId, PeerState> peers = new TreeMap<>();
    private final TreeMap<ClientId, Long> waitingClients = new TreeMap<>();
    private final EnumMap<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
    private final SiteSigning signing;
    /** Signing rounds of recent batches by Merkle root, oldest first (THRESHOLD-SIGN, section 3.4.2). */
    private final LinkedHashMap<Bytes, SigningRound> rounds = new LinkedHashMap<>();
    /** Shares that arrived before this server executed their batch; a few per sender. */
    private final TreeMap<ServerId, ArrayDeque<Frame.Share>> earlyShares = new TreeMap<>();
    /** Servers proven to have sent a bad partial (Figure 3.10); their shares are ignored. */
    private final TreeSet<ServerId> blacklist = new TreeSet<>();
    private long wideMessagesSent;
    private long lmSignatures;
    private long sharesMade;
    private long proofsMade;

    /** One batch's wide-area output waiting for (or holding) its site signature. */
    private static final class SigningRound {
        final List<LmHost.Outgoing> batch;
        final List<Bytes> distinct;
        final MerkleBatch tree;
        final TreeMap<ServerId, Bytes> shares = new TreeMap<>();
        final TreeMap<ServerId, Frame.ProofReply> proofs = new TreeMap<>();
        final java.util.HashSet<ServerId> fedShares = new java.util.HashSet<>();
        final java.util.HashSet<ServerId> fedProofs = new java.util.HashSet<>();
        final java.util.HashSet<ServerId> proofRequestsAnswered = new java.util.HashSet<>();
        SiteSigning.Collector collector;
        LmSignature signature;

        int attempt;

        SigningRound(List<LmHost.Outgoing> batch, List<Bytes> distinct, MerkleBatch tree, int attempt) {
            this.batch = batch;
            this.distinct = distinct;
            this.tree = tree;
            this.attempt = attempt;
        }
    }

    private static final class NoticeSet {
        final long generation;
        final TreeMap<ServerId, TimeoutNotice> bySigner = new TreeMap<>();
        boolean submitted;

        NoticeSet(long generation) {
            this.generation = generation;
        }
    }

    private static final class PeerState {
        final LinkedHashMap<Bytes, Integer> recent = new LinkedHashMap<>();
    }

    /**
     * @param sites every site and its number of servers, in site order
     * @param persisted this server's stable storage, as written through {@link ServerIo#persist}
     */
    public ServerNode(ServerId self, Map<SiteId, Integer> sites, ServerConfig config, CoreFactory localFactory,
                      CoreFactory wideFactory, KeyDirectory keys, StateMachine app, ServerIo io, List<Bytes> persisted) {
        this(self, benignKeyring(sites, keys), config, localFactory, wideFactory, keys, app, io, persisted);
    }

    /** Every site benign, signing with its site key. */
    private static LmKeyring benignKeyring(Map<SiteId, Integer> sites, KeyDirectory keys) {
        Map<SiteId, LmKeyring.SiteSpec> specs = new TreeMap<>();
        sites.forEach((s, n) -> specs.put(s, new LmKeyring.SiteSpec(n, (n - 1) / 2, LmKeyring.Kind.SITE_KEY)));
        return new LmKeyring(keys, specs, 0, true);
    }

    /**
     * @param keyring every site's size and logical-machine signing (benign or Byzantine, section 4.3)
     * @param persisted this server's stable storage, as written through {@link ServerIo#persist}
     */
    public ServerNode(ServerId self, LmKeyring keyring, ServerConfig config, CoreFactory localFactory,
                      CoreFactory wideFactory, KeyDirectory keys, StateMachine app, ServerIo io, List<Bytes> persisted) {
        this(self, keyring, keyring.signingFor(self), config, localFactory, wideFactory, keys, app, io, persisted);
    }

    /** As above, with this server's part in signing for its site given explicitly (the simulator plants bad signers). */
    public ServerNode(ServerId self, LmKeyring keyring, SiteSigning signing, ServerConfig config, CoreFactory localFactory,
                      CoreFactory wideFactory, KeyDirectory keys, StateMachine app, ServerIo io, List<Bytes> persisted) {
        this.self = self;
        this.site = self.site();
        this.siteSizes = new TreeMap<>();
        keyring.sites().forEach((s, spec) -> siteSizes.put(s, spec.servers()));
        Map<SiteId, Integer> sites = siteSizes;
        Integer size = siteSizes.get(site);
        if (size == null || self.index() >= size) throw new IllegalArgumentException(self + " is not in the deployment " + sites);
        List<ServerId> servers = new ArrayList<>();
        for (int i = 0; i < size; i++) servers.add(new ServerId(site, i));
        this.siteServers = List.copyOf(servers);
        this.config = config;
        this.keys = keys;
        this.io = io;
        this.replaying = !persisted.isEmpty();
        this.signing = signing;
        if (config.lmTimeoutNoticesNeeded() < keyring.noticesNeeded(site)) {
            throw new IllegalArgumentException("lmTimeoutNoticesNeeded = " + config.lmTimeoutNoticesNeeded() + " but " + site
                    + " needs " + keyring.noticesNeeded(site) + " (f+1 for a Byzantine site, section 4.3)");
        }
        this.local = localFactory.create(siteServers, self, new LocalOutbox(), persisted);
        this.lm = new LogicalMachine(site, List.copyOf(siteSizes.keySet()), siteServers, config.lmTimeoutNoticesNeeded(),
                wideFactory, keys, keyring.verifiers(), app, new Host());
    }

    /** Starts the server: a restarted one first replays its stored local order to rebuild the logical machine. */
    public void start() {
        if (started) throw new IllegalStateException("start() called twice");
        started = true;
        local.start();
        if (replaying) {
            replaying = false;
            for (Map.Entry<TimerId, LogicalMachine.ActiveTimer> t : lm.activeTimers().entrySet()) {
                io.setTimer(lmTimerId(t.getKey()), t.getValue().delayMillis());
            }
        }
        afterInput();
    }

    // ---------------------------------------------------------------- inputs

    /** A frame from another server; the link vouches for {@code from}. */
    public void onServerFrame(ServerId from, Bytes bytes) {
        Frame frame;
        try {
            frame = Frame.decode(bytes);
        } catch (DecodeException e) {
            reject(from, Rejection.MALFORMED, "frame: " + e.getMessage());
            return;
        }
        if (frame instanceof Frame.Local f) {
            if (!from.site().equals(site)) reject(from, Rejection.NOT_A_MEMBER, "local protocol message from another site");
            else local.onMessage(from, f.message());
        } else if (frame instanceof Frame.Wide f) {
            onWideFrame(from, f);
        } else if (frame instanceof Frame.Notice f) {
            if (!from.equals(f.notice().signer())) reject(from, Rejection.PROTOCOL_VIOLATION, "timeout notice relayed for " + f.notice().signer());
            else collectNotice(f.notice());
        } else if (frame instanceof Frame.Share || frame instanceof Frame.ProofRequest || frame instanceof Frame.ProofReply
                || frame instanceof Frame.Blame) {
            if (!from.site().equals(site) || from.equals(self)) reject(from, Rejection.NOT_A_MEMBER, "signing frame from outside the site");
            else if (!(signing instanceof SiteSigning.Shared shared)) reject(from, Rejection.PROTOCOL_VIOLATION, "this site signs with its site key");
            else onSigningFrame(from, frame, shared);
        } else {
            reject(from, Rejection.PROTOCOL_VIOLATION, "client frame from a server");
        }
        afterInput();
    }

    /** A frame from a client; the link vouches for {@code from}. */
    public void onClientFrame(ClientId from, Bytes bytes) {
        Frame frame;
        try {
            frame = Frame.decode(bytes);
        } catch (DecodeException e) {
            reject(from, Rejection.MALFORMED, "client frame: " + e.getMessage());
            return;
        }
        if (!(frame instanceof Frame.Request r)) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "clients may only send requests");
            return;
        }
        SignedUpdate u = r.update();
        if (!u.client().equals(from)) {
            reject(from, Rejection.INVALID_REQUEST, "update of " + u.client() + " sent by " + from);
            return;
        }
        if (!from.site().equals(site)) {
            reject(from, Rejection.INVALID_REQUEST, "a client talks to servers of its own site (section 4.2)");
            return;
        }
        if (!lm.verifyClientUpdate(u)) {
            reject(from, Rejection.BAD_SIGNATURE, "client update signature");
            return;
        }
        Map.Entry<Long, Bytes> last = lm.lastReply(u.client());
        if (last != null && u.seq() <= last.getKey()) {
            if (u.seq() == last.getKey()) io.sendToClient(from, new Frame.Reply(from, u.seq(), last.getValue()).encode());
            return; // already executed: answer from the cache, never order it again
        }
        waitingClients.put(from, u.seq());
        toSubmit.add(new LmEvent.ClientUpdate(self, u).encode());
        afterInput();
    }

    /** A timer armed through {@link ServerIo#setTimer} fired. */
    public void onTimer(TimerId id) {
        if (id.kind().startsWith(LOCAL_TIMER)) {
            local.onTimer(new TimerId(id.kind().substring(LOCAL_TIMER.length()), id.arg()));
        } else if (id.kind().startsWith(LM_TIMER)) {
            onLmTimerExpired(new TimerId(id.kind().substring(LM_TIMER.length()), id.arg()));
        }
        afterInput();
    }

    // ---------------------------------------------------------------- wide-area link (forwarder -> peer)

    private void onWideFrame(ServerId from, Frame.Wide f) {
        if (!f.to().equals(site) || f.from().equals(site) || !siteSizes.containsKey(f.from()) || !from.site().equals(f.from())) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "wide-area frame " + f.from() + "->" + f.to() + " from " + from);
            return;
        }
        // The peer checks the path and the site signature before spending local ordering on the
        // message; every server checks them again when the event executes.
        if (lm.verifyWide(f.from(), f.envelope()) instanceof LmMessageVerifier.Rejected r) {
            reject(from, r.reason(), "logical-machine message of " + f.from() + ": " + r.detail());
            return;
        }
        toSubmit.add(new LmEvent.WideMessage(f.from(), f.envelope()).encode());
    }

    /**
     * Sends the wide-area messages of one executed batch: one Merkle tree over the distinct
     * messages, one LM signature on its root, and each message with its path (section 4.6), so a
     * message broadcast to every site and everything else the batch produced cost one signature.
     */
    private void sendWideBatch(List<LmHost.Outgoing> batch) {
        if (replaying) return; // these messages were sent (or lost) before the crash; the core retransmits
        if (!config.merkleBatching()) {
            // Unamortized (to compare with Table 4.3): every distinct message is signed on its own.
            java.util.LinkedHashMap<Bytes, List<LmHost.Outgoing>> byMessage = new java.util.LinkedHashMap<>();
            for (LmHost.Outgoing o : batch) byMessage.computeIfAbsent(o.message(), k -> new ArrayList<>()).add(o);
            for (List<LmHost.Outgoing> one : byMessage.values()) signAndSend(one);
        } else {
            signAndSend(batch);
        }
    }

    private void signAndSend(List<LmHost.Outgoing> batch) {
        List<Bytes> distinct = new ArrayList<>(new LinkedHashSet<>(batch.stream().map(LmHost.Outgoing::message).toList()));
        MerkleBatch tree = MerkleBatch.of(distinct);
        int attempt = 0;
        for (LmHost.Outgoing o : batch) attempt = Math.max(attempt, noteAttempt(o.to(), o.message()));
        if (signing instanceof SiteSigning.SiteKey k) {
            if (!isForwarder(attempt)) return;
            lmSignatures++;
            forward(batch, distinct, tree, k.signer().sign(tree.root()), attempt);
            return;
        }
        // A Byzantine site: every server shares its signature over the root it computed itself
        // (every correct server executed the same batch, so computed the same root); the
        // forwarder combines f+1 shares (THRESHOLD-SIGN, section 3.4.2).
        SiteSigning.Shared shared = (SiteSigning.Shared) signing;
        Bytes root = tree.root();
        SigningRound round = rounds.get(root);
        if (round != null) {
            // The same output again (the core retransmits): resend under the signature we hold,
            // or let the next forwarder combine the shares we already have.
            round.attempt = attempt;
            if (round.signature != null && isForwarder(attempt)) forward(batch, distinct, tree, round.signature, attempt);
            else progress(root, round, shared);
            return;
        }
        round = new SigningRound(batch, distinct, tree, attempt);
        rounds.put(root, round);
        if (rounds.size() > config.signingRoundsMax()) {
            Iterator<Bytes> oldest = rounds.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        Bytes share = shared.share(root);
        sharesMade++;
        round.shares.put(self, share);
        Bytes frame = new Frame.Share(root, share).encode();
        for (ServerId s : siteServers) if (!s.equals(self)) io.sendToServer(s, frame);
        for (Map.Entry<ServerId, ArrayDeque<Frame.Share>> early : earlyShares.entrySet()) {
            // Shares that came before we executed the batch, buffered per sender: take this root's.
            for (Iterator<Frame.Share> it = early.getValue().iterator(); it.hasNext(); ) {
                Frame.Share e = it.next();
                if (!e.root().equals(root)) continue;
                round.shares.putIfAbsent(early.getKey(), e.share());
                it.remove();
            }
        }
        progress(root, round, shared);
    }

    /** The forwarder sends one batch's messages, each with its path and the site signature on the root (section 4.6). */
    private void forward(List<LmHost.Outgoing> batch, List<Bytes> distinct, MerkleBatch tree, LmSignature signature, int attempt) {
        List<LmEnvelopePart> envelopes = tree.envelopes(signature);
        for (LmHost.Outgoing o : batch) {
            LmEnvelopePart envelope = envelopes.get(distinct.indexOf(o.message()));
            ServerId peer = new ServerId(o.to(), attempt % siteSizes.get(o.to()));
            io.sendToServer(peer, new Frame.Wide(site, o.to(), envelope).encode());
            wideMessagesSent++;
        }
    }

    // ---------------------------------------------------------------- THRESHOLD-SIGN (section 3.4.2, Figure 3.10)

    private void onSigningFrame(ServerId from, Frame frame, SiteSigning.Shared shared) {
        if (frame instanceof Frame.Blame b) {
            onBlame(from, b.evidence(), shared);
            return;
        }
        if (blacklist.contains(from)) return; // proven faulty: nothing it says about signing counts
        if (frame instanceof Frame.Share f) {
            SigningRound round = rounds.get(f.root());
            if (round == null) {
                // We have not executed that batch yet (or it is old, or made up). Keep a few per
                // sender so an early share is not lost; a faulty server can only evict its own.
                ArrayDeque<Frame.Share> q = earlyShares.computeIfAbsent(from, k -> new ArrayDeque<>());
                q.addLast(f);
                if (q.size() > config.earlySharesPerServerMax()) q.pollFirst();
                return;
            }
            round.shares.putIfAbsent(from, f.share());
            progress(f.root(), round, shared);
        } else if (frame instanceof Frame.ProofRequest f) {
            SigningRound round = rounds.get(f.root());
            // Answered once per requester and round: proofs cost far more than partials.
            if (round == null || !round.proofRequestsAnswered.add(from)) return;
            Bytes proof = shared.proof(f.root());
            if (proof == null) {
                reject(from, Rejection.PROTOCOL_VIOLATION, "proof requested, but this site's shares need none");
                return;
            }
            io.sendToServer(from, ownProofReply(f.root(), round, proof).encode());
        } else if (frame instanceof Frame.ProofReply f) {
            if (!f.signer().equals(from)) {
                reject(from, Rejection.PROTOCOL_VIOLATION, "proof reply signed by " + f.signer());
                return;
            }
            SigningRound round = rounds.get(f.root());
            if (round == null || round.signature != null) return;
            if (!keys.verify(from, f.signedContent(), f.signature())) {
                reject(from, Rejection.BAD_SIGNATURE, "proof reply signature");
                return;
            }
            Bytes sent = round.shares.get(from);
            if (sent != null && !sent.equals(f.share())) {
                // Two different partials for one root: no correct server does that.
                blacklist.add(from);
                reject(from, Rejection.PROTOCOL_VIOLATION, "proof reply for another partial than the one shared");
                return;
            }
            round.shares.putIfAbsent(from, f.share());
            round.proofs.putIfAbsent(from, f);
            progress(f.root(), round, shared);
        }
    }

    /** Feeds a round's new shares and proofs to its collector; only the forwarder (local leader) combines. */
    private void progress(Bytes root, SigningRound round, SiteSigning.Shared shared) {
        if (round.signature != null || !isForwarder(round.attempt) || replaying) return;
        if (round.collector == null) round.collector = shared.collector(root, blacklist);
        List<SiteSigning.Progress> results = new ArrayList<>();
        for (Map.Entry<ServerId, Bytes> e : round.shares.entrySet()) {
            if (round.fedShares.add(e.getKey())) results.add(round.collector.offerShare(e.getKey(), e.getValue()));
        }
        for (Map.Entry<ServerId, Frame.ProofReply> e : round.proofs.entrySet()) {
            if (round.fedProofs.add(e.getKey())) results.add(round.collector.offerProof(e.getKey(), e.getValue().proof()));
        }
        for (SiteSigning.Progress p : results) {
            for (SiteSigning.Bad bad : p.rejected()) {
                reject(bad.server(), bad.reason(), "share for root " + root + ": " + bad.detail());
            }
            for (ServerId accused : p.blamed()) {
                blacklist.add(accused);
                reject(accused, Rejection.BAD_SIGNATURE, "partial signature proven invalid for root " + root + "; blacklisted");
                Frame.ProofReply evidence = round.proofs.get(accused);
                if (evidence != null) {
                    Bytes frame = new Frame.Blame(evidence).encode();
                    for (ServerId s : siteServers) if (!s.equals(self)) io.sendToServer(s, frame);
                }
            }
            for (ServerId s : p.proofsWanted()) {
                if (s.equals(self)) {
                    // Our own partial is under suspicion only if we are faulty; prove it like anyone else.
                    round.proofs.putIfAbsent(self, ownProofReply(root, round, shared.proof(root)));
                } else {
                    io.sendToServer(s, new Frame.ProofRequest(root).encode());
                }
            }
            if (p.signature() != null && round.signature == null) {
                round.signature = p.signature();
                lmSignatures++;
                forward(round.batch, round.distinct, round.tree, round.signature, round.attempt);
            }
        }
        // Our own proof, if it was wanted, is fed on the next pass.
        if (round.signature == null && round.proofs.containsKey(self) && !round.fedProofs.contains(self)) progress(root, round, shared);
    }

    /** This server's partial for {@code root} with its proof, signed so that the pair is evidence (Figure 3.10). */
    private Frame.ProofReply ownProofReply(Bytes root, SigningRound round, Bytes proof) {
        proofsMade++;
        Bytes share = round.shares.get(self);
        Bytes content = Frame.ProofReply.signedContent(self, root, share, proof);
        return new Frame.ProofReply(self, root, share, proof, keys.scheme().sign(keys.server(self).privateKey(), content));
    }

    /** Another server relays proof that {@code evidence.signer()} made a bad partial (Figure 3.10, B9-B10). */
    private void onBlame(ServerId from, Frame.ProofReply evidence, SiteSigning.Shared shared) {
        ServerId accused = evidence.signer();
        if (blacklist.contains(accused)) return;
        if (!accused.site().equals(site) || accused.index() >= siteServers.size()
                || !keys.verify(accused, evidence.signedContent(), evidence.signature())) {
            reject(from, Rejection.BAD_SIGNATURE, "blame without a valid signed proof reply of " + accused);
            return;
        }
        if (!shared.isEvidenceOfBadShare(accused, evidence.root(), evidence.share(), evidence.proof())) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "blame of " + accused + " whose proof verifies");
            return;
        }
        blacklist.add(accused);
        reject(accused, Rejection.BAD_SIGNATURE, "blamed by " + from + " with evidence of a bad partial; blacklisted");
    }

    /**
     * How many times this server's logical machine has output {@code message} to {@code to} before
     * (0 the first time). Every correct server executes the same batches, so every one counts
     * alike, and the count picks both the forwarder and the peer: a message the core sends again
     * leaves from the next server of this site to the next server of that one, so within f+1
     * attempts a correct forwarder and a correct peer carry it (a simple form of BLink's
     * forwarder rotation, section 4.4).
     */
    private int noteAttempt(SiteId to, Bytes message) {
        PeerState p = peers.computeIfAbsent(to, k -> new PeerState());
        Bytes digest = Digests.sha256(message);
        Integer before = p.recent.remove(digest);
        int attempt = before == null ? 0 : before + 1;
        p.recent.put(digest, attempt); // re-inserted: most recent last
        if (p.recent.size() > config.forwarderRecentMax()) {
            Iterator<Bytes> it = p.recent.keySet().iterator();
            it.next();
            it.remove();
        }
        return attempt;
    }

    /** Whether this server forwards a batch output for the {@code attempt}-th time. */
    private boolean isForwarder(int attempt) {
        int leader = local.leader().index();
        return siteServers.get(Math.floorMod(leader + attempt, siteServers.size())).equals(self);
    }

    // ---------------------------------------------------------------- LM timeouts (section 4.3)

    private void onLmTimerExpired(TimerId timer) {
        Long generation = lmTimers.get(timer);
        if (generation == null) return; // cancelled, or its timeout already executed
        Bytes content = TimeoutNotice.signedContent(self, timer, generation);
        TimeoutNotice notice = new TimeoutNotice(self, timer, generation, keys.scheme().sign(keys.server(self).privateKey(), content));
        Bytes frame = new Frame.Notice(notice).encode();
        for (ServerId s : siteServers) if (!s.equals(self)) io.sendToServer(s, frame);
        collectNotice(notice);
        io.setTimer(lmTimerId(timer), config.noticeResendMillis()); // until the timeout is ordered
    }

    private void collectNotice(TimeoutNotice n) {
        if (!n.signer().site().equals(site) || n.signer().index() >= siteServers.size()) {
            reject(n.signer(), Rejection.NOT_A_MEMBER, "timeout notice from outside the site");
            return;
        }
        if (!keys.verify(n.signer(), n.signedContent(), n.signature())) {
            reject(n.signer(), Rejection.BAD_SIGNATURE, "timeout notice signature");
            return;
        }
        // Keep notices only for timers this server has armed: that bounds the table by the wide
        // core's own timers, so a faulty server cannot fill it with made-up ones. A notice for a
        // timer we have not armed yet (we are behind) is dropped; its signer resends it every
        // noticeResendMillis until the timeout is ordered.
        Long armed = lmTimers.get(n.timer());
        if (armed == null || n.generation() < armed) return;
        NoticeSet set = notices.get(n.timer());
        if (set == null || set.generation < n.generation()) {
            set = new NoticeSet(n.generation());
            notices.put(n.timer(), set);
        } else if (set.generation > n.generation()) {
            return; // stale
        }
        set.bySigner.put(n.signer(), n);
    }

    /** The local leader orders an LM timeout once it holds enough notices for the current generation. */
    private void submitReadyTimeouts() {
        if (!local.isLeader()) return;
        for (Map.Entry<TimerId, NoticeSet> e : notices.entrySet()) {
            NoticeSet set = e.getValue();
            Long active = lmTimers.get(e.getKey());
            if (set.submitted || active == null || active != set.generation || set.bySigner.size() < config.lmTimeoutNoticesNeeded()) continue;
            set.submitted = true;
            List<TimeoutNotice> proof = new ArrayList<>(set.bySigner.values()).subList(0, config.lmTimeoutNoticesNeeded());
            toSubmit.add(new LmEvent.Timeout(e.getKey(), set.generation, List.copyOf(proof)).encode());
        }
    }

    private static TimerId lmTimerId(TimerId wideTimer) {
        return new TimerId(LM_TIMER + wideTimer.kind(), wideTimer.arg());
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs after every input: submissions wait until the local core has returned (no re-entry). */
    private void afterInput() {
        if (draining) return;
        draining = true;
        try {
            while (true) {
                submitReadyTimeouts();
                Bytes next = toSubmit.poll();
                if (next == null) break;
                local.submit(next);
            }
        } finally {
            draining = false;
        }
    }

    private void reject(Object from, Rejection reason, String detail) {
        rejections.merge(reason, 1L, Long::sum);
        io.rejected(from, reason, detail);
    }

    private final class LocalOutbox implements Outbox<ServerId> {
        @Override
        public void send(ServerId to, Encodable message) {
            io.sendToServer(to, new Frame.Local(message.encode()).encode());
        }

        @Override
        public void setTimer(TimerId id, long delayMillis) {
            io.setTimer(new TimerId(LOCAL_TIMER + id.kind(), id.arg()), delayMillis);
        }

        @Override
        public void cancelTimer(TimerId id) {
            io.cancelTimer(new TimerId(LOCAL_TIMER + id.kind(), id.arg()));
        }

        @Override
        public void persist(Encodable record) {
            io.persist(record.encode());
        }

        @Override
        public void deliver(long slot, List<Bytes> payloads) {
            lm.execute(payloads);
        }

        @Override
        public void reject(ServerId from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    private final class Host implements LmHost {
        @Override
        public void sendWideBatch(List<LmHost.Outgoing> batch) {
            ServerNode.this.sendWideBatch(batch);
        }

        @Override
        public void startLmTimer(TimerId timer, long generation, long delayMillis) {
            lmTimers.put(timer, generation);
            NoticeSet set = notices.get(timer);
            if (set != null && set.generation < generation) notices.remove(timer);
            if (!replaying) io.setTimer(lmTimerId(timer), delayMillis);
        }

        @Override
        public void stopLmTimer(TimerId timer) {
            lmTimers.remove(timer);
            notices.remove(timer);
            if (!replaying) io.cancelTimer(lmTimerId(timer));
        }

        @Override
        public void executed(long globalSeq, SignedUpdate update, Bytes reply) {
            io.executed(globalSeq, update, reply);
        }

        @Override
        public void reply(SignedUpdate update, Bytes reply) {
            if (replaying) return;
            Long waiting = waitingClients.get(update.client());
            if (waiting != null && waiting == update.seq()) {
                waitingClients.remove(update.client());
                io.sendToClient(update.client(), new Frame.Reply(update.client(), update.seq(), reply).encode());
            } else if (config.everyServerReplies() && update.client().site().equals(site)) {
                io.sendToClient(update.client(), new Frame.Reply(update.client(), update.seq(), reply).encode());
            }
        }

        @Override
        public void rejected(Object from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    // ---------------------------------------------------------------- read-only views

    public ServerId id() {
        return self;
    }

    public LogicalMachine logicalMachine() {
        return lm;
    }

    public OrderingCore<ServerId> localCore() {
        return local;
    }

    public Map<Rejection, Long> rejections() {
        return java.util.Collections.unmodifiableMap(rejections);
    }

    public long rejectionCount() {
        long n = 0;
        for (long v : rejections.values()) n += v;
        return n;
    }

    /** LM timers this server runs and the notices it holds, for failure reports. */
    public String describeLmTimers() {
        StringBuilder sb = new StringBuilder("lmTimers=").append(lmTimers).append(" active=").append(lm.activeTimers()).append(" notices={");
        notices.forEach((t, n) -> sb.append(t).append(":g").append(n.generation).append("x").append(n.bySigner.size())
                .append(n.submitted ? "(submitted)" : "").append(' '));
        return sb.append("} leader=").append(local.isLeader()).toString();
    }

    public long wideMessagesSent() {
        return wideMessagesSent;
    }

    /** Site signatures this server produced as forwarder: one per batch signed with the site key, or combined from shares. */
    public long lmSignatures() {
        return lmSignatures;
    }

    /** Shares (threshold partials or certificate signatures) this server computed. */
    public long sharesMade() {
        return sharesMade;
    }

    /** Proofs of correctness of partials this server computed on request. */
    public long proofsMade() {
        return proofsMade;
    }

    public java.util.Set<ServerId> blacklist() {
        return java.util.Collections.unmodifiableSet(blacklist);
    }
}
