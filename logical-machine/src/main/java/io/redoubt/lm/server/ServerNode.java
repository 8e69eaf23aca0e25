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
import io.redoubt.lm.core.ReentryGuard;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.VerifiedSignatures;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.crypto.merkle.VerifiedRootCache;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.exec.LmTimeouts;
import io.redoubt.lm.exec.LogicalMachine;
import io.redoubt.lm.exec.OrderingRequest;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.exec.TimeoutNotice;
import io.redoubt.lm.sign.CryptoJob;
import io.redoubt.lm.sign.CryptoResult;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.lm.sign.LmSigner;
import io.redoubt.lm.sign.SigningFrame;
import io.redoubt.lm.sign.SiteKeySigner;
import io.redoubt.lm.sign.SiteSigning;
import io.redoubt.lm.sign.ThresholdSign;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One server of a site, as a pure object: a router between the host's inputs and the server's
 * components, each of which has one home (Lane 2008, section 4.3, Figure 4.1):
 *
 * <ul>
 *   <li>the local ordering core ({@link OrderingCore}, Paxos or PBFT), which orders every event
 *       that can change the wide-area protocol: client updates, wide-area messages, LM timeouts;</li>
 *   <li>the logical-machine executor ({@link LogicalMachine}), which executes the ordered events
 *       and holds the wide-area core;</li>
 *   <li>LM timeouts ({@link LmTimeouts});</li>
 *   <li>signing the site's output as a logical machine ({@link LmSigner}: a site key, or
 *       THRESHOLD-SIGN with its own frames);</li>
 *   <li>the link to other logical machines ({@link WideLink}, in the {@code blink} module).</li>
 * </ul>
 *
 * <p>It never reads a clock or touches a socket; the simulator and the Pekko host drive this same
 * class, built by the deployment assembly. Inputs never re-enter a core: events to order are
 * queued while a core runs and submitted after it returns ({@link #afterInput}), and both cores
 * sit behind a {@link ReentryGuard} that fails loudly if anything breaks that rule.
 */
public final class ServerNode {
    private final ServerId self;
    private final SiteId site;
    private final List<ServerId> siteServers;
    private final ServerConfig config;
    private final KeyDirectory keys;
    private final ServerIo io;
    private final OrderingCore<ServerId> local;
    private final LogicalMachine lm;
    private final LmTimeouts timeouts;
    private final LmSigner signer;
    private final WideLink link;

    private boolean replaying;
    /**
     * Per update digest, the servers of this site that vouched for its client signature so far
     * (see onVouch). Bounded, the oldest first: a faulty server's flood only costs checks.
     */
    private final LinkedHashMap<Bytes, java.util.BitSet> vouches = new LinkedHashMap<>();
    private static final int VOUCHES_PENDING_MAX = 16_384;
    private boolean started;
    private boolean draining;
    private final ArrayDeque<Bytes> toSubmit = new ArrayDeque<>();
    private final TreeMap<ClientId, Long> waitingClients = new TreeMap<>();
    private final Map<SiteId, Integer> siteSizes;
    /** CLink-Opt (section 4.5): updates this server sent on to a leader site and has not executed yet, by client. */
    private final TreeMap<ClientId, SentOn> sentOn = new TreeMap<>();
    /** Per leader site, how many of its servers this server has moved past after a forward timed out. */
    private final TreeMap<SiteId, Integer> forwardRotation = new TreeMap<>();
    /** The highest update of each client handed to this server by another site and submitted here. */
    private final TreeMap<ClientId, Long> forwardedIn = new TreeMap<>();
    private long forwardsSent, forwardFallbacks, forwardsOrdered;
    /**
     * CLink-Order (section 4.5): whether this server's site is Byzantine, so that it hands client
     * updates in as signed, numbered Ordering_Requests. In a crash-fault site no server lies, so
     * there is nothing to prove and a plain ClientUpdate event does.
     */
    private final boolean requestsOrdering;
    /** The number of this server's next Ordering_Request, and the highest one stable storage has reserved. */
    private long nextRequestSeq = 1, requestSeqReserved;
    /** Per client, the Ordering_Request this server made for its latest update: a retransmission reuses it. */
    private final TreeMap<ClientId, LmEvent.Requested> requested = new TreeMap<>();
    private long requestsMade;
    /** The update of this server's latest Ordering_Request (for the simulator's equivocating server only). */
    private SignedUpdate lastRequested;

    /** This server's latest snapshot of its logical machine, and fetching another's (issue 18). */
    private final Snapshots snapshots;

    private final EnumMap<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
    private long wideCheckedAtEvents = -1;

    /**
     * @param keyring every site's size and logical-machine signing (benign or Byzantine, section 4.3)
     * @param signing this server's part in signing for its site (the simulator may plant a bad signer)
     * @param linkFactory the link between logical machines (section 4.4)
     * @param persisted this server's stable storage, as written through {@link ServerIo#persist}
     */
    public ServerNode(ServerId self, LmKeyring keyring, SiteSigning signing, ServerConfig config, CoreFactory localFactory,
                      CoreFactory wideFactory, WideLink.Factory linkFactory, KeyDirectory keys, StateMachine app, ServerIo io,
                      List<Bytes> persisted) {
        this(self, keyring, signing, config, localFactory, wideFactory, linkFactory, keys, app, io, persisted,
                new VerifiedRootCache(VerifiedRootCache.DEFAULT_CAPACITY));
    }

    /**
     * @param verifiedRoots this server's cache of checked LM roots, which the assembly also hands
     *     its wide-area PBFT core, so a root is checked once per server (issue 16)
     */
    public ServerNode(ServerId self, LmKeyring keyring, SiteSigning signing, ServerConfig config, CoreFactory localFactory,
                      CoreFactory wideFactory, WideLink.Factory linkFactory, KeyDirectory keys, StateMachine app, ServerIo io,
                      List<Bytes> persisted, VerifiedRootCache verifiedRoots) {
        this.self = self;
        this.site = self.site();
        Map<SiteId, Integer> siteSizes = new TreeMap<>();
        keyring.sites().forEach((s, spec) -> siteSizes.put(s, spec.servers()));
        Integer size = siteSizes.get(site);
        if (size == null || self.index() >= size) throw new IllegalArgumentException(self + " is not in the deployment " + siteSizes);
        List<ServerId> servers = new ArrayList<>();
        for (int i = 0; i < size; i++) servers.add(new ServerId(site, i));
        this.siteServers = List.copyOf(servers);
        this.siteSizes = Map.copyOf(siteSizes);
        this.config = config;
        this.keys = keys;
        this.io = io;
        this.replaying = !persisted.isEmpty();
        if (config.lmTimeoutNoticesNeeded() < keyring.noticesNeeded(site)) {
            throw new IllegalArgumentException("lmTimeoutNoticesNeeded = " + config.lmTimeoutNoticesNeeded() + " but " + site
                    + " needs " + keyring.noticesNeeded(site) + " (f+1 for a Byzantine site, section 4.3)");
        }
        VerifiedSignatures verified = new VerifiedSignatures(LogicalMachine.VERIFIED_SIGNATURES_MAX);
        this.timeouts = new LmTimeouts(self, size, keys, verified, config.lmTimeoutNoticesNeeded(), config.noticeResendMillis(), new TimeoutsHost());
        this.signer = signing instanceof SiteSigning.Shared shared
                ? new ThresholdSign(self, siteServers, shared, keys, config.signingRoundsMax(), config.earlySharesPerServerMax(),
                        config.merkleBatching(), new SignerHost())
                : new SiteKeySigner((SiteSigning.SiteKey) signing, new SignerHost());
        java.util.Set<SiteId> byzantineSites = new java.util.TreeSet<>();
        keyring.sites().forEach((s, spec) -> {
            if (spec.kind() != LmKeyring.Kind.SITE_KEY) byzantineSites.add(s);
        });
        this.link = linkFactory.create(self, siteSizes, byzantineSites, config.forwarderRecentMax(), new LinkHost());
        this.requestsOrdering = signing instanceof SiteSigning.Shared;
        List<Bytes> coreRecords = new ArrayList<>();
        Snapshots.Snapshot stored = null;
        for (Bytes record : persisted) {
            Snapshots.Snapshot s = storedSnapshot(record);
            if (s != null) {
                stored = s; // compacted storage holds one; the last is the newest
                continue;
            }
            Long reserved = requestSeqReservation(record);
            if (reserved == null) coreRecords.add(record);
            else requestSeqReserved = Math.max(requestSeqReserved, reserved);
        }
        // Numbers reserved before a crash may have been used: never again (a correct server that
        // signed two requests with one number would prove itself corrupt).
        this.nextRequestSeq = requestSeqReserved + 1;
        this.local = new ReentryGuard<>(localFactory.create(siteServers, self, localOutbox, coreRecords));
        this.lm = new LogicalMachine(site, List.copyOf(siteSizes.keySet()), siteServers, config.lmTimeoutNoticesNeeded(),
                wideFactory, keys, keyring.verifiers(), verifiedRoots, verified, app, new Host(), link.linkLayer());
        if (requestsOrdering) lm.requireOrderingRequests();
        // A Byzantine site's servers fetch a snapshot only against a digest f+1 of them claim.
        this.snapshots = new Snapshots(self, size, requestsOrdering ? keyring.noticesNeeded(site) : 0, new SnapshotHost());
        if (stored != null) {
            // A restart from compacted storage: the logical machine as it was after the snapshot's
            // slot; the local core re-delivers only what came after (recordsAfterSnapshot).
            try {
                lm.restore(stored.machine());
            } catch (DecodeException e) {
                throw new IllegalStateException("stable storage of " + self + " holds a snapshot that does not decode: " + e.getMessage(), e);
            }
            snapshots.taken(stored, false);
            // Its LM timers came with the snapshot, not through startLmTimer: this server's share
            // of them (the notices it signs) must know them too, or they never expire into a
            // notice (found by the cut-site-off campaign: a site all of whose servers restarted
            // from their snapshots never ordered another timeout). start() runs the local timers.
            for (Map.Entry<TimerId, LogicalMachine.ActiveTimer> t : lm.activeTimers().entrySet()) {
                timeouts.armed(t.getKey(), t.getValue().generation(), t.getValue().delayMillis(), false);
            }
        }
    }

    /** Starts the server: a restarted one first replays its stored local order to rebuild the logical machine. */
    public void start() {
        if (started) throw new IllegalStateException("start() called twice");
        started = true;
        local.start();
        if (replaying) {
            replaying = false;
            for (Map.Entry<TimerId, LogicalMachine.ActiveTimer> t : lm.activeTimers().entrySet()) {
                int runBy = t.getValue().runBy();
                if (runBy < 0 || runBy == self.index()) io.setTimer(new ServerTimer.LmTimeout(t.getKey()), t.getValue().delayMillis());
            }
        }
        afterInput();
    }

    // ---------------------------------------------------------------- inputs

    /** A frame from another server; the link vouches for {@code from}. Routed by its tag. */
    public void onServerFrame(ServerId from, Bytes bytes) {
        if (SigningFrame.isSigningTag(Frame.tagOf(bytes))) {
            if (!from.site().equals(site) || from.equals(self)) reject(from, Rejection.NOT_A_MEMBER, "signing frame from outside the site");
            else signer.onFrame(from, bytes);
            afterInput();
            return;
        }
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
            Bytes event = link.onWideFrame(from, f);
            if (event != null) toSubmit.add(event);
        } else if (frame instanceof Frame.Link f) {
            Bytes event = link.onLinkFrame(from, f);
            if (event != null) toSubmit.add(event);
        } else if (frame instanceof Frame.Notice f) {
            timeouts.onNotice(from, f.notice());
        } else if (frame instanceof Frame.Forward f) {
            onForwarded(from, f.update());
        } else if (frame instanceof Frame.Vouch f) {
            onVouch(from, f);
        } else if (frame instanceof Frame.SnapshotRequest f) {
            if (sameSitePeer(from, "snapshot request")) snapshots.onRequest(from, f);
        } else if (frame instanceof Frame.SnapshotChunk f) {
            if (sameSitePeer(from, "snapshot piece")) snapshots.onChunk(from, f);
        } else if (frame instanceof Frame.SnapshotClaim f) {
            if (sameSitePeer(from, "snapshot claim")) snapshots.onClaim(from, f);
        } else if (frame instanceof Frame.SnapshotClaimsWanted f) {
            if (sameSitePeer(from, "request for snapshot claims")) snapshots.onClaimsWanted(from, f);
        } else {
            reject(from, Rejection.PROTOCOL_VIOLATION, "client frame from a server");
        }
        afterInput();
    }

    /** A frame from a client; the link vouches for {@code from}. */
    public void onClientFrame(ClientId from, Bytes bytes) {
        if (SigningFrame.isSigningTag(Frame.tagOf(bytes))) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "clients may only send requests");
            return;
        }
        Frame frame;
        try {
            frame = Frame.decode(bytes);
        } catch (DecodeException e) {
            reject(from, Rejection.MALFORMED, "client frame: " + e.getMessage());
            return;
        }
        if (frame instanceof Frame.StatusRequest q) {
            // Operations: any client of the deployment may ask any server how it stands.
            io.sendToClient(from, new Frame.Status(q.nonce(), self, local.view(), local.leader().index(), lm.wideCore().view(),
                    lm.wideCore().leader().value(), lm.executedUpdates(), lm.executedEvents(), rejectionCount()).encode());
            return;
        }
        if (frame instanceof Frame.Query q) {
            // A local read: this server's copy answers at once, unordered (it may be behind the global order).
            if (!from.site().equals(site)) reject(from, Rejection.INVALID_REQUEST, "a client talks to servers of its own site (section 4.2)");
            else io.sendToClient(from, new Frame.QueryReply(q.nonce(), lm.app().query(q.read())).encode());
            return;
        }
        if (!(frame instanceof Frame.Request r)) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "clients may only send requests and queries");
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
        // A copy marked as a retransmission (CLink's retransmit flag, section 4.5), or a second
        // copy of the update this server already holds, is the client retransmitting: whatever
        // was tried has not worked yet, so order it the plain way (CLink-Order).
        boolean again = r.retransmit() || Long.valueOf(u.seq()).equals(waitingClients.get(from));
        SiteId leaderSite = lm.wideCore().leader();
        boolean sendingOn = config.forwardTimeoutMillis() > 0 && !again && !leaderSite.equals(site);
        // An update sent on is checked by the server of the leader site that takes it
        // (onForwarded); checking it here too would only add a check per update. One ordered
        // here is checked now, so that a bad signature costs one check, not f+1 in the site (the
        // link has authenticated the client, so a bad one only holds up its own update).
        if (!sendingOn && !lm.verifyClientUpdate(u)) {
            reject(from, Rejection.BAD_SIGNATURE, "client update signature");
            return;
        }
        Map.Entry<Long, Bytes> last = lm.lastReply(u.client());
        if (last != null && u.seq() <= last.getKey()) {
            if (u.seq() == last.getKey()) io.sendToClient(from, new Frame.Reply(from, u.seq(), last.getValue()).encode());
            return; // already executed: answer from the cache, never order it again
        }
        waitingClients.put(from, u.seq());
        if (sendingOn) sendOn(u, leaderSite);
        else submitUpdate(u);
        afterInput();
    }

    // ---------------------------------------------------------------- CLink-Opt (section 4.5)

    private record SentOn(SignedUpdate update, SiteId to) {}

    /**
     * Sends a new client update straight to a server of the leader site, which orders it there:
     * this site neither orders it nor signs it as a logical machine. The site's servers start at
     * different servers of the leader site, and each moves on by one after a timeout.
     */
    private void sendOn(SignedUpdate u, SiteId leaderSite) {
        int rotation = forwardRotation.getOrDefault(leaderSite, 0);
        ServerId to = new ServerId(leaderSite, Math.floorMod(self.index() + rotation, siteSizes.get(leaderSite)));
        sentOn.put(u.client(), new SentOn(u, leaderSite));
        forwardsSent++;
        io.sendToServer(to, new Frame.Forward(u).encode());
        io.setTimer(forwardTimer(u.client()), config.forwardTimeoutMillis());
    }

    /** The update sent on has not executed here in time: order it the plain way, and try the next server next time. */
    private void onForwardTimeout(ClientId client) {
        SentOn s = sentOn.remove(client);
        if (s == null) return;
        Map.Entry<Long, Bytes> last = lm.lastReply(client);
        if (last != null && last.getKey() >= s.update().seq()) return;
        forwardFallbacks++;
        forwardRotation.merge(s.to(), 1, Integer::sum);
        // Not checked when sent on; the server an update comes in through is one of its checkers.
        if (!lm.verifyClientUpdate(s.update())) {
            reject(client, Rejection.BAD_SIGNATURE, "client update signature");
            return;
        }
        submitUpdate(s.update());
    }

    // ---------------------------------------------------------------- client signatures, checked by f+1

    /**
     * Whether the server with {@code index} is one of the {@code needed} servers of an
     * {@code servers}-server site that check the client signature of the update with this digest.
     * Without {@code via} (-1, as for the updates of a wide-area pre-prepare): consecutive indexes
     * from one the digest picks, so the work spreads evenly. For an update that server {@code via}
     * of the site took in and ordered here: that server checked the signature when it took the
     * update in, so it is one of the checkers and the others are the next {@code needed - 1} of
     * the rotation without it; the site pays f+1 checks, not f+2. A faulty server naming another
     * as {@code via} only makes that one check.
     */
    static boolean checks(Bytes updateDigest, int index, int servers, int needed, int via) {
        byte[] d = updateDigest.unsafeArray();
        int pick = ((d[0] & 0xff) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
        if (via < 0 || via >= servers) return Math.floorMod(index - Integer.remainderUnsigned(pick, servers), servers) < needed;
        if (index == via) return true;
        // The rest rotate over the other servers (after via, in index order), so they share evenly.
        int others = servers - 1;
        int position = Math.floorMod(index - via, servers) - 1;
        return Math.floorMod(position - Integer.remainderUnsigned(pick, others), others) < needed - 1;
    }

    /** An encoded client update to check, and the server of this site it came in through (-1: none). */
    private record ToCheck(Bytes update, int via) {}

    /**
     * A site checks a client's update when it executes the event that carries it: the client
     * update its site orders, or the wide-area pre-prepare it must admit before preparing
     * (PbftCore#checksBeforePreparing). The local core accepts that event two local rounds
     * before it executes, so f+1 servers of the site (1 in a benign site) check each update
     * then and vouch for the good ones to the others; for an update ordered here, the server it
     * came in through is one of them. A server takes an update as checked once f+1 servers
     * vouched: at most f servers of a site are faulty, so one of them is correct and checked it.
     * Anything short of that (a checker silent, slow or crashed, a bad signature) leaves the
     * server to check it itself at execution, so the verdict never depends on vouches, only the
     * cost does.
     */
    private void vouchForAccepted(List<ToCheck> updates) {
        if (replaying) return; // executed long ago; the others have moved on
        int needed = config.lmTimeoutNoticesNeeded();
        boolean lying = io.vouchesUnchecked();
        List<Bytes> good = new ArrayList<>();
        for (ToCheck c : updates) {
            Bytes digest = LogicalMachine.updateDigest(c.update());
            if (!checks(digest, self.index(), siteServers.size(), needed, c.via())) continue;
            if (lying) {
                good.add(digest);
                continue;
            }
            SignedUpdate u;
            try {
                u = SignedUpdate.decode(c.update());
            } catch (DecodeException e) {
                continue; // execution rejects it
            }
            if (!lm.verifyClientUpdate(u)) continue;
            good.add(digest);
            recordVouch(digest, self.index(), needed);
        }
        if (good.isEmpty()) return;
        Bytes frame = new Frame.Vouch(good).encode();
        for (ServerId s : siteServers) if (!s.equals(self)) io.sendToServer(s, frame);
    }

    private void onVouch(ServerId from, Frame.Vouch v) {
        if (!from.site().equals(site) || from.equals(self) || from.index() >= siteServers.size()) {
            reject(from, Rejection.NOT_A_MEMBER, "vouch from outside the site");
            return;
        }
        int needed = config.lmTimeoutNoticesNeeded();
        for (Bytes digest : v.updateDigests()) {
            if (digest.length() != 32) {
                reject(from, Rejection.MALFORMED, "vouch names an update by " + digest.length() + " bytes, not a SHA-256 digest");
                return;
            }
            // Any member's vouch counts as one of the f+1: which members check an update ordered
            // here depends on the server it came in through, which the vouch may outrun.
            recordVouch(digest, from.index(), needed);
        }
    }

    private void recordVouch(Bytes digest, int index, int needed) {
        java.util.BitSet by = vouches.get(digest);
        if (by == null) {
            by = new java.util.BitSet(siteServers.size());
            vouches.put(digest, by);
            if (vouches.size() > VOUCHES_PENDING_MAX) vouches.remove(vouches.keySet().iterator().next());
        }
        by.set(index);
        if (by.cardinality() >= needed) {
            vouches.remove(digest);
            lm.vouched(digest);
        }
    }

    /** A server of another site sent on its client's update: order it here, once per update. */
    private void onForwarded(ServerId from, SignedUpdate u) {
        if (from.site().equals(site)) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "a forwarded update from a server of this site");
            return;
        }
        if (!u.client().site().equals(from.site())) {
            reject(from, Rejection.INVALID_REQUEST, "update of " + u.client() + " forwarded by a server of another site");
            return;
        }
        if (!lm.verifyClientUpdate(u)) {
            reject(from, Rejection.BAD_SIGNATURE, "forwarded client update signature");
            return;
        }
        Map.Entry<Long, Bytes> last = lm.lastReply(u.client());
        if (last != null && u.seq() <= last.getKey()) return; // executed already
        Long submitted = forwardedIn.get(u.client());
        if (submitted != null && u.seq() <= submitted) return; // submitted already: the local core retransmits it
        forwardedIn.put(u.client(), u.seq());
        forwardsOrdered++;
        submitUpdate(u);
    }

    // ---------------------------------------------------------------- CLink-Order (section 4.5)

    /** Stable-storage record: Ordering_Request numbers up to this one may have been used. A tag no core record uses. */
    static final int REQUEST_SEQ_RECORD = 0xC0;
    /** Numbers reserved per record: one write per this many requests. */
    static final long REQUEST_SEQ_BLOCK = 1024;

    private static Long requestSeqReservation(Bytes record) {
        if (record.length() != 9 || (record.unsafeArray()[0] & 0xff) != REQUEST_SEQ_RECORD) return null;
        try {
            io.redoubt.lm.codec.CanonicalReader r = new io.redoubt.lm.codec.CanonicalReader(record);
            r.u8();
            long reserved = r.nonNegative("reserved request seq");
            r.expectEnd();
            return reserved;
        } catch (DecodeException e) {
            return null;
        }
    }

    /**
     * Asks the site to order client update {@code u}, received from its client or from another
     * site's server (CLink-Opt's forward, or its fallback). In a Byzantine site this is CLink-Order:
     * a signed Ordering_Request with this server's next number, stored so that the same update
     * retransmitted goes out as the same request. The local core then does the rest of section
     * 4.5: it sends the request to every server of the site, the leader takes each server's
     * requests in turn (PbftRequestQueues, round robin per source, first in first out), and every
     * server that holds one times it, passes it to the leader and votes the leader out if it is
     * not ordered.
     */
    private void submitUpdate(SignedUpdate u) {
        if (!requestsOrdering) {
            toSubmit.add(new LmEvent.ClientUpdate(self, u).encode());
            return;
        }
        LmEvent.Requested made = requested.get(u.client());
        // A request half a window old may be refused as below the window by the time it
        // executes (OrderingRequests): a retransmission then goes as a new one.
        boolean stale = made != null && made.request().seq() < nextRequestSeq - OrderingRequest.WINDOW / 2;
        if (made == null || !made.update().equals(u) || stale) {
            long seq = takeRequestSeq();
            made = new LmEvent.Requested(OrderingRequest.sign(keys, self, seq, u), u);
            LmEvent.Requested before = requested.put(u.client(), made);
            requestsMade++;
            // Adversary seam: a corrupt server signs a second request with the same number for
            // another valid update it took in, so only the proof can catch it.
            SignedUpdate other = before != null ? before.update() : lastRequested;
            if (io.equivocatesOrderingRequests() && other != null && !other.equals(u)) {
                toSubmit.add(new LmEvent.Requested(OrderingRequest.sign(keys, self, seq, other), other).encode());
            }
            lastRequested = u;
        }
        toSubmit.add(made.encode());
    }

    private long takeRequestSeq() {
        if (nextRequestSeq > requestSeqReserved) {
            requestSeqReserved = nextRequestSeq - 1 + REQUEST_SEQ_BLOCK;
            // Durable before the request that uses the number leaves (persist before send).
            io.persist(new io.redoubt.lm.codec.CanonicalWriter().u8(REQUEST_SEQ_RECORD).i64(requestSeqReserved).toBytes());
        }
        return nextRequestSeq++;
    }

    private static ServerTimer forwardTimer(ClientId client) {
        return new ServerTimer.Forward(new TimerId("clink-forward", ((long) client.site().value() << 32) | client.index()));
    }

    private static ClientId forwardTimerClient(TimerId id) {
        return new ClientId(new SiteId((int) (id.arg() >>> 32)), (int) id.arg());
    }

    /** Whether this server's clock drives LM timer {@code id}: not one only another server runs (LogicalMachine.ActiveTimer#runBy). */
    private boolean runsHere(TimerId id) {
        LogicalMachine.ActiveTimer active = lm.activeTimers().get(id);
        return active == null || active.runBy() < 0 || active.runBy() == self.index();
    }

    /** A timer armed through {@link ServerIo#setTimer} fired. */
    public void onTimer(ServerTimer timer) {
        if (timer instanceof ServerTimer.Local t) local.onTimer(t.id());
        else if (timer instanceof ServerTimer.LmTimeout t && runsHere(t.id())) timeouts.onExpired(t.id());
        else if (timer instanceof ServerTimer.Forward t) onForwardTimeout(forwardTimerClient(t.id()));
        else if (timer instanceof ServerTimer.Link t) link.onTimer(t.id());
        else if (timer instanceof ServerTimer.Snapshot) snapshots.onTimer();
        afterInput();
    }

    /**
     * A job this server offloaded ({@link ServerIo#offload}) is done: THRESHOLD-SIGN continues
     * (section 3.4.2). Late results (round dropped, signature combined, an earlier incarnation's
     * job) are ignored.
     */
    public void onCryptoDone(CryptoResult result) {
        signer.onCryptoDone(result);
        afterInput();
    }

    /** Whether an offloaded job that has not run yet is still of use; a pure query, for hosts that hold jobs back. */
    public boolean isCryptoWanted(CryptoJob job) {
        return signer.isWanted(job);
    }

    // ---------------------------------------------------------------- the logical machine's output (section 4.6)

    /**
     * Sends the wide-area messages of one executed batch: one Merkle tree over the distinct
     * messages, one LM signature on its root, and each message with its path, so a message
     * broadcast to every site and everything else the batch produced cost one signature.
     */
    private void sendWideBatch(List<LmHost.Outgoing> batch) {
        if (replaying) return; // sent (or lost) before the crash: BLink resends what is unacknowledged (the stand-in: the core retransmits)
        if (!config.merkleBatching()) {
            // Unamortized (to compare with Table 4.3): every distinct message is signed on its own.
            LinkedHashMap<Bytes, List<LmHost.Outgoing>> byMessage = new LinkedHashMap<>();
            for (LmHost.Outgoing o : batch) byMessage.computeIfAbsent(o.message(), k -> new ArrayList<>()).add(o);
            for (List<LmHost.Outgoing> one : byMessage.values()) sign(one);
        } else {
            sign(batch);
        }
    }

    private void sign(List<LmHost.Outgoing> messages) {
        List<Bytes> distinct = new ArrayList<>(new LinkedHashSet<>(messages.stream().map(LmHost.Outgoing::message).toList()));
        int attempt = link.noteAttempt(messages);
        signer.sign(new LmSigner.Batch(messages, distinct, MerkleBatch.of(link.leaves(messages, distinct)), attempt, link.resend(attempt)));
    }

    // ---------------------------------------------------------------- snapshots and log compaction (issue 18)

    /** Stable-storage record: a snapshot of the logical machine after a local slot. A tag no core record uses. */
    static final int SNAPSHOT_RECORD = 0xC1;

    private static Snapshots.Snapshot storedSnapshot(Bytes record) {
        if (record.length() < 10 || (record.unsafeArray()[0] & 0xff) != SNAPSHOT_RECORD) return null;
        try {
            io.redoubt.lm.codec.CanonicalReader r = new io.redoubt.lm.codec.CanonicalReader(record);
            r.u8();
            long slot = r.nonNegative("snapshot slot");
            Bytes bytes = r.bytes(Integer.MAX_VALUE);
            r.expectEnd();
            return Snapshots.Snapshot.of(slot, bytes);
        } catch (DecodeException e) {
            return null;
        }
    }

    /**
     * After local slot {@code slot} executed: at every snapshotIntervalSlots-th slot, snapshot the
     * logical machine and replace stable storage by that snapshot and what the local core needs
     * past it. Every correct server of the site snapshots after the same slots, so their
     * snapshots are the same bytes. Not while replaying at a restart: storage already holds all that.
     */
    private void maybeSnapshot(long slot) {
        int interval = config.snapshotIntervalSlots();
        if (replaying || interval == 0 || (slot + 1) % interval != 0 || !local.compactsWithSnapshots() || !lm.snapshots()) return;
        Snapshots.Snapshot s = Snapshots.Snapshot.pack(slot, local.baseAfter(slot), lm.snapshot());
        snapshots.taken(s, true);
        compactStorage(s);
        io.snapshotTaken(slot, s.digest(), s.bytes().length());
    }

    /** Stable storage becomes: the snapshot, the request numbers reserved (CLink-Order), and the local core's records past the snapshot. */
    private void compactStorage(Snapshots.Snapshot s) {
        List<Bytes> records = new ArrayList<>();
        records.add(new io.redoubt.lm.codec.CanonicalWriter().u8(SNAPSHOT_RECORD).i64(s.slot()).bytes(s.bytes()).toBytes());
        if (requestSeqReserved > 0) {
            records.add(new io.redoubt.lm.codec.CanonicalWriter().u8(REQUEST_SEQ_RECORD).i64(requestSeqReserved).toBytes());
        }
        try {
            records.addAll(local.recordsAfterSnapshot(s.slot(), s.base()));
        } catch (DecodeException e) {
            throw new IllegalStateException("our own snapshot after " + s.slot() + " does not decode", e);
        }
        io.compactStorage(records);
    }

    private boolean sameSitePeer(ServerId from, String what) {
        if (from.site().equals(site) && !from.equals(self) && from.index() < siteServers.size()) return true;
        reject(from, Rejection.NOT_A_MEMBER, what + " from outside the site");
        return false;
    }

    /**
     * Installs a snapshot another server of the site served, its digest checked: the logical
     * machine, then the local core past it. Not yet if the local core cannot take it (PBFT holds
     * no stable checkpoint that far yet): it is offered again after later inputs.
     */
    private Snapshots.Install installSnapshot(Snapshots.Snapshot s, ServerId from) {
        if (s.slot() <= local.deliveredThrough()) return Snapshots.Install.INSTALLED; // caught up meanwhile: nothing to do
        if (!local.canInstallSnapshot(s.slot())) return Snapshots.Install.NOT_YET;
        Bytes base;
        try {
            base = s.base();
            if (!local.acceptsBase(base)) throw new DecodeException("a base the local core cannot go on from");
            lm.restore(s.machine());
        } catch (DecodeException e) {
            reject(from, Rejection.MALFORMED, "snapshot after slot " + s.slot() + " is not this site's logical machine: " + e.getMessage());
            return Snapshots.Install.REFUSED;
        }
        snapshots.taken(s, false);
        rearmLmTimers();
        local.installSnapshot(s.slot(), base); // may deliver slots it held past it, and snapshot again
        if (snapshots.latest() == s) compactStorage(s);
        io.snapshotInstalled(s.slot(), from);
        return Snapshots.Install.INSTALLED;
    }

    /** After the logical machine was replaced: this server's LM timers become the restored machine's. */
    private void rearmLmTimers() {
        Map<TimerId, LogicalMachine.ActiveTimer> active = lm.activeTimers();
        for (TimerId t : timeouts.armedTimers()) if (!active.containsKey(t)) timeouts.disarmed(t, true);
        for (Map.Entry<TimerId, LogicalMachine.ActiveTimer> t : active.entrySet()) {
            int runBy = t.getValue().runBy();
            boolean runsHere = runBy < 0 || runBy == self.index();
            timeouts.armed(t.getKey(), t.getValue().generation(), t.getValue().delayMillis(), runsHere);
            if (!runsHere) io.cancelTimer(new ServerTimer.LmTimeout(t.getKey()));
        }
    }

    private final class SnapshotHost implements Snapshots.Host {
        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            io.sendToServer(to, frame);
        }

        @Override
        public void setTimer(ServerTimer timer, long delayMillis) {
            io.setTimer(timer, delayMillis);
        }

        @Override
        public void cancelTimer(ServerTimer timer) {
            io.cancelTimer(timer);
        }

        @Override
        public Snapshots.Install install(Snapshots.Snapshot snapshot, ServerId from) {
            return installSnapshot(snapshot, from);
        }

        @Override
        public boolean verify(Frame.SnapshotClaim c) {
            return keys.verify(c.server(), Frame.SnapshotClaim.signedContent(c.server(), c.slot(), c.digest(), c.totalBytes()), c.signature());
        }

        @Override
        public Frame.SnapshotClaim claim(Snapshots.Snapshot s) {
            long total = s.bytes().length();
            Bytes signature = keys.scheme().sign(keys.server(self).privateKey(), Frame.SnapshotClaim.signedContent(self, s.slot(), s.digest(), total));
            return new Frame.SnapshotClaim(self, s.slot(), s.digest(), total, signature);
        }

        @Override
        public boolean installable(long slot) {
            return local.canInstallSnapshot(slot);
        }

        @Override
        public long anchor() {
            return local.snapshotAnchor();
        }

        @Override
        public void broadcast(Bytes frame) {
            broadcastInSite(frame);
        }

        @Override
        public void reject(Object from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    /** Snapshots of its logical machine this server took or installed (issue 18). */
    public long snapshotsTaken() {
        return snapshots.takenCount();
    }

    /** Snapshots this server fetched from another server of its site and installed. */
    public long snapshotsInstalled() {
        return snapshots.installedCount();
    }

    /** Fetched snapshots that did not match their digest or did not decode, each fetched again elsewhere. */
    public long badSnapshots() {
        return snapshots.badCount();
    }

    /** The local slot this server's latest snapshot follows, or -1. */
    public long latestSnapshotSlot() {
        Snapshots.Snapshot s = snapshots.latest();
        return s == null ? -1 : s.slot();
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs after every input: submissions wait until the local core has returned (no re-entry). */
    private void afterInput() {
        localOutbox.forgetLastFrame();
        if (draining) return;
        snapshots.retryWaiting();
        draining = true;
        try {
            while (true) {
                toSubmit.addAll(timeouts.readyEvents(local.isLeader()));
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

    private void broadcastInSite(Bytes frame) {
        for (ServerId s : siteServers) if (!s.equals(self)) io.sendToServer(s, frame);
    }

    private final LocalOutbox localOutbox = new LocalOutbox();

    private final class LocalOutbox implements Outbox<ServerId> {
        // A broadcast sends one message to every peer in turn: encode it once. Forgotten after
        // every input, so a message object is never trusted to be unchanged across inputs.
        private Encodable lastMessage;
        private Bytes lastFrame;

        void forgetLastFrame() {
            lastMessage = null;
            lastFrame = null;
        }

        @Override
        public void send(ServerId to, Encodable message) {
            if (message != lastMessage) {
                lastFrame = new Frame.Local(message.encode()).encode();
                lastMessage = message;
            }
            io.sendToServer(to, lastFrame);
        }

        @Override
        public void setTimer(TimerId id, long delayMillis) {
            io.setTimer(new ServerTimer.Local(id), delayMillis);
        }

        @Override
        public void cancelTimer(TimerId id) {
            io.cancelTimer(new ServerTimer.Local(id));
        }

        @Override
        public void persist(Encodable record) {
            io.persist(record.encode());
        }

        @Override
        public void deliver(long slot, List<Bytes> payloads) {
            lm.execute(payloads);
            maybeSnapshot(slot);
        }

        @Override
        public void snapshotNeeded(ServerId from, long compactedThrough) {
            snapshots.needed(from, compactedThrough);
        }

        /**
         * The client updates among the events the local core accepted, and those the wide-area
         * messages among them will have the logical machine admit when they execute (a
         * pre-prepare this site checks, see PbftCore#checksBeforePreparing): checked by f+1,
         * vouched to the rest (vouchForAccepted), while the site orders the events.
         */
        @Override
        public void accepted(List<Bytes> payloads) {
            List<ToCheck> updates = new ArrayList<>();
            for (Bytes p : payloads) {
                if (p.length() == 0) continue;
                int tag = p.unsafeArray()[0] & 0xff;
                if (tag != LmEvent.TAG_CLIENT_UPDATE && tag != LmEvent.TAG_REQUESTED && tag != LmEvent.TAG_WIDE_MESSAGE
                        && tag != LmEvent.TAG_LINK_MESSAGE) continue;
                try {
                    LmEvent event = LmEvent.decode(p);
                    if (event instanceof LmEvent.ClientUpdate e) {
                        updates.add(new ToCheck(e.update().encode(), e.via().site().equals(site) ? e.via().index() : -1));
                    } else if (event instanceof LmEvent.Requested e) {
                        ServerId via = e.request().server();
                        updates.add(new ToCheck(e.update().encode(), via.site().equals(site) ? via.index() : -1));
                    } else if (event instanceof LmEvent.WideMessage e) {
                        for (Bytes u : lm.updatesToAdmit(e.from(), e.envelope().message())) updates.add(new ToCheck(u, -1));
                    } else if (event instanceof LmEvent.LinkMessage e && e.envelope().message().length() > 0) {
                        for (Bytes u : lm.updatesToAdmit(e.from(), e.envelope().message())) updates.add(new ToCheck(u, -1));
                    }
                } catch (DecodeException malformed) {
                    // execution rejects it
                }
            }
            if (!updates.isEmpty()) vouchForAccepted(updates);
        }

        /**
         * Each incoming BLink logical link is a lane of its own (section 4.4.1: one queue per
         * incoming link, taken round-robin): 1 + the sending site, read from the event's first
         * bytes without decoding the rest. Everything else, and a site outside the deployment, is lane 0.
         */
        @Override
        public int lane(Bytes payload) {
            if (payload.length() < 2 || (payload.unsafeArray()[0] & 0xff) != LmEvent.TAG_LINK_MESSAGE) return 0;
            try {
                io.redoubt.lm.codec.CanonicalReader r = new io.redoubt.lm.codec.CanonicalReader(payload);
                r.u8();
                SiteId from = r.site();
                return siteSizes.containsKey(from) ? 1 + from.value() : 0;
            } catch (DecodeException e) {
                return 0;
            }
        }

        @Override
        public void reject(ServerId from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    /** What the executor's calls become at this server; every correct server of the site gets the same calls. */
    private final class Host implements LmHost {
        @Override
        public void sendWideBatch(List<LmHost.Outgoing> batch) {
            io.lmProduced(batch);
            ServerNode.this.sendWideBatch(batch);
        }

        @Override
        public void acceptedWide(SiteId from, Bytes message) {
            io.lmAccepted(from, message);
        }

        @Override
        public void provenFaulty(OrderingRequest.Equivocation proof) {
            if (!replaying) io.provenFaulty(proof);
        }

        @Override
        public boolean checksOrderedWideMessages() {
            return io.checksOrderedWideMessages();
        }

        @Override
        public boolean rechecksOrderedUpdates() {
            return config.rechecksOrderedUpdates();
        }

        @Override
        public boolean spoilsGlobalStates() {
            return io.spoilsGlobalStates();
        }

        @Override
        public void startLmTimer(TimerId timer, long generation, long delayMillis) {
            timeouts.armed(timer, generation, delayMillis, !replaying);
        }

        @Override
        public void startLmTimer(TimerId timer, long generation, long delayMillis, int runBy) {
            // Armed at every server, so that the leader takes the notice; only runBy's clock runs it.
            boolean runsHere = runBy < 0 || runBy == self.index();
            timeouts.armed(timer, generation, delayMillis, !replaying && runsHere);
            // A local timer this server ran for an earlier generation (it forwarded then) must not
            // expire into a notice for this one: its notice would skip the new forwarder's peer.
            if (!replaying && !runsHere) io.cancelTimer(new ServerTimer.LmTimeout(timer));
        }

        @Override
        public void stopLmTimer(TimerId timer) {
            timeouts.disarmed(timer, !replaying);
        }

        @Override
        public void executed(long globalSeq, SignedUpdate update, Bytes reply) {
            io.executed(globalSeq, update, reply);
        }

        @Override
        public void reply(SignedUpdate update, Bytes reply) {
            LmEvent.Requested r = requested.get(update.client());
            if (r != null && r.update().seq() <= update.seq()) requested.remove(update.client());
            SentOn s = sentOn.get(update.client());
            if (s != null && s.update().seq() <= update.seq()) {
                sentOn.remove(update.client());
                io.cancelTimer(forwardTimer(update.client()));
            }
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

    private final class TimeoutsHost implements LmTimeouts.Host {
        @Override
        public void broadcast(TimeoutNotice notice) {
            broadcastInSite(new Frame.Notice(notice).encode());
        }

        @Override
        public void setTimer(TimerId timer, long delayMillis) {
            io.setTimer(new ServerTimer.LmTimeout(timer), delayMillis);
        }

        @Override
        public void cancelTimer(TimerId timer) {
            io.cancelTimer(new ServerTimer.LmTimeout(timer));
        }

        @Override
        public void reject(Object from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    private final class SignerHost implements LmSigner.Host {
        @Override
        public boolean isForwarder(int attempt) {
            return link.isForwarder(attempt);
        }

        @Override
        public ServerId forwarder(int attempt) {
            return link.forwarder(attempt);
        }

        @Override
        public void signed(LmSigner.Batch batch, LmSignature signature) {
            link.forward(batch, signature);
        }

        @Override
        public boolean forwardsAny(LmSigner.Batch batch) {
            return link.forwardsAny(batch);
        }

        @Override
        public void signatureKnown(LmSigner.Batch batch, LmSignature signature) {
            link.signatureKnown(batch, signature);
        }

        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            io.sendToServer(to, frame);
        }

        @Override
        public void reject(Object from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }

        @Override
        public void offload(CryptoJob job) {
            io.offload(job);
        }
    }

    private final class LinkHost implements WideLink.Host {
        @Override
        public ServerId localLeader() {
            return local.leader();
        }

        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            io.sendToServer(to, frame);
        }

        @Override
        public void setTimer(TimerId timer, long delayMillis) {
            io.setTimer(new ServerTimer.Link(timer), delayMillis);
        }

        @Override
        public LmMessageVerifier.Verdict verify(SiteId from, LmEnvelopePart envelope) {
            LmMessageVerifier.Verdict v = lm.verifyWide(from, envelope);
            if (v.accepted()) io.lmAccepted(from, envelope.message());
            return v;
        }

        @Override
        public void reject(Object from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    /**
     * Checks both cores' own invariants (OrderingCore#checkInvariants); throws IllegalStateException
     * on a broken one. The wide-area core changes only when the executor runs ordered events, so it
     * is checked only after some did.
     */
    public void checkInvariants() {
        local.checkInvariants();
        if (lm.executedEvents() != wideCheckedAtEvents) {
            lm.wideCore().checkInvariants();
            wideCheckedAtEvents = lm.executedEvents();
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
        return Collections.unmodifiableMap(rejections);
    }

    public long rejectionCount() {
        long n = 0;
        for (long v : rejections.values()) n += v;
        return n;
    }

    /** LM timers this server runs and the notices it holds, for failure reports. */
    public String describeLmTimers() {
        return timeouts.describe() + " active=" + lm.activeTimers() + " leader=" + local.isLeader();
    }

    public long wideMessagesSent() {
        return link.wideMessagesSent();
    }

    /** See {@link WideLink#linkChanges}. */
    public long linkChanges() {
        return link.linkChanges();
    }

    /** CLink-Opt: client updates this server sent on to a leader site (section 4.5). */
    public long forwardsSent() {
        return forwardsSent;
    }

    /** CLink-Opt: updates sent on that had not executed in time, and which this server then ordered itself. */
    public long forwardFallbacks() {
        return forwardFallbacks;
    }

    /** CLink-Opt: updates of other sites' clients that this server submitted for ordering here. */
    public long forwardsOrdered() {
        return forwardsOrdered;
    }

    /** CLink-Order: Ordering_Requests this server signed (section 4.5). */
    public long requestsMade() {
        return requestsMade;
    }


    /** Site signatures this server produced as forwarder: one per batch signed with the site key, or combined from shares. */
    public long lmSignatures() {
        return signer.lmSignatures();
    }

    /** Shares (threshold partials or certificate signatures) this server computed. */
    public long sharesMade() {
        return signer.sharesMade();
    }

    /** Proofs of correctness of partials this server computed on request. */
    public long proofsMade() {
        return signer.proofsMade();
    }

    public Set<ServerId> blacklist() {
        return signer.blacklist();
    }
}
