package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.cfg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.SlotProof;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.Digests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PBFT among logical machines, where a message's signature is its LM proof (LmProofKeys): a
 * member vouches only for its own certificate entries, so a compromised site cannot put words in
 * a correct site's mouth, even one whose servers leaked every key they hold alone; and a member
 * adopts a stable checkpoint only with a proof it can itself pass on.
 */
class PbftTransportProofTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 3);
    private static final Bytes STATE = Digests.sha256(Bytes.ofUtf8("state after slot 3"));

    private final PbftTestCluster c = new PbftTestCluster(4, CONFIG, PbftCore::new, Map.of(), TestKeys.transportSigned());

    /** Member 1's fetch reply to member 0 with a stable checkpoint certificate for slot 3 made of {@code entries}. */
    private void replyFrom1(List<Checkpoint> entries) {
        c.inject(1, 0, new FetchReply(0, List.of(new SlotProof(4, List.of(), entries, List.of())), 1, Bytes.EMPTY));
        c.deliverWhere(PbftTestCluster.to(0));
    }

    private static Checkpoint unsigned(int member) {
        return new Checkpoint(3, STATE, member, Bytes.EMPTY);
    }

    private List<Rejection> rejectionsAt0() {
        return c.out(0).rejections().stream().map(RecordingOutbox.Rejected::reason).toList();
    }

    @Test
    void aMemberVouchesForItsOwnEntriesOnly() {
        c.startAll();
        // Members 2 and 3 never said this; member 1 can leave their entries unsigned, or prove
        // them with what it holds (its own proof), and neither passes.
        replyFrom1(List.of(unsigned(1), unsigned(2), unsigned(3)));
        replyFrom1(List.of(unsigned(1), c.keys.proved(1, unsigned(2)), c.keys.proved(1, unsigned(3))));
        assertEquals(List.of(Rejection.PROTOCOL_VIOLATION, Rejection.PROTOCOL_VIOLATION), rejectionsAt0());
        assertEquals(-1, c.core(0).stableCheckpoint());
    }

    @Test
    void aStableCheckpointIsAdoptedOnlyWithAProofThatCanBeRelayed() {
        c.startAll();
        List<Checkpoint> certificate = List.of(unsigned(1), c.keys.proved(2, unsigned(2)), c.keys.proved(3, unsigned(3)));
        // Valid (member 1 vouches for its own entry), but member 0 could not show member 1's
        // entry to anyone: it does not truncate on it.
        replyFrom1(certificate);
        assertEquals(List.of(), rejectionsAt0());
        assertEquals(-1, c.core(0).stableCheckpoint());
        // Member 1's checkpoint arrives on its own, proved by its transport (a replier sends it
        // with the reply): now the proof is one member 0 can relay.
        c.inject(1, 0, unsigned(1));
        replyFrom1(certificate);
        assertEquals(List.of(), rejectionsAt0());
        assertEquals(3, c.core(0).stableCheckpoint());
    }

    // Castro and Liskov, section 4.4, with LM proofs: the new view's pre-prepares travel inside it
    // unsigned (its proof covers them) and also alone, so every member's prepared certificate for
    // the re-proposed batch holds a pre-prepare it can show in a later view change.
    @Test
    void reproposedBatchesArePreparedWithSignedPrePrepares() {
        c.startAll();
        c.submit(1, PbftTestSupport.p("x"));
        c.deliverWhere(PbftTestCluster.type(PbftMessage.Forward.class).or(PbftTestCluster.type(PrePrepare.class))
                .or(PbftTestCluster.type(PbftMessage.Prepare.class)));
        c.dropWhere(PbftTestCluster.type(PbftMessage.Commit.class));
        c.crash(0);
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverAll();
        NewView nv = c.out(1).sentMessages(NewView.class).get(0);
        assertTrue(nv.prePrepares().get(0).signature().isEmpty());
        for (int i = 1; i < 4; i++) {
            assertEquals(Map.of(0L, PbftTestSupport.batch("x")), c.deliveredLog(i), "member " + i);
            List<PrePrepare> preparedInView1 = c.out(i).persistedRecords().stream()
                    .filter(r -> r instanceof PbftRecord.Prepared p && p.certificate().prePrepare().view() == 1)
                    .map(r -> ((PbftRecord.Prepared) r).certificate().prePrepare()).toList();
            assertEquals(1, preparedInView1.size(), "member " + i);
            // The primary's own entry is vouched for by whatever of its own carries it; the others hold its proof.
            assertEquals(i != 1, !preparedInView1.get(0).signature().isEmpty(), "member " + i);
        }
        assertEquals(List.of(), c.violations());
    }

    /**
     * Members 1 and 2 (and 3) decide "x" at slot 0 while member 0 hears none of it; then member 3,
     * compromised and holding every key that members 1 and 2 hold alone (as a faulty server of a
     * correct site could leak its site's key), tells member 0 that slot 0 decided "y": a fetch
     * reply whose commit certificate forges their commits as well as it can.
     */
    private static PbftTestCluster forgedCommitCertificate(TestKeys keys) {
        PbftTestCluster c = new PbftTestCluster(4, CONFIG, PbftCore::new, Map.of(), keys).byzantine(3);
        c.startAll();
        c.submit(1, PbftTestSupport.p("x"));
        c.deliverWhere(PbftTestCluster.type(PbftMessage.Forward.class).and(PbftTestCluster.to(0)));
        c.deliverWhere(PbftTestCluster.to(0).negate());
        c.dropWhere(PbftTestCluster.to(0));
        List<Bytes> y = PbftTestSupport.batch("y");
        Bytes d = PbftMessage.batchDigest(y);
        List<PbftMessage.Commit> forged = new ArrayList<>();
        for (int member = 1; member <= 3; member++) {
            PbftMessage.Commit commit = new PbftMessage.Commit(0, 0, d, member, Bytes.EMPTY);
            // With keys, member 3 signs as anyone whose key it holds; with LM proofs the best it can
            // do is its own proof (or none, which vouches only for its own entry).
            forged.add(keys.isTransportSigned() ? (member == 3 ? commit : keys.proved(3, commit)) : keys.sign(member, commit));
        }
        c.inject(3, 0, keys.sign(3, new FetchReply(0, List.of(new SlotProof(0, List.of(y), List.of(), forged)), 3, Bytes.EMPTY)));
        c.deliverWhere(PbftTestCluster.to(0));
        return c;
    }

    // The attack this design closes, shown failing against the old one: with site keys a
    // compromised site overturns a decision; with LM proofs its forgery is refused and counted.
    @Test
    void aCompromisedMemberHoldingLeakedKeysOverturnsADecisionOnlyWhenSitesSignWithKeys() {
        PbftTestCluster withKeys = forgedCommitCertificate(TestKeys.simulated());
        assertEquals(1, withKeys.violations().size(), withKeys.violations().toString());
        assertTrue(withKeys.violations().get(0).startsWith("S1 violated: slot 0"), withKeys.violations().get(0));

        PbftTestCluster withProofs = forgedCommitCertificate(TestKeys.transportSigned());
        assertEquals(List.of(), withProofs.violations());
        assertEquals(-1, withProofs.core(0).deliveredThrough());
        assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), withProofs.out(0).rejectionReasons());
        for (int i = 1; i <= 2; i++) assertEquals(Map.of(0L, PbftTestSupport.batch("x")), withProofs.deliveredLog(i));
    }
}
