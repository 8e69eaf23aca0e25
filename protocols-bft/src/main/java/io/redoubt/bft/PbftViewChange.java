package io.redoubt.bft;

import io.redoubt.bft.PbftLog.Slot;
import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * View changes (Castro and Liskov, OSDI '99, sections 4.4 and 4.5.2): the view this member is
 * in and whether it has installed it; its votes and the latest valid vote of every member; the new
 * primary's new view, whose O set every member recomputes before accepting it; PBFT's liveness
 * rule (join the smallest of {@code f + 1} higher views); and the view-change timer, armed once a
 * quorum voted and doubled with each consecutive view change.
 */
final class PbftViewChange<N extends Comparable<N>> {
    private final PbftCore<N> core;
    private final PbftLog log;
    private final PbftCertificates<N> certs;
    private final PbftConfig config;

    long view;
    boolean active = true; // false while voting for `view` and waiting for its new view
    NewView installedNewView; // the new view that installed `view` (null for view 0)
    final ViewChange[] latestViewChange; // per member, the highest valid one seen
    /** Per member, messages of an older view it sent since we installed ours (soft state, see onStaleMessage). */
    private final int[] staleSinceInstall;
    long timeoutMillis;
    boolean timerArmed;
    /** The latest view installed by a new view whose votes carried conflicting certificates (see #conflictingSlots), or -1. */
    long lastConflictingNewView = -1;

    // The state digest hashes each vote and new view once: they are immutable and large.
    private NewView digestedNewView;
    private Bytes newViewDigest;
    private final ViewChange[] digestedViewChange;
    private final Bytes[] viewChangeDigest;

    PbftViewChange(PbftCore<N> core, PbftLog log, PbftCertificates<N> certs, PbftConfig config, int n) {
        this.core = core;
        this.log = log;
        this.certs = certs;
        this.config = config;
        this.latestViewChange = new ViewChange[n];
        this.staleSinceInstall = new int[n];
        this.digestedViewChange = new ViewChange[n];
        this.viewChangeDigest = new Bytes[n];
        this.timeoutMillis = config.viewChangeTimeoutMillis();
    }

    void onTimeout() {
        timerArmed = false;
        if (active) return;
        startViewChange(view + 1);
    }

    /** Progress was made: the next view change waits the configured timeout again. */
    void resetTimeout() {
        timeoutMillis = config.viewChangeTimeoutMillis();
    }

    private void cancelTimer() {
        if (timerArmed) {
            timerArmed = false;
            core.out.cancelTimer(PbftCore.VIEW_CHANGE);
        }
    }

    /** Leaves the current view for {@code newView}: persists the decision, then votes (PBFT section 4.4). */
    /** Retransmission ticks since this member last voted (resendOwnViewChange). */
    private long resendTicks;

    void startViewChange(long newView) {
        if (newView <= view) throw new IllegalStateException("views only grow: " + view + " -> " + newView);
        if (newView > PbftMessage.VIEW_MAX) return;
        view = newView;
        active = false;
        installedNewView = null;
        core.queues.inFlight.clear();
        core.out.persist(new PbftRecord.ViewChangeStarted(newView));
        core.queues.disarmTimer();
        cancelTimer();
        broadcastViewChange();
        maybeArmTimer();
        if (core.isPrimary()) maybeNewView();
    }

    void broadcastViewChange() {
        List<PreparedCertificate> prepared = new ArrayList<>();
        for (Map.Entry<Long, Slot> e : log.slots.tailMap(log.stableSeq, false).entrySet()) {
            if (e.getValue().prepared != null) prepared.add(e.getValue().prepared);
        }
        ViewChange vc = core.sign(new ViewChange(view, log.stableSeq, core.checkpoints.stableProof, List.copyOf(prepared), core.self, Bytes.EMPTY));
        latestViewChange[core.self] = vc;
        resendTicks = 0;
        core.broadcast(vc);
    }

    /** Our vote for the view we wait for, again (it may have been lost). */
    void resendOwnViewChange() {
        ViewChange mine = latestViewChange[core.self];
        if (mine == null || mine.view() != view) return;
        // At the 1st, 2nd, 4th, ... retransmission tick after the vote: a view change carries
        // prepared certificates with whole batches, and resending it every period to every member
        // crowds out the new view it waits for on the same links.
        if (resendTicks < Long.MAX_VALUE) resendTicks++;
        if (Long.bitCount(resendTicks) == 1) core.broadcast(mine);
    }

    /**
     * PBFT section 4.5.2: the view-change timer starts only once a quorum voted for the view this
     * member waits for, so that no correct member runs more than one view ahead of a quorum; each
     * consecutive view change doubles it.
     */
    void maybeArmTimer() {
        if (active || timerArmed) return;
        // A vote for a later view counts too: that member has left every view below it, so waiting
        // for its vote for ours would wait forever (it retransmits only its latest).
        int votes = 0;
        for (ViewChange vc : latestViewChange) if (vc != null && vc.view() >= view) votes++;
        if (votes < core.quorum) return;
        timerArmed = true;
        core.out.setTimer(PbftCore.VIEW_CHANGE, timeoutMillis);
        timeoutMillis = Math.min(timeoutMillis * 2, config.viewChangeTimeoutMaxMillis());
    }

    /**
     * {@code sender} sent a normal-case message of a view older than ours. It missed the new view
     * we installed and, active in its old view, sends no view change that would let us hand it
     * over (PBFT's status messages serve this; found by the swarm: a primary restarted while its
     * site changed view stayed in view 0 for good). The new view is self-certifying, so we relay
     * it, at the 1st, 2nd, 4th, ... such message after our install: a lost relay is repeated, and
     * a faulty member cannot make us send one new view per message it sends.
     */
    void onStaleMessage(int sender) {
        if (!active || installedNewView == null || sender == core.self) return;
        int count = staleSinceInstall[sender];
        if (count < Integer.MAX_VALUE) staleSinceInstall[sender] = ++count;
        if (Integer.bitCount(count) == 1) core.sendTo(sender, installedNewView);
    }

    void onViewChange(int sender, ViewChange m) {
        if (m.view() < view || (m.view() == view && active)) {
            // The sender missed a new view we installed: hand it over (it is self-certifying), at
            // the 1st, 2nd, 4th, ... such message (onStaleMessage). A member waiting for a new view
            // resends its view change every retransmission period, and a new view carries whole
            // batches (a megabyte is possible): one copy per resend from every member that had
            // installed it flooded a site's links exactly while the new view was still on its way,
            // and let a faulty member have a small message answered with a large one at will.
            onStaleMessage(sender);
            if (m.view() < view) core.reject(sender, Rejection.STALE_VIEW, "view change to " + m.view() + " <= " + view);
            return;
        }
        // A retransmission equal to the vote already checked and kept for this sender is as valid
        // as it was (the check looks only at the message and the keys): checking every certificate
        // in it again, each retransmission period while a view changes, was pure waste.
        String bad = m.equals(latestViewChange[sender]) ? null : checkViewChange(m);
        if (bad != null) {
            core.reject(sender, Rejection.PROTOCOL_VIOLATION, bad);
            return;
        }
        if (latestViewChange[sender] == null || latestViewChange[sender].view() < m.view()) latestViewChange[sender] = m;
        core.checkpoints.noteClaim(sender, m.stableSequence());
        // PBFT's liveness rule: f + 1 members voting for higher views include a correct one; join the smallest.
        long smallest = Long.MAX_VALUE;
        int higher = 0;
        for (int i = 0; i < latestViewChange.length; i++) {
            ViewChange vc = latestViewChange[i];
            if (i != core.self && vc != null && vc.view() > view) {
                higher++;
                smallest = Math.min(smallest, vc.view());
            }
        }
        if (higher >= core.f + 1) {
            startViewChange(smallest);
        } else if (!active) {
            maybeArmTimer();
            if (core.isPrimary()) maybeNewView();
        }
    }

    /** Checks a view change's checkpoint proof and each prepared certificate (PBFT section 4.4); null if valid. */
    private String checkViewChange(ViewChange vc) {
        if (vc.stableSequence() >= 0) {
            if (certs.validCheckpointCertificate(vc.stableSequence(), vc.stableProof(), vc.replica()) == null) return "view change with an invalid checkpoint proof";
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
            if (pp.view() >= vc.view() || pp.replica() != core.primaryOf(pp.view()) || !certs.validSignature(pp, vc.replica()) || certs.checkBatch(pp) != null) {
                return "view change with an invalid pre-prepare for slot " + pp.sequence();
            }
            boolean[] seen = new boolean[latestViewChange.length];
            int count = 0;
            for (Prepare p : c.prepares()) {
                if (p.view() != pp.view() || p.sequence() != pp.sequence() || !p.batchDigest().equals(pp.batchDigest())
                        || p.replica() == pp.replica() || seen[p.replica()] || !certs.validSignature(p, vc.replica())) {
                    return "view change with an invalid prepare for slot " + pp.sequence();
                }
                seen[p.replica()] = true;
                count++;
            }
            if (count < core.quorum - 1) return "view change with too few prepares for slot " + pp.sequence();
        }
        return null;
    }

    /** The new primary installs its view once a quorum voted for it. */
    private void maybeNewView() {
        List<ViewChange> votes = new ArrayList<>();
        for (ViewChange vc : latestViewChange) if (vc != null && vc.view() == view) votes.add(vc);
        if (votes.size() < core.quorum) return;
        Map<Long, List<Bytes>> o = core.behavior.newViewBatches(votes);
        List<PrePrepare> prePrepares = new ArrayList<>();
        for (Map.Entry<Long, List<Bytes>> e : o.entrySet()) prePrepares.add(core.signPrePrepare(view, e.getKey(), e.getValue()));
        NewView nv = core.sign(new NewView(view, List.copyOf(votes), List.copyOf(prePrepares), core.self, Bytes.EMPTY));
        installNewView(nv);
    }

    /**
     * The O set of PBFT's new view (section 4.4): from the highest stable checkpoint among the votes
     * to the highest prepared slot, the batch of the prepared certificate with the highest view, or
     * the null batch where no vote holds one. Deterministic, so every member can recompute it.
     */
    static TreeMap<Long, List<Bytes>> computeNewViewBatches(List<ViewChange> votes) {
        long low = stableOf(votes);
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

    /**
     * How many slots above the new view's low watermark carry prepared certificates from different
     * views for different batches among {@code votes}: the rare case in which the O set's "highest
     * view" rule decides (PBFT section 4.4). Observation only: nothing in the protocol depends on it.
     */
    static int conflictingSlots(List<ViewChange> votes) {
        long low = stableOf(votes);
        TreeMap<Long, PrePrepare> first = new TreeMap<>();
        java.util.TreeSet<Long> conflicting = new java.util.TreeSet<>();
        for (ViewChange vc : votes) {
            for (PreparedCertificate c : vc.prepared()) {
                PrePrepare pp = c.prePrepare();
                if (pp.sequence() <= low) continue;
                PrePrepare seen = first.putIfAbsent(pp.sequence(), pp);
                if (seen != null && seen.view() != pp.view() && !seen.batchDigest().equals(pp.batchDigest())) conflicting.add(pp.sequence());
            }
        }
        return conflicting.size();
    }

    private static long stableOf(List<ViewChange> votes) {
        long low = -1;
        for (ViewChange vc : votes) low = Math.max(low, vc.stableSequence());
        return low;
    }

    void onNewView(int sender, NewView m) {
        if (m.view() < view || (m.view() == view && active)) return; // old or already installed
        String bad = checkNewView(m);
        if (bad != null) {
            core.reject(sender, Rejection.PROTOCOL_VIOLATION, bad);
            return;
        }
        installNewView(m);
        // Whoever handed us the new view went on in it while we were elsewhere (cut off, restarted,
        // waiting for another view): it may have decided slots since, and once the group is idle
        // nothing else would tell us. Ask it; a member with nothing newer stays silent.
        if (sender != core.self && core.n > 1) core.sendTo(sender, core.transfer.fetchRequest());
    }

    /** Validates a new view completely: the votes, and the O set recomputed from them (PBFT section 4.4). */
    private String checkNewView(NewView m) {
        if (m.replica() != core.primaryOf(m.view())) return "new view for " + m.view() + " signed by a member that is not its primary";
        boolean[] seen = new boolean[latestViewChange.length];
        for (ViewChange vc : m.viewChanges()) {
            if (vc.view() != m.view()) return "new view carries a view change for view " + vc.view();
            if (seen[vc.replica()]) return "new view carries two view changes of member " + vc.replica();
            seen[vc.replica()] = true;
            if (!certs.validSignature(vc, m.replica())) return "new view carries a forged view change of member " + vc.replica();
            String bad = checkViewChange(vc);
            if (bad != null) return "new view carries an invalid view change: " + bad;
        }
        if (m.viewChanges().size() < core.quorum) return "new view carries " + m.viewChanges().size() + " view changes, fewer than a quorum";
        Map<Long, List<Bytes>> o = core.behavior.newViewBatches(m.viewChanges());
        if (o.size() != m.prePrepares().size()) return "new view O set has " + m.prePrepares().size() + " pre-prepares, expected " + o.size();
        Iterator<Map.Entry<Long, List<Bytes>>> it = o.entrySet().iterator();
        for (PrePrepare pp : m.prePrepares()) {
            Map.Entry<Long, List<Bytes>> e = it.next();
            if (pp.view() != m.view() || pp.sequence() != e.getKey() || pp.replica() != m.replica() || !pp.batch().equals(e.getValue())
                    || !pp.batchDigest().equals(PbftMessage.batchDigest(pp.batch())) || !certs.validSignature(pp, m.replica())) {
                return "new view O set differs from the one its view changes determine at slot " + e.getKey();
            }
        }
        return null;
    }

    /** Enters the new view: adopts its checkpoint, accepts its pre-prepares, then speaks (persist before send). */
    private void installNewView(NewView nv) {
        view = nv.view();
        active = false; // until the new view's pre-prepares are in place
        if (conflictingSlots(nv.viewChanges()) > 0) lastConflictingNewView = view;
        long low = stableOf(nv.viewChanges());
        if (low > log.stableSeq) {
            // Every vote at the new low watermark certifies the same checkpoint; pool their entries,
            // since we keep only those we can relay (relayableProof).
            Bytes digest = null;
            List<Checkpoint> entries = new ArrayList<>();
            for (ViewChange vc : nv.viewChanges()) {
                if (vc.stableSequence() != low) continue;
                if (digest == null) digest = vc.stableProof().get(0).stateDigest();
                if (digest.equals(vc.stableProof().get(0).stateDigest())) entries.addAll(vc.stableProof());
            }
            List<Checkpoint> proof = core.checkpoints.relayableProof(low, digest, entries);
            if (proof != null) core.checkpoints.adoptStable(low, digest, proof);
        }
        for (ViewChange vc : nv.viewChanges()) core.checkpoints.noteClaim(vc.replica(), vc.stableSequence());
        log.resetTo(view);
        core.queues.inFlight.clear();
        long high = Math.max(low, log.stableSeq);
        for (PrePrepare pp : nv.prePrepares()) {
            high = Math.max(high, pp.sequence());
            if (pp.sequence() <= log.stableSeq) continue;
            Slot s = log.slot(pp.sequence());
            s.resetTo(view);
            s.prePrepare = pp;
            core.out.persist(new PbftRecord.Accepted(pp));
            if (!(s.committed && pp.sequence() <= log.deliveredThrough)) core.queues.inFlight.addAll(pp.batch());
        }
        core.out.persist(new PbftRecord.NewViewInstalled(nv));
        active = true;
        installedNewView = nv;
        java.util.Arrays.fill(staleSinceInstall, 0);
        log.nextSeq = Math.max(high + 1, log.stableSeq + 1);
        cancelTimer();
        core.queues.resetAges();
        boolean primary = core.isPrimary();
        if (primary) {
            core.broadcast(nv);
            // Where the new view's proof is the only signature its pre-prepares have (the wide-area
            // tier), each also travels alone: members need a copy they can relay (checkPrepared).
            for (PrePrepare pp : nv.prePrepares()) if (pp.signature().isEmpty() && pp.sequence() > log.stableSeq) core.sendPrePrepare(pp);
        }
        for (PrePrepare pp : nv.prePrepares()) {
            if (pp.sequence() <= log.stableSeq) continue;
            Slot s = log.slot(pp.sequence());
            if (!primary) {
                s.myPrepare = core.sign(new Prepare(view, pp.sequence(), pp.batchDigest(), core.self, Bytes.EMPTY));
                s.prepares.put(core.self, s.myPrepare);
                core.broadcast(s.myPrepare);
                s.lastSentTick = core.retransmitTicks;
            }
        }
        for (PrePrepare pp : nv.prePrepares()) {
            Slot s = log.get(pp.sequence());
            if (s != null) core.checkPrepared(pp.sequence(), s);
        }
        // Our own source's payloads go to the new primary, which may not have them.
        core.queues.forwardOwnToPrimary();
        if (core.isPrimary()) core.proposeReady();
        core.executeReady();
    }

    /** Our own invariants of view changes; {@code lastView} is the view at the previous check. */
    void checkInvariants(long lastView) {
        if (view < lastView) throw new IllegalStateException("view went back from " + lastView + " to " + view);
        if (timerArmed && active) throw new IllegalStateException("view-change timer armed in the installed view " + view);
        if (active && installedNewView != null && installedNewView.view() != view) {
            throw new IllegalStateException("view " + view + " installed by a new view for view " + installedNewView.view());
        }
        if (active && view > 0 && installedNewView == null) throw new IllegalStateException("view " + view + " active without a new view");
        ViewChange mine = latestViewChange[core.self];
        if (mine != null && mine.view() > view) throw new IllegalStateException("we voted for view " + mine.view() + " beyond our view " + view);
        if (timeoutMillis < config.viewChangeTimeoutMillis() || timeoutMillis > config.viewChangeTimeoutMaxMillis()) {
            throw new IllegalStateException("view-change timeout " + timeoutMillis + " ms outside [" + config.viewChangeTimeoutMillis() + ", "
                    + config.viewChangeTimeoutMaxMillis() + "]");
        }
    }

    /** The view change's part of the state digest (see PbftCore#stateDigest). */
    /** Everything, for a snapshot (issue 18): the new view and the votes whole. */
    void writeSnapshot(CanonicalWriter w) {
        w.i64(view).bool(active).i64(timeoutMillis).bool(timerArmed).i64(resendTicks).i64(lastConflictingNewView);
        PbftSnapshot.message(w, installedNewView);
        for (ViewChange vc : latestViewChange) PbftSnapshot.message(w, vc);
        for (int c : staleSinceInstall) w.i32(c);
    }

    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r, PbftSnapshot in) throws io.redoubt.lm.codec.DecodeException {
        view = r.nonNegative("view");
        active = r.bool();
        timeoutMillis = r.i64();
        timerArmed = r.bool();
        resendTicks = r.i64();
        lastConflictingNewView = r.i64();
        installedNewView = in.message(r, NewView.class);
        for (int i = 0; i < latestViewChange.length; i++) latestViewChange[i] = in.message(r, ViewChange.class);
        for (int i = 0; i < staleSinceInstall.length; i++) staleSinceInstall[i] = r.i32();
    }

    void writeState(CanonicalWriter w) {
        w.i64(view).bool(active).i64(timeoutMillis).bool(timerArmed).i64(resendTicks);
        for (int c : staleSinceInstall) w.i32(c); // it decides when we relay our new view (onStaleMessage)
        w.bool(installedNewView != null);
        if (installedNewView != null) {
            if (digestedNewView != installedNewView) {
                digestedNewView = installedNewView;
                newViewDigest = Digests.sha256(installedNewView.encode());
            }
            w.bytes(newViewDigest);
        }
        for (int i = 0; i < latestViewChange.length; i++) {
            ViewChange vc = latestViewChange[i];
            w.bool(vc != null);
            if (vc == null) continue;
            if (digestedViewChange[i] != vc) {
                digestedViewChange[i] = vc;
                viewChangeDigest[i] = Digests.sha256(vc.encode());
            }
            w.bytes(viewChangeDigest[i]);
        }
    }
}
