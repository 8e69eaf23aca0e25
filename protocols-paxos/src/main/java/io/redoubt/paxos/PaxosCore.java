package io.redoubt.paxos;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.MemberIndex;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.CatchUpReply;
import io.redoubt.paxos.PaxosMessage.CatchUpRequest;
import io.redoubt.paxos.PaxosMessage.Compacted;
import io.redoubt.paxos.PaxosMessage.Forward;
import io.redoubt.paxos.PaxosMessage.Heartbeat;
import io.redoubt.paxos.PaxosMessage.HeartbeatAck;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import io.redoubt.paxos.PaxosLog.Slot;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Multi-Paxos with a stable leader (Lane 2008, section 2.2.1), as a pure core. One class serves
 * both tiers (section 4.3): members are the servers of a site, or the sites themselves.
 *
 * <p>Views are ballots; view {@code v} is led by member {@code v mod n}. The leader of a new
 * view runs phase 1 (prepare/promise) once for all open slots, re-proposes the value with the
 * highest accepted view in each, fills gaps with no-ops, and then orders new payloads with
 * phase 2 alone (propose/accept), at most {@link PaxosConfig#windowSlots()} slots ahead of its
 * last decided slot. Accepts go to every member, so each learns a decision directly from a
 * majority; the leader's {@code decidedThrough}, piggybacked on proposals and heartbeats, lets a
 * member decide slots whose accepts it missed, and catch-up fills slots it never saw.
 *
 * <p>Leader suspicion is driven by work, as in PBFT's request timers: a follower holding
 * payloads that are not ordered within the progress timeout moves to the next view, doubling its
 * timeout. An idle system therefore never changes leader, which matters on the wide area, where
 * every timer is an ordered LM timeout (section 4.3).
 *
 * <p>Everything an acceptor promises or accepts is persisted before the messages that reveal it
 * are sent (see {@link Outbox}).
 */
public final class PaxosCore<N extends Comparable<N>> implements OrderingCore<N> {
    static final TimerId PROGRESS = TimerId.of("paxos-progress");
    static final TimerId RETRANSMIT = TimerId.of("paxos-retransmit");
    static final TimerId BATCH = TimerId.of("paxos-batch");
    static final TimerId NUDGE = TimerId.of("paxos-leader-nudge");

    private final PaxosConfig config;
    private final MemberIndex<N> membership;
    private final List<N> members;
    private final int self;
    private final int quorum;
    private final Outbox<N> out;
    private final RecoveryPolicy recovery;

    // Acceptor and learner state.
    private long view; // the highest view promised; also the view this node is in
    private final PaxosLog log = new PaxosLog();
    private long deliveredThrough = -1;
    /** Whether this leader's last proposal found several payloads waiting (not a full batch): then one proposal in flight (see proposeReady). */
    private boolean underLoad;
    /** Load: payloads had to wait behind our proposals in flight; a wait for company that found none clears it (holdForCompany). */
    private boolean loaded;
    /** The batch timer is armed; what waits leaves when it expires (batchDue). */
    private boolean batchHeld;
    /** Payloads of the last proposal: under load, the clients it answers send about as many again. */
    private int lastBatchSize;
    private boolean batchDue;

    // Leader state (valid when leading()).
    private enum Phase { FOLLOWING, PREPARING, LEADING }
    private Phase phase = Phase.FOLLOWING;
    private long prepareFrom;
    private final Map<Integer, Promise> promises = new TreeMap<>();
    private long nextSlot;
    private final long[] peerDecidedThrough;

    // Payloads submitted here (or forwarded to us while leading) and not yet seen delivered.
    private final LinkedHashSet<Bytes> pending = new LinkedHashSet<>();
    private final LinkedHashSet<Bytes> proposedThisView = new LinkedHashSet<>();
    private long progressTimeoutMillis;
    private boolean progressArmed;
    private boolean forwardRetried;
    private int catchUpAttempts;
    private boolean retransmitArmed;
    /**
     * Retransmission timeouts handled so far, and what we had decided when the last one ended.
     * Under steady load some slot is always undecided, and every peer's last accept names the
     * decided prefix as it was just before that slot's decision, so a leader that resent at
     * every expiry what was undecided, and heartbeat every peer that looked behind, would resend
     * proposals made a moment ago and heartbeat peers that are not behind (among sites each
     * heartbeat and its acknowledgement cost an LM signature). So a proposal is resent once it is
     * a whole period old, and while slots are undecided a peer is heartbeat once it is behind what
     * was decided a period ago; once nothing is undecided or waiting, no accept will come to show
     * a peer caught up, so one behind is heartbeat at once.
     */
    private long retransmitTicks;
    private long decidedAtLastTick = -1;
    private long catchUpRequestedFrom = -1;
    private boolean started;
    /**
     * We follow a view whose leader has not yet shown that it knows it leads (no prepare, proposal
     * or heartbeat of this view from it). Decisions reach a lagging member only through its
     * leader's heartbeats, and a leader learns of its view only from a ViewChange; if those
     * were lost while the leader was cut off, and nobody holds pending payloads (so no progress
     * timer runs), that member would never learn again. So we repeat the ViewChange to it, with
     * a growing period, until it answers.
     */
    private boolean leaderUnheard;
    private boolean nudgeArmed;
    private int nudges;

    // What checkInvariants() saw last, to check that it only grows, and the highest slot restored
    // from disk, which no window bound covers.
    private long checkedView = Long.MIN_VALUE;
    private long checkedDecidedThrough = Long.MIN_VALUE;
    private long checkedDeliveredThrough = Long.MIN_VALUE;
    private long restoredLastSlot = -1;

    public PaxosCore(PaxosConfig config, List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        this(config, members, self, out, persisted, RecoveryPolicy.PAXOS);
    }

    /** A core whose new leaders fill open slots by {@code recovery}; anything but {@link RecoveryPolicy#PAXOS} is for tests. */
    public PaxosCore(PaxosConfig config, List<N> members, N self, Outbox<N> out, List<Bytes> persisted, RecoveryPolicy recovery) {
        this.config = config;
        this.membership = new MemberIndex<>(members, self, "Paxos");
        this.members = membership.members();
        this.self = membership.self();
        this.quorum = Quorums.majority(members.size());
        this.out = out;
        this.recovery = recovery;
        this.peerDecidedThrough = new long[members.size()];
        java.util.Arrays.fill(peerDecidedThrough, -1);
        this.progressTimeoutMillis = config.progressTimeoutMillis();
        restore(persisted);
    }

    private void restore(List<Bytes> persisted) {
        for (Bytes b : persisted) {
            PaxosRecord r = PaxosRecord.decode(b);
            if (r instanceof PaxosRecord.Base base) {
                // Compacted storage (recordsAfterSnapshot): the host restored its snapshot after this slot.
                if (base.slot() > log.decidedThrough()) {
                    log.installBase(base.slot(), baseChain(base.slot()));
                    deliveredThrough = base.slot();
                }
                continue;
            }
            if (r instanceof PaxosRecord.Accepted a && a.slot() <= log.compactedThrough()) continue;
            if (r instanceof PaxosRecord.Learned l && l.slot() <= log.compactedThrough()) continue;
            if (r instanceof PaxosRecord.Promised p) {
                view = Math.max(view, p.view());
            } else if (r instanceof PaxosRecord.Accepted a) {
                Slot s = log.slot(a.slot());
                if (!s.decided && a.view() >= s.acceptedView) {
                    s.acceptedView = a.view();
                    s.value = a.value();
                }
            } else if (r instanceof PaxosRecord.Learned l) {
                Slot s = log.slot(l.slot());
                s.value = l.value();
                s.decided = true;
            }
        }
        log.extendDecidedPrefix();
        nextSlot = decidedThrough() + 1;
        if (!log.isEmpty()) restoredLastSlot = log.lastSlot();
    }

    @Override
    public void start() {
        if (started) throw new IllegalStateException("start() called twice");
        started = true;
        deliverReady(); // a restart re-delivers what was decided before, so the host can rebuild
        // Every member starts in view 0, whose leader knows it; a restart in a later view does not
        // know whether its leader ever heard of that view.
        if (view > 0 && !leading()) leaderUnheard();
        if (leading()) {
            startPhase1();
        } else if (decidedThrough() >= 0 || !log.isEmpty()) {
            // A restarted node asks the leader it knows for what it missed while down.
            requestCatchUp(leaderIndex());
        }
    }

    // ---------------------------------------------------------------- inputs

    @Override
    public void onMessage(N from, Bytes message) {
        PaxosMessage m;
        try {
            m = PaxosMessage.decode(message, config);
        } catch (DecodeException e) {
            out.reject(from, Rejection.MALFORMED, e.getMessage());
            return;
        }
        onMessage(from, m);
    }

    /** A decoded message; unit tests call this directly. */
    public void onMessage(N from, PaxosMessage message) {
        int sender = membership.sender(from, out);
        if (sender < 0) return;
        if (viewOf(message) > PaxosMessage.VIEW_MAX) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "view beyond " + PaxosMessage.VIEW_MAX);
            return;
        }
        if (message instanceof Prepare m) onPrepare(sender, m);
        else if (message instanceof Promise m) onPromise(sender, m);
        else if (message instanceof Propose m) onPropose(sender, m);
        else if (message instanceof Accept m) onAccept(sender, m);
        else if (message instanceof Forward m) onForward(sender, m);
        else if (message instanceof CatchUpRequest m) onCatchUpRequest(sender, m);
        else if (message instanceof CatchUpReply m) onCatchUpReply(sender, m);
        else if (message instanceof ViewChange m) onViewChange(sender, m);
        else if (message instanceof Heartbeat m) onHeartbeat(sender, m);
        else if (message instanceof HeartbeatAck m) onHeartbeatAck(sender, m);
        else if (message instanceof Compacted m) onCompacted(sender, m);
        else throw new IllegalStateException("unhandled Paxos message " + message);
    }

    private static long viewOf(PaxosMessage m) {
        if (m instanceof Prepare p) return p.view();
        if (m instanceof Promise p) return p.view();
        if (m instanceof Propose p) return p.view();
        if (m instanceof Accept a) return a.view();
        if (m instanceof ViewChange v) return v.view();
        if (m instanceof Heartbeat h) return h.view();
        if (m instanceof HeartbeatAck h) return h.view();
        return 0;
    }

    @Override
    public void submit(Bytes payload) {
        if (payload.length() > config.payloadBytesMax()) {
            out.reject(members.get(self), Rejection.INVALID_REQUEST,
                    "payload of " + payload.length() + " bytes exceeds payloadBytesMax " + config.payloadBytesMax());
            return;
        }
        // Equal payloads already waiting are one submission; but a payload equal to one already
        // delivered is ordered again: for a logical machine a re-arrival is a new event (a
        // retransmitted wide-area message must be executed again to be answered), and the layer
        // above makes execution idempotent.
        if (pending.contains(payload)) return;
        if (pending.size() >= config.pendingPayloadsMax()) {
            out.reject(members.get(self), Rejection.OVERLOADED, "pending queue full (" + pending.size() + ")");
            return;
        }
        pending.add(payload);
        if (leading()) {
            if (phase == Phase.LEADING) proposeReady();
        } else {
            out.send(members.get(leaderIndex()), new Forward(List.of(payload)));
            armProgress();
        }
    }

    @Override
    public void onTimer(TimerId id) {
        if (id.equals(PROGRESS)) onProgressTimeout();
        else if (id.equals(RETRANSMIT)) onRetransmitTimeout();
        else if (id.equals(BATCH)) onBatchTimeout();
        else if (id.equals(NUDGE)) onNudgeTimeout();
        // Unknown ids are stale timers of an earlier incarnation; ignore them.
    }

    // ---------------------------------------------------------------- phase 1

    private void startPhase1() {
        phase = Phase.PREPARING;
        promises.clear();
        proposedThisView.clear();
        prepareFrom = decidedThrough() + 1;
        promises.put(self, ownPromise());
        broadcast(new Prepare(view, prepareFrom));
        armRetransmit();
        maybeFinishPhase1();
    }

    private Promise ownPromise() {
        List<SlotReport> reports = new ArrayList<>();
        boolean truncated = log.collectReports(prepareFrom, config.catchUpSlotsMax() + config.windowSlots() * 4, reports, false);
        return new Promise(view, decidedThrough(), reports, truncated);
    }

    private void onPrepare(int sender, Prepare m) {
        if (sender != leaderOf(m.view())) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "prepare for view " + m.view() + " from a node that does not lead it");
            return;
        }
        if (m.view() < view) {
            out.reject(members.get(sender), Rejection.STALE_VIEW, "prepare for view " + m.view() + " < " + view);
            out.send(members.get(sender), new ViewChange(view)); // tell the stale leader where we are
            return;
        }
        if (m.view() > view) adoptView(m.view());
        heardLeader();
        if (m.fromSlot() <= log.compactedThrough()) {
            // We no longer hold what was decided there, and a promise without it would let the
            // leader fill those slots with no-ops: it installs a snapshot first, then prepares
            // again from past it.
            out.send(members.get(sender), new Compacted(log.compactedThrough(), decidedThrough()));
            return;
        }
        List<SlotReport> reports = new ArrayList<>();
        boolean truncated = log.collectReports(m.fromSlot(), config.catchUpSlotsMax() + config.windowSlots() * 4, reports, false);
        out.send(members.get(sender), new Promise(view, decidedThrough(), reports, truncated));
    }

    private void onPromise(int sender, Promise m) {
        if (m.view() != view || phase != Phase.PREPARING) return; // late or for another view: harmless
        peerDecidedThrough[sender] = Math.max(peerDecidedThrough[sender], m.decidedThrough());
        long slotLimit = prepareFrom + config.catchUpSlotsMax() + 5L * config.windowSlots();
        for (SlotReport r : m.slots()) {
            if (r.acceptedView() > view) {
                out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "promise reports a value accepted in a future view");
                return;
            }
            if (r.slot() >= slotLimit) {
                // A correct promise is cut at a bounded count of contiguous slots; a far slot would
                // make us propose an unbounded run of no-ops.
                out.reject(members.get(sender), Rejection.OUT_OF_WINDOW, "promise reports slot " + r.slot() + " beyond " + slotLimit);
                return;
            }
        }
        promises.put(sender, m);
        maybeFinishPhase1();
    }

    /**
     * With a majority of promises, the new leader knows every value that may have been chosen: for
     * each open slot it re-proposes the value accepted in the highest view (Paxos phase 2 rule), or
     * a no-op where no member of the majority accepted anything ({@link RecoveryPolicy#PAXOS}).
     */
    private void maybeFinishPhase1() {
        if (promises.size() < quorum) return;
        boolean truncated = false;
        TreeMap<Long, SlotReport> chosen = new TreeMap<>();
        for (Promise p : promises.values()) {
            truncated |= p.truncated();
            for (SlotReport r : p.slots()) {
                if (r.slot() < prepareFrom) continue;
                SlotReport best = chosen.get(r.slot());
                if (best == null || (!best.decided() && (r.decided() || r.acceptedView() > best.acceptedView()))) {
                    chosen.put(r.slot(), r);
                }
            }
        }
        if (truncated) {
            // Learn the decided slots we were told about, then prepare again from further on.
            for (SlotReport r : chosen.values()) if (r.decided()) learn(r.slot(), r.value());
            deliverReady();
            startPhase1();
            return;
        }
        phase = Phase.LEADING;
        promises.clear();
        long last = chosen.isEmpty() ? prepareFrom - 1 : chosen.lastKey();
        for (long s = prepareFrom; s <= last; s++) propose(s, recovery.valueToRepropose(s, chosen.get(s)));
        nextSlot = Math.max(last + 1, decidedThrough() + 1);
        proposeReady();
    }

    // ---------------------------------------------------------------- phase 2

    /**
     * Proposes batches of pending payloads while the window has room and fewer than
     * inFlightSlotsMax proposals await a decision; what arrives meanwhile leaves in the next batch.
     * Under load (the last proposal already found several payloads waiting) the bound is one
     * proposal, so what arrives meanwhile waits for it and leaves together; a payload alone, as a
     * lone client's events come, still goes out at once in any free slot.
     */
    private void proposeReady() {
        if (phase == Phase.LEADING && nextSlot - 1 - decidedThrough() >= (underLoad ? 1 : config.inFlightSlotsMax()) && anyUnproposed()) loaded = true;
        while (phase == Phase.LEADING && nextSlot <= decidedThrough() + config.windowSlots()
                && nextSlot - 1 - decidedThrough() < (underLoad ? 1 : config.inFlightSlotsMax())) {
            List<Bytes> batch = new ArrayList<>();
            int bytes = 0;
            for (Bytes p : pending) {
                if (proposedThisView.contains(p)) continue;
                if (batch.size() == config.batchPayloadsMax() || (bytes + p.length() > config.batchBytesMax() && !batch.isEmpty())) break;
                batch.add(p);
                bytes += p.length();
            }
            if (batch.isEmpty()) return;
            if (holdForCompany(batch.size())) return;
            if (batchDue && batch.size() == 1) loaded = false; // the wait found no company: the load is gone
            batchDue = false;
            // Several payloads waited, yet fewer than a full batch: load that one proposal at a time carries.
            underLoad = batch.size() > 1 && batch.size() < config.batchPayloadsMax();
            lastBatchSize = batch.size();
            proposedThisView.addAll(batch);
            propose(nextSlot++, batch);
        }
    }

    /**
     * Under load (payloads had to wait behind our proposals in flight), whether the next proposal
     * waits config.loadBatchDelayMillis from its first payload: among sites the clients the last
     * instance answered send their next updates just after it is decided, and they join this one
     * instead of the one after (issue 16). Its expiry is an LM timeout, ordered in the site.
     */
    private boolean holdForCompany(int size) {
        // A full batch, or as many as the last proposal carried (the clients it answered are
        // back): company enough. Leaving now saves the rest of the wait and its LM timeout.
        boolean enough = size >= config.batchPayloadsMax() || (lastBatchSize > 1 && size >= lastBatchSize);
        if (enough && batchHeld) {
            out.cancelTimer(BATCH);
            batchHeld = false;
        }
        if (enough || batchDue || (!loaded && !batchHeld) || config.loadBatchDelayMillis() == 0) return false;
        if (!batchHeld) {
            batchHeld = true;
            out.setTimer(BATCH, config.loadBatchDelayMillis());
        }
        return true;
    }

    private void onBatchTimeout() {
        batchHeld = false;
        batchDue = true;
        proposeReady();
        batchDue = false;
    }

    private boolean anyUnproposed() {
        for (Bytes p : pending) if (!proposedThisView.contains(p)) return true;
        return false;
    }

    private void propose(long slotNumber, List<Bytes> value) {
        Slot s = log.slot(slotNumber);
        if (!s.decided) {
            s.acceptedView = view;
            s.value = value;
            out.persist(new PaxosRecord.Accepted(slotNumber, view, value));
        }
        s.countAccept(view, self);
        out.accepted(value);
        broadcast(new Propose(view, slotNumber, value, decidedThrough()));
        s.proposedTick = retransmitTicks;
        armRetransmit();
        checkDecided(slotNumber, s);
    }

    private void onPropose(int sender, Propose m) {
        if (sender != leaderOf(m.view())) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "proposal for view " + m.view() + " from a node that does not lead it");
            return;
        }
        if (m.view() < view) {
            out.reject(members.get(sender), Rejection.STALE_VIEW, "proposal for view " + m.view() + " < " + view);
            out.send(members.get(sender), new ViewChange(view));
            return;
        }
        if (m.view() > view) adoptView(m.view());
        heardLeader();
        peerDecidedThrough[sender] = Math.max(peerDecidedThrough[sender], m.decidedThrough());
        Slot s = log.get(m.slot());
        if (m.slot() <= decidedThrough() || (s != null && s.decided)) {
            out.send(members.get(sender), new Accept(view, m.slot(), decidedThrough())); // it may still need our vote
        } else if (m.slot() > decidedThrough() + 4L * config.windowSlots()) {
            // Far ahead of us: we are behind. Do not grow the log; catch up instead.
            out.reject(members.get(sender), Rejection.OUT_OF_WINDOW, "slot " + m.slot() + " is far past decided " + decidedThrough());
            requestCatchUp(sender);
        } else {
            s = log.slot(m.slot());
            if (s.acceptedView == m.view()) {
                if (!s.value.equals(m.value())) {
                    out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "two proposals for slot " + m.slot() + " in view " + m.view());
                    return;
                }
                out.send(members.get(sender), new Accept(view, m.slot(), decidedThrough())); // a retransmission
            } else {
                s.acceptedView = m.view();
                s.value = m.value();
                out.persist(new PaxosRecord.Accepted(m.slot(), m.view(), m.value()));
                out.accepted(m.value());
                broadcast(new Accept(view, m.slot(), decidedThrough()));
            }
            s.countAccept(m.view(), sender);
            s.countAccept(m.view(), self);
            checkDecided(m.slot(), s);
        }
        learnFromLeader(sender, m.decidedThrough());
    }

    private void onAccept(int sender, Accept m) {
        peerDecidedThrough[sender] = Math.max(peerDecidedThrough[sender], m.decidedThrough());
        if (m.view() < view) return; // a vote from an older view can no longer decide anything here
        if (m.view() > view) adoptView(m.view());
        if (m.slot() <= decidedThrough()) return;
        if (m.slot() > decidedThrough() + 4L * config.windowSlots()) {
            out.reject(members.get(sender), Rejection.OUT_OF_WINDOW, "accept for slot " + m.slot() + " far past decided " + decidedThrough());
            return;
        }
        Slot s = log.slot(m.slot());
        s.countAccept(m.view(), sender);
        checkDecided(m.slot(), s);
    }

    /** A slot is decided once a majority accepted the same view's proposal and we hold that value. */
    private void checkDecided(long slotNumber, Slot s) {
        if (s.decided || s.value == null || s.acceptedView != s.acceptsView) return;
        // The leader of acceptsView proposed exactly one value per slot; it counts as accepting it.
        s.accepts.set(leaderOf(s.acceptsView));
        if (s.accepts.cardinality() >= quorum) {
            learn(slotNumber, s.value);
            deliverReady();
        }
    }

    /**
     * A leader that has decided through {@code leaderDecided} decided, in its view, the value it
     * proposed; we hold that same value for every slot we accepted in that view, so those slots
     * are decided for us too. Slots we lack are fetched with catch-up.
     */
    private void learnFromLeader(int leader, long leaderDecided) {
        if (leaderDecided <= decidedThrough() || leader != leaderIndex()) return;
        // Look no further than the window: a claim far ahead is served by catch-up, and an absurd
        // one from a faulty peer must not make us loop over it.
        long end = Math.min(leaderDecided, decidedThrough() + 4L * config.windowSlots());
        boolean missing = leaderDecided > end;
        for (long s = decidedThrough() + 1; s <= end; s++) {
            Slot slot = log.get(s);
            if (slot != null && !slot.decided && slot.value != null && slot.acceptedView == view) {
                learn(s, slot.value);
            } else if (slot == null || !slot.decided) {
                missing = true;
            }
        }
        deliverReady();
        if (missing) requestCatchUp(leader);
    }

    private void learn(long slotNumber, List<Bytes> value) {
        if (log.decide(slotNumber, value)) out.persist(new PaxosRecord.Learned(slotNumber, value));
    }

    private void deliverReady() {
        boolean progressed = false;
        while (deliveredThrough < decidedThrough()) {
            long slotNumber = deliveredThrough + 1;
            List<Bytes> value = log.get(slotNumber).value;
            deliveredThrough = slotNumber;
            for (Bytes p : value) {
                progressed |= pending.remove(p);
                proposedThisView.remove(p);
            }
            out.deliver(slotNumber, value);
        }
        // Log compaction (issue 18): keep historySlotsMax decided slots to serve catch-up, dropping
        // older ones a catch-up reply's worth at a time. A member further behind installs a snapshot.
        long keepAbove = deliveredThrough - config.historySlotsMax();
        if (keepAbove >= log.compactedThrough() + config.catchUpSlotsMax()) log.compactThrough(keepAbove);
        if (catchUpRequestedFrom >= 0 && catchUpRequestedFrom <= decidedThrough()) {
            catchUpRequestedFrom = -1;
            catchUpAttempts = 0;
        }
        if (progressed) {
            progressTimeoutMillis = config.progressTimeoutMillis(); // the leader is doing its job
            forwardRetried = false;
            if (progressArmed) {
                progressArmed = false;
                out.cancelTimer(PROGRESS);
            }
            armProgress();
        }
        if (phase == Phase.LEADING) proposeReady();
    }

    // ---------------------------------------------------------------- payload forwarding

    private void onForward(int sender, Forward m) {
        // A node that no longer leads drops forwards: their submitter keeps them and resends them
        // to whoever leads next, so nothing is lost and no payload bounces between non-leaders.
        if (!leading()) return;
        for (Bytes p : m.payloads()) submitForwarded(sender, p);
        if (phase == Phase.LEADING) proposeReady();
    }

    /** Sends every pending payload to the leader, in forwards no larger than a batch. */
    private void forwardPending() {
        List<Bytes> chunk = new ArrayList<>();
        int bytes = 0;
        for (Bytes p : pending) {
            if (!chunk.isEmpty() && (chunk.size() == config.batchPayloadsMax() || bytes + p.length() > config.batchBytesMax())) {
                out.send(members.get(leaderIndex()), new Forward(chunk));
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(p);
            bytes += p.length();
        }
        if (!chunk.isEmpty()) out.send(members.get(leaderIndex()), new Forward(chunk));
    }

    private void submitForwarded(int sender, Bytes p) {
        if (p.length() > config.payloadBytesMax() || pending.contains(p)) return;
        if (pending.size() >= config.pendingPayloadsMax()) {
            out.reject(members.get(sender), Rejection.OVERLOADED, "pending queue full; dropping a forwarded payload");
            return;
        }
        pending.add(p);
    }

    // ---------------------------------------------------------------- view change

    private void onProgressTimeout() {
        progressArmed = false;
        if (pending.isEmpty() || leading()) return;
        if (!forwardRetried) {
            // One lost forward should not cost a leader change: retransmit once, then suspect.
            forwardRetried = true;
            forwardPending();
            armProgress();
            return;
        }
        forwardRetried = false;
        // Lane 2008 section 4.8.2: a leader that does not order pending events in time is replaced,
        // and each replacement lengthens the timeout, so a stable site settles on a correct leader.
        progressTimeoutMillis = Math.min(progressTimeoutMillis * 2, config.progressTimeoutMaxMillis());
        // Announce the view first: on an ordered link the next leader then sees our forwards after
        // it has moved to the view it leads, and does not drop them.
        broadcast(new ViewChange(view + 1));
        adoptView(view + 1);
        if (!leading()) armProgress();
    }

    private void onViewChange(int sender, ViewChange m) {
        if (m.view() > view) adoptView(m.view());
        else if (m.view() == view && leading() && phase == Phase.PREPARING) {
            out.send(members.get(sender), new Prepare(view, prepareFrom)); // it may have missed our prepare
        } else if (m.view() == view && leading()) {
            // A follower that never heard us lead this view (see leaderUnheard): show it we do.
            out.send(members.get(sender), new Heartbeat(view, decidedThrough()));
        }
    }

    /** Moves to a higher view: promises it, and runs phase 1 if this node leads it. */
    private void adoptView(long newView) {
        if (newView <= view) throw new IllegalStateException("views only grow: " + view + " -> " + newView);
        view = newView;
        out.persist(new PaxosRecord.Promised(view));
        proposedThisView.clear();
        promises.clear();
        if (leading()) {
            if (progressArmed) {
                progressArmed = false;
                out.cancelTimer(PROGRESS);
            }
            heardLeader();
            startPhase1();
        } else {
            phase = Phase.FOLLOWING;
            leaderUnheard();
            if (!pending.isEmpty()) {
                forwardPending();
                armProgress();
            }
        }
    }

    // ---------------------------------------------------------------- catch-up and heartbeats

    private void requestCatchUp(int from) {
        if (from == self) return;
        long fromSlot = decidedThrough() + 1;
        if (catchUpRequestedFrom == fromSlot) return; // one outstanding request; the timer repeats it
        catchUpRequestedFrom = fromSlot;
        out.send(members.get(from), new CatchUpRequest(fromSlot));
        armRetransmit();
    }

    private void onCatchUpRequest(int sender, CatchUpRequest m) {
        if (m.fromSlot() <= log.compactedThrough()) {
            out.send(members.get(sender), new Compacted(log.compactedThrough(), decidedThrough()));
            return;
        }
        List<SlotReport> reports = new ArrayList<>();
        log.collectReports(m.fromSlot(), config.catchUpSlotsMax(), reports, true);
        // Always answer, even with nothing: the reply tells the requester how far we are, so it
        // stops asking once nobody is ahead of it (an idle cluster must go quiet).
        out.send(members.get(sender), new CatchUpReply(decidedThrough(), reports));
    }

    private void onCatchUpReply(int sender, CatchUpReply m) {
        // A correct reply runs from (at most) our next undecided slot for at most catchUpSlotsMax
        // slots; a far slot learned would make a later leader fill everything below it with no-ops.
        long slotLimit = decidedThrough() + 1 + config.catchUpSlotsMax() + 4L * config.windowSlots();
        for (SlotReport r : m.slots()) {
            if (r.slot() >= slotLimit) {
                out.reject(members.get(sender), Rejection.OUT_OF_WINDOW, "catch-up reply reports slot " + r.slot() + " beyond " + slotLimit);
                return;
            }
        }
        peerDecidedThrough[sender] = Math.max(peerDecidedThrough[sender], m.decidedThrough());
        for (SlotReport r : m.slots()) {
            if (r.decided() && r.slot() > decidedThrough()) learn(r.slot(), r.value());
        }
        catchUpRequestedFrom = -1;
        deliverReady();
        if (m.decidedThrough() > decidedThrough()) requestCatchUp(sender);
    }

    private void onHeartbeat(int sender, Heartbeat m) {
        if (sender != leaderOf(m.view())) {
            out.reject(members.get(sender), Rejection.PROTOCOL_VIOLATION, "heartbeat for view " + m.view() + " from a node that does not lead it");
            return;
        }
        if (m.view() < view) {
            out.send(members.get(sender), new ViewChange(view));
            return;
        }
        if (m.view() > view) adoptView(m.view());
        heardLeader();
        learnFromLeader(sender, m.decidedThrough());
        out.send(members.get(sender), new HeartbeatAck(view, decidedThrough()));
    }

    /** {@code sender} no longer holds slots we lack: its host's snapshot must bring us past them. */
    private void onCompacted(int sender, Compacted m) {
        peerDecidedThrough[sender] = Math.max(peerDecidedThrough[sender], m.decidedThrough());
        if (m.compactedThrough() > decidedThrough()) {
            out.snapshotNeeded(members.get(sender), m.compactedThrough());
        } else if (phase == Phase.PREPARING && m.compactedThrough() >= prepareFrom) {
            // We got past its compaction another way (a snapshot, catch-up) since we prepared:
            // prepare again from where we are, or our prepares keep reaching below what it holds.
            startPhase1();
        }
    }

    private void onHeartbeatAck(int sender, HeartbeatAck m) {
        peerDecidedThrough[sender] = Math.max(peerDecidedThrough[sender], m.decidedThrough());
    }

    private void onRetransmitTimeout() {
        retransmitArmed = false;
        long endingPeriod = retransmitTicks++;
        long decidedAPeriodAgo = decidedAtLastTick;
        decidedAtLastTick = decidedThrough();
        if (catchUpRequestedFrom >= 0) {
            // The request or its reply was lost; ask the leader, or anyone if we lead.
            // Rotate through the members so that a crashed one cannot stall us.
            catchUpRequestedFrom = -1;
            catchUpAttempts++;
            int target = (leaderIndex() + catchUpAttempts) % members.size();
            if (target == self) target = (target + 1) % members.size();
            requestCatchUp(target);
        }
        if (phase == Phase.PREPARING) {
            for (int i = 0; i < members.size(); i++) {
                if (i != self && !promises.containsKey(i)) out.send(members.get(i), new Prepare(view, prepareFrom));
            }
            armRetransmit();
        } else if (phase == Phase.LEADING) {
            boolean undecided = false;
            for (Map.Entry<Long, Slot> e : log.from(decidedThrough() + 1).entrySet()) {
                Slot s = e.getValue();
                if (s.decided || s.acceptedView != view) continue;
                undecided = true;
                if (s.proposedTick == endingPeriod) continue; // proposed less than a period ago
                s.proposedTick = retransmitTicks;
                for (int i = 0; i < members.size(); i++) {
                    if (i != self && !(s.acceptsView == view && s.accepts.get(i))) {
                        out.send(members.get(i), new Propose(view, e.getKey(), s.value, decidedThrough()));
                    }
                }
            }
            boolean lagging = false;
            for (int i = 0; i < members.size(); i++) {
                if (i != self && peerDecidedThrough[i] < decidedThrough()) {
                    lagging = true; // look again next period
                    // Idle (nothing undecided or waiting to be proposed), no accept will come to say more: tell it now.
                    if ((!undecided && pending.isEmpty()) || peerDecidedThrough[i] < decidedAPeriodAgo) {
                        out.send(members.get(i), new Heartbeat(view, decidedThrough()));
                    }
                }
            }
            if (undecided || lagging) armRetransmit();
        }
    }

    // ---------------------------------------------------------------- snapshots and compaction (issue 18)

    /** Where the decided prefix's chain resumes after a snapshot installed by the host: a label of the slot (the host's state is what it certifies). */
    private static Bytes baseChain(long slot) {
        return Digests.sha256(new CanonicalWriter().utf8("paxos-base").i64(slot).toBytes());
    }

    @Override
    public boolean writesSnapshots() {
        return true;
    }

    @Override
    public long slotsHeld() {
        return log.size();
    }

    @Override
    public boolean compactsWithSnapshots() {
        return true;
    }

    @Override
    public void installSnapshot(long slot, Bytes base) {
        if (slot <= decidedThrough()) return; // caught up another way meanwhile
        log.installBase(slot, baseChain(slot));
        deliveredThrough = slot;
        catchUpRequestedFrom = -1;
        catchUpAttempts = 0;
        nextSlot = Math.max(nextSlot, decidedThrough() + 1);
        deliverReady(); // slots above it we had decided already
        if (phase == Phase.PREPARING) {
            startPhase1(); // prepare again from past the snapshot, where every member holds what it reports
        } else if (!leading()) {
            requestCatchUp(leaderIndex());
        }
    }

    @Override
    public List<Bytes> recordsAfterSnapshot(long slot, Bytes base) {
        if (slot > deliveredThrough || slot < log.compactedThrough()) {
            throw new IllegalArgumentException("no records after slot " + slot + ": delivered " + deliveredThrough + ", compacted " + log.compactedThrough());
        }
        List<Bytes> records = new ArrayList<>();
        records.add(new PaxosRecord.Base(slot).encode());
        if (view > 0) records.add(new PaxosRecord.Promised(view).encode());
        for (Map.Entry<Long, Slot> e : log.from(slot + 1).entrySet()) {
            Slot s = e.getValue();
            if (s.decided) records.add(new PaxosRecord.Learned(e.getKey(), s.value).encode());
            else if (s.value != null) records.add(new PaxosRecord.Accepted(e.getKey(), s.acceptedView, s.value).encode());
        }
        return records;
    }

    /** Everything {@link #stateDigest()} covers, and the values it covers by their chain, so a reader can re-chain them. */
    @Override
    public void writeSnapshot(CanonicalWriter w) {
        w.utf8("paxos-core").bool(started).i64(view).u8(phase.ordinal()).i64(prepareFrom).i64(nextSlot).i64(deliveredThrough).i64(restoredLastSlot);
        log.writeSnapshot(w);
        w.i32(promises.size());
        for (Map.Entry<Integer, Promise> e : promises.entrySet()) w.i32(e.getKey()).bytes(e.getValue().encode());
        for (long d : peerDecidedThrough) w.i64(d);
        w.i32(pending.size());
        for (Bytes p : pending) w.bytes(p).bool(proposedThisView.contains(p));
        w.i64(progressTimeoutMillis).bool(progressArmed).bool(forwardRetried).i32(catchUpAttempts);
        w.bool(retransmitArmed).i64(catchUpRequestedFrom).bool(batchHeld).bool(loaded).i32(lastBatchSize).bool(underLoad);
        w.bool(leaderUnheard).bool(nudgeArmed).i32(nudges).i64(retransmitTicks).i64(decidedAtLastTick);
    }

    @Override
    public void readSnapshot(CanonicalReader r) throws DecodeException {
        if (started || deliveredThrough != -1 || !log.isEmpty()) throw new IllegalStateException("snapshot read into a core in use");
        if (!r.utf8(16).equals("paxos-core")) throw new DecodeException("not a Paxos core snapshot");
        started = r.bool();
        view = r.nonNegative("view");
        if (view > PaxosMessage.VIEW_MAX) throw new DecodeException("snapshot view beyond " + PaxosMessage.VIEW_MAX);
        int p = r.u8();
        if (p >= Phase.values().length) throw new DecodeException("snapshot phase " + p);
        phase = Phase.values()[p];
        prepareFrom = r.i64();
        nextSlot = r.i64();
        deliveredThrough = r.i64();
        restoredLastSlot = r.i64();
        int slotsMax = (int) Math.min(Integer.MAX_VALUE - 1, (long) config.historySlotsMax() + 2L * config.catchUpSlotsMax() + 6L * config.windowSlots());
        log.readSnapshot(r, slotsMax, members.size(), config.batchPayloadsMax(), config.payloadBytesMax());
        if (deliveredThrough != log.decidedThrough() && started) throw new DecodeException("snapshot delivered " + deliveredThrough + " != decided " + log.decidedThrough());
        int promiseCount = r.count(members.size(), "snapshot promises");
        for (int i = 0; i < promiseCount; i++) {
            int member = r.i32();
            if (member < 0 || member >= members.size()) throw new DecodeException("snapshot promise of member " + member);
            if (!(PaxosMessage.decode(r.bytes(Integer.MAX_VALUE), config) instanceof Promise promise)) throw new DecodeException("snapshot promise is no promise");
            promises.put(member, promise);
        }
        for (int i = 0; i < peerDecidedThrough.length; i++) peerDecidedThrough[i] = r.i64();
        int pendingCount = r.count(config.pendingPayloadsMax(), "snapshot pending payloads");
        for (int i = 0; i < pendingCount; i++) {
            Bytes payload = r.bytes(config.payloadBytesMax());
            if (!pending.add(payload)) throw new DecodeException("snapshot pending payload twice");
            if (r.bool()) proposedThisView.add(payload);
        }
        progressTimeoutMillis = r.i64();
        progressArmed = r.bool();
        forwardRetried = r.bool();
        catchUpAttempts = r.i32();
        retransmitArmed = r.bool();
        catchUpRequestedFrom = r.i64();
        batchHeld = r.bool();
        loaded = r.bool();
        lastBatchSize = r.i32();
        underLoad = r.bool();
        leaderUnheard = r.bool();
        nudgeArmed = r.bool();
        nudges = r.i32();
        retransmitTicks = r.i64();
        decidedAtLastTick = r.i64();
    }

    // ---------------------------------------------------------------- helpers

    private void armProgress() {
        if (progressArmed || pending.isEmpty() || leading()) return;
        progressArmed = true;
        out.setTimer(PROGRESS, progressTimeoutMillis);
    }

    private void leaderUnheard() {
        leaderUnheard = true;
        nudges = 0;
        armNudge();
    }

    private void heardLeader() {
        leaderUnheard = false;
        if (nudgeArmed) {
            nudgeArmed = false;
            out.cancelTimer(NUDGE);
        }
    }

    /** Periods of 1, 2, 4, ... retransmission periods, up to the longest progress timeout: a leader cut off for good costs little. */
    private void armNudge() {
        if (nudgeArmed) return;
        nudgeArmed = true;
        long period = config.retransmitMillis() << Math.min(nudges, 20);
        out.setTimer(NUDGE, Math.min(period, Math.max(config.retransmitMillis(), config.progressTimeoutMaxMillis())));
    }

    private void onNudgeTimeout() {
        nudgeArmed = false;
        if (!leaderUnheard || leading()) return;
        nudges++;
        out.send(members.get(leaderIndex()), new ViewChange(view));
        armNudge();
    }

    private void armRetransmit() {
        if (retransmitArmed) return;
        retransmitArmed = true;
        out.setTimer(RETRANSMIT, config.retransmitMillis());
    }

    private void broadcast(PaxosMessage m) {
        for (int i = 0; i < members.size(); i++) if (i != self) out.send(members.get(i), m);
    }

    private int leaderOf(long v) {
        return (int) (v % members.size());
    }

    private int leaderIndex() {
        return leaderOf(view);
    }

    private boolean leading() {
        return leaderIndex() == self;
    }

    // ---------------------------------------------------------------- introspection

    @Override
    public boolean isLeader() {
        return leading();
    }

    @Override
    public N leader() {
        return members.get(leaderIndex());
    }

    @Override
    public long deliveredThrough() {
        return deliveredThrough;
    }

    @Override
    public int pendingCount() {
        return pending.size();
    }

    @Override
    public long view() {
        return view;
    }

    public long decidedThrough() {
        return log.decidedThrough();
    }

    public int quorum() {
        return quorum;
    }

    /** The decided value of {@code slot}, or null; for tests and checkers. */
    public List<Bytes> decidedValue(long slotNumber) {
        return log.isDecided(slotNumber) ? log.get(slotNumber).value : null;
    }

    /**
     * Our own state only, after any input. Cost: the slots within a window below the decided
     * prefix and the (window-bounded) tail above it, not the whole log.
     */
    @Override
    public void checkInvariants() {
        // Lamport, Paxos Made Simple, section 2.3: an acceptor never takes back a promise.
        if (view < checkedView) throw broken("the promised view never decreases", checkedView + " -> " + view);
        checkedView = view;
        if (decidedThrough() < checkedDecidedThrough) {
            throw broken("decidedThrough() never decreases", checkedDecidedThrough + " -> " + decidedThrough());
        }
        checkedDecidedThrough = decidedThrough();
        if (deliveredThrough < checkedDeliveredThrough) {
            throw broken("deliveredThrough never decreases", checkedDeliveredThrough + " -> " + deliveredThrough);
        }
        checkedDeliveredThrough = deliveredThrough;
        // Every learn is followed by deliverReady, so once started nothing decided waits.
        if (started ? deliveredThrough != decidedThrough() : deliveredThrough > decidedThrough()) {
            throw broken("decided slots are delivered at once, and only they", "delivered " + deliveredThrough + ", decided " + decidedThrough());
        }
        log.checkInvariants(view, config.windowSlots(), this::broken);
        // Slots enter the log from proposals, accepts, promises and catch-up replies, each bounded
        // past the decided prefix as it was then (see onPropose, onAccept, onPromise, onCatchUpReply).
        long slotMax = Math.max(restoredLastSlot, decidedThrough() + config.catchUpSlotsMax() + 5L * config.windowSlots());
        if (!log.isEmpty() && log.lastSlot() > slotMax) throw broken("the log stays within its window", "slot " + log.lastSlot() + " > " + slotMax);
        if (pending.size() > config.pendingPayloadsMax()) {
            throw broken("pending stays within pendingPayloadsMax", pending.size() + " > " + config.pendingPayloadsMax());
        }
        if (proposedThisView.size() > (phase == Phase.LEADING ? pending.size() : 0)) {
            throw broken("only a leader in phase 2 proposes, and only pending payloads", phase + ", " + proposedThisView.size() + " proposed of " + pending.size());
        }
        if (started && leading() != (phase != Phase.FOLLOWING)) {
            throw broken("a node runs phase 1 or 2 exactly when it leads its view", "view " + view + ", " + phase);
        }
        if (phase == Phase.PREPARING ? !promises.containsKey(self) : !promises.isEmpty()) {
            throw broken("promises are collected only while preparing, our own first", phase + " with promises from " + promises.keySet());
        }
        if (progressArmed && leading()) throw broken("a leader does not suspect itself", "progress timer armed in view " + view);
        if (started && leaderUnheard && !leading() && !nudgeArmed) {
            throw broken("a follower that has not heard its leader keeps telling it of the view", "view " + view);
        }
        if (progressTimeoutMillis < config.progressTimeoutMillis() || progressTimeoutMillis > config.progressTimeoutMaxMillis()) {
            throw broken("the progress timeout stays within its configured range", progressTimeoutMillis + "ms");
        }
    }

    private IllegalStateException broken(String invariant, String values) {
        return new IllegalStateException("Paxos invariant broken at " + members.get(self) + ": " + invariant + " (" + values + ")");
    }

    /**
     * SHA-256 of everything that decides this core's future outputs: view and phase, the leader's
     * phase-1 promises and next slot, every slot (the decided prefix through its hash chain, the
     * rest with its accepted view, value and votes), what peers told us they decided, pending
     * payloads in order and which were proposed in this view, and the timer state.
     */
    @Override
    public Bytes stateDigest() {
        // Hashed as written, never held whole (CanonicalWriter#hashingInto).
        CanonicalWriter w = CanonicalWriter.hashingInto(Digests.newSha256());
        w.bool(started).i64(view).u8(phase.ordinal()).i64(prepareFrom).i64(nextSlot).bool(underLoad).i64(restoredLastSlot);
        w.i64(decidedThrough()).i64(deliveredThrough).i64(log.compactedThrough()).bytes(log.decidedPrefixDigest());
        w.i32(promises.size());
        for (Map.Entry<Integer, Promise> e : promises.entrySet()) {
            w.i32(e.getKey());
            e.getValue().encodeTo(w);
        }
        log.encodeTailTo(w);
        for (long d : peerDecidedThrough) w.i64(d);
        w.i32(pending.size());
        for (Bytes p : pending) w.bytes(p).bool(proposedThisView.contains(p)); // proposed ones are a subset
        w.i64(progressTimeoutMillis).bool(progressArmed).bool(forwardRetried).i32(catchUpAttempts);
        w.bool(retransmitArmed).i64(catchUpRequestedFrom).bool(batchHeld).bool(loaded).i32(lastBatchSize);
        w.bool(leaderUnheard).bool(nudgeArmed).i32(nudges).i64(retransmitTicks).i64(decidedAtLastTick);
        return w.digest();
    }

    @Override
    public String describe() {
        return "paxos[" + members.get(self) + " view=" + view + " leader=" + leader() + " phase=" + phase
                + " decided=" + decidedThrough() + " next=" + nextSlot + " pending=" + pending.size() + "]";
    }
}
