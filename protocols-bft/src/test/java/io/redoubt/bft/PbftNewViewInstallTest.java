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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchRequest;
import io.redoubt.bft.PbftMessage.Forward;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.testkit.RecordingOutbox;
import io.redoubt.lm.testkit.RecordingOutbox.Rejected;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import io.redoubt.lm.testkit.RecordingOutbox.TimerSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a member does when it installs a new view (Castro and Liskov, OSDI '99, section 4.4): it
 * adopts the checkpoint the votes certify, forgets the agreement messages of the views it left,
 * takes the O set's pre-prepares as this view's, leaves alone the slots at or below its own low
 * watermark, and checks at once whether what it already holds for the new view prepares a slot.
 * Then the timers and queues of section 4.5.2. Written against the mutants PIT left alive in
 * {@code PbftViewChange.installNewView} and {@code startViewChange}; each test names the mutants
 * it kills.
 */
class PbftNewViewInstallTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4); // window 8, checkpoint every 4 slots

    /**
     * Member 3 hears nothing of slot 0 in view 0 (pre-prepare and prepares lost), members 1 and 2
     * prepare "x" there without it, every commit is lost, and the primary crashes.
     */
    private static PbftTestCluster preparedWithoutMemberThreeThenPrimaryCrashes() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(1, p("x"));
        c.deliverWhere(type(Forward.class));
        c.dropWhere(to(3).and(type(PrePrepare.class).or(type(Prepare.class))));
        c.deliverWhere(type(PrePrepare.class).or(type(Prepare.class)).and(to(3).negate()));
        c.dropWhere(to(3).and(type(Prepare.class)).or(type(Commit.class)));
        c.crash(0);
        return c;
    }

    // The O set's slot 0 is new to member 3: its slot is created at the install and must belong to
    // the new view, or the first prepare of that view "resets" it and throws away the pre-prepare
    // and member 3's own prepare (mutant: Slot.resetTo removed from installNewView). Also: the
    // view-change timer is cancelled at the host, not only in the core's own flag (mutant: the
    // Outbox call removed from cancelTimer), and a new view without conflicting certificates is
    // not counted as one (mutant: conflictingSlots(...) > 0 as >= 0).
    @Test
    void aMemberThatNeverSawASlotOfTheOSetPreparesAndCommitsItInTheNewView() {
        PbftTestCluster c = preparedWithoutMemberThreeThenPrimaryCrashes();
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverAll(); // no timer fires: the new view alone must get slot 0 decided
        NewView nv = c.out(1).sentMessages(NewView.class).get(0);
        assertEquals(List.of(batch("x")), nv.prePrepares().stream().map(PrePrepare::batch).toList());
        for (int i = 1; i < 4; i++) {
            assertEquals(Map.of(0L, batch("x")), c.deliveredLog(i), "member " + i + ": " + c.core(i).describe());
            assertTrue(c.core(i).isViewActive());
            assertFalse(c.armed(i, PbftCore.VIEW_CHANGE), "member " + i + " installed view 1: its view-change timer is off");
            assertEquals(-1, c.core(i).lastConflictingNewView(), "one certificate per slot is no conflict");
        }
        assertEquals(List.of(), c.violations());
        assertPersistBeforeSend(c);
    }

    // Prepares of the new view that reach a member before the new view itself are kept (it is in
    // that view, waiting); when the new view arrives they may already prepare the slot, and
    // nothing else would make the member look again: no further prepare is coming (mutants:
    // checkPrepared removed from installNewView, and its `s != null` negated). A member handed the
    // new view by another asks that member for what it decided since (mutants in onNewView).
    @Test
    void prepareArrivingBeforeTheNewViewPrepareTheSlotTheMomentItIsInstalled() {
        PbftTestCluster c = PbftViewChangeTest.preparedEverywhereThenPrimaryCrashes();
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverWhere(type(NewView.class).and(to(3)).negate());
        assertFalse(c.core(3).isViewActive());
        assertTrue(c.out(2).sentTo(3, Prepare.class).stream().anyMatch(q -> q.view() == 1 && q.sequence() == 0), "member 2 prepared in view 1");
        assertTrue(c.pending(to(3).and(type(Prepare.class))).isEmpty(), "and its prepare reached member 3 before the new view");
        int mark = c.out(3).mark();
        c.deliverWhere(type(NewView.class).and(to(3)));
        List<PbftMessage> sent = messagesSince(c, 3, mark);
        assertTrue(sent.stream().anyMatch(m -> m instanceof Commit k && k.view() == 1 && k.sequence() == 0),
                "member 3 prepared slot 0 at the install and committed: " + sent);
        assertTrue(c.out(3).since(mark).stream().anyMatch(e -> e instanceof Sent<?> s && s.to().equals(1) && s.message() instanceof FetchRequest),
                "it asks the member that handed it the new view for newer slots");
        c.deliverAll();
        for (int i = 1; i < 4; i++) assertEquals(Map.of(0L, batch("x")), c.deliveredLog(i), "member " + i + ": " + c.core(i).describe());
        assertEquals(List.of(), c.violations());
    }

    // Member 3 accepted view 0's pre-prepare for slot 1 and prepared it; nobody else did, so slot 1
    // is not in the O set. In view 1 its view-0 prepare is dead: a retransmission must not send it
    // (mutant: PbftLog.resetTo removed from installNewView). The new view also starts every queued
    // payload's wait afresh, so one request timeout in it relays instead of voting the new primary
    // out at once (mutant: resetAges removed); a member's own payloads go to the new primary
    // (mutant: forwardOwnToPrimary removed); and the new primary proposes what waits without
    // waiting for another input (mutant: proposeReady removed).
    @Test
    void aNewViewDropsOldViewVotesRestartsRequestAgesAndGetsWaitingPayloadsProposed() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(1, p("x")); // prepared everywhere, every commit lost
        c.deliverWhere(type(Forward.class).or(type(PrePrepare.class)).or(type(Prepare.class)));
        c.dropWhere(type(Commit.class));
        c.submit(2, p("y")); // reaches the primary and member 1; the primary's pre-prepare reaches member 3 alone
        c.deliverWhere(type(Forward.class).and(to(0).or(to(1))));
        c.dropWhere(type(Forward.class));
        c.deliverWhere(type(PrePrepare.class).and(to(3)));
        c.dropWhere(type(PrePrepare.class).or(type(Prepare.class)));
        c.crash(0);
        c.submit(3, p("w")); // member 3's own payload; its forwards are lost
        c.dropWhere(type(Forward.class));
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        assertEquals(1, c.core(3).view());
        int mark = c.out(3).mark();
        int markPrimary = c.out(1).mark();
        c.deliverWhere(type(ViewChange.class).or(type(NewView.class)));
        for (int i = 1; i < 4; i++) assertTrue(c.core(i).isViewActive() && c.core(i).view() == 1, c.core(i).describe());
        assertTrue(c.out(3).since(mark).stream().anyMatch(e -> e instanceof Sent<?> s && s.to().equals(1) && s.message() instanceof Forward f && f.payloads().contains(p("w"))), "member 3 forwards its own payload to the new primary");
        List<PrePrepare> proposed = RecordingOutbox.messages(c.out(1).since(markPrimary), PrePrepare.class);
        assertTrue(proposed.stream().anyMatch(pp -> pp.view() == 1 && pp.sequence() == 1 && pp.batch().contains(p("y"))),
                "the new primary proposes the waiting payload at once: " + proposed);

        mark = c.out(3).mark();
        c.fire(3, PbftCore.RETRANSMIT); // votes are resent once a whole period old
        c.fire(3, PbftCore.RETRANSMIT);
        List<PbftMessage> resent = messagesSince(c, 3, mark);
        assertTrue(resent.stream().noneMatch(m -> viewOf(m) == 0), "nothing of view 0 is resent in view 1: " + resent);
        assertTrue(resent.stream().anyMatch(m -> m instanceof Prepare q && q.view() == 1 && q.sequence() == 0), "its prepare of view 1 is: " + resent);

        c.fire(3, PbftCore.REQUEST);
        assertTrue(c.core(3).isViewActive() && c.core(3).view() == 1, "one request timeout in a fresh view relays, it does not vote: " + c.core(3).describe());

        c.deliverAll();
        for (int i = 1; i < 4; i++) {
            assertEquals(batch("x"), c.deliveredLog(i).get(0L), "member " + i);
            assertTrue(c.deliveredLog(i).values().stream().anyMatch(b -> b.contains(p("y"))) && c.deliveredLog(i).values().stream().anyMatch(b -> b.contains(p("w"))),
                    "member " + i + ": " + c.deliveredLog(i));
        }
        assertEquals(List.of(), c.violations());
    }

    private static List<PbftMessage> messagesSince(PbftTestCluster c, int member, int mark) {
        return RecordingOutbox.messages(c.out(member).since(mark), PbftMessage.class);
    }

    private static long viewOf(PbftMessage m) {
        if (m instanceof PrePrepare x) return x.view();
        if (m instanceof Prepare x) return x.view();
        if (m instanceof Commit x) return x.view();
        return -1;
    }

    // Members 0, 1 and 2 decide slots 0..3 while member 3 is cut off; their checkpoint at 3 is
    // stable. The primary crashes, and the new view's votes from 1 and 2 carry that checkpoint.
    // Member 3 must adopt it from the new view: its low watermark moves to 3 before it takes the
    // O set (mutants: the whole adoption branch of installNewView, which no test reached).
    @Test
    void aMemberBehindAdoptsTheCheckpointTheNewViewsVotesCertify() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 4; k++) {
            c.submit(1, p("a" + k));
            c.deliverWhere(involving(3).negate());
            c.dropWhere(involving(3));
        }
        assertEquals(3, c.core(1).stableCheckpoint());
        assertEquals(-1, c.core(3).stableCheckpoint());
        c.crash(0);
        c.submit(1, p("z"));
        c.deliverWhere(type(Forward.class));
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverWhere(type(ViewChange.class).or(type(NewView.class)));
        NewView nv = c.out(1).sentMessages(NewView.class).get(0);
        assertTrue(nv.viewChanges().stream().anyMatch(vc -> vc.replica() == 3 && vc.stableSequence() == -1), "member 3's own vote is in it");
        assertTrue(c.core(3).isViewActive() && c.core(3).view() == 1, c.core(3).describe());
        assertEquals(3, c.core(3).stableCheckpoint(), "adopted from the new view's votes: " + c.core(3).describe());
        c.core(3).checkInvariants(); // its proof holds a quorum of votes for exactly that checkpoint
        assertTrue(c.out(3).sentMessages(FetchRequest.class).size() > 0, "and it fetches the slots it missed");
        for (int round = 0; round < 8 && c.core(3).deliveredThrough() < c.core(1).deliveredThrough(); round++) {
            for (int i = 1; i < 4; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        assertEquals(c.deliveredLog(1), c.deliveredLog(3), c.core(3).describe());
        assertEquals(List.of(), c.violations());
    }

    // Members 0, 1 and 2 delivered slots 0..3 but lost each other's checkpoint votes; member 3 got
    // them all, so its low watermark is 3 and theirs -1. Their new view re-proposes slots 0..3.
    // Member 3 installs it and leaves those slots settled: no slot at or below its low watermark
    // comes back, and it prepares none of them (mutants: `<=` as `<` at both stable-sequence
    // checks in installNewView; the log's invariant refuses such a slot).
    @Test
    void aMemberAheadOfTheNewViewsLowWatermarkLeavesItsSettledSlotsAlone() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        for (int k = 0; k < 4; k++) {
            c.submit(1, p("a" + k));
            c.deliverWhere(type(Checkpoint.class).and(to(3).negate()).negate());
            c.dropWhere(type(Checkpoint.class));
        }
        for (int i = 0; i < 4; i++) assertEquals(3, c.core(i).deliveredThrough());
        assertEquals(3, c.core(3).stableCheckpoint());
        assertEquals(-1, c.core(0).stableCheckpoint());
        Map<Long, List<Bytes>> decided = c.deliveredLog(3);

        // Their votes for view 1 carry view 0's prepared certificates for slots 0..3 and no checkpoint.
        List<ViewChange> votes = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            List<PreparedCertificate> prepared = new ArrayList<>();
            for (long s = 0; s < 4; s++) prepared.add(cert(c.keys, 0, s, decided.get(s)));
            votes.add(c.keys.sign(m, new ViewChange(1, -1, List.of(), prepared, m, Bytes.EMPTY)));
        }
        List<PrePrepare> o = new ArrayList<>();
        for (long s = 0; s < 4; s++) o.add(c.keys.sign(1, new PrePrepare(1, s, PbftMessage.batchDigest(decided.get(s)), 1, decided.get(s), Bytes.EMPTY)));
        int mark = c.out(3).mark();
        c.inject(1, 3, c.keys.sign(1, new NewView(1, votes, o, 1, Bytes.EMPTY)));
        c.deliverWhere(to(3).and(type(NewView.class)));
        assertTrue(c.core(3).isViewActive() && c.core(3).view() == 1, c.core(3).describe());
        assertEquals(3, c.core(3).stableCheckpoint());
        assertEquals(0, c.core(3).logSize(), "no settled slot came back into the log");
        assertTrue(RecordingOutbox.messages(c.out(3).since(mark), Prepare.class).isEmpty(), "and none is prepared again");
        assertTrue(c.out(3).since(mark).stream().noneMatch(e -> e instanceof Rejected<?>), "the new view is valid");
        assertEquals(List.of(), c.violations());
    }

    // A member that keeps speaking in a view we left is handed our new view at its 1st, 2nd, 4th,
    // ... stale message (onStaleMessage). The count starts again with each new view we install:
    // the first stale message after it gets the newer new view at once (mutant: the reset removed).
    @Test
    void aStaleSenderIsHandedEachNewlyInstalledViewAtItsFirstStaleMessage() {
        PbftTestCluster c = PbftViewChangeTest.preparedEverywhereThenPrimaryCrashes();
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverAll();
        assertTrue(c.core(3).isViewActive() && c.core(3).view() == 1, c.core(3).describe());
        NewView one = c.out(1).sentMessages(NewView.class).get(0);
        Bytes digest = PbftMessage.batchDigest(batch("old"));
        assertEquals(List.of(one, one), handedOver(c, 2, digest), "member 0, still in view 0, is handed view 1 at its 1st and 2nd stale message");

        // View 2 (primary 2) is installed at member 3 from votes of 1, 2 and 3 that carry slot 0's certificate of view 1.
        List<ViewChange> votes = new ArrayList<>();
        for (int m = 1; m < 4; m++) votes.add(c.keys.sign(m, new ViewChange(2, -1, List.of(), List.of(cert(c.keys, 1, 0, batch("x"))), m, Bytes.EMPTY)));
        PrePrepare pp = c.keys.sign(2, new PrePrepare(2, 0, PbftMessage.batchDigest(batch("x")), 2, batch("x"), Bytes.EMPTY));
        NewView two = c.keys.sign(2, new NewView(2, votes, List.of(pp), 2, Bytes.EMPTY));
        c.inject(2, 3, two);
        c.deliverWhere(to(3).and(type(NewView.class)));
        assertTrue(c.core(3).isViewActive() && c.core(3).view() == 2, c.core(3).describe());
        assertEquals(List.of(two), handedOver(c, 1, digest), "its next stale message is the first since view 2 was installed");
    }

    // A new view carries whole batches (a megabyte is possible). A member still voting for the
    // view we installed is handed it at its 1st, 2nd, 4th, ... vote, not at every one (a faulty
    // member could otherwise have each small vote answered with a large new view, and a member
    // resending its vote every period drew one copy per resend from every member); and a member
    // waiting for a new view resends its own vote at the 1st, 2nd, 4th, ... retransmission tick
    // after voting, not at every one. Before the fix both went out every time: 7 and 7.
    @Test
    void newViewsAndViewChangesAreRepeatedAtDoublingIntervalsNotAtEveryChance() {
        PbftTestCluster c = PbftViewChangeTest.preparedEverywhereThenPrimaryCrashes();
        PbftViewChangeTest.suspect(c, 1, 2, 3);
        c.deliverAll();
        assertTrue(c.core(3).isViewActive() && c.core(3).view() == 1, c.core(3).describe());
        ViewChange vote = c.keys.sign(0, new ViewChange(1, -1, List.of(), List.of(), 0, Bytes.EMPTY));
        int mark = c.out(3).mark();
        for (int k = 0; k < 7; k++) c.core(3).onMessage(0, vote);
        long handed = c.out(3).since(mark).stream().filter(e -> e instanceof Sent<?> sent && sent.to().equals(0) && sent.message() instanceof NewView).count();
        assertEquals(3, handed, "the 1st, 2nd and 4th of 7 votes");

        PbftTestCluster waiting = PbftViewChangeTest.preparedEverywhereThenPrimaryCrashes();
        PbftViewChangeTest.suspect(waiting, 3); // member 3 alone votes for view 1: it waits
        assertFalse(waiting.core(3).isViewActive());
        waiting.dropWhere(e -> true);
        int before = waiting.out(3).mark();
        for (int k = 0; k < 7; k++) waiting.fire(3, PbftCore.RETRANSMIT);
        assertEquals(3 * 3, RecordingOutbox.messages(waiting.out(3).since(before), ViewChange.class).size(), "the 1st, 2nd and 4th of 7 ticks, to 3 members each");
    }

    /** Member 0 sends member 3 {@code count} prepares of view 0; returns the new views member 3 sends it back. */
    private static List<NewView> handedOver(PbftTestCluster c, int count, Bytes digest) {
        int mark = c.out(3).mark();
        for (int k = 0; k < count; k++) c.core(3).onMessage(0, c.keys.sign(0, new Prepare(0, 1, digest, 0, Bytes.EMPTY)));
        c.core(3).checkInvariants();
        List<NewView> back = new ArrayList<>();
        for (var e : c.out(3).since(mark)) if (e instanceof Sent<?> s && s.to().equals(0) && s.message() instanceof NewView nv) back.add(nv);
        return back;
    }

    /** View {@code view}'s primary's pre-prepare of {@code batch} at {@code seq}, with the prepares of the next two members. */
    private static PreparedCertificate cert(TestKeys keys, long view, long seq, List<Bytes> batch) {
        int primary = (int) (view % 4);
        Bytes digest = PbftMessage.batchDigest(batch);
        PrePrepare pp = keys.sign(primary, new PrePrepare(view, seq, digest, primary, batch, Bytes.EMPTY));
        List<Prepare> prepares = new ArrayList<>();
        for (int m = primary + 1; prepares.size() < 2; m++) prepares.add(keys.sign(m % 4, new Prepare(view, seq, digest, m % 4, Bytes.EMPTY)));
        return new PreparedCertificate(pp, prepares);
    }

    // PBFT section 4.5.2: a member that joins a view change on f + 1 votes for it, and so already
    // holds a quorum with its own, starts the view-change timer at once; nothing else would start
    // it if the new primary stays silent (mutant: maybeArmTimer removed from startViewChange).
    // A member already timing a view change that moves on to a higher one restarts the timer with
    // the doubled timeout, instead of letting the old one run (mutant: cancelTimer removed there).
    @Test
    void joiningAViewChangeOnFPlusOneVotesStartsOrRestartsTheViewChangeTimer() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        long t = CONFIG.viewChangeTimeoutMillis();
        c.core(3).onMessage(1, c.keys.sign(1, new ViewChange(2, -1, List.of(), List.of(), 1, Bytes.EMPTY)));
        int mark = c.out(3).mark();
        c.core(3).onMessage(2, c.keys.sign(2, new ViewChange(2, -1, List.of(), List.of(), 2, Bytes.EMPTY)));
        assertEquals(2, c.core(3).view());
        assertTrue(c.armed(3, PbftCore.VIEW_CHANGE), "joined view 2 with a quorum of votes: its timer runs");
        assertEquals(List.of(new TimerSet(PbftCore.VIEW_CHANGE, t)), timerSets(c, 3, mark));

        // Votes of 1 and 2 for view 3 (whose primary is member 3 itself) move it on before its timer fires.
        mark = c.out(3).mark();
        c.core(3).onMessage(1, c.keys.sign(1, new ViewChange(3, -1, List.of(), List.of(), 1, Bytes.EMPTY)));
        c.core(3).onMessage(2, c.keys.sign(2, new ViewChange(3, -1, List.of(), List.of(), 2, Bytes.EMPTY)));
        c.core(3).checkInvariants();
        assertEquals(3, c.core(3).view());
        assertTrue(c.core(3).isViewActive(), "member 3 is view 3's primary and holds a quorum: it installs it");
        assertFalse(c.armed(3, PbftCore.VIEW_CHANGE));

        // Member 0 times view 2 (a quorum voted), then f + 1 votes for view 6 move it on: the timer restarts doubled.
        c.core(0).onMessage(1, c.keys.sign(1, new ViewChange(2, -1, List.of(), List.of(), 1, Bytes.EMPTY)));
        c.core(0).onMessage(2, c.keys.sign(2, new ViewChange(2, -1, List.of(), List.of(), 2, Bytes.EMPTY)));
        assertEquals(2, c.core(0).view());
        assertTrue(c.armed(0, PbftCore.VIEW_CHANGE));
        mark = c.out(0).mark();
        c.core(0).onMessage(1, c.keys.sign(1, new ViewChange(6, -1, List.of(), List.of(), 1, Bytes.EMPTY)));
        c.core(0).onMessage(3, c.keys.sign(3, new ViewChange(6, -1, List.of(), List.of(), 3, Bytes.EMPTY)));
        assertEquals(6, c.core(0).view());
        assertEquals(List.of(new TimerSet(PbftCore.VIEW_CHANGE, 2 * t)), timerSets(c, 0, mark), "view 6 timed afresh, twice as long");
    }

    private static List<TimerSet> timerSets(PbftTestCluster c, int member, int mark) {
        return c.out(member).since(mark).stream().filter(e -> e instanceof TimerSet s && s.id().equals(PbftCore.VIEW_CHANGE)).map(e -> (TimerSet) e).toList();
    }
}
