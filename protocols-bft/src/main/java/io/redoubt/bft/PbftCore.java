package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.FetchRequest;
import io.redoubt.bft.PbftMessage.Forward;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.SlotProof;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.MemberIndex;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * PBFT (Castro and Liskov, OSDI '99 and TOCS 2002; Lane 2008, section 2.2.2) as a pure core. One
 * class serves both tiers (section 4.3): members are the 3f+1 servers of a site, or 3F+1 sites.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Normal case: the primary of view {@code v} (member {@code v mod n}) assigns a batch to a
 *       slot in {@code (low, low + windowSlots]} with a signed pre-prepare; a backup that accepts it
 *       broadcasts a prepare; a member holding the pre-prepare and {@code quorum - 1} matching
 *       prepares of distinct backups is <i>prepared</i> and broadcasts a commit; with
 *       {@code quorum} matching commits the slot is <i>committed-local</i>. Slots are delivered in
 *       order, with no gaps.</li>
 *   <li>Quorums: {@code f = (n - 1) / 3} and {@code quorum = ceil((n + f + 1) / 2)}, which is
 *       {@code 2f + 1} for {@code n = 3f + 1}; any two quorums share at least {@code f + 1} members.</li>
 *   <li>Checkpoints: after every {@code checkpointIntervalSlots} slots a member signs the hash chain
 *       over the delivered batches; {@code quorum} matching checkpoints make it stable, which moves
 *       the low watermark and truncates the log.</li>
 *   <li>View change: a member that suspects the primary signs a view change carrying its stable
 *       checkpoint proof and a prepared certificate per slot above it; the new primary collects a
 *       quorum and issues a new view whose pre-prepares (the O set: the highest-view prepared batch
 *       per slot, a null batch in gaps) every member recomputes before accepting. A member that sees
 *       {@code f + 1} view changes for higher views joins the smallest (PBFT's liveness rule).</li>
 *   <li>State transfer: the core does not own application state, so a member that falls behind
 *       fetches the delivered batches themselves, each range proved either by a commit certificate
 *       ({@code quorum} signed commits) or by a stable checkpoint certificate whose chain digest the
 *       batches must reproduce.</li>
 *   <li>Fairness (Lane 2008, sections 4.4.1 and 4.5): payloads submitted at a member are sent to
 *       every member; each member queues them per source and times them; the primary takes from
 *       the queues round-robin; a payload that waits a full request timeout makes the member vote
 *       for a view change. A primary that starves one source is therefore replaced.</li>
 * </ul>
 *
 * <p>Everything a member must not forget is persisted before the messages that reveal it are sent
 * (see {@link PbftRecord} and {@link Outbox}). The core keeps no clock, thread or randomness.
 *
 * <h2>Where this differs from the papers, and why</h2>
 * <ul>
 *   <li>Every message is signed (the signature variant of OSDI '99, no MAC authenticators), so a
 *       prepared certificate is a pre-prepare plus signed prepares that any member can check; the
 *       new view picks, per slot, the certificate with the highest view.</li>
 *   <li>Among logical machines a message's signature is its LM proof, which exists only after
 *       the message has left ({@link LmProofKeys}): messages leave unsigned and the proof that
 *       arrives with each one becomes its signature. A member's own entries inside its own
 *       messages stay unsigned, vouched for by the enclosing proof; so a member keeps, and
 *       truncates its log on, only certificates it can relay (others' signed entries and its
 *       own), takes part again in a slot it fetched with a certificate it cannot relay, and the
 *       new primary sends each re-proposed pre-prepare alone as well as inside the new view.</li>
 *   <li>Certificates carry whole batches, not request digests, so the new primary never has to
 *       fetch a batch it re-proposes. Certificates are bounded by the window and batch limits.</li>
 *   <li>The core owns no application state: checkpoints sign a hash chain over the delivered
 *       batches, and state transfer fetches the batches themselves (commit or checkpoint proof).
 *       Batches are kept for {@code historySlotsMax} slots; a member further behind needs an
 *       application snapshot, which is not implemented here.</li>
 *   <li>A restart re-delivers every batch it persisted (so stable storage grows until the host
 *       compacts it with an application snapshot); the in-memory log stays within the window.</li>
 *   <li>Liveness mechanisms simplified from BFT's status messages: members re-send their own votes
 *       for unfinished slots; a member that finished a slot answers a late prepare with its commit;
 *       a fetch request names the requester's low watermark and the reply carries a newer stable
 *       checkpoint certificate; a new view may be relayed by any member (it is self-certifying).</li>
 *   <li>The view-change timer starts once a quorum voted for this view or later ones (PBFT: for this
 *       view); the new view itself still needs a quorum of votes for exactly its view.</li>
 *   <li>Request timers count per payload (Lane 2008, section 4.4.1): the first expiry relays the
 *       payload to the primary and asks a peer for state, the second votes the primary out. The
 *       primary times its own queues too, so that a primary whose backups moved on follows them.</li>
 *   <li>A payload equal to one already delivered is ordered again if it is submitted or forwarded
 *       again: the contract allows duplicates and the layer above executes idempotently.</li>
 * </ul>
 */
public class PbftCore<N extends Comparable<N>> implements OrderingCore<N> {
    static final TimerId REQUEST = TimerId.of("pbft-request");
    static final TimerId VIEW_CHANGE = TimerId.of("pbft-view-change");
    static final TimerId RETRANSMIT = TimerId.of("pbft-retransmit");

    private final PbftConfig config;
    private final MemberIndex<N> membership;
    private final List<N> members;
    private final int self;
    private final int n;
    private final int f;
    private final Outbox<N> out;
    private final NodeKeys<N> keys;

    // View state.
    private long view;
    private boolean active = true; // false while voting for `view` and waiting for its new view
    private NewView installedNewView; // the new view that installed `view` (null for view 0)
    private final ViewChange[] latestViewChange; // per member, the highest valid one seen
    private long viewChangeTimeoutMillis;

    // The log between the watermarks and the execution state.
    private final TreeMap<Long, Slot> log = new TreeMap<>();
    private long stableSeq = -1;
    private Bytes stableDigest = PbftMessage.CHAIN_START;
    private List<Checkpoint> stableProof = List.of();
    private long deliveredThrough = -1;
    private Bytes chain = PbftMessage.CHAIN_START;
    private long nextSeq; // primary: the next slot to assign

    // Checkpoints: votes for slots inside the window, and each member's latest claim beyond it.
    private final TreeMap<Long, TreeMap<Integer, Checkpoint>> checkpointVotes = new TreeMap<>();
    private final Checkpoint[] farCheckpoint;
    private final long[] peerCheckpointSeq;
    /**
     * Per member, the highest slot it sent a commit for, in any view. f+1 commits above what we
     * delivered say a correct member prepared further than we did; if we then make no progress
     * for a tick, we fetch the slots (with commit certificates, which hold in any view, and the
     * new view if there is one) instead of waiting for the next checkpoint. This is how a member
     * that missed pre-prepares (cut off, restarted), one left alone in a view change the others
     * never needed, or one a view behind after a restart, catches up while the others are idle.
     */
    private final long[] peerCommitSeq;
    private final TreeMap<Long, Bytes> ownCheckpoints = new TreeMap<>();

    // Delivered batches with their proofs, to serve lagging members (bounded by historySlotsMax).
    private final TreeMap<Long, Delivered> history = new TreeMap<>();
    private final TreeMap<Long, List<Checkpoint>> checkpointCerts = new TreeMap<>();
    private final TreeMap<Long, Delivered> restoredCommitted = new TreeMap<>();

    // Fairness: one queue per source, payload -> age in request timeouts.
    private final TreeMap<Integer, LinkedHashMap<Bytes, int[]>> queues = new TreeMap<>();
    private final LinkedHashSet<Bytes> inFlight = new LinkedHashSet<>();
    private int roundRobinNext;
    private long requestTimeoutMillis;

    // Timers and catch-up.
    private boolean requestArmed, viewChangeArmed, retransmitArmed, started;
    private long deliveredAtLastTick = -2;
    private int fetchAttempts;
    /**
     * Announcements of our last delivered slot still to make, after the others fall idle: a
     * member cut off while the last slots were decided hears nothing afterwards that could tell it
     * it is behind. Like the periodic status messages of Castro's BFT library, but bounded: our
     * commit for that slot goes to every member not known to hold it, after 1, 2, 4, ...
     * retransmission periods, TAIL_ANNOUNCEMENTS times, and again after each new delivery.
     */
    private int tailAnnouncementsLeft;
    private boolean retransmitForTail;
    private static final int TAIL_ANNOUNCEMENTS = 7;
    /** Built from stable storage: others may have moved on while we were down. */
    private final boolean restarted;
    private boolean sawBeyondWindow;
    private long forwardedForView = -1;

    private record Delivered(List<Bytes> batch, List<Commit> commits) {}

    /** One slot of the log. Agreement messages are kept for one view at a time. */
    private static final class Slot {
        long view = -1;
        PrePrepare prePrepare;
        final TreeMap<Integer, Prepare> prepares = new TreeMap<>();
        final TreeMap<Integer, Commit> commits = new TreeMap<>();
        Prepare myPrepare;
        Commit myCommit;
        PreparedCertificate prepared; // highest view; survives view changes
        boolean committed;
        List<Bytes> committedBatch;
        List<Commit> commitCertificate;

        void resetTo(long v) {
            if (view == v) return;
            view = v;
            prePrepare = null;
            prepares.clear();
            commits.clear();
            myPrepare = null;
            myCommit = null;
        }
    }

    public PbftCore(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys, List<Bytes> persisted) {
        if (members.size() > PbftMessage.MEMBERS_MAX) {
            throw new IllegalArgumentException("at most " + PbftMessage.MEMBERS_MAX + " members, was " + members.size());
        }
        this.config = config;
        this.membership = new MemberIndex<>(members, self, "PBFT");
        this.members = membership.members();
        this.self = membership.self();
        this.n = members.size();
        this.f = faultsTolerated(n);
        this.out = out;
        this.keys = keys;
        this.latestViewChange = new ViewChange[n];
        this.farCheckpoint = new Checkpoint[n];
        this.peerCheckpointSeq = new long[n];
        Arrays.fill(peerCheckpointSeq, -1);
        this.peerCommitSeq = new long[n];
        Arrays.fill(peerCommitSeq, -1);
        this.viewChangeTimeoutMillis = config.viewChangeTimeoutMillis();
        this.requestTimeoutMillis = config.requestTimeoutMillis();
        this.restarted = !persisted.isEmpty();
        restore(persisted);
    }

    /** The most Byzantine members {@code n} members tolerate: {@code f = floor((n - 1) / 3)}. */
    public static int faultsTolerated(int n) {
        return (n - 1) / 3;
    }

    /**
     * The quorum for {@code n >= 1} members, {@code ceil((n + f + 1) / 2)}: any two quorums intersect
     * in at least {@code f + 1} members, so in at least one correct member, and the correct members
     * alone ({@code n - f}) form a quorum. Equals {@code 2f + 1} when {@code n = 3f + 1}.
     */
    public static int quorumSize(int n) {
        int f = faultsTolerated(n);
        return (n + f + 2) / 2;
    }

    /** The quorum this core uses; a deliberately broken test subclass may shrink it. */
    protected int quorum() {
        return quorumSize(n);
    }

    // ---------------------------------------------------------------- restore and start

    private void restore(List<Bytes> persisted) {
        TreeMap<Long, PrePrepare> accepted = new TreeMap<>();
        for (Bytes b : persisted) {
            PbftRecord r = PbftRecord.decode(b, config, n);
            if (r instanceof PbftRecord.ViewChangeStarted v) {
                if (v.view() > view) {
                    view = v.view();
                    active = false;
                }
            } else if (r instanceof PbftRecord.NewViewInstalled nv) {
                if (nv.newView().view() >= view) {
                    view = nv.newView().view();
                    active = true;
                    installedNewView = nv.newView();
                }
            } else if (r instanceof PbftRecord.Accepted a) {
                PrePrepare old = accepted.get(a.prePrepare().sequence());
                if (old == null || old.view() <= a.prePrepare().view()) accepted.put(a.prePrepare().sequence(), a.prePrepare());
            } else if (r instanceof PbftRecord.Prepared p) {
                Slot s = slot(p.certificate().prePrepare().sequence());
                if (s.prepared == null || s.prepared.prePrepare().view() < p.certificate().prePrepare().view()) s.prepared = p.certificate();
            } else if (r instanceof PbftRecord.Committed c) {
                restoredCommitted.put(c.sequence(), new Delivered(c.batch(), c.commits()));
            } else if (r instanceof PbftRecord.StableCheckpoint c) {
                checkpointCerts.put(c.sequence(), c.proof());
                if (c.sequence() > stableSeq) {
                    stableSeq = c.sequence();
                    stableDigest = c.digest();
                    stableProof = c.proof();
                }
            }
        }
        log.headMap(stableSeq, true).clear();
        nextSeq = stableSeq + 1;
        for (PrePrepare pp : accepted.values()) {
            if (pp.view() != view || !active || pp.sequence() <= stableSeq) continue;
            Slot s = slot(pp.sequence());
            s.resetTo(view);
            s.prePrepare = pp;
            if (primaryOf(view) == self) nextSeq = Math.max(nextSeq, pp.sequence() + 1);
            else s.myPrepare = sign(new Prepare(view, pp.sequence(), pp.batchDigest(), self, Bytes.EMPTY));
            if (s.myPrepare != null) s.prepares.put(self, s.myPrepare);
            if (s.prepared != null && s.prepared.prePrepare().view() == view) {
                s.myCommit = sign(new Commit(view, pp.sequence(), pp.batchDigest(), self, Bytes.EMPTY));
                s.commits.put(self, s.myCommit);
            }
        }
        for (Slot s : log.values()) s.resetTo(view);
        for (Map.Entry<Long, Delivered> e : restoredCommitted.tailMap(stableSeq, false).entrySet()) {
            Slot s = slot(e.getKey());
            s.committed = true;
            s.committedBatch = e.getValue().batch();
            s.commitCertificate = e.getValue().commits();
        }
    }

    @Override
    public void start() {
        if (started) throw new IllegalStateException("start() called twice");
        started = true;
        // A restart re-delivers the decided prefix it holds on disk, so the host can rebuild.
        while (restoredCommitted.containsKey(deliveredThrough + 1)) {
            long s = deliveredThrough + 1;
            Delivered d = restoredCommitted.get(s);
            deliver(s, d.batch(), d.commits());
        }
        restoredCommitted.clear();
        executeReady();
        if (restarted && n > 1) {
            // The others may have finished while we were down and now be silent, so nothing would
            // ever tell us we are behind: ask every member once (the recovering replica's query of
            // Castro and Liskov, TOCS 2002, section 4.3). Members with nothing newer do not answer.
            broadcast(sign(new FetchRequest(deliveredThrough + 1, view, stableSeq, self, Bytes.EMPTY)));
        }
        if (!active) {
            broadcastViewChange();
            maybeArmViewChange();
        } else if (isPrimary()) {
            proposeReady();
        }
        afterInput();
    }

    // ---------------------------------------------------------------- inputs

    @Override
    public void onMessage(N from, Bytes message) {
        PbftMessage m = decode(from, message);
        if (m != null) onMessage(from, m);
    }

    /**
     * At the wide-area tier a message arrives unsigned, with its logical machine's proof beside
     * it; the proof becomes its signature, so the message can later be relayed in a certificate
     * and checked by a third site like any signed one. A message that already carries a signature
     * (a new view relayed by another member) keeps it.
     */
    @Override
    public void onMessage(N from, Bytes message, Bytes transportProof) {
        PbftMessage m = decode(from, message);
        if (m == null) return;
        if (keys.signsByTransport() && m.signature().isEmpty()) m = m.withSignature(transportProof);
        onMessage(from, m);
    }

    private PbftMessage decode(N from, Bytes message) {
        try {
            return PbftMessage.decode(message, config, n);
        } catch (DecodeException e) {
            out.reject(from, Rejection.MALFORMED, e.getMessage());
            return null;
        }
    }

    /** A decoded message; unit tests call this directly. */
    public void onMessage(N from, PbftMessage message) {
        int sender = membership.sender(from, out);
        if (sender < 0) return;
        // A new view is self-certifying and may be relayed by anyone; everything else is signed by its sender.
        if (!(message instanceof NewView) && message.replica() != sender) {
            out.reject(from, Rejection.BAD_SIGNATURE, "signed by member " + message.replica() + ", not by the sender " + sender);
            return;
        }
        if (!validSignature(message, NOBODY)) {
            out.reject(from, Rejection.BAD_SIGNATURE, message.getClass().getSimpleName() + " signature does not verify");
            return;
        }
        if (message instanceof PrePrepare m) onPrePrepare(sender, m);
        else if (message instanceof Prepare m) onPrepare(sender, m);
        else if (message instanceof Commit m) onCommit(sender, m);
        else if (message instanceof Checkpoint m) onCheckpoint(sender, m);
        else if (message instanceof ViewChange m) onViewChange(sender, m);
        else if (message instanceof NewView m) onNewView(sender, m);
        else if (message instanceof Forward m) onForward(sender, m);
        else if (message instanceof FetchRequest m) onFetchRequest(sender, m);
        else if (message instanceof FetchReply m) onFetchReply(sender, m);
        else throw new IllegalStateException("unhandled PBFT message " + message);
        afterInput();
    }

    @Override
    public void submit(Bytes payload) {
        if (payload.length() > config.payloadBytesMax()) {
            out.reject(members.get(self), Rejection.INVALID_REQUEST,
                    "payload of " + payload.length() + " bytes exceeds payloadBytesMax " + config.payloadBytesMax());
            return;
        }
        if (enqueue(self, payload)) {
            broadcast(sign(new Forward(List.of(payload), self, Bytes.EMPTY)));
            if (isPrimary() && active) proposeReady();
        }
        afterInput();
    }

    @Override
    public void onTimer(TimerId id) {
        if (id.equals(REQUEST)) onRequestTimeout();
        else if (id.equals(VIEW_CHANGE)) onViewChangeTimeout();
        else if (id.equals(RETRANSMIT)) onRetransmitTimeout();
        // Unknown ids are stale timers of an earlier incarnation; ignore them.
        afterInput();
    }

    // ---------------------------------------------------------------- normal case

    private void onPrePrepare(int sender, PrePrepare m) {
        if (m.view() < view) {
            out.reject(members.get(sender), Rejection.STALE_VIEW, "pre-prepare for view " + m.view() + " < " + view);
            return;
        }
        if (m.view() > view || !active) return; // we have not installed that view yet; it will be retransmitted
        if (sender != primaryOf(view)) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "pre-prepare from a member that is not the primary of view " + view);
            return;
        }
        String bad = checkBatch(m);
        if (bad != null) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, bad);
            return;
        }
        if (!inWindow(sender, m.sequence())) return;
        Slot s = slot(m.sequence());
        s.resetTo(view);
        if (s.prePrepare != null) {
            if (!s.prePrepare.batchDigest().equals(m.batchDigest())) {
                out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "a second pre-prepare for slot " + m.sequence() + " in view " + view);
            } else if (!relayable(s.prePrepare) && relayable(m)) {
                // The signed copy of a pre-prepare we took from a new view (see installNewView):
                // only with it can we show others that this slot prepared here.
                s.prePrepare = m;
                checkPrepared(m.sequence(), s);
            } else {
                // A retransmission: our prepare or commit may have been lost.
                if (s.myPrepare != null) out.send(members.get(sender), s.myPrepare);
                if (s.myCommit != null) out.send(members.get(sender), s.myCommit);
            }
            return;
        }
        acceptPrePrepare(s, m);
        checkPrepared(m.sequence(), s);
    }

    private void acceptPrePrepare(Slot s, PrePrepare pp) {
        s.prePrepare = pp;
        out.persist(new PbftRecord.Accepted(pp));
        if (pp.replica() != self) {
            s.myPrepare = sign(new Prepare(pp.view(), pp.sequence(), pp.batchDigest(), self, Bytes.EMPTY));
            s.prepares.put(self, s.myPrepare);
            broadcast(s.myPrepare);
        }
    }

    private void onPrepare(int sender, Prepare m) {
        if (m.view() < view) {
            out.reject(members.get(sender), Rejection.STALE_VIEW, "prepare for view " + m.view() + " < " + view);
            return;
        }
        if (m.view() > view) return;
        if (sender == primaryOf(view)) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "the primary does not prepare");
            return;
        }
        if (helpLaggard(sender, m.sequence()) || !inWindow(sender, m.sequence())) return;
        Slot s = slot(m.sequence());
        s.resetTo(view);
        s.prepares.putIfAbsent(sender, m);
        checkPrepared(m.sequence(), s);
    }

    private void onCommit(int sender, Commit m) {
        peerCommitSeq[sender] = Math.max(peerCommitSeq[sender], m.sequence());
        if (m.view() < view) {
            out.reject(members.get(sender), Rejection.STALE_VIEW, "commit for view " + m.view() + " < " + view);
            return;
        }
        if (m.view() > view) return;
        if (m.sequence() <= deliveredThrough || !inWindow(sender, m.sequence())) return;
        Slot s = slot(m.sequence());
        s.resetTo(view);
        s.commits.putIfAbsent(sender, m);
        checkCommitted(m.sequence(), s);
    }

    /**
     * A member still preparing a slot we have finished is behind: we send it our commit (if the
     * slot is in our log) or our latest checkpoint (if it is below our low watermark), so that it
     * completes the slot or learns that it must fetch state. Returns whether the prepare needs no
     * further handling. A slot we delivered and can show nothing for (we fetched it with a
     * certificate holding an entry we cannot relay) but hold in this view's log is agreed on
     * again: our commit in this view is what the laggard needs.
     */
    private boolean helpLaggard(int sender, long seq) {
        if (seq > deliveredThrough) return false;
        Slot s = log.get(seq);
        if (s != null && s.myCommit != null) {
            out.send(members.get(sender), s.myCommit);
        } else if (seq <= stableSeq && deliveredThrough >= stableSeq && stableSeq >= 0) {
            out.send(members.get(sender), ownStableCheckpoint());
        } else {
            return s == null;
        }
        return true;
    }

    /** Whether {@code seq} lies between the watermarks; rejects it (OUT_OF_WINDOW) if not. */
    private boolean inWindow(int sender, long seq) {
        if (seq <= stableSeq || seq > stableSeq + config.windowSlots()) {
            if (seq > stableSeq + config.windowSlots()) sawBeyondWindow = true;
            out.reject(members.get(sender), Rejection.OUT_OF_WINDOW,
                    "slot " + seq + " outside (" + stableSeq + ", " + (stableSeq + config.windowSlots()) + "]");
            return false;
        }
        return true;
    }

    /**
     * Prepared: the pre-prepare and {@code quorum - 1} matching prepares from distinct backups. The
     * pre-prepare must be one we can relay: a prepared member must be able to put its certificate
     * in a view change, or a batch committed by a quorum could be missing from the next view.
     */
    private void checkPrepared(long seq, Slot s) {
        if (s.prePrepare == null || s.myCommit != null || !relayable(s.prePrepare)) return;
        List<Prepare> matching = new ArrayList<>();
        for (Prepare p : s.prepares.values()) {
            if (p.batchDigest().equals(s.prePrepare.batchDigest()) && p.replica() != s.prePrepare.replica()) matching.add(p);
        }
        if (matching.size() < quorum() - 1) return;
        PreparedCertificate cert = new PreparedCertificate(s.prePrepare, List.copyOf(matching.subList(0, quorum() - 1)));
        if (s.prepared == null || s.prepared.prePrepare().view() < view) {
            s.prepared = cert;
            out.persist(new PbftRecord.Prepared(cert));
        }
        s.myCommit = sign(new Commit(view, seq, s.prePrepare.batchDigest(), self, Bytes.EMPTY));
        s.commits.put(self, s.myCommit);
        broadcast(s.myCommit);
        checkCommitted(seq, s);
    }

    /** Committed-local: prepared here and {@code quorum} matching commits. */
    private void checkCommitted(long seq, Slot s) {
        if (s.committed || s.myCommit == null) return;
        List<Commit> matching = new ArrayList<>();
        for (Commit c : s.commits.values()) if (c.batchDigest().equals(s.prePrepare.batchDigest())) matching.add(c);
        if (matching.size() < quorum()) return;
        markCommitted(seq, s, s.prePrepare.batch(), List.copyOf(matching.subList(0, quorum())));
        executeReady();
    }

    private void markCommitted(long seq, Slot s, List<Bytes> batch, List<Commit> certificate) {
        s.committed = true;
        s.committedBatch = batch;
        s.commitCertificate = certificate;
        out.persist(new PbftRecord.Committed(seq, batch, certificate));
    }

    /** Delivers committed slots in order, with no gaps. */
    private void executeReady() {
        long before = deliveredThrough;
        while (true) {
            Slot s = log.get(deliveredThrough + 1);
            if (s == null || !s.committed) break;
            deliver(deliveredThrough + 1, s.committedBatch, s.commitCertificate);
        }
        // Deliveries free in-flight room: what waited goes out now, batched.
        if (deliveredThrough > before && started && isPrimary() && active) proposeReady();
    }

    private void deliver(long seq, List<Bytes> batch, List<Commit> proof) {
        if (seq != deliveredThrough + 1) throw new IllegalStateException("delivering slot " + seq + " after " + deliveredThrough);
        deliveredThrough = seq;
        tailAnnouncementsLeft = TAIL_ANNOUNCEMENTS;
        chain = PbftMessage.chain(chain, seq, PbftMessage.batchDigest(batch));
        history.put(seq, new Delivered(batch, proof));
        while (history.size() > config.historySlotsMax()) history.pollFirstEntry();
        if (!history.isEmpty()) checkpointCerts.headMap(history.firstKey(), false).clear();
        boolean progressed = false;
        for (Bytes p : batch) {
            inFlight.remove(p);
            for (LinkedHashMap<Bytes, int[]> q : queues.values()) progressed |= q.remove(p) != null;
        }
        out.deliver(seq, batch);
        if (progressed) {
            requestTimeoutMillis = config.requestTimeoutMillis();
            viewChangeTimeoutMillis = config.viewChangeTimeoutMillis();
        }
        if ((seq + 1) % config.checkpointIntervalSlots() == 0 && seq > stableSeq) {
            ownCheckpoints.put(seq, chain);
            Checkpoint c = sign(new Checkpoint(seq, chain, self, Bytes.EMPTY));
            broadcast(c);
            if (seq <= stableSeq + config.windowSlots()) {
                checkpointVotes.computeIfAbsent(seq, k -> new TreeMap<>()).put(self, c);
                checkStable(seq);
            }
        }
    }

    // ---------------------------------------------------------------- primary: batching and fairness

    /** Assigns batches to slots while the window allows and payloads wait. */
    private void proposeReady() {
        // Within the window, and with at most inFlightSlotsMax proposals not yet delivered here:
        // what arrives meanwhile is batched into the next proposal.
        while (nextSeq <= stableSeq + config.windowSlots() && nextSeq - 1 - deliveredThrough < config.inFlightSlotsMax()) {
            List<Bytes> batch = nextBatch();
            if (batch.isEmpty()) return;
            long seq = nextSeq++;
            PrePrepare pp = signPrePrepare(view, seq, batch);
            Slot s = slot(seq);
            s.resetTo(view);
            inFlight.addAll(batch);
            acceptPrePrepare(s, pp);
            broadcastPrePrepare(pp);
            checkPrepared(seq, s);
        }
    }

    /** Takes payloads from the per-source queues round-robin, one per source per turn (section 4.4.1). */
    private List<Bytes> nextBatch() {
        List<Iterator<Map.Entry<Bytes, int[]>>> its = new ArrayList<>();
        List<Integer> sources = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int src = (roundRobinNext + k) % n;
            LinkedHashMap<Bytes, int[]> q = queues.get(src);
            if (q != null && !q.isEmpty()) {
                its.add(q.entrySet().iterator());
                sources.add(src);
            }
        }
        List<Bytes> batch = new ArrayList<>();
        LinkedHashSet<Bytes> chosen = new LinkedHashSet<>();
        long bytes = 0;
        boolean any = true;
        while (any && batch.size() < config.batchPayloadsMax()) {
            any = false;
            for (int k = 0; k < its.size() && batch.size() < config.batchPayloadsMax(); k++) {
                Iterator<Map.Entry<Bytes, int[]>> it = its.get(k);
                while (it.hasNext()) {
                    Bytes p = it.next().getKey();
                    if (inFlight.contains(p) || chosen.contains(p) || !mayPropose(sources.get(k), p)) continue;
                    if (bytes + p.length() > config.batchBytesMax()) break;
                    batch.add(p);
                    chosen.add(p);
                    bytes += p.length();
                    any = true;
                    roundRobinNext = (sources.get(k) + 1) % n;
                    break;
                }
            }
        }
        return List.copyOf(batch);
    }

    /** Whether the primary may propose {@code payload} of {@code source} now; test subclasses starve a source. */
    protected boolean mayPropose(int source, Bytes payload) {
        return true;
    }

    /** Signs a pre-prepare of this member; test subclasses use it to equivocate. */
    protected final PrePrepare signPrePrepare(long v, long seq, List<Bytes> batch) {
        return sign(new PrePrepare(v, seq, PbftMessage.batchDigest(batch), self, List.copyOf(batch), Bytes.EMPTY));
    }

    /** A commit signed by this member; for adversary subclasses that vote for what they please. */
    protected final Commit signCommit(long v, long seq, Bytes batchDigest) {
        return sign(new Commit(v, seq, batchDigest, self, Bytes.EMPTY));
    }

    /** Sends a pre-prepare to every backup; a test subclass overrides it to equivocate. */
    protected void broadcastPrePrepare(PrePrepare pp) {
        broadcast(pp);
    }

    /** Adds a payload to a source's queue; returns whether it is new. */
    private boolean enqueue(int source, Bytes payload) {
        LinkedHashMap<Bytes, int[]> q = queues.computeIfAbsent(source, k -> new LinkedHashMap<>());
        if (q.containsKey(payload)) return false;
        if (q.size() >= config.pendingPayloadsMax()) {
            out.reject(members.get(source), Rejection.OVERLOADED, "queue of source " + source + " is full (" + q.size() + ")");
            return false;
        }
        q.put(payload, new int[1]);
        return true;
    }

    private void onForward(int sender, Forward m) {
        for (Bytes p : m.payloads()) {
            if (p.length() > config.payloadBytesMax()) {
                out.reject(members.get(sender), Rejection.INVALID_REQUEST, "forwarded payload exceeds payloadBytesMax");
                return;
            }
            enqueue(sender, p);
        }
        if (isPrimary() && active) proposeReady();
    }

    /**
     * Request timer (PBFT section 4.5.2; Lane 2008, section 4.4.1): every queued payload ages by one
     * per timeout. At age 1 the member passes it to the primary itself (its source may have skipped
     * the primary) and asks a peer for state (it may have missed the ordering); a payload that has
     * waited a whole timeout more makes the member vote the primary out, with a doubled timeout.
     */
    private void onRequestTimeout() {
        requestArmed = false;
        if (!active) return;
        int oldest = 0;
        List<Bytes> relay = new ArrayList<>();
        List<Bytes> mine = new ArrayList<>();
        for (Map.Entry<Integer, LinkedHashMap<Bytes, int[]>> q : queues.entrySet()) {
            for (Map.Entry<Bytes, int[]> e : q.getValue().entrySet()) {
                int age = ++e.getValue()[0];
                oldest = Math.max(oldest, age);
                if (age != 1) continue;
                if (q.getKey() == self) mine.add(e.getKey());
                else if (relay.size() < config.batchPayloadsMax()) relay.add(e.getKey());
            }
        }
        if (oldest >= 2) {
            requestTimeoutMillis = Math.min(requestTimeoutMillis * 2, config.requestTimeoutMaxMillis());
            startViewChange(view + 1);
            return;
        }
        if (!relay.isEmpty() && !isPrimary()) out.send(members.get(primaryOf(view)), sign(new Forward(List.copyOf(relay), self, Bytes.EMPTY)));
        if (!mine.isEmpty()) broadcastForward(mine); // like a PBFT client's retransmission to all replicas
        if (!relay.isEmpty() || !mine.isEmpty()) sendFetch();
    }

    // ---------------------------------------------------------------- checkpoints

    private void onCheckpoint(int sender, Checkpoint m) {
        if ((m.sequence() + 1) % config.checkpointIntervalSlots() != 0) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "checkpoint at " + m.sequence() + " is not at an interval boundary");
            return;
        }
        noteCheckpointClaim(sender, m.sequence());
        if (m.sequence() == stableSeq && m.stateDigest().equals(stableDigest) && keys.signsByTransport()) addLateVote(m);
        if (m.sequence() <= stableSeq) return;
        if (m.sequence() > stableSeq + config.windowSlots()) {
            // Beyond our window: keep one claim per member; a quorum of equal claims proves we are behind.
            if (farCheckpoint[sender] == null || farCheckpoint[sender].sequence() < m.sequence()) farCheckpoint[sender] = m;
            List<Checkpoint> proof = new ArrayList<>();
            for (Checkpoint c : farCheckpoint) {
                if (c != null && c.sequence() == m.sequence() && c.stateDigest().equals(m.stateDigest())) proof.add(c);
            }
            if (proof.size() >= quorum()) adoptStable(m.sequence(), m.stateDigest(), List.copyOf(proof));
            return;
        }
        checkpointVotes.computeIfAbsent(m.sequence(), k -> new TreeMap<>()).putIfAbsent(sender, m);
        checkStable(m.sequence());
    }

    private void checkStable(long seq) {
        TreeMap<Integer, Checkpoint> votes = checkpointVotes.get(seq);
        if (votes == null) return;
        for (Checkpoint candidate : votes.values()) {
            List<Checkpoint> proof = new ArrayList<>();
            for (Checkpoint c : votes.values()) if (c.stateDigest().equals(candidate.stateDigest())) proof.add(c);
            if (proof.size() >= quorum()) {
                adoptStable(seq, candidate.stateDigest(), List.copyOf(proof));
                return;
            }
        }
    }

    /** Our vote for our stable checkpoint, to re-send to a member that is behind. */
    private Checkpoint ownStableCheckpoint() {
        return sign(new Checkpoint(stableSeq, stableDigest, self, Bytes.EMPTY));
    }

    /** {@code member} says (a checkpoint, or a view change's stable proof) that it delivered through {@code seq}; see behind(). */
    private void noteCheckpointClaim(int member, long seq) {
        peerCheckpointSeq[member] = Math.max(peerCheckpointSeq[member], seq);
    }

    /**
     * A late vote for our stable checkpoint joins its proof: with more signed entries, whoever we
     * send the proof to can relay it without our own entry, which is unsigned at the wide-area tier.
     */
    private void addLateVote(Checkpoint m) {
        for (Checkpoint c : stableProof) if (c.replica() == m.replica()) return;
        List<Checkpoint> more = new ArrayList<>(stableProof);
        more.add(m);
        stableProof = List.copyOf(more);
        checkpointCerts.put(stableSeq, stableProof);
    }

    /**
     * The entries of a valid checkpoint certificate that we can relay (signed ones and our own),
     * with the signed votes we hold for the same checkpoint and our own vote if we delivered that
     * far; null if they are fewer than a quorum. We adopt a stable checkpoint only with such a
     * proof: a member that truncates its log must be able to show why in its view changes, or a
     * batch prepared there could be missing from the next view. At the wide-area tier a member's
     * own entries travel unsigned inside its own messages (the enclosing proof covers them), so a
     * certificate received from one member may hold one entry nobody else can pass on.
     */
    private List<Checkpoint> relayableProof(long seq, Bytes digest, List<Checkpoint> proof) {
        TreeMap<Integer, Checkpoint> byMember = new TreeMap<>();
        for (Checkpoint c : proof) if (relayable(c)) byMember.putIfAbsent(c.replica(), c);
        TreeMap<Integer, Checkpoint> votes = checkpointVotes.get(seq);
        if (votes != null) {
            for (Checkpoint c : votes.values()) if (c.stateDigest().equals(digest) && relayable(c)) byMember.putIfAbsent(c.replica(), c);
        }
        for (Checkpoint c : farCheckpoint) {
            if (c != null && c.sequence() == seq && c.stateDigest().equals(digest)) byMember.putIfAbsent(c.replica(), c);
        }
        if (digest.equals(ownCheckpoints.get(seq))) byMember.putIfAbsent(self, sign(new Checkpoint(seq, digest, self, Bytes.EMPTY)));
        return byMember.size() >= quorum() ? List.copyOf(byMember.values()) : null;
    }

    /** A checkpoint proved by a quorum becomes stable: the low watermark moves and the log is truncated. */
    private void adoptStable(long seq, Bytes digest, List<Checkpoint> proof) {
        adoptStable(seq, digest, proof, true);
    }

    private void adoptStable(long seq, Bytes digest, List<Checkpoint> proof, boolean persist) {
        if (seq <= stableSeq) return;
        Bytes mine = ownCheckpoints.get(seq);
        if (mine != null && !mine.equals(digest)) {
            throw new IllegalStateException("our delivered history diverges from the certified checkpoint at " + seq);
        }
        stableSeq = seq;
        stableDigest = digest;
        stableProof = proof;
        sawBeyondWindow = false;
        checkpointCerts.put(seq, proof);
        if (persist) out.persist(new PbftRecord.StableCheckpoint(seq, digest, proof));
        log.headMap(seq, true).clear();
        checkpointVotes.headMap(seq, true).clear();
        ownCheckpoints.headMap(seq, false).clear();
        for (int i = 0; i < n; i++) if (farCheckpoint[i] != null && farCheckpoint[i].sequence() <= seq) farCheckpoint[i] = null;
        nextSeq = Math.max(nextSeq, seq + 1);
        // Far claims that now fall inside the window count as ordinary votes.
        for (int i = 0; i < n; i++) {
            Checkpoint c = farCheckpoint[i];
            if (c != null && c.sequence() <= stableSeq + config.windowSlots()) {
                checkpointVotes.computeIfAbsent(c.sequence(), k -> new TreeMap<>()).putIfAbsent(i, c);
                farCheckpoint[i] = null;
            }
        }
        if (deliveredThrough < seq) sendFetch();
        for (Long s : new ArrayList<>(checkpointVotes.keySet())) {
            if (s <= stableSeq) continue;
            checkStable(s);
            break;
        }
        if (isPrimary() && active) proposeReady();
    }

    // ---------------------------------------------------------------- state transfer

    /** Whether some evidence says others have delivered slots we have not. */
    private boolean behind() {
        if (stableSeq > deliveredThrough || sawBeyondWindow) return true;
        if (!ownCheckpoints.isEmpty() && ownCheckpoints.lastKey() > stableSeq) return true; // our checkpoint is not stable yet
        for (Slot s : log.tailMap(deliveredThrough + 1, false).values()) if (s.committed) return true;
        if (n == 1) return false;
        long[] sorted = peerCheckpointSeq.clone();
        Arrays.sort(sorted);
        if (sorted[n - 1 - f] > deliveredThrough) return true; // f + 1 members claim to have delivered further
        long[] stale = peerCommitSeq.clone();
        Arrays.sort(stale);
        return stale[n - 1 - f] > deliveredThrough; // f + 1 members prepared further, in some view
    }

    private void sendFetch() {
        if (n == 1) return;
        fetchAttempts++;
        int target = (self + fetchAttempts) % n;
        if (target == self) target = (target + 1) % n;
        out.send(members.get(target), sign(new FetchRequest(deliveredThrough + 1, view, stableSeq, self, Bytes.EMPTY)));
    }

    private void onFetchRequest(int sender, FetchRequest m) {
        if (m.view() < view && active && installedNewView != null) out.send(members.get(sender), installedNewView);
        List<SlotProof> proofs = new ArrayList<>();
        if (stableSeq > m.stableSequence() && stableSeq >= 0) {
            proofs.add(new SlotProof(stableSeq + 1, List.of(), stableProof, List.of()));
            // Inside the reply our own entry is unsigned where the transport signs; alone it comes
            // with its proof, and the requester keeps only proofs it can relay (relayableProof).
            if (keys.signsByTransport() && deliveredThrough >= stableSeq) {
                out.send(members.get(sender), ownStableCheckpoint());
            }
        }
        long s = m.fromSequence();
        int slots = 0;
        while (slots < config.catchUpSlotsMax() && s <= deliveredThrough) {
            Delivered d = history.get(s);
            if (d == null) break;
            if (!d.commits().isEmpty() && allRelayable(d.commits())) {
                proofs.add(new SlotProof(s, List.of(d.batch()), List.of(), d.commits()));
                slots++;
                s++;
                continue;
            }
            Map.Entry<Long, List<Checkpoint>> cert = checkpointCerts.ceilingEntry(s);
            if (cert == null || cert.getKey() > deliveredThrough || cert.getKey() - s + 1 + slots > config.catchUpSlotsMax()) break;
            List<List<Bytes>> batches = new ArrayList<>();
            for (long k = s; k <= cert.getKey(); k++) {
                Delivered h = history.get(k);
                if (h == null) break;
                batches.add(h.batch());
            }
            if (batches.size() != cert.getKey() - s + 1) break;
            proofs.add(new SlotProof(s, List.copyOf(batches), cert.getValue(), List.of()));
            slots += batches.size();
            s = cert.getKey() + 1;
        }
        if (!proofs.isEmpty()) out.send(members.get(sender), sign(new FetchReply(m.fromSequence(), List.copyOf(proofs), self, Bytes.EMPTY)));
    }

    private void onFetchReply(int sender, FetchReply m) {
        long before = deliveredThrough;
        applyFetchReply(sender, m);
        executeReady();
        long slots = 0;
        for (SlotProof p : m.proofs()) slots += p.batches().size();
        // A full reply means the sender may hold more, even when nothing else says we are behind.
        if (deliveredThrough > before && (behind() || slots >= config.catchUpSlotsMax())) {
            // More to fetch: ask the member that just proved useful.
            out.send(members.get(sender), sign(new FetchRequest(deliveredThrough + 1, view, stableSeq, self, Bytes.EMPTY)));
        }
    }

    private void applyFetchReply(int sender, FetchReply m) {
        for (SlotProof p : m.proofs()) {
            if (p.batches().isEmpty()) {
                long seq = p.firstSequence() - 1;
                Bytes digest = p.commits().isEmpty() ? validCheckpointCertificate(seq, p.checkpointProof(), m.replica()) : null;
                if (digest == null) {
                    out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "invalid stable checkpoint certificate for " + seq);
                    return;
                }
                List<Checkpoint> proof = seq > stableSeq ? relayableProof(seq, digest, p.checkpointProof()) : null;
                if (proof != null) adoptStable(seq, digest, proof);
                continue;
            }
            if (p.lastSequence() <= deliveredThrough) continue;
            if (p.firstSequence() != deliveredThrough + 1) return; // a gap: nothing further can be checked
            for (List<Bytes> b : p.batches()) {
                String bad = checkBatchSize(b);
                if (bad != null) {
                    out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, bad);
                    return;
                }
            }
            if (!p.commits().isEmpty() && p.checkpointProof().isEmpty() && p.batches().size() == 1) {
                if (!validCommitCertificate(p.firstSequence(), p.batches().get(0), p.commits(), m.replica())) {
                    out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "invalid commit certificate for slot " + p.firstSequence());
                    return;
                }
                long seq = p.firstSequence();
                // Kept to serve others only if we can relay every commit in it.
                List<Commit> kept = allRelayable(p.commits()) ? p.commits() : List.of();
                Slot s = log.get(seq);
                if (s != null && !s.committed) markCommitted(seq, s, p.batches().get(0), kept);
                else if (s == null) out.persist(new PbftRecord.Committed(seq, p.batches().get(0), kept));
                deliver(seq, p.batches().get(0), kept);
            } else if (p.commits().isEmpty() && !p.checkpointProof().isEmpty()) {
                long last = p.lastSequence();
                Bytes digest = validCheckpointCertificate(last, p.checkpointProof(), m.replica());
                Bytes c = chain;
                for (int k = 0; k < p.batches().size(); k++) {
                    c = PbftMessage.chain(c, p.firstSequence() + k, PbftMessage.batchDigest(p.batches().get(k)));
                }
                if (digest == null || !digest.equals(c)) {
                    out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "batches do not match the checkpoint certificate at " + last);
                    return;
                }
                for (int k = 0; k < p.batches().size(); k++) {
                    long seq = p.firstSequence() + k;
                    out.persist(new PbftRecord.Committed(seq, p.batches().get(k), List.of()));
                    deliver(seq, p.batches().get(k), List.of());
                }
                // The certificate, if we can relay it, proves these batches for later fetches (and
                // after a restart); having delivered them, our own vote is part of it now.
                List<Checkpoint> proof = relayableProof(last, digest, p.checkpointProof());
                if (proof != null) {
                    checkpointCerts.put(last, proof);
                    out.persist(new PbftRecord.StableCheckpoint(last, digest, proof));
                    if (last > stableSeq) adoptStable(last, digest, proof, false);
                }
            } else {
                out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "slot proof has neither a commit nor a checkpoint certificate");
                return;
            }
        }
    }

    // ---------------------------------------------------------------- view change

    private void onViewChangeTimeout() {
        viewChangeArmed = false;
        if (active) return;
        startViewChange(view + 1);
    }

    /** Leaves the current view for {@code newView}: persists the decision, then votes (PBFT section 4.4). */
    private void startViewChange(long newView) {
        if (newView <= view) throw new IllegalStateException("views only grow: " + view + " -> " + newView);
        if (newView > PbftMessage.VIEW_MAX) return;
        view = newView;
        active = false;
        installedNewView = null;
        inFlight.clear();
        out.persist(new PbftRecord.ViewChangeStarted(newView));
        if (requestArmed) {
            requestArmed = false;
            out.cancelTimer(REQUEST);
        }
        if (viewChangeArmed) {
            viewChangeArmed = false;
            out.cancelTimer(VIEW_CHANGE);
        }
        broadcastViewChange();
        maybeArmViewChange();
        if (isPrimary()) maybeNewView();
    }

    private void broadcastViewChange() {
        List<PreparedCertificate> prepared = new ArrayList<>();
        for (Map.Entry<Long, Slot> e : log.tailMap(stableSeq, false).entrySet()) {
            if (e.getValue().prepared != null) prepared.add(e.getValue().prepared);
        }
        ViewChange vc = sign(new ViewChange(view, stableSeq, stableProof, List.copyOf(prepared), self, Bytes.EMPTY));
        latestViewChange[self] = vc;
        broadcast(vc);
    }

    /**
     * PBFT section 4.5.2: the view-change timer starts only once a quorum voted for the view this
     * member waits for, so that no correct member runs more than one view ahead of a quorum; each
     * consecutive view change doubles it.
     */
    private void maybeArmViewChange() {
        if (active || viewChangeArmed) return;
        // A vote for a later view counts too: that member has left every view below it, so waiting
        // for its vote for ours would wait forever (it retransmits only its latest).
        int votes = 0;
        for (ViewChange vc : latestViewChange) if (vc != null && vc.view() >= view) votes++;
        if (votes < quorum()) return;
        viewChangeArmed = true;
        out.setTimer(VIEW_CHANGE, viewChangeTimeoutMillis);
        viewChangeTimeoutMillis = Math.min(viewChangeTimeoutMillis * 2, config.viewChangeTimeoutMaxMillis());
    }

    private void onViewChange(int sender, ViewChange m) {
        if (m.view() < view || (m.view() == view && active)) {
            // The sender missed a new view we installed: hand it over (it is self-certifying).
            if (active && installedNewView != null) out.send(members.get(sender), installedNewView);
            if (m.view() < view) out.reject(members.get(sender), Rejection.STALE_VIEW, "view change to " + m.view() + " <= " + view);
            return;
        }
        String bad = checkViewChange(m);
        if (bad != null) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, bad);
            return;
        }
        if (latestViewChange[sender] == null || latestViewChange[sender].view() < m.view()) latestViewChange[sender] = m;
        noteCheckpointClaim(sender, m.stableSequence());
        // PBFT's liveness rule: f + 1 members voting for higher views include a correct one; join the smallest.
        long smallest = Long.MAX_VALUE;
        int higher = 0;
        for (int i = 0; i < n; i++) {
            ViewChange vc = latestViewChange[i];
            if (i != self && vc != null && vc.view() > view) {
                higher++;
                smallest = Math.min(smallest, vc.view());
            }
        }
        if (higher >= f + 1) {
            startViewChange(smallest);
        } else if (!active) {
            maybeArmViewChange();
            if (isPrimary()) maybeNewView();
        }
    }

    /** The new primary installs its view once a quorum voted for it. */
    private void maybeNewView() {
        List<ViewChange> votes = new ArrayList<>();
        for (ViewChange vc : latestViewChange) if (vc != null && vc.view() == view) votes.add(vc);
        if (votes.size() < quorum()) return;
        TreeMap<Long, List<Bytes>> o = computeNewViewBatches(votes);
        List<PrePrepare> prePrepares = new ArrayList<>();
        for (Map.Entry<Long, List<Bytes>> e : o.entrySet()) prePrepares.add(signPrePrepare(view, e.getKey(), e.getValue()));
        NewView nv = sign(new NewView(view, List.copyOf(votes), List.copyOf(prePrepares), self, Bytes.EMPTY));
        installNewView(nv);
    }

    /**
     * The O set of PBFT's new view (section 4.4): from the highest stable checkpoint among the votes
     * to the highest prepared slot, the batch of the prepared certificate with the highest view, or
     * the null batch where no vote holds one. Deterministic, so every member can recompute it.
     */
    static TreeMap<Long, List<Bytes>> computeNewViewBatches(List<ViewChange> votes) {
        long low = -1;
        for (ViewChange vc : votes) low = Math.max(low, vc.stableSequence());
        TreeMap<Long, PrePrepare> best = new TreeMap<>();
        for (ViewChange vc : votes) {
            for (PreparedCertificate c : vc.prepared()) {
                PrePrepare pp = c.prePrepare();
                if (pp.sequence() <= low) continue;
                PrePrepare b = best.get(pp.sequence());
                if (b == null || pp.view() > b.view() || (pp.view() == b.view() && pp.batchDigest().compareTo(b.batchDigest()) < 0)) {
                    best.put(pp.sequence(), pp);
                }
            }
        }
        TreeMap<Long, List<Bytes>> o = new TreeMap<>();
        long high = best.isEmpty() ? low : best.lastKey();
        for (long s = low + 1; s <= high; s++) o.put(s, best.containsKey(s) ? best.get(s).batch() : List.of());
        return o;
    }

    private static long stableOf(List<ViewChange> votes) {
        long low = -1;
        for (ViewChange vc : votes) low = Math.max(low, vc.stableSequence());
        return low;
    }

    private void onNewView(int sender, NewView m) {
        if (m.view() < view || (m.view() == view && active)) return; // old or already installed
        String bad = checkNewView(m);
        if (bad != null) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, bad);
            return;
        }
        installNewView(m);
    }

    /** Validates a new view completely: the votes, and the O set recomputed from them (PBFT section 4.4). */
    private String checkNewView(NewView m) {
        if (m.replica() != primaryOf(m.view())) return "new view for " + m.view() + " signed by a member that is not its primary";
        boolean[] seen = new boolean[n];
        for (ViewChange vc : m.viewChanges()) {
            if (vc.view() != m.view()) return "new view carries a view change for view " + vc.view();
            if (seen[vc.replica()]) return "new view carries two view changes of member " + vc.replica();
            seen[vc.replica()] = true;
            if (!validSignature(vc, m.replica())) return "new view carries a forged view change of member " + vc.replica();
            String bad = checkViewChange(vc);
            if (bad != null) return "new view carries an invalid view change: " + bad;
        }
        if (m.viewChanges().size() < quorum()) return "new view carries " + m.viewChanges().size() + " view changes, fewer than a quorum";
        TreeMap<Long, List<Bytes>> o = computeNewViewBatches(m.viewChanges());
        if (o.size() != m.prePrepares().size()) return "new view O set has " + m.prePrepares().size() + " pre-prepares, expected " + o.size();
        Iterator<Map.Entry<Long, List<Bytes>>> it = o.entrySet().iterator();
        for (PrePrepare pp : m.prePrepares()) {
            Map.Entry<Long, List<Bytes>> e = it.next();
            if (pp.view() != m.view() || pp.sequence() != e.getKey() || pp.replica() != m.replica() || !pp.batch().equals(e.getValue())
                    || !pp.batchDigest().equals(PbftMessage.batchDigest(pp.batch())) || !validSignature(pp, m.replica())) {
                return "new view O set differs from the one its view changes determine at slot " + e.getKey();
            }
        }
        return null;
    }

    /** Enters the new view: adopts its checkpoint, accepts its pre-prepares, then speaks (persist before send). */
    private void installNewView(NewView nv) {
        view = nv.view();
        active = false; // until the new view's pre-prepares are in place
        long low = stableOf(nv.viewChanges());
        if (low > stableSeq) {
            // Every vote at the new low watermark certifies the same checkpoint; pool their entries,
            // since we keep only those we can relay (relayableProof).
            Bytes digest = null;
            List<Checkpoint> entries = new ArrayList<>();
            for (ViewChange vc : nv.viewChanges()) {
                if (vc.stableSequence() != low) continue;
                if (digest == null) digest = vc.stableProof().get(0).stateDigest();
                if (digest.equals(vc.stableProof().get(0).stateDigest())) entries.addAll(vc.stableProof());
            }
            List<Checkpoint> proof = relayableProof(low, digest, entries);
            if (proof != null) adoptStable(low, digest, proof);
        }
        for (ViewChange vc : nv.viewChanges()) noteCheckpointClaim(vc.replica(), vc.stableSequence());
        for (Slot s : log.values()) s.resetTo(view);
        inFlight.clear();
        long high = Math.max(low, stableSeq);
        for (PrePrepare pp : nv.prePrepares()) {
            high = Math.max(high, pp.sequence());
            if (pp.sequence() <= stableSeq) continue;
            Slot s = slot(pp.sequence());
            s.resetTo(view);
            s.prePrepare = pp;
            out.persist(new PbftRecord.Accepted(pp));
            if (!(s.committed && pp.sequence() <= deliveredThrough)) inFlight.addAll(pp.batch());
        }
        out.persist(new PbftRecord.NewViewInstalled(nv));
        active = true;
        installedNewView = nv;
        nextSeq = Math.max(high + 1, stableSeq + 1);
        if (viewChangeArmed) {
            viewChangeArmed = false;
            out.cancelTimer(VIEW_CHANGE);
        }
        for (LinkedHashMap<Bytes, int[]> q : queues.values()) for (int[] age : q.values()) age[0] = 0;
        if (isPrimary()) {
            broadcast(nv);
            // Where the new view's proof is the only signature its pre-prepares have (the wide-area
            // tier), each also travels alone: members need a copy they can relay (checkPrepared).
            for (PrePrepare pp : nv.prePrepares()) if (pp.signature().isEmpty() && pp.sequence() > stableSeq) broadcastPrePrepare(pp);
        }
        for (PrePrepare pp : nv.prePrepares()) {
            if (pp.sequence() <= stableSeq) continue;
            Slot s = slot(pp.sequence());
            if (!isPrimary()) {
                s.myPrepare = sign(new Prepare(view, pp.sequence(), pp.batchDigest(), self, Bytes.EMPTY));
                s.prepares.put(self, s.myPrepare);
                broadcast(s.myPrepare);
            }
        }
        for (PrePrepare pp : nv.prePrepares()) {
            Slot s = log.get(pp.sequence());
            if (s != null) checkPrepared(pp.sequence(), s);
        }
        // Our own source's payloads go to the new primary, which may not have them.
        LinkedHashMap<Bytes, int[]> mine = queues.get(self);
        if (mine != null && !mine.isEmpty() && !isPrimary()) forwardToPrimary(new ArrayList<>(mine.keySet()));
        if (isPrimary()) proposeReady();
        executeReady();
    }

    private void broadcastForward(List<Bytes> payloads) {
        for (int i = 0; i < payloads.size(); i += config.batchPayloadsMax()) {
            List<Bytes> chunk = payloads.subList(i, Math.min(payloads.size(), i + config.batchPayloadsMax()));
            broadcast(sign(new Forward(List.copyOf(chunk), self, Bytes.EMPTY)));
        }
    }

    private void forwardToPrimary(List<Bytes> payloads) {
        for (int i = 0; i < payloads.size(); i += config.batchPayloadsMax()) {
            List<Bytes> chunk = payloads.subList(i, Math.min(payloads.size(), i + config.batchPayloadsMax()));
            out.send(members.get(primaryOf(view)), sign(new Forward(List.copyOf(chunk), self, Bytes.EMPTY)));
        }
    }

    // ---------------------------------------------------------------- validation

    /** No enclosing message vouches: a message taken off the wire. */
    private static final int NOBODY = -1;

    /**
     * Whether {@code m} is authentic. Where the transport signs ({@link NodeKeys#signsByTransport}),
     * a member's own entries inside its own message carry no signature: {@code vouchedBy}, the
     * signer of the (already checked) enclosing message, stands for them, and for nobody else.
     */
    private boolean validSignature(PbftMessage m, int vouchedBy) {
        if (m.replica() < 0 || m.replica() >= n) return false;
        if (m.signature().isEmpty()) return keys.signsByTransport() && m.replica() == vouchedBy;
        return keys.verify(members.get(m.replica()), m.signedBytes(), m.signature());
    }

    /** Whether a third party could check {@code m} without us: it is signed, or it is ours (we vouch for it). */
    private boolean relayable(PbftMessage m) {
        return m.replica() == self || !m.signature().isEmpty();
    }

    private boolean allRelayable(List<? extends PbftMessage> messages) {
        for (PbftMessage m : messages) if (!relayable(m)) return false;
        return true;
    }

    private String checkBatchSize(List<Bytes> batch) {
        if (batch.size() > config.batchPayloadsMax()) return "batch of " + batch.size() + " payloads exceeds batchPayloadsMax";
        long bytes = 0;
        for (Bytes p : batch) bytes += p.length();
        if (bytes > config.batchBytesMax()) return "batch of " + bytes + " bytes exceeds batchBytesMax";
        return null;
    }

    private String checkBatch(PrePrepare pp) {
        if (!pp.batchDigest().equals(PbftMessage.batchDigest(pp.batch()))) return "pre-prepare digest does not match its batch";
        return checkBatchSize(pp.batch());
    }

    /** The digest a valid checkpoint certificate for {@code seq}, sent by {@code vouchedBy}, proves, or null. */
    private Bytes validCheckpointCertificate(long seq, List<Checkpoint> proof, int vouchedBy) {
        if (proof.isEmpty() || (seq + 1) % config.checkpointIntervalSlots() != 0) return null;
        Bytes digest = proof.get(0).stateDigest();
        boolean[] seen = new boolean[n];
        for (Checkpoint c : proof) {
            if (c.sequence() != seq || !c.stateDigest().equals(digest) || seen[c.replica()] || !validSignature(c, vouchedBy)) return null;
            seen[c.replica()] = true;
        }
        return proof.size() >= quorum() ? digest : null;
    }

    private boolean validCommitCertificate(long seq, List<Bytes> batch, List<Commit> commits, int vouchedBy) {
        Bytes digest = PbftMessage.batchDigest(batch);
        long v = commits.get(0).view();
        boolean[] seen = new boolean[n];
        for (Commit c : commits) {
            if (c.sequence() != seq || c.view() != v || !c.batchDigest().equals(digest) || seen[c.replica()] || !validSignature(c, vouchedBy)) return false;
            seen[c.replica()] = true;
        }
        return commits.size() >= quorum();
    }

    /** Checks a view change's checkpoint proof and each prepared certificate (PBFT section 4.4); null if valid. */
    private String checkViewChange(ViewChange vc) {
        if (vc.stableSequence() >= 0) {
            if (validCheckpointCertificate(vc.stableSequence(), vc.stableProof(), vc.replica()) == null) return "view change with an invalid checkpoint proof";
        } else if (!vc.stableProof().isEmpty()) {
            return "view change with a proof for no checkpoint";
        }
        long previous = vc.stableSequence();
        for (PreparedCertificate c : vc.prepared()) {
            PrePrepare pp = c.prePrepare();
            if (pp.sequence() <= previous || pp.sequence() > vc.stableSequence() + config.windowSlots()) {
                return "view change with prepared slot " + pp.sequence() + " out of order or outside its window";
            }
            previous = pp.sequence();
            if (pp.view() >= vc.view() || pp.replica() != primaryOf(pp.view()) || !validSignature(pp, vc.replica()) || checkBatch(pp) != null) {
                return "view change with an invalid pre-prepare for slot " + pp.sequence();
            }
            boolean[] seen = new boolean[n];
            int count = 0;
            for (Prepare p : c.prepares()) {
                if (p.view() != pp.view() || p.sequence() != pp.sequence() || !p.batchDigest().equals(pp.batchDigest())
                        || p.replica() == pp.replica() || seen[p.replica()] || !validSignature(p, vc.replica())) {
                    return "view change with an invalid prepare for slot " + pp.sequence();
                }
                seen[p.replica()] = true;
                count++;
            }
            if (count < quorum() - 1) return "view change with too few prepares for slot " + pp.sequence();
        }
        return null;
    }

    // ---------------------------------------------------------------- retransmission and timers

    private void onRetransmitTimeout() {
        retransmitArmed = false;
        retransmitForTail = false;
        if (!unfinishedWork()) {
            announceTail();
            return;
        }
        if (!active) {
            if (latestViewChange[self] != null && latestViewChange[self].view() == view) broadcast(latestViewChange[self]);
            // Like a PBFT client retransmitting to all replicas: members that never heard of our
            // payloads start their own timers on them, and so join the view change.
            LinkedHashMap<Bytes, int[]> mine = queues.get(self);
            // All of them once per view change; then, every tick, the oldest batch of them again:
            // the first copies may have been lost (we may be the one member cut off, left alone in
            // a view change the others never needed; then only they can order our payloads, and
            // only if they hear of them). Every tick, beside the view change we re-send, because at
            // the wide-area tier a site's outputs leave through a forwarder that rotates with each
            // re-send; payloads re-sent every k-th tick could keep meeting the same faulty forwarder.
            if (mine != null && !mine.isEmpty()) {
                List<Bytes> all = new ArrayList<>(mine.keySet());
                if (forwardedForView != view) {
                    forwardedForView = view;
                    broadcastForward(all);
                } else {
                    broadcast(sign(new Forward(List.copyOf(all.subList(0, Math.min(all.size(), config.batchPayloadsMax()))), self, Bytes.EMPTY)));
                }
            }
        } else {
            for (Slot s : log.tailMap(deliveredThrough, false).values()) {
                if (s.committed) continue;
                if (s.prePrepare != null && s.prePrepare.replica() == self) broadcastPrePrepare(s.prePrepare);
                if (s.myPrepare != null) broadcast(s.myPrepare);
                if (s.myCommit != null) broadcast(s.myCommit);
            }
        }
        // While waiting for a new view, our own payloads may have been ordered without us: ask.
        boolean waitingOwn = !active && pendingCount() > 0;
        if ((behind() || waitingOwn) && deliveredThrough == deliveredAtLastTick) sendFetch();
        deliveredAtLastTick = deliveredThrough;
    }

    /** Sends our commit for our last delivered slot to every member not known to have committed it. */
    private void announceTail() {
        if (tailAnnouncementsLeft <= 0) return;
        tailAnnouncementsLeft--;
        Commit mine = ownCommit(deliveredThrough);
        if (mine == null) return; // we fetched that slot: those who decided it announce it
        for (int i = 0; i < n; i++) if (i != self && peerCommitSeq[i] < deliveredThrough) out.send(members.get(i), mine);
    }

    private Commit ownCommit(long seq) {
        Slot s = log.get(seq);
        if (s != null && s.myCommit != null) return s.myCommit;
        Delivered d = history.get(seq);
        if (d != null) for (Commit c : d.commits()) if (c.replica() == self) return c;
        return null;
    }

    /** Whether some member is not known to hold our last delivered slot (and announcements are left). */
    private boolean tailToAnnounce() {
        if (tailAnnouncementsLeft <= 0 || deliveredThrough < 0 || n == 1) return false;
        for (int i = 0; i < n; i++) if (i != self && peerCommitSeq[i] < deliveredThrough) return true;
        return false;
    }

    private boolean unfinishedWork() {
        if (!active || behind()) return true;
        for (Slot s : log.tailMap(deliveredThrough, false).values()) {
            if (!s.committed && (s.prePrepare != null || s.myCommit != null)) return true;
        }
        return false;
    }

    /** Arms or disarms the request and retransmission timers after every input. */
    private void afterInput() {
        if (!started) return;
        if ((!retransmitArmed || retransmitForTail) && unfinishedWork()) {
            // Real work retransmits at the full rate, also when a slow tail announcement was pending.
            retransmitArmed = true;
            retransmitForTail = false;
            out.setTimer(RETRANSMIT, config.retransmitMillis());
        } else if (!retransmitArmed && tailToAnnounce()) {
            retransmitArmed = true;
            retransmitForTail = true;
            out.setTimer(RETRANSMIT, config.retransmitMillis() << (TAIL_ANNOUNCEMENTS - tailAnnouncementsLeft)); // 1, 2, 4, ... periods
        }
        boolean waiting = false;
        for (LinkedHashMap<Bytes, int[]> q : queues.values()) waiting |= !q.isEmpty();
        // The primary times its own queues too: a primary that cannot get payloads ordered (its
        // backups moved on to a later view) must move on as well, or it waits alone forever.
        boolean wantRequest = waiting && active;
        if (wantRequest && !requestArmed) {
            requestArmed = true;
            out.setTimer(REQUEST, requestTimeoutMillis);
        } else if (!wantRequest && requestArmed) {
            requestArmed = false;
            out.cancelTimer(REQUEST);
        }
    }

    // ---------------------------------------------------------------- helpers

    @SuppressWarnings("unchecked")
    private <M extends PbftMessage> M sign(M unsigned) {
        return (M) unsigned.withSignature(keys.sign(unsigned.signedBytes()));
    }

    private void broadcast(PbftMessage m) {
        for (int i = 0; i < n; i++) if (i != self) out.send(members.get(i), m);
    }

    private Slot slot(long seq) {
        return log.computeIfAbsent(seq, k -> new Slot());
    }

    private int primaryOf(long v) {
        return (int) (v % n);
    }

    private boolean isPrimary() {
        return primaryOf(view) == self;
    }

    // ---------------------------------------------------------------- introspection and test hooks

    @Override
    public boolean isLeader() {
        return isPrimary();
    }

    @Override
    public N leader() {
        return members.get(primaryOf(view));
    }

    @Override
    public long view() {
        return view;
    }

    /** Whether this member has installed its current view (false while a view change is under way). */
    public boolean isViewActive() {
        return active;
    }

    @Override
    public long deliveredThrough() {
        return deliveredThrough;
    }

    @Override
    public int pendingCount() {
        LinkedHashMap<Bytes, int[]> mine = queues.get(self);
        return mine == null ? 0 : mine.size();
    }

    /** Payloads waiting in the queue of {@code source}, for tests. */
    public int queuedFrom(int source) {
        LinkedHashMap<Bytes, int[]> q = queues.get(source);
        return q == null ? 0 : q.size();
    }

    /** The last stable checkpoint (the low watermark), or -1. */
    public long stableCheckpoint() {
        return stableSeq;
    }

    /** How many slots the log holds; bounded by the window. */
    public int logSize() {
        return log.size();
    }

    /** The hash chain over everything delivered so far. */
    public Bytes chainDigest() {
        return chain;
    }

    public int f() {
        return f;
    }

    protected final int memberCount() {
        return n;
    }

    protected final int selfIndex() {
        return self;
    }

    protected final N member(int index) {
        return members.get(index);
    }

    protected final Outbox<N> outbox() {
        return out;
    }

    @Override
    public String describe() {
        return "pbft[" + members.get(self) + " view=" + view + (active ? "" : "(changing)") + " primary=" + leader()
                + " stable=" + stableSeq + " delivered=" + deliveredThrough + " next=" + nextSeq + " log=" + log.size()
                + " pending=" + pendingCount() + "]";
    }
}
