package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Quorums;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The certificates a member accepts from others (Castro and Liskov, OSDI '99, sections 4.3 and 4.4):
 * a commit certificate and a stable-checkpoint certificate need matching, validly signed entries of
 * 2f + 1 distinct members; 2f are not enough, and one member counted twice does not make up for a
 * missing one. Seven members (f = 2, quorum 5) so that off-by-one and halving mutants differ.
 */
class PbftCertificateQuorumTest {
    private static final int N = 7;
    private static final int QUORUM = Quorums.byzantineQuorum(N);
    private static final PbftConfig CONFIG = cfg(8, 4, 4);
    private static final List<Integer> MEMBERS = List.of(0, 1, 2, 3, 4, 5, 6);
    private final TestKeys keys = TestKeys.simulated();
    private final PbftCertificates<Integer> certs = new PbftCertificates<>(CONFIG, MEMBERS, 0, QUORUM, keys.of(0));

    private Commit commit(int r, long seq, List<Bytes> b) {
        return keys.sign(r, new Commit(1, seq, PbftMessage.batchDigest(b), r, Bytes.EMPTY));
    }

    private Checkpoint checkpoint(int r, long seq, Bytes digest) {
        return keys.sign(r, new Checkpoint(seq, digest, r, Bytes.EMPTY));
    }

    @Test
    void sevenMembersHaveQuorumFive() {
        assertEquals(5, QUORUM);
    }

    @Test
    void aCommitCertificateNeedsTwoFPlusOneDistinctSignedCommits() {
        List<Bytes> b = batch("x");
        List<Commit> five = List.of(commit(0, 9, b), commit(1, 9, b), commit(2, 9, b), commit(3, 9, b), commit(4, 9, b));
        assertTrue(certs.validCommitCertificate(9, b, five, PbftCertificates.NOBODY));
        assertFalse(certs.validCommitCertificate(9, b, five.subList(0, 4), PbftCertificates.NOBODY), "2f = 4 commits");
        List<Commit> twice = List.of(commit(0, 9, b), commit(1, 9, b), commit(2, 9, b), commit(3, 9, b), commit(3, 9, b));
        assertFalse(certs.validCommitCertificate(9, b, twice, PbftCertificates.NOBODY), "member 3 counted twice");
        assertFalse(certs.validCommitCertificate(9, batch("y"), five, PbftCertificates.NOBODY), "for another batch");
        assertFalse(certs.validCommitCertificate(8, b, five, PbftCertificates.NOBODY), "for another slot");
    }

    @Test
    void aStableCheckpointCertificateNeedsTwoFPlusOneDistinctSignedCheckpoints() {
        Bytes d = PbftMessage.CHAIN_START;
        long seq = CONFIG.checkpointIntervalSlots() * 2L - 1; // a checkpoint slot
        List<Checkpoint> five = List.of(checkpoint(2, seq, d), checkpoint(3, seq, d), checkpoint(4, seq, d), checkpoint(5, seq, d), checkpoint(6, seq, d));
        assertEquals(d, certs.validCheckpointCertificate(seq, five, PbftCertificates.NOBODY));
        assertNull(certs.validCheckpointCertificate(seq, five.subList(0, 4), PbftCertificates.NOBODY), "2f = 4 checkpoints");
        List<Checkpoint> twice = List.of(checkpoint(2, seq, d), checkpoint(3, seq, d), checkpoint(4, seq, d), checkpoint(5, seq, d), checkpoint(5, seq, d));
        assertNull(certs.validCheckpointCertificate(seq, twice, PbftCertificates.NOBODY), "member 5 counted twice");
        assertNull(certs.validCheckpointCertificate(seq - 1, five, PbftCertificates.NOBODY), "not a checkpoint slot");
        assertNull(certs.validCheckpointCertificate(seq, List.of(), PbftCertificates.NOBODY), "no proof at all");
    }
    @Test
    void aSignerIndexJustPastTheMembersIsNotAuthentic() {
        Commit fromNobody = keys.sign(N, new Commit(1, 9, PbftMessage.batchDigest(batch("x")), N, Bytes.EMPTY));
        assertFalse(certs.validSignature(fromNobody, PbftCertificates.NOBODY), "member index " + N + " of " + N);
        assertTrue(certs.validSignature(commit(N - 1, 9, batch("x")), PbftCertificates.NOBODY));
    }

    @Test
    void aBatchOfExactlyBatchBytesMaxIsTakenAndOneByteMoreIsNot() {
        PbftConfig small = new PbftConfig(8, 4, 4, 10, 8, 1000, 50, 2_000, 100, 4_000, 10, 16, 4096, 8);
        PbftCertificates<Integer> c = new PbftCertificates<>(small, MEMBERS, 0, QUORUM, keys.of(0));
        assertNull(c.checkBatchSize(batch("abcd", "efghij")), "4 + 6 = 10 bytes");
        assertTrue(c.checkBatchSize(batch("abcd", "efghijk")) != null, "11 bytes");
        assertNull(c.checkBatchSize(batch("a", "b", "c", "d")), "four payloads");
        assertTrue(c.checkBatchSize(batch("a", "b", "c", "d", "e")) != null, "five payloads");
    }
}
