package io.redoubt.bft;

import io.redoubt.bft.PbftLog.Delivered;
import io.redoubt.bft.PbftLog.Slot;
import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.FetchRequest;
import io.redoubt.bft.PbftMessage.SlotProof;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * State transfer (Castro and Liskov, OSDI '99, section 4.3, and TOCS 2002, section 4.3, the
 * recovering replica's query): the core owns no application state, so a member that falls behind
 * fetches the delivered batches themselves, each range proved by a commit certificate or by a
 * stable checkpoint certificate whose chain the batches must reproduce. Here too is the evidence
 * that we are behind, and the bounded announcements of our last delivered slot that let a member
 * cut off at the end learn it.
 */
final class PbftStateTransfer<N extends Comparable<N>> {
    /**
     * Announcements of our last delivered slot still to make, after the others fall idle: a
     * member cut off while the last slots were decided hears nothing afterwards that could tell it
     * it is behind. Like the periodic status messages of Castro's BFT library, but bounded: our
     * commit for that slot goes to every member not known to hold it, after 1, 2, 4, ...
     * retransmission periods, TAIL_ANNOUNCEMENTS times, and again after each new delivery.
     */
    static final int TAIL_ANNOUNCEMENTS = 7;

    private final PbftCore<N> core;
    private final PbftLog log;
    private final PbftCertificates<N> certs;
    private final PbftConfig config;
    private final int n;

    /**
     * Per member, the highest slot it sent a commit for, in any view. f+1 commits above what we
     * delivered say a correct member prepared further than we did; if we then make no progress
     * for a tick, we fetch the slots (with commit certificates, which hold in any view, and the
     * new view if there is one) instead of waiting for the next checkpoint. This is how a member
     * that missed pre-prepares (cut off, restarted), one left alone in a view change the others
     * never needed, or one a view behind after a restart, catches up while the others are idle.
     */
    final long[] peerCommitSeq;
    /** Per member, the first delivered slot it said it still holds in its last fetch reply (-1: none said). */
    final long[] peerHistoryFrom;
    boolean sawBeyondWindow;
    long deliveredAtLastTick = -2;
    int fetchAttempts;
    /** Retransmission ticks spent waiting for a new view (see onRetransmitTick). */
    int ticksWaitingForView;
    static final int WAITING_PROBE_TICKS_MAX = 64;
    int tailAnnouncementsLeft;

    PbftStateTransfer(PbftCore<N> core, PbftLog log, PbftCertificates<N> certs, PbftConfig config, int n) {
        this.core = core;
        this.log = log;
        this.certs = certs;
        this.config = config;
        this.n = n;
        this.peerCommitSeq = new long[n];
        this.peerHistoryFrom = new long[n];
        Arrays.fill(peerHistoryFrom, -1);
        Arrays.fill(peerCommitSeq, -1);
    }

    void noteCommit(int member, long seq) {
        peerCommitSeq[member] = Math.max(peerCommitSeq[member], seq);
    }

    /** A new delivery is worth announcing again. */
    void onDelivered() {
        tailAnnouncementsLeft = TAIL_ANNOUNCEMENTS;
    }

    /** Whether some evidence says others have delivered slots we have not. */
    boolean behind() {
        if (log.stableSeq > log.deliveredThrough || sawBeyondWindow) return true;
        if (core.checkpoints.ownCheckpointUnstable()) return true; // our checkpoint is not stable yet
        if (log.committedBeyondNext()) return true;
        if (n == 1) return false;
        long[] sorted = core.checkpoints.peerCheckpointSeq.clone();
        Arrays.sort(sorted);
        if (sorted[n - 1 - core.f] > log.deliveredThrough) return true; // f + 1 members claim to have delivered further
        long[] stale = peerCommitSeq.clone();
        Arrays.sort(stale);
        return stale[n - 1 - core.f] > log.deliveredThrough; // f + 1 members prepared further, in some view
    }

    /** A request for everything after what we delivered. */
    FetchRequest fetchRequest() {
        return core.sign(new FetchRequest(log.deliveredThrough + 1, core.views.view, log.stableSeq, core.self, Bytes.EMPTY));
    }

    void sendFetch() {
        if (n == 1) return;
        fetchAttempts++;
        int target = (core.self + fetchAttempts) % n;
        if (target == core.self) target = (target + 1) % n;
        core.sendTo(target, fetchRequest());
    }

    /**
     * At the end of a retransmission tick: fetch if we are behind (or waiting) and made no progress
     * since the last tick.
     *
     * <p>A member waiting for a new view may be waiting alone: it voted the primary out, the others
     * did not and go on in the old view, which it has promised to leave, so it takes no part in
     * their slots. Once they fall idle nothing tells it that it is behind, and it would never
     * execute what they decided (found by the swarm). So while it waits it asks one member at a
     * time, at ticks 1, 2, 4, ... and then every {@value #WAITING_PROBE_TICKS_MAX} ticks; decided
     * slots come with their commit certificates, valid in any view. Members with nothing newer
     * stay silent.
     */
    void onRetransmitTick(boolean waitingOwn, boolean waitingForView) {
        boolean probe = false;
        if (waitingForView) {
            if (ticksWaitingForView < Integer.MAX_VALUE) ticksWaitingForView++;
            probe = ticksWaitingForView <= WAITING_PROBE_TICKS_MAX ? Integer.bitCount(ticksWaitingForView) == 1
                    : ticksWaitingForView % WAITING_PROBE_TICKS_MAX == 0;
        } else {
            ticksWaitingForView = 0;
        }
        if ((behind() || waitingOwn || probe) && log.deliveredThrough == deliveredAtLastTick) sendFetch();
        deliveredAtLastTick = log.deliveredThrough;
    }

    /** A view is active (noticed at the next tick): the next wait for a new one starts probing afresh. */
    void viewActive() {
        ticksWaitingForView = 0;
    }

    void onFetchRequest(int sender, FetchRequest m) {
        PbftViewChange<N> views = core.views;
        if (m.view() < views.view && views.active && views.installedNewView != null) core.sendTo(sender, views.installedNewView);
        List<SlotProof> proofs = new ArrayList<>();
        long stableSeq = log.stableSeq;
        if (stableSeq > m.stableSequence() && stableSeq >= 0) {
            proofs.add(new SlotProof(stableSeq + 1, List.of(), core.checkpoints.stableProof, List.of()));
            // Inside the reply our own entry is unsigned where the transport signs; alone it comes
            // with its proof, and the requester keeps only proofs it can relay (relayableProof).
            if (core.keys.signsByTransport() && log.deliveredThrough >= stableSeq) {
                core.sendTo(sender, core.checkpoints.ownStableCheckpoint());
            }
        }
        long s = m.fromSequence();
        int slots = 0;
        while (slots < config.catchUpSlotsMax() && s <= log.deliveredThrough) {
            Delivered d = log.history.get(s);
            if (d == null) break;
            List<Commit> relayable = d.commits().isEmpty() ? null : certs.relayableCommits(d.commits());
            if (relayable != null) {
                proofs.add(new SlotProof(s, List.of(d.batch()), List.of(), relayable));
                slots++;
                s++;
                continue;
            }
            Map.Entry<Long, List<Checkpoint>> cert = core.checkpoints.certificates.ceilingEntry(s);
            if (cert == null || cert.getKey() > log.deliveredThrough || cert.getKey() - s + 1 + slots > config.catchUpSlotsMax()) break;
            List<List<Bytes>> batches = new ArrayList<>();
            for (long k = s; k <= cert.getKey(); k++) {
                Delivered h = log.history.get(k);
                if (h == null) break;
                batches.add(h.batch());
            }
            if (batches.size() != cert.getKey() - s + 1) break;
            proofs.add(new SlotProof(s, List.copyOf(batches), cert.getValue(), List.of()));
            slots += batches.size();
            s = cert.getKey() + 1;
        }
        // Below what we still hold (log compaction, issue 18): say so, even with nothing else to
        // send, so that the requester's host fetches a snapshot instead of asking forever.
        boolean compacted = m.fromSequence() < log.historyFrom() && m.fromSequence() <= log.deliveredThrough;
        if (!proofs.isEmpty() || compacted) {
            core.sendTo(sender, core.sign(new FetchReply(m.fromSequence(), List.copyOf(proofs), core.self, Bytes.EMPTY,
                    compacted ? log.historyFrom() : -1)));
        }
    }

    void onFetchReply(int sender, FetchReply m) {
        long before = log.deliveredThrough;
        applyFetchReply(sender, m);
        core.executeReady();
        peerHistoryFrom[sender] = m.historyFrom();
        // f+1 members no longer hold the batches we lack (one of them is correct, so a faulty one
        // alone cannot send us after a snapshot that does not exist): our host's snapshot must
        // bring us past the slots they dropped.
        long[] sorted = peerHistoryFrom.clone();
        Arrays.sort(sorted);
        long dropped = n == 1 ? -1 : sorted[n - 1 - core.f];
        if (dropped > log.deliveredThrough + 1) core.out.snapshotNeeded(core.members.get(sender), dropped - 1);
        long slots = 0;
        for (SlotProof p : m.proofs()) slots += p.batches().size();
        // A full reply means the sender may hold more, even when nothing else says we are behind.
        if (log.deliveredThrough > before && (behind() || slots >= config.catchUpSlotsMax())) {
            // More to fetch: ask the member that just proved useful.
            core.sendTo(sender, fetchRequest());
        }
    }

    private void applyFetchReply(int sender, FetchReply m) {
        PbftCheckpoints<N> checkpoints = core.checkpoints;
        for (SlotProof p : m.proofs()) {
            if (p.batches().isEmpty()) {
                long seq = p.firstSequence() - 1;
                Bytes digest = p.commits().isEmpty() ? certs.validCheckpointCertificate(seq, p.checkpointProof(), m.replica()) : null;
                if (digest == null) {
                    core.reject(sender, Rejection.PROTOCOL_VIOLATION, "invalid stable checkpoint certificate for " + seq);
                    return;
                }
                List<Checkpoint> proof = seq > log.stableSeq ? checkpoints.relayableProof(seq, digest, p.checkpointProof()) : null;
                if (proof != null) checkpoints.adoptStable(seq, digest, proof);
                continue;
            }
            if (p.lastSequence() <= log.deliveredThrough) continue;
            if (p.firstSequence() != log.deliveredThrough + 1) return; // a gap: nothing further can be checked
            for (List<Bytes> b : p.batches()) {
                String bad = certs.checkBatchSize(b);
                if (bad != null) {
                    core.reject(sender, Rejection.PROTOCOL_VIOLATION, bad);
                    return;
                }
            }
            if (!p.commits().isEmpty() && p.checkpointProof().isEmpty() && p.batches().size() == 1) {
                if (!certs.validCommitCertificate(p.firstSequence(), p.batches().get(0), p.commits(), m.replica())) {
                    core.reject(sender, Rejection.PROTOCOL_VIOLATION, "invalid commit certificate for slot " + p.firstSequence());
                    return;
                }
                long seq = p.firstSequence();
                // Kept to serve others only if we can relay every commit in it.
                List<Commit> kept = certs.allRelayable(p.commits()) ? p.commits() : List.of();
                Slot s = log.get(seq);
                if (s != null && !s.committed) core.markCommitted(seq, s, p.batches().get(0), kept);
                else if (s == null) core.out.persist(new PbftRecord.Committed(seq, p.batches().get(0), kept));
                core.deliver(seq, p.batches().get(0), kept);
            } else if (p.commits().isEmpty() && !p.checkpointProof().isEmpty()) {
                long last = p.lastSequence();
                Bytes digest = certs.validCheckpointCertificate(last, p.checkpointProof(), m.replica());
                Bytes c = log.chain;
                for (int k = 0; k < p.batches().size(); k++) {
                    c = PbftMessage.chain(c, p.firstSequence() + k, PbftMessage.batchDigest(p.batches().get(k)));
                }
                if (digest == null || !PbftMessage.chainOf(digest).equals(c)) {
                    core.reject(sender, Rejection.PROTOCOL_VIOLATION, "batches do not match the checkpoint certificate at " + last);
                    return;
                }
                for (int k = 0; k < p.batches().size(); k++) {
                    long seq = p.firstSequence() + k;
                    core.out.persist(new PbftRecord.Committed(seq, p.batches().get(k), List.of()));
                    core.deliver(seq, p.batches().get(k), List.of());
                }
                // The certificate, if we can relay it, proves these batches for later fetches (and
                // after a restart); having delivered them, our own vote is part of it now.
                List<Checkpoint> proof = checkpoints.relayableProof(last, digest, p.checkpointProof());
                if (proof != null) {
                    checkpoints.certificates.put(last, proof);
                    core.out.persist(new PbftRecord.StableCheckpoint(last, digest, proof));
                    if (last > log.stableSeq) checkpoints.adoptStable(last, digest, proof, false);
                }
            } else {
                core.reject(sender, Rejection.PROTOCOL_VIOLATION, "slot proof has neither a commit nor a checkpoint certificate");
                return;
            }
        }
    }

    /** Sends our commit for our last delivered slot to every member not known to have committed it. */
    void announceTail() {
        if (tailAnnouncementsLeft <= 0) return;
        tailAnnouncementsLeft--;
        Commit mine = log.ownCommit(log.deliveredThrough, core.self);
        if (mine == null) return; // we fetched that slot: those who decided it announce it
        for (int i = 0; i < n; i++) if (i != core.self && peerCommitSeq[i] < log.deliveredThrough) core.sendTo(i, mine);
    }

    /** Whether some member is not known to hold our last delivered slot (and announcements are left). */
    boolean tailToAnnounce() {
        if (tailAnnouncementsLeft <= 0 || log.deliveredThrough < 0 || n == 1) return false;
        for (int i = 0; i < n; i++) if (i != core.self && peerCommitSeq[i] < log.deliveredThrough) return true;
        return false;
    }

    void checkInvariants() {
        if (tailAnnouncementsLeft < 0 || tailAnnouncementsLeft > TAIL_ANNOUNCEMENTS) {
            throw new IllegalStateException("tail announcements left " + tailAnnouncementsLeft + " outside [0, " + TAIL_ANNOUNCEMENTS + "]");
        }
        if (ticksWaitingForView < 0) throw new IllegalStateException("ticks waiting for a new view " + ticksWaitingForView);
    }

    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws io.redoubt.lm.codec.DecodeException {
        for (int i = 0; i < n; i++) peerCommitSeq[i] = r.i64();
        for (int i = 0; i < n; i++) peerHistoryFrom[i] = r.i64();
        sawBeyondWindow = r.bool();
        deliveredAtLastTick = r.i64();
        fetchAttempts = r.i32();
        tailAnnouncementsLeft = r.i32();
        ticksWaitingForView = r.i32();
    }

    /** State transfer's part of the state digest (see PbftCore#stateDigest), which is all of it: also its snapshot. */
    void writeState(CanonicalWriter w) {
        for (long seq : peerCommitSeq) w.i64(seq);
        for (long seq : peerHistoryFrom) w.i64(seq);
        w.bool(sawBeyondWindow).i64(deliveredAtLastTick).i32(fetchAttempts).i32(tailAnnouncementsLeft).i32(ticksWaitingForView);
    }
}
