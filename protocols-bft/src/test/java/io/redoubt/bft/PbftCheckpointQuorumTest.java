package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.from;
import static io.redoubt.bft.PbftTestCluster.to;
import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchRequest;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints become stable at 2f + 1 matching votes, not fewer (Castro and Liskov, OSDI '99,
 * section 4.3), whether the votes lie inside the window or beyond it (where they prove this member
 * is behind; TOCS 2002, section 5.3), and a member's own vote counts the moment it delivers the
 * checkpoint slot. Written against the mutants PIT left alive in {@code PbftCheckpoints.onCheckpoint},
 * {@code onDelivered} and {@code adoptStable} (claims the new window covers, the fetch after adopting).
 */
class PbftCheckpointQuorumTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4); // window 8, checkpoint every 4 slots

    @Test
    void claimsBeyondTheWindowMakeAMemberAdoptTheCheckpointAndFetchOnlyAtAQuorum() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        long far = 11; // past member 3's high watermark (-1 + 8) and at an interval boundary
        Bytes digest = Digests.sha256(Bytes.ofUtf8("someone else's history"));
        c.core(3).onMessage(0, c.keys.sign(0, new Checkpoint(far, digest, 0, Bytes.EMPTY)));
        c.core(3).onMessage(1, c.keys.sign(1, new Checkpoint(far, digest, 1, Bytes.EMPTY)));
        c.core(3).checkInvariants();
        assertEquals(-1, c.core(3).stableCheckpoint(), "two claims (2f) do not prove it is behind");
        assertTrue(c.out(3).sentMessages(FetchRequest.class).isEmpty());
        c.core(3).onMessage(2, c.keys.sign(2, new Checkpoint(far, digest, 2, Bytes.EMPTY)));
        c.core(3).checkInvariants();
        assertEquals(far, c.core(3).stableCheckpoint(), "three (2f + 1) do: " + c.core(3).describe());
        assertEquals(1, c.out(3).sentMessages(FetchRequest.class).size(), "and it fetches what it missed");
    }

    @Test
    void aMembersOwnVoteCompletesTheQuorumWhenItDeliversTheCheckpointSlot() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 3; k++) {
            c.submit(0, p("s" + k));
            c.deliverAll();
        }
        assertEquals(2, c.core(3).deliveredThrough());
        c.submit(0, p("s3")); // slot 3 ends the first checkpoint interval
        // Member 3 gets neither the commits for slot 3 nor member 2's checkpoint vote.
        c.deliverWhere(type(Commit.class).and(to(3)).or(type(Checkpoint.class).and(from(2)).and(to(3))).negate());
        assertEquals(2, c.core(3).deliveredThrough(), "member 3 has not committed slot 3 yet");
        assertEquals(3, c.core(0).stableCheckpoint(), "the others' three votes made it stable there");
        assertEquals(-1, c.core(3).stableCheckpoint(), "member 3 holds two votes (2f), not a quorum");
        c.deliverWhere(type(Commit.class).and(to(3)));
        assertEquals(3, c.core(3).deliveredThrough());
        assertEquals(3, c.core(3).stableCheckpoint(), "its own vote joins the two it holds, with no further message");
        assertEquals(c.core(0).chainDigest(), c.core(3).chainDigest());
        for (int i = 0; i < 4; i++) {
            assertTrue(c.out(i).sentMessages(FetchRequest.class).isEmpty(), "member " + i + " delivered what it made stable: it fetches nothing");
        }
    }

    // Claims beyond the window that a newly stable checkpoint brings inside it become ordinary
    // votes (adoptStable): kept as claims, they would lie inside the window (the invariant refuses
    // that), and the vote that completes their quorum would find only itself. Here the claims for
    // slot 11 sit exactly at the new high watermark (3 + 8).
    @Test
    void claimsTheNewWindowCoversCountAsVotesThatTheNextVoteCompletes() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        Bytes through3 = Digests.sha256(Bytes.ofUtf8("history through 3"));
        Bytes through11 = Digests.sha256(Bytes.ofUtf8("history through 11"));
        c.core(3).onMessage(0, c.keys.sign(0, new Checkpoint(11, through11, 0, Bytes.EMPTY)));
        c.core(3).onMessage(1, c.keys.sign(1, new Checkpoint(11, through11, 1, Bytes.EMPTY)));
        c.core(3).checkInvariants();
        assertEquals(-1, c.core(3).stableCheckpoint(), "two claims beyond the window (-1, 7]");
        for (int m = 0; m < 3; m++) c.core(3).onMessage(m, c.keys.sign(m, new Checkpoint(3, through3, m, Bytes.EMPTY)));
        c.core(3).checkInvariants();
        assertEquals(3, c.core(3).stableCheckpoint(), "the window is now (3, 11]");
        c.core(3).onMessage(2, c.keys.sign(2, new Checkpoint(11, through11, 2, Bytes.EMPTY)));
        c.core(3).checkInvariants();
        assertEquals(11, c.core(3).stableCheckpoint(), "member 2's vote joins the two former claims: " + c.core(3).describe());
    }

    // At the wide-area tier a member's own entry in a checkpoint certificate travels unsigned (the
    // LM proof of the message carrying it stands for its signature), so the stable checkpoint's
    // proof is only as relayable as its other entries: a late vote for exactly that checkpoint
    // joins it, once per member. Between a site's servers every entry is signed; late votes are
    // left out. (PIT's survivors in onCheckpoint's late-vote condition and addLateVote.)
    @ParameterizedTest(name = "transport-signed (wide area): {0}")
    @ValueSource(booleans = {false, true})
    void aLateVoteForTheStableCheckpointJoinsItsProofAtTheWideAreaTier(boolean wideArea) {
        PbftTestCluster c = new PbftTestCluster(4, CONFIG, PbftCore::new, Map.of(), wideArea ? TestKeys.transportSigned() : TestKeys.simulated());
        c.startAll();
        c.deliverAll();
        Predicate<PbftTestCluster.Envelope> late = type(Checkpoint.class).and(from(2)).and(to(0));
        for (int k = 0; k < 4; k++) {
            c.submit(0, p("s" + k));
            c.deliverWhere(late.negate());
        }
        assertEquals(3, c.core(0).stableCheckpoint(), "stable at member 0 on its own vote and those of 1 and 3");
        assertEquals(List.of(0, 1, 3), proofMembers(c, 0));
        Checkpoint vote = (Checkpoint) c.only(late).message();
        c.deliverWhere(late);
        assertEquals(wideArea ? List.of(0, 1, 2, 3) : List.of(0, 1, 3), proofMembers(c, 0));
        c.inject(2, 0, vote); // again: one entry per member
        Checkpoint other = new Checkpoint(3, Digests.sha256(Bytes.ofUtf8("another history")), 1, Bytes.EMPTY);
        c.inject(1, 0, wideArea ? other : c.keys.sign(1, other)); // at the wide area the cluster adds the sender's proof
        c.deliverAll();
        assertEquals(wideArea ? List.of(0, 1, 2, 3) : List.of(0, 1, 3), proofMembers(c, 0), "a vote for another history never joins");
    }

    private static List<Integer> proofMembers(PbftTestCluster c, int member) {
        return c.core(member).checkpoints.stableProof.stream().map(Checkpoint::replica).sorted().toList();
    }
}
