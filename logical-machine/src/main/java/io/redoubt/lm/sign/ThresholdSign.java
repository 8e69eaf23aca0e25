package io.redoubt.lm.sign;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.LmSignature;
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
 * THRESHOLD-SIGN (Lane 2008, section 3.4.2, Figure 3.10) for one server of a Byzantine site. Every
 * server computes a share over the Merkle root it derived itself by executing an ordered batch
 * (every correct server executed the same batch, so derived the same root) and sends it to the
 * others; the forwarder combines f+1 shares into the site's signature.
 *
 * <p>Its state: a signing round per recent root (shares, proofs, the signature once combined), a
 * small per-sender buffer for shares that arrive before this server executed their batch, and
 * the blacklist of servers proven to have sent a bad partial. With threshold RSA the forwarder
 * combines optimistically and asks for proofs of correctness only when the result does not
 * verify; a server whose proof fails is blamed with its own signed proof reply as evidence, and
 * every correct server of the site blacklists it (B5-B10).
 */
public final class ThresholdSign implements LmSigner {
    private final ServerId self;
    private final List<ServerId> siteServers;
    private final SiteSigning.Shared signing;
    private final KeyDirectory keys;
    private final int roundsMax;
    private final int earlySharesPerServerMax;
    private final Host host;

    /** Signing rounds of recent batches by Merkle root, oldest first. */
    private final LinkedHashMap<Bytes, Round> rounds = new LinkedHashMap<>();
    /** Shares that arrived before this server executed their batch; a few per sender. */
    private final TreeMap<ServerId, ArrayDeque<SigningFrame.Share>> earlyShares = new TreeMap<>();
    /** Servers proven to have sent a bad partial (Figure 3.10); their shares are ignored. */
    private final TreeSet<ServerId> blacklist = new TreeSet<>();
    private long lmSignatures;
    private long sharesMade;
    private long proofsMade;

    /** One batch's wide-area output waiting for (or holding) its site signature. */
    private static final class Round {
        final Batch batch;
        final TreeMap<ServerId, Bytes> shares = new TreeMap<>();
        final TreeMap<ServerId, SigningFrame.ProofReply> proofs = new TreeMap<>();
        // Membership tests only; never iterated.
        final HashSet<ServerId> fedShares = new HashSet<>();
        final HashSet<ServerId> fedProofs = new HashSet<>();
        final HashSet<ServerId> proofRequestsAnswered = new HashSet<>();
        SiteSigning.Collector collector;
        LmSignature signature;
        int attempt;

        Round(Batch batch) {
            this.batch = batch;
            this.attempt = batch.attempt();
        }
    }

    /**
     * @param roundsMax recent batches whose rounds are kept; older rounds are dropped and their
     *     output waits for the wide-area core's retransmission
     * @param earlySharesPerServerMax shares kept per site peer for batches not executed here yet
     */
    public ThresholdSign(ServerId self, List<ServerId> siteServers, SiteSigning.Shared signing, KeyDirectory keys, int roundsMax,
                         int earlySharesPerServerMax, Host host) {
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
            // or let the next forwarder combine the shares we already have.
            round.attempt = batch.attempt();
            if (round.signature != null && host.isForwarder(batch.attempt())) host.signed(batch, round.signature);
            else progress(root, round);
            return;
        }
        round = new Round(batch);
        rounds.put(root, round);
        if (rounds.size() > roundsMax) {
            Iterator<Bytes> oldest = rounds.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        Bytes share = signing.share(root);
        sharesMade++;
        round.shares.put(self, share);
        broadcast(new SigningFrame.Share(root, share).encode());
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
                return;
            }
            round.shares.putIfAbsent(from, f.share());
            progress(f.root(), round);
        } else if (frame instanceof SigningFrame.ProofRequest f) {
            Round round = rounds.get(f.root());
            // Answered once per requester and round: proofs cost far more than partials.
            if (round == null || !round.proofRequestsAnswered.add(from)) return;
            Bytes proof = signing.proof(f.root());
            if (proof == null) {
                host.reject(from, Rejection.PROTOCOL_VIOLATION, "proof requested, but this site's shares need none");
                return;
            }
            host.sendToServer(from, ownProofReply(f.root(), round, proof).encode());
        } else if (frame instanceof SigningFrame.ProofReply f) {
            onProofReply(from, f);
        }
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

    /** Feeds a round's new shares and proofs to its collector; only the forwarder combines. */
    private void progress(Bytes root, Round round) {
        if (round.signature != null || !host.isForwarder(round.attempt)) return;
        if (round.collector == null) round.collector = signing.collector(root, blacklist);
        List<SiteSigning.Progress> results = new ArrayList<>();
        for (Map.Entry<ServerId, Bytes> e : round.shares.entrySet()) {
            if (round.fedShares.add(e.getKey())) results.add(round.collector.offerShare(e.getKey(), e.getValue()));
        }
        for (Map.Entry<ServerId, SigningFrame.ProofReply> e : round.proofs.entrySet()) {
            if (round.fedProofs.add(e.getKey())) results.add(round.collector.offerProof(e.getKey(), e.getValue().proof()));
        }
        for (SiteSigning.Progress p : results) {
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
                if (s.equals(self)) {
                    // Our own partial is under suspicion only if we are faulty; prove it like anyone else.
                    round.proofs.putIfAbsent(self, ownProofReply(root, round, signing.proof(root)));
                } else {
                    host.sendToServer(s, new SigningFrame.ProofRequest(root).encode());
                }
            }
            if (p.signature() != null && round.signature == null) {
                round.signature = p.signature();
                lmSignatures++;
                host.signed(round.batch.withAttempt(round.attempt), round.signature);
            }
        }
        // Our own proof, if it was wanted, is fed on the next pass.
        if (round.signature == null && round.proofs.containsKey(self) && !round.fedProofs.contains(self)) progress(root, round);
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
        if (!signing.isEvidenceOfBadShare(accused, evidence.root(), evidence.share(), evidence.proof())) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "blame of " + accused + " whose proof verifies");
            return;
        }
        blacklist.add(accused);
        host.reject(accused, Rejection.BAD_SIGNATURE, "blamed by " + from + " with evidence of a bad partial; blacklisted");
    }

    private void broadcast(Bytes frame) {
        for (ServerId s : siteServers) if (!s.equals(self)) host.sendToServer(s, frame);
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
