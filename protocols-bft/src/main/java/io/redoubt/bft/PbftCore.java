package io.redoubt.bft;

import io.redoubt.bft.PbftLog.Delivered;
import io.redoubt.bft.PbftLog.Slot;
import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.FetchRequest;
import io.redoubt.bft.PbftMessage.Forward;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.core.MemberIndex;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import java.util.ArrayList;
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
 *   <li>Validity is checked by enough members, not by all ({@link #checksBeforePreparing}): where
 *       the host can judge a payload ({@link Outbox#admits}, a client's signature among logical
 *       machines), {@code n - quorum + f} backups per slot admit a pre-prepare's batch before they
 *       prepare it, so every prepared batch passed a correct member's check and nobody checks it
 *       again on delivery ({@link #deliversOnlyAdmitted}). Forwarded payloads are admitted before
 *       they are queued, so a correct primary proposes nothing a checker would refuse.</li>
 * </ul>
 *
 * <h2>Structure</h2>
 * This class is the entry point and the router: it decodes and authenticates inputs, runs the
 * normal case (pre-prepare, prepare, commit, delivery), retransmits, and hands everything else to
 * one package-private part per section of the protocol, each owning its state: {@code PbftLog}
 * (the log and its watermarks), {@code PbftCheckpoints}, {@code PbftStateTransfer},
 * {@code PbftViewChange}, {@code PbftRequestQueues} (fairness and the in-flight bound) and
 * {@code PbftCertificates}. The parts call one another through this class.
 * Where a Byzantine member departs from the protocol is a {@link PbftBehavior} passed in.
 */
public final class PbftCore<N extends Comparable<N>> implements OrderingCore<N> {
    static final TimerId REQUEST = TimerId.of("pbft-request");
    static final TimerId VIEW_CHANGE = TimerId.of("pbft-view-change");
    static final TimerId RETRANSMIT = TimerId.of("pbft-retransmit");
    static final TimerId BATCH = TimerId.of("pbft-batch");

    final PbftConfig config;
    private final MemberIndex<N> membership;
    final List<N> members;
    final int self;
    final int n;
    final int f;
    /** The quorum, fixed at construction by the behavior (2f + 1 of 3f + 1 for a correct member). */
    final int quorum;
    final Outbox<N> out;
    final NodeKeys<N> keys;
    final PbftBehavior<N> behavior;
    private final PbftBehavior.Member<N> asMember = new AsMember();

    final PbftLog log;
    final PbftCertificates<N> certs;
    final PbftCheckpoints<N> checkpoints;
    final PbftStateTransfer<N> transfer;
    final PbftViewChange<N> views;
    final PbftRequestQueues<N> queues;

    /** Committed batches read back from stable storage, re-delivered by start(). */
    private final TreeMap<Long, Delivered> restoredCommitted = new TreeMap<>();
    /** Built from stable storage: others may have moved on while we were down. */
    private final boolean restarted;
    private boolean started;
    private boolean retransmitArmed;
    /** The retransmission timer is armed only for a tail announcement (slower, see PbftStateTransfer). */
    private boolean retransmitForTail;
    /**
     * Retransmission timeouts handled so far. A vote is sent again only once a whole period has
     * passed since it was sent (Slot#lastSentTick is older than the current period): under
     * steady load some slot is always unfinished when the timer fires, and resending the votes of
     * one that started a moment ago only costs messages (and, among sites, LM signatures).
     */
    long retransmitTicks;
    /**
     * The retransmission period is {@code retransmitMillis << retransmitStretch}, at most
     * {@code retransmitMaxMillis}: it doubles at each tick that finds slots delivered since the last
     * one and nothing a whole period old to resend, and is back to the base at the first tick that
     * resends anything or finds no progress (PbftConfig#retransmitMaxMillis).
     */
    private int retransmitStretch;
    /** What had been delivered when the last retransmission tick ran. */
    private long deliveredAtLastTick = -1;

    // What checkInvariants saw last time, to check that the view and the low watermark never go back.
    /** Whether this primary's last proposal found several payloads waiting (not a full batch): then one proposal in flight (see proposeReady). */
    private boolean underLoad;
    /** Payloads of the last proposal: under load, the clients it answers send about as many again. */
    private int lastBatchSize;
    /** The primary holds what waits for company until the batch timer expires (see proposeReady). */
    private boolean batchHeld;
    /** The batch timer expired: what waits leaves now. */
    private boolean batchDue;
    /**
     * Load (config.loadBatchDelayMillis): set when payloads have to wait behind our proposals in
     * flight, cleared when a wait for company found none.
     */
    private boolean loaded;
    private long checkedView;
    private long checkedStableSeq = -1;

    /** A correct member. */
    public PbftCore(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys, List<Bytes> persisted) {
        this(config, members, self, out, keys, persisted, PbftBehavior.correct());
    }

    /** A member that departs from the protocol where {@code behavior} says (adversaries and broken test variants). */
    public PbftCore(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys, List<Bytes> persisted,
            PbftBehavior<N> behavior) {
        if (members.size() > PbftMessage.MEMBERS_MAX) {
            throw new IllegalArgumentException("at most " + PbftMessage.MEMBERS_MAX + " members, was " + members.size());
        }
        this.config = config;
        this.membership = new MemberIndex<>(members, self, "PBFT");
        this.members = membership.members();
        this.self = membership.self();
        this.n = members.size();
        this.f = Quorums.byzantineFaultsTolerated(n);
        this.behavior = behavior;
        this.quorum = behavior.quorum(n);
        this.out = out;
        this.keys = keys;
        this.log = new PbftLog(config);
        this.certs = new PbftCertificates<>(config, this.members, this.self, quorum, keys);
        this.checkpoints = new PbftCheckpoints<>(this, log, certs, config, n);
        this.transfer = new PbftStateTransfer<>(this, log, certs, config, n);
        this.views = new PbftViewChange<>(this, log, certs, config, n);
        this.queues = new PbftRequestQueues<>(this, config, n);
        this.restarted = !persisted.isEmpty();
        restore(persisted);
    }

    // ---------------------------------------------------------------- restore and start

    private void restore(List<Bytes> persisted) {
        TreeMap<Long, PrePrepare> accepted = new TreeMap<>();
        for (Bytes b : persisted) {
            PbftRecord r = PbftRecord.decode(b, config, n);
            if (r instanceof PbftRecord.Base base) {
                // Compacted storage: the host restored its snapshot after this slot.
                if (base.sequence() > log.deliveredThrough) log.installBase(base.sequence(), base.chain());
            } else if (r instanceof PbftRecord.ViewChangeStarted v) {
                if (v.view() > views.view) {
                    views.view = v.view();
                    views.active = false;
                }
            } else if (r instanceof PbftRecord.NewViewInstalled nv) {
                if (nv.newView().view() >= views.view) {
                    views.view = nv.newView().view();
                    views.active = true;
                    views.installedNewView = nv.newView();
                }
            } else if (r instanceof PbftRecord.Accepted a) {
                PrePrepare old = accepted.get(a.prePrepare().sequence());
                if (old == null || old.view() <= a.prePrepare().view()) accepted.put(a.prePrepare().sequence(), a.prePrepare());
            } else if (r instanceof PbftRecord.Prepared p) {
                Slot s = log.slot(p.certificate().prePrepare().sequence());
                if (s.prepared == null || s.prepared.prePrepare().view() < p.certificate().prePrepare().view()) s.prepared = p.certificate();
            } else if (r instanceof PbftRecord.Committed c) {
                restoredCommitted.put(c.sequence(), new Delivered(c.batch(), c.commits()));
            } else if (r instanceof PbftRecord.StableCheckpoint c) {
                checkpoints.restore(c.sequence(), c.digest(), c.proof());
            }
        }
        long view = views.view;
        // Slots above the stable checkpoint stay, delivered or not (a restored snapshot's among
        // them): our view changes must still carry their prepared certificates.
        log.truncateThrough(log.stableSeq);
        log.nextSeq = Math.max(log.stableSeq, log.installedThrough) + 1;
        restoredCommitted.headMap(log.deliveredThrough, true).clear(); // in the host's snapshot
        for (PrePrepare pp : accepted.values()) {
            if (pp.view() != view || !views.active || pp.sequence() <= log.stableSeq) continue;
            Slot s = log.slot(pp.sequence());
            s.resetTo(view);
            s.prePrepare = pp;
            if (primaryOf(view) == self) log.nextSeq = Math.max(log.nextSeq, pp.sequence() + 1);
            else s.myPrepare = sign(new Prepare(view, pp.sequence(), pp.batchDigest(), self, Bytes.EMPTY));
            if (s.myPrepare != null) s.prepares.put(self, s.myPrepare);
            if (s.prepared != null && s.prepared.prePrepare().view() == view) {
                s.myCommit = sign(new Commit(view, pp.sequence(), pp.batchDigest(), self, Bytes.EMPTY));
                s.commits.put(self, s.myCommit);
            }
        }
        log.resetTo(view);
        for (Map.Entry<Long, Delivered> e : restoredCommitted.tailMap(Math.max(log.stableSeq, log.installedThrough), false).entrySet()) {
            Slot s = log.slot(e.getKey());
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
        while (restoredCommitted.containsKey(log.deliveredThrough + 1)) {
            long s = log.deliveredThrough + 1;
            Delivered d = restoredCommitted.get(s);
            deliver(s, d.batch(), d.commits());
        }
        restoredCommitted.clear();
        executeReady();
        if (restarted && n > 1) {
            // The others may have finished while we were down and now be silent, so nothing would
            // ever tell us we are behind: ask every member once (the recovering replica's query of
            // Castro and Liskov, TOCS 2002, section 4.3). Members with nothing newer do not answer.
            broadcast(transfer.fetchRequest());
        }
        if (!views.active) {
            views.broadcastViewChange();
            views.maybeArmTimer();
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
        behavior.observe(from, message, asMember);
        int sender = membership.sender(from, out);
        if (sender < 0) return;
        // A new view is self-certifying and may be relayed by anyone; everything else is signed by its sender.
        if (!(message instanceof NewView) && message.replica() != sender) {
            out.reject(from, Rejection.BAD_SIGNATURE, "signed by member " + message.replica() + ", not by the sender " + sender);
            return;
        }
        // A prepare is checked only when it would complete a quorum (checkedAmong): those that
        // arrive after the quorum formed are never needed, so never checked. A commit is checked
        // only when relayed (checkCommitted). Either's sender is already known to be the member
        // it names, so a bad one only wastes its own vote.
        boolean checkLater = !keys.signsByTransport() && (message instanceof Prepare || message instanceof Commit);
        if (!checkLater && !certs.validSignature(message, PbftCertificates.NOBODY)) {
            out.reject(from, Rejection.BAD_SIGNATURE, message.getClass().getSimpleName() + " signature does not verify");
            return;
        }
        if (message instanceof PrePrepare m) onPrePrepare(sender, m);
        else if (message instanceof Prepare m) onPrepare(sender, m);
        else if (message instanceof Commit m) onCommit(sender, m);
        else if (message instanceof Checkpoint m) checkpoints.onCheckpoint(sender, m);
        else if (message instanceof ViewChange m) views.onViewChange(sender, m);
        else if (message instanceof NewView m) views.onNewView(sender, m);
        else if (message instanceof Forward m) queues.onForward(sender, m);
        else if (message instanceof FetchRequest m) transfer.onFetchRequest(sender, m);
        else if (message instanceof FetchReply m) transfer.onFetchReply(sender, m);
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
        if (queues.enqueue(self, payload)) {
            if (!config.forwardToPrimaryFirst()) {
                broadcast(queues.forward(List.of(payload)));
            } else if (!isPrimary()) {
                // To the primary alone, as a PBFT client sends its request (OSDI '99, section 4.1);
                // the others hear of it from our request timer's broadcast only if the primary does
                // not order it in time (PbftRequestQueues#onTimeout).
                sendTo(primaryOf(views.view), queues.forward(List.of(payload)));
            }
            proposeIfLeading();
        }
        afterInput();
    }

    @Override
    public void onTimer(TimerId id) {
        if (id.equals(REQUEST)) queues.onTimeout();
        else if (id.equals(VIEW_CHANGE)) views.onTimeout();
        else if (id.equals(RETRANSMIT)) onRetransmitTimeout();
        else if (id.equals(BATCH)) onBatchTimeout();
        // Unknown ids are stale timers of an earlier incarnation; ignore them.
        afterInput();
    }

    // ---------------------------------------------------------------- normal case (OSDI '99, section 4.2)

    private void onPrePrepare(int sender, PrePrepare m) {
        long view = views.view;
        if (m.view() < view) {
            reject(sender, Rejection.STALE_VIEW, "pre-prepare for view " + m.view() + " < " + view);
            views.onStaleMessage(sender);
            return;
        }
        if (m.view() > view || !views.active) return; // we have not installed that view yet; it will be retransmitted
        if (sender != primaryOf(view)) {
            reject(sender, Rejection.PROTOCOL_VIOLATION, "pre-prepare from a member that is not the primary of view " + view);
            return;
        }
        String bad = certs.checkBatch(m);
        if (bad != null) {
            reject(sender, Rejection.PROTOCOL_VIOLATION, bad);
            return;
        }
        if (!inWindow(sender, m.sequence())) return;
        Slot s = log.slot(m.sequence());
        s.resetTo(view);
        if (s.prePrepare != null) {
            if (!s.prePrepare.batchDigest().equals(m.batchDigest())) {
                if (behavior.replacesHeldPrePrepare()) { // a deliberately broken test member only
                    acceptPrePrepare(s, m);
                    checkPrepared(m.sequence(), s);
                    return;
                }
                reject(sender, Rejection.PROTOCOL_VIOLATION, "a second pre-prepare for slot " + m.sequence() + " in view " + view);
            } else if (!certs.relayable(s.prePrepare) && certs.relayable(m)) {
                // The signed copy of a pre-prepare we took from a new view (see installNewView):
                // only with it can we show others that this slot prepared here.
                s.prePrepare = m;
                checkPrepared(m.sequence(), s);
            } else {
                // A retransmission: our prepare or commit may have been lost.
                if (s.myPrepare != null) sendTo(sender, s.myPrepare);
                if (s.myCommit != null) sendTo(sender, s.myCommit);
            }
            return;
        }
        if (checksBeforePreparing(view, m.sequence()) && !admitsAll(m.batch())) {
            // The primary proposed something this member refuses: no prepare, so the slot stalls and
            // the request timers vote the primary out. Nothing is kept, so a retransmission is judged alike.
            reject(sender, Rejection.INVALID_REQUEST, "pre-prepare for slot " + m.sequence() + " carries a payload this member does not admit");
            return;
        }
        acceptPrePrepare(s, m);
        checkPrepared(m.sequence(), s);
    }

    private boolean admitsAll(List<Bytes> batch) {
        for (Bytes p : batch) if (!out.admits(p)) return false;
        return true;
    }

    /**
     * Whether this member admits the payloads of view {@code view}'s pre-prepare for
     * {@code sequence} ({@link Outbox#admits}) before it prepares it. The checkers are
     * {@code n - quorum + f} of the backups, rotating with the sequence number so that the work
     * spreads. Why that many is enough: a batch is prepared with the pre-prepare and
     * {@code quorum - 1} prepares of backups. A correct primary proposes only what its host
     * submitted or what it admitted when it was forwarded. A faulty one leaves at most {@code f - 1}
     * faulty backups, and the backups that do not check number {@code n - 1 - checkers}; together
     * {@code n - checkers + f - 2 = quorum - 2}, one short of a prepare quorum, so every prepared
     * batch was admitted by a correct checker (and so is every batch a new view re-proposes or a
     * commit certificate proves, since each was prepared first). Among 5 sites (f = 1, quorum 4)
     * that is 2 of the 4 backups instead of all 4. The primary never checks its own batches.
     */
    boolean checksBeforePreparing(long view, long sequence) {
        int primary = primaryOf(view);
        if (self == primary) return false;
        int checkers = Math.min(n - 1, n - Quorums.byzantineQuorum(n) + f);
        int position = Math.floorMod(self - primary - 1, n); // 0 .. n-2 among the backups
        int first = (int) Math.floorMod(sequence, (long) (n - 1));
        return Math.floorMod(position - first, n - 1) < checkers;
    }

    /** Pre-prepares carry the payloads a checker admits before preparing (see {@link #checksBeforePreparing}); forwards those every member admits before queueing. */
    @Override
    public List<Bytes> payloadsToAdmit(N from, Bytes message) {
        int sender = membership.indexOf(from);
        if (sender < 0 || sender == self) return List.of();
        PbftMessage m;
        try {
            m = PbftMessage.decode(message, config, n);
        } catch (DecodeException e) {
            return List.of();
        }
        if (m instanceof PrePrepare pp && pp.replica() == sender && sender == primaryOf(pp.view())
                && checksBeforePreparing(pp.view(), pp.sequence())) {
            return pp.batch();
        }
        if (m instanceof Forward fw && fw.replica() == sender) return fw.payloads();
        return List.of();
    }

    @Override
    public boolean deliversOnlyAdmitted() {
        return true;
    }

    private void acceptPrePrepare(Slot s, PrePrepare pp) {
        s.prePrepare = pp;
        out.persist(new PbftRecord.Accepted(pp));
        out.accepted(pp.batch());
        if (pp.replica() != self) {
            s.myPrepare = sign(new Prepare(pp.view(), pp.sequence(), pp.batchDigest(), self, Bytes.EMPTY));
            s.prepares.put(self, s.myPrepare);
            broadcast(s.myPrepare);
        }
        s.lastSentTick = retransmitTicks; // our pre-prepare (sent by the caller) or prepare
    }

    private void onPrepare(int sender, Prepare m) {
        long view = views.view;
        if (m.view() < view) {
            reject(sender, Rejection.STALE_VIEW, "prepare for view " + m.view() + " < " + view);
            views.onStaleMessage(sender);
            return;
        }
        if (m.view() > view) return;
        if (sender == primaryOf(view)) {
            reject(sender, Rejection.PROTOCOL_VIOLATION, "the primary does not prepare");
            return;
        }
        if (helpLaggard(sender, m.sequence()) || !inWindow(sender, m.sequence())) return;
        Slot s = log.slot(m.sequence());
        s.resetTo(view);
        s.prepares.putIfAbsent(sender, m);
        checkPrepared(m.sequence(), s);
    }

    private void onCommit(int sender, Commit m) {
        transfer.noteCommit(sender, m.sequence());
        long view = views.view;
        if (m.view() < view) {
            reject(sender, Rejection.STALE_VIEW, "commit for view " + m.view() + " < " + view);
            views.onStaleMessage(sender);
            return;
        }
        if (m.view() > view) return;
        if (m.sequence() <= log.deliveredThrough) {
            log.addLateCommit(m); // a spare, in case one of the certificate's cannot be relayed
            return;
        }
        if (!inWindow(sender, m.sequence())) return;
        Slot s = log.slot(m.sequence());
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
        if (seq > log.deliveredThrough) return false;
        Slot s = log.get(seq);
        long stableSeq = log.stableSeq;
        if (s != null && s.myCommit != null) {
            sendTo(sender, s.myCommit);
        } else if (seq <= stableSeq && log.deliveredThrough >= stableSeq && stableSeq >= 0) {
            sendTo(sender, checkpoints.ownStableCheckpoint());
        } else {
            return s == null;
        }
        return true;
    }

    /** Whether {@code seq} lies between the watermarks; rejects it (OUT_OF_WINDOW) if not. */
    private boolean inWindow(int sender, long seq) {
        if (seq <= log.stableSeq || seq > log.highWatermark()) {
            if (seq > log.highWatermark()) transfer.sawBeyondWindow = true;
            reject(sender, Rejection.OUT_OF_WINDOW, "slot " + seq + " outside (" + log.stableSeq + ", " + log.highWatermark() + "]");
            return false;
        }
        return true;
    }

    /**
     * Prepared: the pre-prepare and {@code quorum - 1} matching prepares from distinct backups. The
     * pre-prepare must be one we can relay: a prepared member must be able to put its certificate
     * in a view change, or a batch committed by a quorum could be missing from the next view.
     */
    void checkPrepared(long seq, Slot s) {
        if (s.prePrepare == null || s.myCommit != null || !certs.relayable(s.prePrepare)) return;
        List<Prepare> matching = new ArrayList<>();
        for (Prepare p : s.prepares.values()) {
            if (p.batchDigest().equals(s.prePrepare.batchDigest()) && p.replica() != s.prePrepare.replica()) matching.add(p);
        }
        if (matching.size() < quorum - 1) return;
        matching = checkedAmong(matching, quorum - 1, s.prepares);
        if (matching.size() < quorum - 1) return;
        long view = views.view;
        PreparedCertificate cert = new PreparedCertificate(s.prePrepare, List.copyOf(matching.subList(0, quorum - 1)));
        if (s.prepared == null || s.prepared.prePrepare().view() < view) {
            s.prepared = cert;
            out.persist(new PbftRecord.Prepared(cert));
        }
        s.myCommit = sign(new Commit(view, seq, s.prePrepare.batchDigest(), self, Bytes.EMPTY));
        s.commits.put(self, s.myCommit);
        broadcast(s.myCommit);
        s.lastSentTick = retransmitTicks;
        checkCommitted(seq, s);
    }

    /**
     * Committed-local: prepared here and {@code quorum} matching commits. Each commit here came
     * from the member it names (onMessage refuses any other), so it counts without a signature
     * check, as with PBFT's MACs: a member's signature matters only to a third member, when the
     * commit is relayed in a certificate (state transfer), and is checked there
     * (PbftCertificates#relayableCommits). The certificate kept holds every matching commit, so a
     * faulty member's unverifiable one can be left out when relayed. Prepares and pre-prepares are
     * still checked first: a prepared certificate must convince the next view's members.
     */
    private void checkCommitted(long seq, Slot s) {
        if (s.committed || s.myCommit == null) return;
        List<Commit> matching = new ArrayList<>();
        for (Commit c : s.commits.values()) if (c.batchDigest().equals(s.prePrepare.batchDigest())) matching.add(c);
        if (matching.size() < quorum) return;
        markCommitted(seq, s, s.prePrepare.batch(), List.copyOf(matching));
        if (s.prePrepare.replica() == self) sendPrePrepareToTheSilent(s);
        executeReady();
    }

    /**
     * The first {@code needed} of {@code candidates} whose signatures verify, checking no more than
     * that (our own need no check; a member's signature already checked is a memo hit). One that
     * fails is dropped from {@code votes} and rejected, so its sender's place is free again.
     */
    private <M extends PbftMessage> List<M> checkedAmong(List<M> candidates, int needed, Map<Integer, M> votes) {
        List<M> good = new ArrayList<>(needed);
        for (M m : candidates) {
            if (good.size() == needed) break;
            if (m.replica() == self || certs.validSignature(m, PbftCertificates.NOBODY)) {
                good.add(m);
            } else {
                votes.remove(m.replica());
                reject(m.replica(), Rejection.BAD_SIGNATURE, m.getClass().getSimpleName() + " signature does not verify");
            }
        }
        return good;
    }

    void markCommitted(long seq, Slot s, List<Bytes> batch, List<Commit> certificate) {
        s.committed = true;
        s.committedBatch = batch;
        s.commitCertificate = certificate;
        out.persist(new PbftRecord.Committed(seq, batch, certificate));
    }

    /**
     * Our slot committed without a word from some members: most likely our pre-prepare never
     * reached them (a lost message, or among sites a faulty forwarder or peer). Votes are resent
     * only once a retransmission period old (see retransmitTicks), and a slot that commits within
     * that period is never resent, so they get it now; otherwise each such slot would cost them a
     * state transfer. In the normal case every member's prepare is here before the commits are.
     */
    private void sendPrePrepareToTheSilent(Slot s) {
        for (int i = 0; i < n; i++) {
            if (i != self && !s.prepares.containsKey(i) && !s.commits.containsKey(i)) sendTo(i, s.prePrepare);
        }
    }

    /** Delivers committed slots in order, with no gaps. */
    void executeReady() {
        long before = log.deliveredThrough;
        while (true) {
            Slot s = log.get(log.deliveredThrough + 1);
            if (s == null || !s.committed) break;
            deliver(log.deliveredThrough + 1, s.committedBatch, s.commitCertificate);
        }
        // Deliveries free in-flight room: what waited goes out now, batched.
        if (log.deliveredThrough > before && started) proposeIfLeading();
    }

    void deliver(long seq, List<Bytes> batch, List<Commit> proof) {
        log.append(seq, batch, proof);
        transfer.onDelivered();
        boolean progressed = queues.removeDelivered(batch);
        out.deliver(seq, batch);
        if (progressed) {
            queues.resetTimeout();
            views.resetTimeout();
        }
        checkpoints.onDelivered(seq);
    }

    // ---------------------------------------------------------------- primary: batching (Lane 2008, section 4.4.1)

    /** As the primary of an installed view, proposes what waits. */
    void proposeIfLeading() {
        if (isPrimary() && views.active) proposeReady();
    }

    /** Assigns batches to slots while the window allows and payloads wait. */
    void proposeReady() {
        int bound = underLoad ? 1 : config.inFlightSlotsMax();
        if (log.nextSeq - 1 - log.deliveredThrough >= bound && queues.waiting() != PbftRequestQueues.Waiting.NONE) loaded = true;
        // Within the window, and with at most inFlightSlotsMax proposals not yet delivered here:
        // what arrives meanwhile is batched into the next proposal. Under load (the last proposal
        // already found several payloads waiting) one proposal in flight is the bound, so what
        // arrives meanwhile waits for it and leaves together; a payload alone, as a lone client's
        // events come, still goes out at once in any free slot.
        while (log.nextSeq <= log.highWatermark() && log.nextSeq - 1 - log.deliveredThrough < (underLoad ? 1 : config.inFlightSlotsMax())) {
            if (holdForCompany()) return;
            List<Bytes> batch = queues.nextBatch();
            if (batch.isEmpty()) return;
            if (batchDue && batch.size() == 1) loaded = false; // the wait found no company: the load is gone
            batchDue = false;
            // Several payloads waited, yet fewer than a full batch: load that one proposal at a time
            // carries. With a batch delay the hold does that job, and keeps a free slot for what it holds.
            underLoad = config.batchDelayMillis() == 0 && batch.size() > 1 && batch.size() < config.batchPayloadsMax();
            lastBatchSize = batch.size();
            long seq = log.nextSeq++;
            PrePrepare pp = signPrePrepare(views.view, seq, behavior.batch(views.view, seq, batch));
            Slot s = log.slot(seq);
            s.resetTo(views.view);
            queues.inFlight.addAll(batch);
            acceptPrePrepare(s, pp);
            sendPrePrepare(pp);
            checkPrepared(seq, s);
        }
    }

    /**
     * Whether payloads that could be proposed now wait for company instead (Lane 2008, section
     * 4.6): with a batch delay, the first payload that could be proposed starts the batch timer,
     * and what arrives until it expires (every other site's message of one wide-area phase, the
     * client updates of those milliseconds) shares one pre-prepare and one set of signed prepares
     * and commits. A full batch leaves at once. What leaves at the expiry leaves on the causal path
     * of the payload that started the timer, so a lone client's rounds stay Table 4.2's; it waits
     * the delay once per local ordering (what that saves and costs: README, issue 16's third part).
     * Among sites the wait is for load only (loadBatchDelayMillis): once payloads queued behind
     * the instance in flight, every proposal waits from its first payload, so that the clients
     * each instance answers join the next one; a wait that finds no company ends the load, and one
     * that finds as many payloads as the last proposal carried ends at once.
     */
    private boolean holdForCompany() {
        long delay = config.batchDelayMillis() > 0 ? config.batchDelayMillis() : loaded ? config.loadBatchDelayMillis() : 0;
        if ((delay == 0 && !batchHeld) || batchDue) return false;
        if (queues.waiting() != PbftRequestQueues.Waiting.SOME) return false;
        // Company enough: as many wait as the last proposal carried, so the clients it answered
        // are back. Leaving now saves the rest of the wait, and the LM timeout that ends it.
        if (config.batchDelayMillis() == 0 && lastBatchSize > 1 && queues.waitingAtLeast(lastBatchSize)) {
            if (batchHeld) out.cancelTimer(BATCH);
            batchHeld = false;
            return false;
        }
        if (!batchHeld) {
            batchHeld = true;
            out.setTimer(BATCH, delay);
        }
        return true;
    }

    private void onBatchTimeout() {
        batchHeld = false;
        batchDue = true;
        proposeIfLeading();
        batchDue = false;
    }

    PrePrepare signPrePrepare(long v, long seq, List<Bytes> batch) {
        return sign(new PrePrepare(v, seq, PbftMessage.batchDigest(batch), self, List.copyOf(batch), Bytes.EMPTY));
    }

    /** Sends our pre-prepare to the backups, as our behavior says (a correct primary: to every one). */
    void sendPrePrepare(PrePrepare pp) {
        behavior.sendPrePrepare(pp, asMember);
    }

    // ---------------------------------------------------------------- retransmission and timers

    private void onRetransmitTimeout() {
        retransmitArmed = false;
        retransmitForTail = false;
        long endingPeriod = retransmitTicks++;
        boolean progressed = log.deliveredThrough > deliveredAtLastTick;
        deliveredAtLastTick = log.deliveredThrough;
        if (views.active) transfer.viewActive();
        if (!unfinishedWork()) {
            retransmitStretch = 0;
            transfer.announceTail();
            return;
        }
        boolean resent = false;
        if (!views.active) {
            views.resendOwnViewChange();
            queues.resendOwnWhileChanging();
            resent = true;
        } else {
            for (Slot s : log.undelivered()) {
                if (s.committed || s.lastSentTick == endingPeriod) continue; // sent less than a period ago
                if (s.prePrepare != null && s.prePrepare.replica() == self) sendPrePrepare(s.prePrepare);
                if (s.myPrepare != null) broadcast(s.myPrepare);
                if (s.myCommit != null) broadcast(s.myCommit);
                resent = true;
            }
        }
        if (!progressed || resent || transfer.behind()) retransmitStretch = 0;
        else if (retransmitPeriod() < config.retransmitMaxMillis()) retransmitStretch++;
        // While waiting for a new view, our own payloads may have been ordered without us: ask.
        transfer.onRetransmitTick(!views.active && pendingCount() > 0, !views.active);
    }

    private long retransmitPeriod() {
        return Math.min(config.retransmitMillis() << retransmitStretch, config.retransmitMaxMillis());
    }

    private boolean unfinishedWork() {
        if (!views.active || transfer.behind()) return true;
        for (Slot s : log.undelivered()) {
            if (!s.committed && (s.prePrepare != null || s.myCommit != null)) return true;
        }
        return false;
    }

    /** Arms or disarms the request and retransmission timers after every input. */
    private void afterInput() {
        if (!started) return;
        if ((!retransmitArmed || retransmitForTail) && unfinishedWork()) {
            // Real work retransmits at its period (stretched only under steady progress), also when
            // a slow tail announcement was pending.
            retransmitArmed = true;
            retransmitForTail = false;
            out.setTimer(RETRANSMIT, retransmitPeriod());
        } else if (!retransmitArmed && transfer.tailToAnnounce()) {
            retransmitArmed = true;
            retransmitForTail = true;
            // 1, 2, 4, ... periods
            out.setTimer(RETRANSMIT, config.retransmitMillis() << (PbftStateTransfer.TAIL_ANNOUNCEMENTS - transfer.tailAnnouncementsLeft));
        }
        queues.updateTimer();
    }

    // ---------------------------------------------------------------- helpers

    @SuppressWarnings("unchecked")
    <M extends PbftMessage> M sign(M unsigned) {
        // A forward only ever convinces the members it is sent to: a MAC for each is enough (NodeKeys#authenticates).
        if (certs.maced(unsigned)) return (M) unsigned.withSignature(keys.authenticator(members, unsigned.signedBytes()));
        return (M) unsigned.withSignature(keys.sign(unsigned.signedBytes()));
    }

    void broadcast(PbftMessage m) {
        for (int i = 0; i < n; i++) if (i != self) out.send(members.get(i), m);
    }

    void sendTo(int member, PbftMessage m) {
        out.send(members.get(member), m);
    }

    void reject(int member, Rejection reason, String detail) {
        out.reject(members.get(member), reason, detail);
    }

    int primaryOf(long v) {
        return (int) (v % n);
    }

    boolean isPrimary() {
        return primaryOf(views.view) == self;
    }

    /** This member as its behavior sees it. */
    private final class AsMember implements PbftBehavior.Member<N> {
        @Override
        public int memberCount() {
            return n;
        }

        @Override
        public int selfIndex() {
            return self;
        }

        @Override
        public N member(int index) {
            return members.get(index);
        }

        @Override
        public Outbox<N> outbox() {
            return out;
        }

        @Override
        public PrePrepare signPrePrepare(long view, long sequence, List<Bytes> batch) {
            return PbftCore.this.signPrePrepare(view, sequence, batch);
        }

        @Override
        public Commit signCommit(long view, long sequence, Bytes batchDigest) {
            return sign(new Commit(view, sequence, batchDigest, self, Bytes.EMPTY));
        }

        @Override
        public void broadcast(PbftMessage message) {
            PbftCore.this.broadcast(message);
        }

        @Override
        public <M extends PbftMessage> M sign(M unsigned) {
            return PbftCore.this.sign(unsigned);
        }
    }

    // ---------------------------------------------------------------- invariants and state digest

    /**
     * Checks our own state, part by part: the log and the delivered history (PbftLog), the stable
     * checkpoint and the votes around the window (PbftCheckpoints), the view and its timer
     * (PbftViewChange), the queues' bounds and the request timer (PbftRequestQueues), and here the
     * low watermark, which never goes back. The log checks the slots handed out since its last
     * check, and all of them periodically (see PbftLog#checkInvariants).
     */
    @Override
    public void checkInvariants() {
        if (log.stableSeq < checkedStableSeq) {
            throw new IllegalStateException("stable checkpoint went back from " + checkedStableSeq + " to " + log.stableSeq);
        }
        views.checkInvariants(checkedView);
        checkedStableSeq = log.stableSeq;
        checkedView = views.view;
        log.checkInvariants(self, views.view); // also: no slot of ours for this view at or above nextSeq
        checkpoints.checkInvariants();
        transfer.checkInvariants();
        queues.checkInvariants();
        if (retransmitForTail && !retransmitArmed) throw new IllegalStateException("a tail announcement is pending without the retransmission timer");
    }

    /**
     * SHA-256 over the canonical encoding of everything that decides this core's future outputs:
     * the view and view-change state, the log inside the window (pre-prepares by digest, every
     * prepare and commit per member, certificates, committed flags), the watermarks, the delivered
     * chain and the proofs kept with it, checkpoints, the catch-up evidence, the queues with each
     * payload's age, and the timers' logical state. Maps are TreeMaps or insertion-ordered, so two
     * cores fed the same inputs hold the same digest (the logical-machine property, Lane 2008,
     * section 4.3). Cheap enough for every ordered batch: each large message is hashed once.
     */
    @Override
    public Bytes stateDigest() {
        // Hashed as written, never held whole (CanonicalWriter#hashingInto).
        CanonicalWriter w = CanonicalWriter.hashingInto(Digests.newSha256()).utf8("pbft-core-state").i32(self).i32(n).i32(quorum);
        // Whether we restarted, and what we restored, matter only until start() has used them.
        w.bool(started);
        if (!started) w.bool(restarted).i32(restoredCommitted.size());
        w.bool(retransmitArmed).bool(retransmitForTail).bool(batchHeld).bool(loaded).i32(lastBatchSize).i64(retransmitTicks).i32(retransmitStretch).i64(deliveredAtLastTick);
        w.bool(underLoad);
        views.writeState(w);
        log.writeState(w);
        checkpoints.writeState(w);
        transfer.writeState(w);
        queues.writeState(w);
        return w.digest();
    }

    // ---------------------------------------------------------------- snapshot (issue 18)

    @Override
    public boolean compactsWithSnapshots() {
        return true;
    }

    /** The chain over the delivered batches, which goes on from there after an install. */
    @Override
    public Bytes baseAfter(long slot) {
        if (slot != log.deliveredThrough) throw new IllegalArgumentException("base after " + slot + " asked, delivered " + log.deliveredThrough);
        return log.chain;
    }

    /**
     * Only through a stable checkpoint we hold: our view changes then name a stable checkpoint at
     * or past the snapshot, and need no prepared certificates for the slots it covers, which we
     * no longer hold. Installed below our stable checkpoint, a correct member could be the only
     * one of a view-change quorum to have prepared a committed slot, and report nothing of it.
     */
    @Override
    public long snapshotAnchor() {
        return log.stableSeq;
    }

    @Override
    public boolean acceptsBase(Bytes base) {
        return base.length() == PbftMessage.DIGEST_LENGTH;
    }

    @Override
    public boolean canInstallSnapshot(long slot) {
        return slot > log.deliveredThrough && slot <= log.stableSeq;
    }

    /**
     * The host's state after {@code slot} as a quorum of checkpoints certified it: at our stable
     * checkpoint, or at one whose certificate we keep (a member behind keeps those it adopted
     * until it delivers again). At least f+1 of the quorum are correct and computed that state.
     */
    @Override
    public Bytes certifiedState(long slot) {
        Bytes digest = null;
        if (slot == log.stableSeq) {
            digest = checkpoints.stableDigest;
        } else {
            List<Checkpoint> proof = checkpoints.certificates.get(slot);
            if (proof != null && !proof.isEmpty()) digest = proof.get(0).stateDigest();
        }
        return digest == null ? null : PbftMessage.hostStateOf(digest);
    }

    @Override
    public boolean certifiesState() {
        return true;
    }

    @Override
    public void installSnapshot(long slot, Bytes base) {
        if (!canInstallSnapshot(slot)) throw new IllegalStateException("a snapshot after " + slot + " with delivered " + log.deliveredThrough
                + ", stable " + log.stableSeq);
        if (base.length() != PbftMessage.DIGEST_LENGTH) throw new IllegalArgumentException("a PBFT base is a chain digest, not " + base.length() + " bytes");
        log.installBase(slot, base);
        queues.inFlight.clear(); // proposals delivered in the snapshot; the rest are proposed again
        transfer.deliveredAtLastTick = -2;
        executeReady();
        transfer.sendFetch(); // for what others delivered past it; a member with nothing newer stays silent
        afterInput();
    }

    @Override
    public List<Bytes> recordsAfterSnapshot(long slot, Bytes base) {
        if (slot > log.deliveredThrough || (slot < log.deliveredThrough && !log.history.containsKey(slot + 1))) {
            throw new IllegalArgumentException("no records after slot " + slot + ": delivered " + log.deliveredThrough + ", history from " + log.historyFrom());
        }
        List<Bytes> records = new ArrayList<>();
        records.add(new PbftRecord.Base(slot, base).encode());
        if (!views.active) records.add(new PbftRecord.ViewChangeStarted(views.view).encode());
        else if (views.installedNewView != null) records.add(new PbftRecord.NewViewInstalled(views.installedNewView).encode());
        if (log.stableSeq >= 0) records.add(new PbftRecord.StableCheckpoint(log.stableSeq, checkpoints.stableDigest, checkpoints.stableProof).encode());
        // Delivered after the snapshot: re-delivered at the restart.
        for (Map.Entry<Long, Delivered> e : log.history.tailMap(slot, false).entrySet()) {
            records.add(new PbftRecord.Committed(e.getKey(), e.getValue().batch(), e.getValue().commits()).encode());
        }
        // Every slot above the stable checkpoint, delivered or not: a restarted member's view
        // changes carry their prepared certificates, as they would without compaction.
        for (Slot s : log.slots.values()) {
            if (s.prePrepare != null && s.view == views.view) records.add(new PbftRecord.Accepted(s.prePrepare).encode());
            if (s.prepared != null) records.add(new PbftRecord.Prepared(s.prepared).encode());
            if (s.committed && s.seq > log.deliveredThrough) records.add(new PbftRecord.Committed(s.seq, s.committedBatch, s.commitCertificate == null ? List.of() : s.commitCertificate).encode());
        }
        return records;
    }

    @Override
    public boolean writesSnapshots() {
        return true;
    }

    @Override
    public long slotsHeld() {
        return log.slots.size() + log.history.size();
    }

    /**
     * Everything, part by part, messages whole: what the logical machine's snapshot holds of its
     * wide-area PBFT core. Only a started core is snapshotted (the logical machine's always is).
     */
    @Override
    public void writeSnapshot(CanonicalWriter w) {
        if (!started) throw new IllegalStateException("snapshot of a PBFT core not started");
        w.utf8("pbft-core").i32(self).i32(n).i32(quorum);
        w.bool(retransmitArmed).bool(retransmitForTail).bool(batchHeld).bool(batchDue).bool(loaded).bool(underLoad).i32(lastBatchSize)
                .i64(retransmitTicks).i32(retransmitStretch).i64(deliveredAtLastTick);
        views.writeSnapshot(w);
        log.writeSnapshot(w);
        checkpoints.writeSnapshot(w);
        transfer.writeState(w);
        queues.writeSnapshot(w);
    }

    @Override
    public void readSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws DecodeException {
        if (started || restarted) throw new IllegalStateException("snapshot read into a PBFT core in use or restored");
        if (!r.utf8(16).equals("pbft-core")) throw new DecodeException("not a PBFT core snapshot");
        if (r.i32() != self || r.i32() != n || r.i32() != quorum) throw new DecodeException("a PBFT snapshot of another member or membership");
        retransmitArmed = r.bool();
        retransmitForTail = r.bool();
        batchHeld = r.bool();
        batchDue = r.bool();
        loaded = r.bool();
        underLoad = r.bool();
        lastBatchSize = r.i32();
        retransmitTicks = r.i64();
        retransmitStretch = r.i32();
        deliveredAtLastTick = r.i64();
        PbftSnapshot in = new PbftSnapshot(config, n);
        views.readSnapshot(r, in);
        log.readSnapshot(r, in);
        checkpoints.readSnapshot(r, in);
        transfer.readSnapshot(r);
        queues.readSnapshot(r);
        started = true;
    }

    // ---------------------------------------------------------------- introspection

    @Override
    public boolean isLeader() {
        return isPrimary();
    }

    @Override
    public N leader() {
        return members.get(primaryOf(views.view));
    }

    @Override
    public long view() {
        return views.view;
    }

    /** Whether this member has installed its current view (false while a view change is under way). */
    public boolean isViewActive() {
        return views.active;
    }

    @Override
    public long deliveredThrough() {
        return log.deliveredThrough;
    }

    @Override
    public int pendingCount() {
        return queues.queuedFrom(self);
    }

    /** Payloads waiting in the queue of {@code source}, for tests. */
    public int queuedFrom(int source) {
        return queues.queuedFrom(source);
    }

    /** The last stable checkpoint (the low watermark), or -1. */
    public long stableCheckpoint() {
        return log.stableSeq;
    }

    /**
     * The latest view this member installed from a new view whose votes carried prepared
     * certificates from different views for different batches in one slot, or -1: lets the
     * simulator count how often its schedules reach that rare path. Observation only.
     */
    public long lastConflictingNewView() {
        return views.lastConflictingNewView;
    }

    /** How many slots the log holds; bounded by the window. */
    public int logSize() {
        return log.slots.size();
    }

    /** The hash chain over everything delivered so far. */
    public Bytes chainDigest() {
        return log.chain;
    }

    public int f() {
        return f;
    }

    @Override
    public String describe() {
        return "pbft[" + members.get(self) + " view=" + views.view + (views.active ? "" : "(changing)") + " primary=" + leader()
                + " stable=" + log.stableSeq + " delivered=" + log.deliveredThrough + " next=" + log.nextSeq + " log=" + log.slots.size()
                + " pending=" + pendingCount() + "]";
    }
}
