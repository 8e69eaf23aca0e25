package io.redoubt.lm.sign;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * THRESHOLD-SIGN (Lane 2008, section 3.4.2, Figure 3.10) for one server of a Byzantine site. A
 * server computes a share over the Merkle root it derived itself by executing an ordered batch
 * (every correct server executed the same batch, so derived the same root) and sends it to the
 * others; the forwarder combines f+1 shares into the site's signature.
 *
 * <p>Who shares. Figure 3.10 has every server share every batch. With amortization on (issue 16),
 * only the batch's <em>committee</em> shares unasked: the forwarder of the first sending and the
 * f servers that would forward the next f sendings, skipping blacklisted ones; that is f+1 shares,
 * what a combination needs, and 1 partial per server per LM signature becomes (f+1)/(3f+1). The
 * rest share when asked ({@link SigningFrame.ShareRequest}), and all share once the batch is sent
 * again (attempt 1 and later), so a silent committee member costs at most one retransmission
 * period. The forwarder asks others in place of the committee members it suspects (they left a
 * batch short of their share: see {@link #suspects}), and asks everyone once a combination failed.
 *
 * <p>Its state: a signing round per recent root (shares, proofs, the signature once combined), a
 * small per-sender buffer for shares that arrive before this server executed their batch, and
 * the blacklist of servers proven to have sent a bad partial. With threshold RSA the forwarder
 * combines optimistically and asks for proofs of correctness only when the result does not
 * verify; a server whose proof fails is blamed with its own signed proof reply as evidence, and
 * every correct server of the site blacklists it (B5-B10).
 *
 * <p>The expensive steps never run inside an input: this server's share, its proof and the check
 * of another server's proof (a blame's evidence included) are {@link CryptoJob}s the host runs
 * where it likes, their results coming back through {@link #onCryptoDone}. Each job is issued
 * once per round (a retransmitted batch finds its job in flight), and a result whose round was
 * dropped, whose signature is already combined, or that this server (restarted) never issued is
 * ignored. Combining stays inline: it is 0.9 ms, forwarder only, and making it asynchronous
 * would split the collector's one decision (combine, verify, ask for proofs, blame) across
 * inputs for little gain.
 */
public final class ThresholdSign implements LmSigner {
    private final ServerId self;
    private final List<ServerId> siteServers;
    private final SiteSigning.Shared signing;
    private final KeyDirectory keys;
    private final int roundsMax;
    private final int earlySharesPerServerMax;
    private final Host host;
    /** Only the committee shares a batch unasked (amortization on); otherwise every server does (Figure 3.10). */
    private final boolean committeeOnly;
    /** f+1: shares a combination needs. */
    private final int sharesNeeded;

    /** Signing rounds of recent batches by Merkle root, oldest first. */
    private final LinkedHashMap<Bytes, Round> rounds = new LinkedHashMap<>();
    /** Shares that arrived before this server executed their batch; a few per sender. */
    private final TreeMap<ServerId, ArrayDeque<SigningFrame.Share>> earlyShares = new TreeMap<>();
    /** Servers proven to have sent a bad partial (Figure 3.10); their shares are ignored. */
    private final TreeSet<ServerId> blacklist = new TreeSet<>();
    /**
     * Committee members that left a batch short of their share: it was sent again before their
     * share came, or {@link #SUSPECT_AFTER_ROUNDS} later batches were executed here first. As
     * forwarder this server asks another server for a share in place of each. A share from a
     * suspect clears it, so a slow server that catches up costs nothing more.
     */
    private final TreeSet<ServerId> suspects = new TreeSet<>();
    /** Share requests for batches this server has not executed yet, a few per sender (roots). */
    private final TreeMap<ServerId, ArrayDeque<Bytes>> earlyRequests = new TreeMap<>();
    /** Later batches executed here after which a committee member whose share is still missing is suspected. */
    static final int SUSPECT_AFTER_ROUNDS = 2;
    private long lmSignatures;
    /** Site signatures this server took from the server that combined them (checked first). */
    private long signaturesReceived;
    private long sharesMade;
    private long proofsMade;
    private long nextJobId;
    /** Jobs handed to the host and not answered yet, by id; a result of any other job is ignored. */
    private final TreeMap<Long, Pending> inFlight = new TreeMap<>();

    /** Why a job was issued: for a round ({@code blamer} null), or to check a blame's evidence. */
    private record Pending(CryptoJob job, ServerId blamer, SigningFrame.ProofReply evidence) {}

    /** One batch's wide-area output waiting for (or holding) its site signature. */
    private static final class Round {
        final Batch batch;
        final TreeMap<ServerId, Bytes> shares = new TreeMap<>();
        final TreeMap<ServerId, SigningFrame.ProofReply> proofs = new TreeMap<>();
        // Membership tests only; never iterated.
        final HashSet<ServerId> fedShares = new HashSet<>();
        final HashSet<ServerId> fedProofs = new HashSet<>();
        final HashSet<ServerId> proofRequestsAnswered = new HashSet<>();
        /** Servers whose proofs the collector asked for (this server too, as forwarder); only those are checked. */
        final TreeSet<ServerId> proofsAsked = new TreeSet<>();
        /** Checked proofs: true if the proof fails (evidence of a bad partial). */
        final TreeMap<ServerId, Boolean> proofFails = new TreeMap<>();
        final HashSet<ServerId> proofChecksInFlight = new HashSet<>();
        /** Servers that asked for our proof before it was made; answered when it is. */
        final TreeSet<ServerId> waitingForOwnProof = new TreeSet<>();
        CryptoJob ownShareJob;
        CryptoJob ownProofJob;
        /** Our partial with its proof, signed: made once per round, answers every requester. */
        SigningFrame.ProofReply ownProof;
        SiteSigning.Collector collector;
        LmSignature signature;
        int attempt;
        /** Who shares unasked (the first sending's committee); every server when amortization is off or the round began with a resend. */
        final TreeSet<ServerId> committee;
        /** Servers this server, as forwarder, asked for a share. */
        final TreeSet<ServerId> asked = new TreeSet<>();
        /** Whether this round's missing committee shares were already turned into suspicions. */
        boolean suspicionsNoted;

        Round(Batch batch, TreeSet<ServerId> committee) {
            this.batch = batch;
            this.attempt = batch.attempt();
            this.committee = committee;
        }
    }

    /**
     * @param roundsMax recent batches whose rounds are kept; older rounds are dropped and their
     *     output waits for the wide-area core's retransmission
     * @param earlySharesPerServerMax shares kept per site peer for batches not executed here yet
     */
    public ThresholdSign(ServerId self, List<ServerId> siteServers, SiteSigning.Shared signing, KeyDirectory keys, int roundsMax,
                         int earlySharesPerServerMax, Host host) {
        this(self, siteServers, signing, keys, roundsMax, earlySharesPerServerMax, false, host);
    }

    /** @param committeeOnly whether only a batch's committee shares it unasked (amortization on; see the class comment) */
    public ThresholdSign(ServerId self, List<ServerId> siteServers, SiteSigning.Shared signing, KeyDirectory keys, int roundsMax,
                         int earlySharesPerServerMax, boolean committeeOnly, Host host) {
        this.committeeOnly = committeeOnly;
        this.sharesNeeded = io.redoubt.lm.core.Quorums.byzantineFaultsTolerated(siteServers.size()) + 1;
        this.self = self;
        this.siteServers = List.copyOf(siteServers);
        this.signing = signing;
        this.keys = keys;
        this.roundsMax = roundsMax;
        this.earlySharesPerServerMax = earlySharesPerServerMax;
        this.host = host;
    }

    @Override
    public void sign(Batch batch) {
        Bytes root = batch.tree().root();
        Round round = rounds.get(root);
        if (round != null) {
            // The same output again (the core retransmits): resend under the signature we hold,
            // or let the next forwarder combine the shares we already have. Every server shares a
            // batch sent again; our own share, if still being computed, is not asked for again:
            // its job is in flight.
            round.attempt = batch.attempt();
            // Holding the signature (combined here, or sent by the server that combined it),
            // this server needs no share: whichever server forwards this sending holds it too,
            // unless its copy was lost, and then it asks for shares.
            if (batch.resend() && round.signature == null) {
                noteSuspicions(round);
                makeOwnShare(root, round);
            }
            if (round.signature != null && combines(round)) host.signed(batch, round.signature);
            else if (round.signature != null) host.signatureKnown(batch, round.signature);
            else progress(root, round);
            return;
        }
        round = new Round(batch, committeeOnly && !batch.resend() ? committee(batch.attempt()) : new TreeSet<>(siteServers));
        // Earlier rounds whose committee still owes a share, now that later batches were executed
        // here: its members become suspects, and as that round's forwarder we ask others at once
        // rather than leave it to the core's next resend (a slow member on a busy machine is the usual case).
        int later = rounds.size();
        for (Map.Entry<Bytes, Round> e : rounds.entrySet()) {
            if (later-- <= SUSPECT_AFTER_ROUNDS) break;
            Round older = e.getValue();
            if (noteSuspicions(older) && combines(older)) askInPlaceOfSuspects(e.getKey(), older);
        }
        rounds.put(root, round);
        if (rounds.size() > roundsMax) drop(rounds.keySet().iterator().next());
        if (round.committee.contains(self) || takeEarlyRequest(root)) makeOwnShare(root, round);
        if (combines(round)) askInPlaceOfSuspects(root, round);
        for (Map.Entry<ServerId, ArrayDeque<SigningFrame.Share>> early : earlyShares.entrySet()) {
            // Shares that came before we executed the batch, buffered per sender: take this root's.
            for (Iterator<SigningFrame.Share> it = early.getValue().iterator(); it.hasNext(); ) {
                SigningFrame.Share e = it.next();
                if (!e.root().equals(root)) continue;
                round.shares.putIfAbsent(early.getKey(), e.share());
                it.remove();
            }
        }
        progress(root, round);
    }

    /**
     * Whether this server combines the round's shares: the forwarder of its latest sending, or,
     * where the link decides per message (BLink), any server that sends some of the batch.
     */
    private boolean combines(Round round) {
        return host.forwardsAny(round.attempt == round.batch.attempt() ? round.batch : round.batch.withAttempt(round.attempt));
    }

    /** GENERATE-PARTIAL-SIG (Figure 3.10), once per round, off the server's thread; the share is recorded and sent when it comes back. */
    private void makeOwnShare(Bytes root, Round round) {
        if (round.ownShareJob != null || round.shares.containsKey(self)) return;
        round.ownShareJob = offload(CryptoJob.making(nextJobId++, CryptoJob.Kind.SHARE, root, self, () -> signing.share(root)), null, null);
    }

    /** The servers that share the {@code attempt}-th sending unasked: its forwarder and the next ones in forwarding order, f+1 not blacklisted. */
    private TreeSet<ServerId> committee(int attempt) {
        TreeSet<ServerId> c = new TreeSet<>();
        for (int k = 0; k < siteServers.size() && c.size() < sharesNeeded; k++) {
            ServerId s = host.forwarder(attempt + k);
            if (!blacklist.contains(s)) c.add(s);
        }
        return c;
    }

    /** Committee members whose share {@code round} still lacks become suspects (once per round); returns whether there were any. */
    private boolean noteSuspicions(Round round) {
        if (round.suspicionsNoted || round.signature != null) return false;
        round.suspicionsNoted = true;
        boolean any = false;
        for (ServerId s : round.committee) {
            if (s.equals(self) || round.shares.containsKey(s) || blacklist.contains(s)) continue;
            suspects.add(s);
            any = true;
        }
        return any;
    }

    /** As forwarder: one other server asked for a share in place of each suspected committee member. */
    private void askInPlaceOfSuspects(Bytes root, Round round) {
        int wanted = 0;
        for (ServerId s : round.committee) if (suspects.contains(s)) wanted++;
        for (int k = 0; k < siteServers.size() && wanted > 0; k++) {
            ServerId s = host.forwarder(round.attempt + k);
            if (round.committee.contains(s) || suspects.contains(s) || blacklist.contains(s) || s.equals(self)) continue;
            ask(root, round, s);
            wanted--;
        }
    }

    /** As forwarder, after a combination failed or a share was refused: every server not heard from is asked. */
    private void askEveryone(Bytes root, Round round) {
        for (ServerId s : siteServers) {
            if (!s.equals(self) && !round.shares.containsKey(s) && !blacklist.contains(s)) ask(root, round, s);
        }
    }

    private void ask(Bytes root, Round round, ServerId s) {
        if (round.asked.add(s)) host.sendToServer(s, new SigningFrame.ShareRequest(root).encode());
    }

    /** Whether a peer asked for our share of {@code root} before we executed its batch. */
    private boolean takeEarlyRequest(Bytes root) {
        boolean asked = false;
        for (ArrayDeque<Bytes> q : earlyRequests.values()) asked |= q.remove(root);
        return asked;
    }

    @Override
    public void onFrame(ServerId from, Bytes bytes) {
        SigningFrame frame;
        try {
            frame = SigningFrame.decode(bytes);
        } catch (DecodeException e) {
            host.reject(from, Rejection.MALFORMED, "signing frame: " + e.getMessage());
            return;
        }
        if (frame instanceof SigningFrame.Blame b) {
            onBlame(from, b.evidence());
            return;
        }
        if (blacklist.contains(from)) return; // proven faulty: nothing it says about signing counts
        if (frame instanceof SigningFrame.Share f) {
            Round round = rounds.get(f.root());
            if (round == null) {
                // We have not executed that batch yet (or it is old, or made up). Keep a few per
                // sender so an early share is not lost; a faulty server can only evict its own.
                ArrayDeque<SigningFrame.Share> q = earlyShares.computeIfAbsent(from, k -> new ArrayDeque<>());
                q.addLast(f);
                if (q.size() > earlySharesPerServerMax) q.pollFirst();
                if (signing.vouchesForRootsItNeverDerived()) { // a deliberately broken test signer only
                    sharesMade++;
                    host.sendToServer(from, new SigningFrame.Share(f.root(), signing.share(f.root())).encode());
                }
                return;
            }
            round.shares.putIfAbsent(from, f.share());
            suspects.remove(from);
            progress(f.root(), round);
        } else if (frame instanceof SigningFrame.ShareRequest f) {
            Round round = rounds.get(f.root());
            if (round == null) {
                // Its batch is not executed here yet: remember the request, a few per sender.
                ArrayDeque<Bytes> q = earlyRequests.computeIfAbsent(from, k -> new ArrayDeque<>());
                if (!q.contains(f.root())) q.addLast(f.root());
                if (q.size() > earlySharesPerServerMax) q.pollFirst();
                return;
            }
            // Our share, once made, goes to every server (ownShareMade); if it is made, the asker missed it.
            if (round.shares.containsKey(self)) host.sendToServer(from, new SigningFrame.Share(f.root(), round.shares.get(self)).encode());
            else makeOwnShare(f.root(), round);
        } else if (frame instanceof SigningFrame.ProofRequest f) {
            Round round = rounds.get(f.root());
            // Answered once per requester and round: proofs cost far more than partials.
            if (round == null || !round.proofRequestsAnswered.add(from)) return;
            if (!signing.provesShares()) {
                host.reject(from, Rejection.PROTOCOL_VIOLATION, "proof requested, but this site's shares need none");
                return;
            }
            if (round.ownProof != null) {
                host.sendToServer(from, round.ownProof.encode());
            } else {
                round.waitingForOwnProof.add(from);
                makeOwnProof(f.root(), round);
            }
        } else if (frame instanceof SigningFrame.ProofReply f) {
            onProofReply(from, f);
        } else if (frame instanceof SigningFrame.Signed f) {
            onSigned(from, f);
        }
    }

    /**
     * The site's signature on a root, from the server that combined it. Checked before it is
     * kept (a faulty server may send anything), so that as a later forwarder this server sends
     * the batch again at once, and shares nothing for it.
     */
    private void onSigned(ServerId from, SigningFrame.Signed f) {
        Round round = rounds.get(f.root());
        if (round == null || round.signature != null) return; // not executed here yet, or already held: nothing to learn
        LmSignatureScheme scheme = signing.verifier();
        boolean valid;
        try {
            valid = scheme.name().equals(f.signature().scheme())
                    && scheme.verify(self.site(), LmSignatureScheme.rootContent(self.site(), f.root()), f.signature().value());
        } catch (RuntimeException schemeBug) {
            valid = false; // a scheme must not throw on untrusted bytes; if one does, the frame is only refused
        }
        if (!valid) {
            host.reject(from, Rejection.BAD_SIGNATURE, "site signature sent for root " + f.root() + " does not verify");
            return;
        }
        round.signature = f.signature();
        signaturesReceived++;
        if (round.attempt > 0 && host.isForwarder(round.attempt)) host.signed(round.batch.withAttempt(round.attempt), round.signature);
        else host.signatureKnown(round.batch.withAttempt(round.attempt), round.signature);
    }

    private void onProofReply(ServerId from, SigningFrame.ProofReply f) {
        if (!f.signer().equals(from)) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "proof reply signed by " + f.signer());
            return;
        }
        Round round = rounds.get(f.root());
        if (round == null || round.signature != null) return;
        if (!keys.verify(from, f.signedContent(), f.signature())) {
            host.reject(from, Rejection.BAD_SIGNATURE, "proof reply signature");
            return;
        }
        Bytes sent = round.shares.get(from);
        if (sent != null && !sent.equals(f.share())) {
            // Two different partials for one root: no correct server does that.
            blacklist.add(from);
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "proof reply for another partial than the one shared");
            return;
        }
        round.shares.putIfAbsent(from, f.share());
        round.proofs.putIfAbsent(from, f);
        progress(f.root(), round);
    }

    /**
     * Feeds a round's new shares, and its proofs once checked, to its collector; only the
     * forwarder combines. Proofs are checked by offloaded jobs and reach the collector with their
     * verdict (Figure 3.10, B6-B8), so the collector never checks one inline.
     */
    private void progress(Bytes root, Round round) {
        if (round.signature != null || !combines(round)) return;
        if (round.collector == null) round.collector = signing.collector(root, blacklist);
        List<SiteSigning.Progress> results = new ArrayList<>();
        for (Map.Entry<ServerId, Bytes> e : round.shares.entrySet()) {
            if (round.fedShares.add(e.getKey())) results.add(round.collector.offerShare(e.getKey(), e.getValue()));
        }
        for (Map.Entry<ServerId, Boolean> e : round.proofFails.entrySet()) {
            if (round.fedProofs.add(e.getKey())) {
                results.add(round.collector.offerCheckedProof(e.getKey(), round.proofs.get(e.getKey()).proof(), !e.getValue()));
            }
        }
        for (SiteSigning.Progress p : results) {
            // A refused share, a blamed server or a combination that failed: f+1 good shares may now need others'.
            if (committeeOnly && (!p.rejected().isEmpty() || !p.blamed().isEmpty() || !p.proofsWanted().isEmpty())) askEveryone(root, round);
            for (SiteSigning.Bad bad : p.rejected()) {
                host.reject(bad.server(), bad.reason(), "share for root " + root + ": " + bad.detail());
            }
            for (ServerId accused : p.blamed()) {
                blacklist.add(accused);
                host.reject(accused, Rejection.BAD_SIGNATURE, "partial signature proven invalid for root " + root + "; blacklisted");
                SigningFrame.ProofReply evidence = round.proofs.get(accused);
                if (evidence != null) broadcast(new SigningFrame.Blame(evidence).encode());
            }
            for (ServerId s : p.proofsWanted()) {
                round.proofsAsked.add(s);
                if (s.equals(self)) {
                    // Our own partial is under suspicion only if we are faulty; prove it like anyone else.
                    if (round.ownProof != null) round.proofs.putIfAbsent(self, round.ownProof);
                    else makeOwnProof(root, round);
                } else if (!round.proofs.containsKey(s)) {
                    host.sendToServer(s, new SigningFrame.ProofRequest(root).encode());
                }
            }
            if (p.signature() != null && round.signature == null) {
                round.signature = p.signature();
                lmSignatures++;
                host.signed(round.batch.withAttempt(round.attempt), round.signature);
                // Every server of the site keeps it, so that a later forwarder resends without new partials.
                broadcast(new SigningFrame.Signed(root, round.signature).encode());
            }
        }
        if (round.signature != null) return;
        // Check every asked-for proof that is here: each costs as much as making one, so off the server's thread.
        for (Map.Entry<ServerId, SigningFrame.ProofReply> e : round.proofs.entrySet()) {
            ServerId s = e.getKey();
            if (!round.proofsAsked.contains(s) || blacklist.contains(s) || round.proofFails.containsKey(s)
                    || !round.proofChecksInFlight.add(s)) continue;
            SigningFrame.ProofReply r = e.getValue();
            offload(CryptoJob.checking(nextJobId++, root, s, () -> signing.isEvidenceOfBadShare(s, root, r.share(), r.proof())), null, null);
        }
    }

    /** Asks the host for this server's proof in {@code round}, once, and only once its share is known (the reply carries both). */
    private void makeOwnProof(Bytes root, Round round) {
        if (round.ownProof != null || round.ownProofJob != null || !round.shares.containsKey(self)) return;
        round.ownProofJob = offload(CryptoJob.making(nextJobId++, CryptoJob.Kind.PROOF, root, self, () -> signing.proof(root)), null, null);
    }

    // ---------------------------------------------------------------- offloaded work

    private CryptoJob offload(CryptoJob job, ServerId blamer, SigningFrame.ProofReply evidence) {
        inFlight.put(job.id(), new Pending(job, blamer, evidence));
        host.offload(job);
        return job;
    }

    /** Forgets a round and the jobs issued for it; their results, if they come, are ignored. */
    private void drop(Bytes root) {
        rounds.remove(root);
        inFlight.values().removeIf(p -> p.blamer() == null && p.job().root().equals(root));
    }

    @Override
    public boolean isWanted(CryptoJob job) {
        Pending p = inFlight.get(job.id());
        if (p == null || p.job() != job) return false;
        if (p.blamer() != null) return !blacklist.contains(p.evidence().signer());
        Round round = rounds.get(job.root());
        if (round == null) return false;
        return switch (job.kind()) {
            case SHARE -> !round.shares.containsKey(self);
            case PROOF -> round.ownProof == null;
            case CHECK_PROOF -> round.signature == null && !blacklist.contains(job.server());
        };
    }

    @Override
    public void onCryptoDone(CryptoResult result) {
        CryptoJob job = result.job();
        Pending p = inFlight.get(job.id());
        // Identity, not id: after a restart ids begin again, and a result of the earlier incarnation's job must not pass for a new one.
        if (p == null || p.job() != job) return;
        inFlight.remove(job.id());
        if (p.blamer() != null) {
            blameChecked(p.blamer(), p.evidence(), result.proofFails());
            return;
        }
        Round round = rounds.get(job.root());
        if (round == null) return;
        switch (job.kind()) {
            case SHARE -> ownShareMade(job.root(), round, result.value());
            case PROOF -> ownProofMade(job.root(), round, result.value());
            case CHECK_PROOF -> {
                round.proofChecksInFlight.remove(job.server());
                if (round.signature != null || blacklist.contains(job.server())) return;
                round.proofFails.putIfAbsent(job.server(), result.proofFails());
                progress(job.root(), round);
            }
        }
    }

    private void ownShareMade(Bytes root, Round round, Bytes share) {
        round.ownShareJob = null;
        if (round.shares.containsKey(self)) return;
        sharesMade++;
        round.shares.put(self, share);
        broadcast(new SigningFrame.Share(root, share).encode());
        if (!round.waitingForOwnProof.isEmpty() || round.proofsAsked.contains(self)) makeOwnProof(root, round);
        progress(root, round);
    }

    private void ownProofMade(Bytes root, Round round, Bytes proof) {
        round.ownProofJob = null;
        if (round.ownProof != null || proof == null) return;
        round.ownProof = ownProofReply(root, round, proof);
        Bytes frame = round.ownProof.encode();
        for (ServerId s : round.waitingForOwnProof) host.sendToServer(s, frame);
        round.waitingForOwnProof.clear();
        if (round.proofsAsked.contains(self)) {
            round.proofs.putIfAbsent(self, round.ownProof);
            progress(root, round);
        }
    }

    /** This server's partial for {@code root} with its proof, signed so that the pair is evidence (Figure 3.10). */
    private SigningFrame.ProofReply ownProofReply(Bytes root, Round round, Bytes proof) {
        proofsMade++;
        Bytes share = round.shares.get(self);
        Bytes content = SigningFrame.ProofReply.signedContent(self, root, share, proof);
        return new SigningFrame.ProofReply(self, root, share, proof, keys.scheme().sign(keys.server(self).privateKey(), content));
    }

    /** Another server relays proof that {@code evidence.signer()} made a bad partial (Figure 3.10, B9-B10). */
    private void onBlame(ServerId from, SigningFrame.ProofReply evidence) {
        ServerId accused = evidence.signer();
        if (blacklist.contains(accused)) return;
        if (!accused.site().equals(self.site()) || accused.index() >= siteServers.size()
                || !keys.verify(accused, evidence.signedContent(), evidence.signature())) {
            host.reject(from, Rejection.BAD_SIGNATURE, "blame without a valid signed proof reply of " + accused);
            return;
        }
        // The proof check (B8 again, at every server) is offloaded; one per blamer and accused at a
        // time, so replayed blames cost nothing and a faulty blamer can queue at most n checks.
        for (Pending p : inFlight.values()) {
            if (from.equals(p.blamer()) && accused.equals(p.evidence().signer())) return;
        }
        offload(CryptoJob.checking(nextJobId++, evidence.root(), accused,
                () -> signing.isEvidenceOfBadShare(accused, evidence.root(), evidence.share(), evidence.proof())), from, evidence);
    }

    private void blameChecked(ServerId from, SigningFrame.ProofReply evidence, boolean proofFails) {
        ServerId accused = evidence.signer();
        if (blacklist.contains(accused)) return;
        if (!proofFails) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "blame of " + accused + " whose proof verifies");
            return;
        }
        blacklist.add(accused);
        host.reject(accused, Rejection.BAD_SIGNATURE, "blamed by " + from + " with evidence of a bad partial; blacklisted");
    }

    private void broadcast(Bytes frame) {
        for (ServerId s : siteServers) if (!s.equals(self)) host.sendToServer(s, frame);
    }

    /** Site signatures this server took from the server that combined them, each checked first. */
    public long signaturesReceived() {
        return signaturesReceived;
    }

    @Override
    public long lmSignatures() {
        return lmSignatures;
    }

    @Override
    public long sharesMade() {
        return sharesMade;
    }

    @Override
    public long proofsMade() {
        return proofsMade;
    }

    @Override
    public Set<ServerId> blacklist() {
        return Collections.unmodifiableSet(blacklist);
    }
}
