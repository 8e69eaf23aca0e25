package io.redoubt.lm.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.crypto.Digests;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * THRESHOLD-SIGN (section 3.4.2, Figure 3.10) with its cryptography offloaded: a fake host keeps
 * every {@link CryptoJob} and runs it only when the test says, late and out of order, so the site
 * signature must still form, and results that come too late must change nothing.
 */
class ThresholdSignOffloadTest {
    static final SiteId SITE = SiteId.of(0);
    static final int N = 4; // f = 1: two shares sign

    /** One server's signer with a host that records everything and runs no job by itself. */
    static final class Node implements LmSigner.Host {
        final ServerId id;
        final Cluster cluster;
        ThresholdSign signer;
        final List<CryptoJob> jobs = new ArrayList<>();
        final List<LmSignature> signed = new ArrayList<>();
        final List<Rejection> rejected = new ArrayList<>();

        Node(ServerId id, Cluster cluster) {
            this.id = id;
            this.cluster = cluster;
        }

        @Override
        public boolean isForwarder(int attempt) {
            return id.index() == attempt % N;
        }

        @Override
        public ServerId forwarder(int attempt) {
            return new ServerId(id.site(), attempt % N);
        }

        @Override
        public void signed(LmSigner.Batch batch, LmSignature signature) {
            signed.add(signature);
        }

        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            cluster.network.add(new Object[] {id, to, frame});
        }

        @Override
        public void reject(Object from, Rejection reason, String detail) {
            rejected.add(reason);
        }

        @Override
        public void offload(CryptoJob job) {
            jobs.add(job);
        }

        /** Runs the job at {@code at} of those waiting and hands back its result, as a host would in a later input. */
        void finish(int at) {
            signer.onCryptoDone(jobs.remove(at).run());
        }
    }

    static final class Cluster {
        final LmKeyring ring;
        final KeyDirectory keys;
        final List<Node> nodes = new ArrayList<>();
        final ArrayDeque<Object[]> network = new ArrayDeque<>();

        Cluster(int roundsMax, Map<Integer, SiteSigning.Shared> planted) {
            this(roundsMax, planted, false);
        }

        Cluster(int roundsMax, Map<Integer, SiteSigning.Shared> planted, boolean committeeOnly) {
            keys = new KeyDirectory(SignatureScheme.named("ed25519"), Bytes.ofUtf8("threshold-offload-test"));
            ring = new LmKeyring(keys, Map.of(SITE, new LmKeyring.SiteSpec(N, 1, LmKeyring.Kind.THRESHOLD)), 512, true);
            List<ServerId> servers = new ArrayList<>();
            for (int i = 0; i < N; i++) servers.add(ServerId.of(0, i));
            for (ServerId s : servers) {
                Node n = new Node(s, this);
                SiteSigning.Shared signing = planted.getOrDefault(s.index(), (SiteSigning.Shared) ring.signingFor(s));
                n.signer = new ThresholdSign(s, servers, signing, keys, roundsMax, 4, committeeOnly, n);
                nodes.add(n);
            }
        }

        Node node(int i) {
            return nodes.get(i);
        }

        void deliverAll() {
            for (Object[] m; (m = network.poll()) != null; ) node(((ServerId) m[1]).index()).signer.onFrame((ServerId) m[0], (Bytes) m[2]);
        }

        /** Delivers frames and runs jobs in an order drawn from {@code seed}, until nothing is left. */
        void settle(long seed) {
            Random r = new Random(seed);
            while (true) {
                List<Node> busy = nodes.stream().filter(n -> !n.jobs.isEmpty()).toList();
                if (network.isEmpty() && busy.isEmpty()) return;
                if (!network.isEmpty() && (busy.isEmpty() || r.nextBoolean())) {
                    Object[] m = network.poll();
                    node(((ServerId) m[1]).index()).signer.onFrame((ServerId) m[0], (Bytes) m[2]);
                } else {
                    Node n = busy.get(r.nextInt(busy.size()));
                    n.finish(r.nextInt(n.jobs.size()));
                }
            }
        }
    }

    static LmSigner.Batch batch(String what, int attempt) {
        List<Bytes> distinct = List.of(Bytes.ofUtf8(what));
        return new LmSigner.Batch(List.of(), distinct, MerkleBatch.of(distinct), attempt);
    }

    static boolean verifies(Cluster c, LmSigner.Batch b, LmSignature sig) {
        return c.ring.verifiers().get(SITE).verify(SITE, LmSignatureScheme.rootContent(SITE, b.tree().root()), sig.value());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void theSiteSignatureFormsWhateverOrderTheResultsComeIn(long seed) {
        Cluster c = new Cluster(8, Map.of());
        LmSigner.Batch b = batch("one batch", 0);
        for (Node n : c.nodes) n.signer.sign(b);
        for (Node n : c.nodes) {
            assertEquals(1, n.jobs.size(), "sign() only describes the share; it computes nothing");
            assertEquals(CryptoJob.Kind.SHARE, n.jobs.get(0).kind());
            assertEquals(0, n.signer.sharesMade());
        }
        assertTrue(c.network.isEmpty(), "no share can be sent before it is computed");
        c.settle(seed);
        assertEquals(1, c.node(0).signed.size(), "the forwarder combines once");
        assertTrue(verifies(c, b, c.node(0).signed.get(0)));
        for (Node n : c.nodes) {
            assertEquals(1, n.signer.sharesMade());
            assertEquals(0, n.signer.proofsMade(), "optimistic: no proofs when every partial is good");
            assertTrue(n.rejected.isEmpty(), n.id + " rejected " + n.rejected);
        }
    }

    @Test
    void aRetransmittedBatchDoesNotComputeItsShareAgain() {
        Cluster c = new Cluster(8, Map.of());
        Node n = c.node(1);
        n.signer.sign(batch("b", 0));
        n.signer.sign(batch("b", 1)); // the core retransmits before the share is back
        assertEquals(1, n.jobs.size());
        n.finish(0);
        n.signer.sign(batch("b", 2));
        assertTrue(n.jobs.isEmpty());
        assertEquals(1, n.signer.sharesMade());
        assertEquals(N - 1, c.network.size(), "the share went to the others once");
    }

    @Test
    void aShareThatComesBackAfterItsRoundWasDroppedIsIgnored() {
        Cluster c = new Cluster(1, Map.of());
        Node n = c.node(1);
        n.signer.sign(batch("old", 0));
        CryptoJob old = n.jobs.get(0);
        n.signer.sign(batch("new", 0)); // one round kept: "old" is dropped
        assertFalse(n.signer.isWanted(old), "a host may skip it");
        assertTrue(n.signer.isWanted(n.jobs.get(1)));
        n.finish(0);
        assertEquals(0, n.signer.sharesMade());
        assertTrue(c.network.isEmpty(), "nothing is sent for a round that is gone");
        n.finish(0);
        assertEquals(1, n.signer.sharesMade());
        assertEquals(N - 1, c.network.size());
    }

    @Test
    void aResultAfterTheSignatureFormedOrFromAnEarlierIncarnationIsIgnored() {
        Cluster c = new Cluster(8, Map.of());
        LmSigner.Batch b = batch("b", 0);
        for (Node n : c.nodes) n.signer.sign(b);
        c.node(2).finish(0);
        c.node(3).finish(0);
        c.deliverAll();
        Node forwarder = c.node(0);
        assertEquals(1, forwarder.signed.size(), "the forwarder combines 2 and 3 while its own share is still being computed");
        assertTrue(forwarder.signer.isWanted(forwarder.jobs.get(0)), "its share is still owed to the others");
        forwarder.finish(0);
        c.deliverAll();
        assertEquals(1, forwarder.signed.size(), "its late share changes nothing");

        // Server 1 restarts before its share came back: the old job's result must not pass for the new signer's job 0.
        Node one = c.node(1);
        CryptoJob beforeRestart = CryptoJob.making(0, CryptoJob.Kind.SHARE, b.tree().root(), one.id,
                () -> Bytes.ofUtf8("a stale share"));
        ThresholdSign restarted = new ThresholdSign(one.id, c.nodes.stream().map(x -> x.id).toList(),
                (SiteSigning.Shared) c.ring.signingFor(one.id), c.keys, 8, 4, one);
        one.signer = restarted;
        one.jobs.clear();
        restarted.sign(b);
        assertEquals(0, one.jobs.get(0).id(), "ids begin again");
        int sent = c.network.size();
        restarted.onCryptoDone(beforeRestart.run());
        assertEquals(0, restarted.sharesMade());
        assertEquals(sent, c.network.size());
        one.finish(0);
        assertEquals(1, restarted.sharesMade());
    }

    /** A server whose partials are well formed but made over another root, and so are its proofs (as the simulator's BadShares). */
    static SiteSigning.Shared lying(SiteSigning.Shared honest) {
        return new SiteSigning.Shared() {
            Bytes other(Bytes root) {
                return Digests.sha256(Bytes.ofUtf8("not-the-root"), root);
            }

            public LmSignatureScheme verifier() {
                return honest.verifier();
            }

            public String kindName() {
                return honest.kindName();
            }

            public Bytes share(Bytes root) {
                return honest.share(other(root));
            }

            public SiteSigning.Collector collector(Bytes root, Set<ServerId> blacklist) {
                return honest.collector(root, blacklist);
            }

            public boolean provesShares() {
                return true;
            }

            public Bytes proof(Bytes root) {
                return honest.proof(other(root));
            }

            public boolean isEvidenceOfBadShare(ServerId accused, Bytes root, Bytes share, Bytes proof) {
                return honest.isEvidenceOfBadShare(accused, root, share, proof);
            }
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void aBadPartialIsProvenByOffloadedChecksBlamedAndTheSiteStillSigns(long seed) {
        Cluster probe = new Cluster(8, Map.of());
        Cluster c = new Cluster(8, Map.of(1, lying((SiteSigning.Shared) probe.ring.signingFor(ServerId.of(0, 1)))));
        LmSigner.Batch b = batch("b", 0);
        // Only the forwarder and the liar have executed the batch: the optimistic combination fails,
        // and nothing but the proofs can tell which partial is bad.
        c.node(0).signer.sign(b);
        c.node(1).signer.sign(b);
        c.settle(seed);
        Node forwarder = c.node(0);
        assertTrue(forwarder.signed.isEmpty());
        for (int i : List.of(0, 2, 3)) {
            assertEquals(Set.of(ServerId.of(0, 1)), c.node(i).signer.blacklist(), "server " + i + " blacklists the liar, by its own check or the blame");
        }
        assertEquals(1, forwarder.signer.proofsMade(), "the forwarder proved its own partial once");
        c.node(2).signer.sign(b);
        c.node(3).signer.sign(b);
        c.settle(seed);
        assertEquals(1, forwarder.signed.size(), "f+1 correct servers sign without the liar");
        assertTrue(verifies(c, b, forwarder.signed.get(0)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void withALiarAmongThemTheSiteSignsWhateverOrderTheResultsComeIn(long seed) {
        Cluster probe = new Cluster(8, Map.of());
        Cluster c = new Cluster(8, Map.of(1, lying((SiteSigning.Shared) probe.ring.signingFor(ServerId.of(0, 1)))));
        LmSigner.Batch b = batch("b", 0);
        for (Node n : c.nodes) n.signer.sign(b);
        c.node(1).finish(0);
        c.node(0).finish(0);
        c.settle(seed);
        Node forwarder = c.node(0);
        assertEquals(1, forwarder.signed.size());
        assertTrue(verifies(c, b, forwarder.signed.get(0)));
        // The signature may form from proven partials before the liar's proof is checked; then it is not blamed this round.
        for (int i : List.of(2, 3)) assertEquals(forwarder.signer.blacklist(), c.node(i).signer.blacklist());
        assertTrue(Set.of(ServerId.of(0, 1)).containsAll(forwarder.signer.blacklist()));
        assertTrue(forwarder.signer.proofsMade() <= 1, "our own proof is made at most once per round");
    }

    @Test
    void aBlameIsActedOnOnlyWhenItsOffloadedCheckConfirmsIt() {
        Cluster probe = new Cluster(8, Map.of());
        SiteSigning.Shared liar = lying((SiteSigning.Shared) probe.ring.signingFor(ServerId.of(0, 1)));
        Cluster c = new Cluster(8, Map.of());
        LmSigner.Batch b = batch("b", 0);
        Bytes root = b.tree().root();
        ServerId accused = ServerId.of(0, 1);
        Bytes share = liar.share(root);
        Bytes proof = liar.proof(root);
        Bytes content = SigningFrame.ProofReply.signedContent(accused, root, share, proof);
        SigningFrame.ProofReply evidence = new SigningFrame.ProofReply(accused, root, share, proof,
                c.keys.scheme().sign(c.keys.server(accused).privateKey(), content));
        Node n = c.node(3);
        Bytes blame = new SigningFrame.Blame(evidence).encode();
        n.signer.onFrame(ServerId.of(0, 0), blame);
        n.signer.onFrame(ServerId.of(0, 0), blame); // replayed: one check
        assertEquals(1, n.jobs.size());
        assertEquals(CryptoJob.Kind.CHECK_PROOF, n.jobs.get(0).kind());
        assertTrue(n.signer.blacklist().isEmpty(), "nothing is decided before the check is back");
        n.finish(0);
        assertEquals(Set.of(accused), n.signer.blacklist());

        // A "blame" carrying a correct partial with its valid proof gets its sender rejected.
        SiteSigning.Shared honest2 = (SiteSigning.Shared) c.ring.signingFor(ServerId.of(0, 2));
        Bytes s2 = honest2.share(root);
        Bytes p2 = honest2.proof(root);
        SigningFrame.ProofReply fine = new SigningFrame.ProofReply(ServerId.of(0, 2), root, s2, p2,
                c.keys.scheme().sign(c.keys.server(ServerId.of(0, 2)).privateKey(), SigningFrame.ProofReply.signedContent(ServerId.of(0, 2), root, s2, p2)));
        n.signer.onFrame(ServerId.of(0, 0), new SigningFrame.Blame(fine).encode());
        n.finish(0);
        assertEquals(Set.of(accused), n.signer.blacklist());
        assertEquals(List.of(Rejection.BAD_SIGNATURE, Rejection.PROTOCOL_VIOLATION), n.rejected);
    }
}
