package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.from;
import static io.redoubt.bft.PbftTestCluster.involving;
import static io.redoubt.bft.PbftTestCluster.to;
import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.assertPersistBeforeSend;
import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a restarted member rebuilds from its records (Castro and Liskov, TOCS 2002, section 4: a
 * replica must not forget what it accepted, prepared or installed once others may have heard of
 * it), and how an installed member answers a vote for a view it already left or installed (OSDI
 * '99, section 4.4). Written against the mutants PIT left alive in {@code PbftCore.restore} and {@code start},
 * {@code PbftViewChange.onViewChange} and {@code PbftRecord.decode}; each assertion fails on one.
 */
class PbftRestoreAndStaleVoteTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4);

    private static long commitsSentFor(PbftTestCluster c, int member, long seq) {
        return c.out(member).sentMessages(Commit.class).stream().filter(m -> m.sequence() == seq && m.replica() == member).count();
    }

    @Test
    void aBackupRestartedAfterAcceptingAPrePrepareKeepsItAndPreparesWithoutItAgain() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(0, p("x"));
        c.deliverWhere(type(PrePrepare.class).and(to(3)));
        c.dropWhere(from(3)); // its prepares are lost
        c.crash(3);
        c.restart(3);
        // Its restored prepare is unfinished work: it retransmits from the start, though no input may ever come.
        assertTrue(c.armed(3, PbftCore.RETRANSMIT), c.core(3).describe());
        c.dropWhere(involving(3)); // and its fetch requests
        c.deliverWhere(type(PrePrepare.class)); // to members 1 and 2
        c.deliverWhere(type(Prepare.class).and(to(3)));
        assertEquals(3, commitsSentFor(c, 3, 0), "prepared from the restored pre-prepare and the others' prepares: " + c.core(3).describe());
        c.deliverAll();
        for (int i = 0; i < 4; i++) assertEquals(Map.of(0L, batch("x")), c.deliveredLog(i), "member " + i);
        assertEquals(List.of(), c.violations());
        assertPersistBeforeSend(c);
    }

    @Test
    void aBackupRestartedAfterPreparingKeepsItsCommitAndCommitsOnTheOthersCommits() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(0, p("x"));
        c.deliverWhere(type(PrePrepare.class).or(type(Prepare.class)));
        c.dropWhere(from(3)); // 3 prepared; its commits are lost
        c.crash(3);
        c.restart(3);
        c.dropWhere(from(3)); // and its fetch requests
        assertTrue(c.deliveredLog(3).isEmpty());
        // The others' commits, dropped when 3 crashed, are retransmitted to the new incarnation.
        for (int i = 0; i < 3; i++) for (Commit m : c.out(i).sentTo(3, Commit.class)) c.inject(i, 3, m);
        c.deliverWhere(type(Commit.class).and(to(3)));
        assertEquals(Map.of(0L, batch("x")), c.deliveredLog(3), "its own restored commit and the others' make a quorum: " + c.core(3).describe());
        assertEquals(List.of(), c.violations());
    }

    @Test
    void aMemberRestartedAfterInstallingANewViewIsBackInItActive() {
        PbftTestCluster c = PbftViewChangeTest.preparedEverywhereThenPrimaryCrashes();
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverAll();
        assertTrue(c.core(2).isViewActive());
        c.crash(2);
        c.restart(2);
        assertEquals(1, c.core(2).view());
        assertTrue(c.core(2).isViewActive(), "restored in the view it installed, not voting for it again: " + c.core(2).describe());
        assertEquals(0, c.pending(type(ViewChange.class).and(from(2))).size());
        c.submit(2, p("y"));
        c.deliverAll();
        for (int i = 1; i < 4; i++) assertEquals(Map.of(0L, batch("x"), 1L, batch("y")), c.deliveredLog(i), "member " + i);
        assertEquals(List.of(), c.violations());
    }

    @Test
    void anInstalledMemberHandsItsNewViewToAVoterThatMissedItAndRefusesAVoteForAnOlderView() {
        PbftTestCluster c = PbftViewChangeTest.preparedEverywhereThenPrimaryCrashes();
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverAll();
        NewView installed = c.out(1).sentMessages(NewView.class).get(0);
        ViewChange vote = c.out(2).sentMessages(ViewChange.class).get(0); // member 2's vote for view 1
        assertEquals(1, vote.view());

        int mark = c.out(3).mark();
        c.core(3).onMessage(2, vote); // 2 votes again for the view 3 installed: it missed the new view
        assertEquals(List.of(installed), io.redoubt.lm.testkit.RecordingOutbox.messages(c.out(3).since(mark), NewView.class));
        assertEquals(List.of(), c.out(3).rejectionReasons(), "a vote for the current view is not stale");
        assertEquals(1, c.core(3).view());

        ViewChange older = c.keys.sign(2, new ViewChange(0, -1, List.of(), List.of(), 2, Bytes.EMPTY));
        c.core(3).onMessage(2, older);
        assertEquals(List.of(Rejection.STALE_VIEW), c.out(3).rejectionReasons());
        assertEquals(1, c.core(3).view());
        assertTrue(c.core(3).isViewActive());
    }

    @Test
    void aStorageRecordWithTrailingBytesIsCorruptNotSilentlyAccepted() {
        Bytes good = new PbftRecord.ViewChangeStarted(3).encode();
        assertEquals(new PbftRecord.ViewChangeStarted(3), PbftRecord.decode(good, CONFIG, 4));
        byte[] longer = Arrays.copyOf(good.toArray(), good.length() + 1);
        assertThrows(IllegalStateException.class, () -> PbftRecord.decode(Bytes.wrap(longer), CONFIG, 4));
    }
}
