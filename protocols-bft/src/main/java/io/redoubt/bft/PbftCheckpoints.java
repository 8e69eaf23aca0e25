package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checkpoints and garbage collection (Castro and Liskov, OSDI '99, section 4.3): every
 * {@code checkpointIntervalSlots} slots a member signs the hash chain over the delivered batches;
 * a quorum of matching checkpoints makes one stable, which moves the low watermark and truncates
 * the log. Also each member's latest claim beyond our window, whose quorum proves we are behind,
 * and the certificates kept to prove delivered batches to members that fetch them.
 */
final class PbftCheckpoints<N extends Comparable<N>> {
    private final PbftCore<N> core;
    private final PbftLog log;
    private final PbftCertificates<N> certs;
    private final int interval;
    private final int windowSlots;

    /** The proof of the stable checkpoint at {@code log.stableSeq}. */
    Bytes stableDigest = PbftMessage.CHAIN_START;
    List<Checkpoint> stableProof = List.of();
    /** Votes for checkpoints inside the window. */
    final TreeMap<Long, TreeMap<Integer, Checkpoint>> votes = new TreeMap<>();
    /** Per member, its latest checkpoint beyond our window. */
    final Checkpoint[] farCheckpoint;
    /** Per member, the highest slot it claims (a checkpoint, or a view change's stable proof) to have delivered. */
    final long[] peerCheckpointSeq;
    /** Our own checkpoints above the stable one: slot -> digest (the chain, and our host's state if it has one). */
    final TreeMap<Long, Bytes> ownCheckpoints = new TreeMap<>();
    /** Certificates proving ranges of the delivered history, for fetches. */
    final TreeMap<Long, List<Checkpoint>> certificates = new TreeMap<>();

    PbftCheckpoints(PbftCore<N> core, PbftLog log, PbftCertificates<N> certs, PbftConfig config, int n) {
        this.core = core;
        this.log = log;
        this.certs = certs;
        this.interval = config.checkpointIntervalSlots();
        this.windowSlots = config.windowSlots();
        this.farCheckpoint = new Checkpoint[n];
        this.peerCheckpointSeq = new long[n];
        Arrays.fill(peerCheckpointSeq, -1);
    }

    /** A stable checkpoint read back from stable storage. */
    void restore(long seq, Bytes digest, List<Checkpoint> proof) {
        certificates.put(seq, proof);
        if (seq > log.stableSeq) {
            log.stableSeq = seq;
            stableDigest = digest;
            stableProof = proof;
        }
    }

    /**
     * After slot {@code seq} is delivered: at an interval boundary, we sign the chain, with our
     * host's state there where it has one to certify (Outbox#checkpointState), and vote.
     */
    void onDelivered(long seq) {
        if (!log.history.isEmpty()) certificates.headMap(log.history.firstKey(), false).clear();
        if ((seq + 1) % interval != 0 || seq < log.stableSeq) return;
        Bytes digest = PbftMessage.checkpointDigest(log.chain, core.out.checkpointState(seq, log.chain));
        if (seq == log.stableSeq) {
            // Stable already (others' votes came first): no vote of ours is needed, but our host
            // keeps its state there to serve members behind, and it must be the certified one.
            if (!digest.equals(stableDigest)) throw new IllegalStateException("our state after " + seq + " diverges from the certified checkpoint");
            return;
        }
        ownCheckpoints.put(seq, digest);
        Checkpoint c = core.sign(new Checkpoint(seq, digest, core.self, Bytes.EMPTY));
        core.broadcast(c);
        if (seq <= log.highWatermark()) {
            votes.computeIfAbsent(seq, k -> new TreeMap<>()).put(core.self, c);
            checkStable(seq);
        }
    }

    void onCheckpoint(int sender, Checkpoint m) {
        if ((m.sequence() + 1) % interval != 0) {
            core.reject(sender, Rejection.PROTOCOL_VIOLATION, "checkpoint at " + m.sequence() + " is not at an interval boundary");
            return;
        }
        noteClaim(sender, m.sequence());
        if (m.sequence() == log.stableSeq && m.stateDigest().equals(stableDigest) && core.keys.signsByTransport()) addLateVote(m);
        if (m.sequence() <= log.stableSeq) return;
        if (m.sequence() > log.highWatermark()) {
            // Beyond our window: keep one claim per member; a quorum of equal claims proves we are behind.
            if (farCheckpoint[sender] == null || farCheckpoint[sender].sequence() < m.sequence()) farCheckpoint[sender] = m;
            List<Checkpoint> proof = new ArrayList<>();
            for (Checkpoint c : farCheckpoint) {
                if (c != null && c.sequence() == m.sequence() && c.stateDigest().equals(m.stateDigest())) proof.add(c);
            }
            if (proof.size() >= core.quorum) adoptStable(m.sequence(), m.stateDigest(), List.copyOf(proof));
            return;
        }
        votes.computeIfAbsent(m.sequence(), k -> new TreeMap<>()).putIfAbsent(sender, m);
        checkStable(m.sequence());
    }

    private void checkStable(long seq) {
        TreeMap<Integer, Checkpoint> forSeq = votes.get(seq);
        if (forSeq == null) return;
        for (Checkpoint candidate : forSeq.values()) {
            List<Checkpoint> proof = new ArrayList<>();
            for (Checkpoint c : forSeq.values()) if (c.stateDigest().equals(candidate.stateDigest())) proof.add(c);
            if (proof.size() >= core.quorum) {
                adoptStable(seq, candidate.stateDigest(), List.copyOf(proof));
                return;
            }
        }
    }

    /** Our vote for our stable checkpoint, to re-send to a member that is behind. */
    Checkpoint ownStableCheckpoint() {
        return core.sign(new Checkpoint(log.stableSeq, stableDigest, core.self, Bytes.EMPTY));
    }

    /** {@code member} says (a checkpoint, or a view change's stable proof) that it delivered through {@code seq}; see behind(). */
    void noteClaim(int member, long seq) {
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
        certificates.put(log.stableSeq, stableProof);
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
    List<Checkpoint> relayableProof(long seq, Bytes digest, List<Checkpoint> proof) {
        TreeMap<Integer, Checkpoint> byMember = new TreeMap<>();
        for (Checkpoint c : proof) if (certs.relayable(c)) byMember.putIfAbsent(c.replica(), c);
        TreeMap<Integer, Checkpoint> forSeq = votes.get(seq);
        if (forSeq != null) {
            for (Checkpoint c : forSeq.values()) if (c.stateDigest().equals(digest) && certs.relayable(c)) byMember.putIfAbsent(c.replica(), c);
        }
        for (Checkpoint c : farCheckpoint) {
            if (c != null && c.sequence() == seq && c.stateDigest().equals(digest)) byMember.putIfAbsent(c.replica(), c);
        }
        if (digest.equals(ownCheckpoints.get(seq))) byMember.putIfAbsent(core.self, core.sign(new Checkpoint(seq, digest, core.self, Bytes.EMPTY)));
        return byMember.size() >= core.quorum ? List.copyOf(byMember.values()) : null;
    }

    /** A checkpoint proved by a quorum becomes stable: the low watermark moves and the log is truncated. */
    void adoptStable(long seq, Bytes digest, List<Checkpoint> proof) {
        adoptStable(seq, digest, proof, true);
    }

    void adoptStable(long seq, Bytes digest, List<Checkpoint> proof, boolean persist) {
        if (seq <= log.stableSeq) return;
        Bytes mine = ownCheckpoints.get(seq);
        if (mine != null && !mine.equals(digest)) {
            throw new IllegalStateException("our delivered history diverges from the certified checkpoint at " + seq);
        }
        log.stableSeq = seq;
        stableDigest = digest;
        stableProof = proof;
        core.transfer.sawBeyondWindow = false;
        certificates.put(seq, proof);
        if (persist) core.out.persist(new PbftRecord.StableCheckpoint(seq, digest, proof));
        log.truncateThrough(seq);
        votes.headMap(seq, true).clear();
        ownCheckpoints.headMap(seq, false).clear();
        for (int i = 0; i < farCheckpoint.length; i++) if (farCheckpoint[i] != null && farCheckpoint[i].sequence() <= seq) farCheckpoint[i] = null;
        log.nextSeq = Math.max(log.nextSeq, seq + 1);
        // Far claims that now fall inside the window count as ordinary votes.
        for (int i = 0; i < farCheckpoint.length; i++) {
            Checkpoint c = farCheckpoint[i];
            if (c != null && c.sequence() <= log.stableSeq + windowSlots) {
                votes.computeIfAbsent(c.sequence(), k -> new TreeMap<>()).putIfAbsent(i, c);
                farCheckpoint[i] = null;
            }
        }
        if (log.deliveredThrough < seq) core.transfer.sendFetch();
        for (Long s : new ArrayList<>(votes.keySet())) {
            if (s <= log.stableSeq) continue;
            checkStable(s);
            break;
        }
        core.proposeIfLeading();
    }

    /** Whether we hold a checkpoint of our own that is not stable yet (others may have moved past it). */
    boolean ownCheckpointUnstable() {
        return !ownCheckpoints.isEmpty() && ownCheckpoints.lastKey() > log.stableSeq;
    }

    /**
     * Our own invariants of checkpoints: the stable one lies at an interval boundary with a proof of
     * a quorum for exactly it, votes are kept only inside the window, claims only beyond it.
     */
    void checkInvariants() {
        long stable = log.stableSeq;
        if (stable >= 0) {
            if ((stable + 1) % interval != 0) throw new IllegalStateException("stable checkpoint " + stable + " is not at an interval boundary of " + interval);
            if (stableProof.size() < core.quorum) {
                throw new IllegalStateException("stable checkpoint " + stable + " proved by " + stableProof.size() + " votes < quorum " + core.quorum);
            }
            for (Checkpoint c : stableProof) {
                if (c.sequence() != stable || !c.stateDigest().equals(stableDigest)) {
                    throw new IllegalStateException("stable checkpoint " + stable + " (" + stableDigest + ") proved by a vote for " + c.sequence() + " (" + c.stateDigest() + ")");
                }
            }
        }
        if (!votes.isEmpty() && (votes.firstKey() <= stable || votes.lastKey() > log.highWatermark())) {
            throw new IllegalStateException("checkpoint votes for " + votes.firstKey() + ".." + votes.lastKey() + " outside the window (" + stable + ", " + log.highWatermark() + "]");
        }
        for (Map.Entry<Long, TreeMap<Integer, Checkpoint>> e : votes.entrySet()) {
            for (Checkpoint c : e.getValue().values()) {
                if (c.sequence() != e.getKey()) throw new IllegalStateException("a vote for checkpoint " + c.sequence() + " kept under " + e.getKey());
            }
        }
        for (Checkpoint c : farCheckpoint) {
            if (c != null && c.sequence() <= log.highWatermark()) {
                throw new IllegalStateException("far checkpoint claim " + c.sequence() + " of member " + c.replica() + " lies inside the window (high " + log.highWatermark() + ")");
            }
        }
        if (!ownCheckpoints.isEmpty() && ownCheckpoints.firstKey() < stable) {
            throw new IllegalStateException("own checkpoint " + ownCheckpoints.firstKey() + " kept below the stable one " + stable);
        }
    }

    /** Everything, for a snapshot (issue 18): the stable checkpoint and its proof, votes, claims, our own checkpoints, certificates kept. */
    void writeSnapshot(CanonicalWriter w) {
        w.bytes(stableDigest);
        PbftSnapshot.messages(w, stableProof);
        w.i32(votes.size());
        for (Map.Entry<Long, TreeMap<Integer, Checkpoint>> e : votes.entrySet()) {
            w.i64(e.getKey());
            PbftSnapshot.messages(w, e.getValue().values());
        }
        for (Checkpoint c : farCheckpoint) PbftSnapshot.message(w, c);
        for (long seq : peerCheckpointSeq) w.i64(seq);
        w.i32(ownCheckpoints.size());
        for (Map.Entry<Long, Bytes> e : ownCheckpoints.entrySet()) w.i64(e.getKey()).bytes(e.getValue());
        w.i32(certificates.size());
        for (Map.Entry<Long, List<Checkpoint>> e : certificates.entrySet()) {
            w.i64(e.getKey());
            PbftSnapshot.messages(w, e.getValue());
        }
    }

    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r, PbftSnapshot in) throws io.redoubt.lm.codec.DecodeException {
        int n = in.members();
        stableDigest = PbftMessage.checkpointDigest(r);
        stableProof = List.copyOf(in.messages(r, Checkpoint.class, n + 1));
        int voteCount = r.count(windowSlots + 1, "checkpoint votes");
        for (int i = 0; i < voteCount; i++) {
            long seq = r.i64();
            TreeMap<Integer, Checkpoint> forSeq = new TreeMap<>();
            for (Checkpoint c : in.messages(r, Checkpoint.class, n)) forSeq.put(c.replica(), c);
            votes.put(seq, forSeq);
        }
        for (int i = 0; i < n; i++) farCheckpoint[i] = in.message(r, Checkpoint.class);
        for (int i = 0; i < n; i++) peerCheckpointSeq[i] = r.i64();
        int own = r.count(windowSlots + 1, "own checkpoints");
        for (int i = 0; i < own; i++) ownCheckpoints.put(r.i64(), PbftMessage.checkpointDigest(r));
        int certs = r.count(in.config().historySlotsMax() + windowSlots + 1, "checkpoint certificates");
        for (int i = 0; i < certs; i++) certificates.put(r.i64(), List.copyOf(in.messages(r, Checkpoint.class, n + 1)));
    }

    /** The checkpoints' part of the state digest (see PbftCore#stateDigest): all of it, as the snapshot holds it. */
    void writeState(CanonicalWriter w) {
        writeSnapshot(w);
    }
}
