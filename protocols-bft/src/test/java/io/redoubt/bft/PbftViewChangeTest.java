package io.redoubt.bft;

import io.redoubt.bft.adversary.EquivocatingPbft;
import static io.redoubt.bft.PbftTestCluster.from;
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

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.testkit.RecordingOutbox.TimerSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Group 2: view changes (Castro and Liskov, OSDI '99, section 4.4; Lane 2008, sections 2.2.2 and 4.8.2). */
class PbftViewChangeTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4);

    /** Fires each member's request timer twice: the first relays, the second votes the primary out. */
    static void suspect(PbftTestCluster c, int... members) {
        for (int round = 0; round < 2; round++) {
            for (int i : members) if (c.armed(i, PbftCore.REQUEST)) c.fire(i, PbftCore.REQUEST);
        }
    }

    /** Members 1..3 prepared "x" at slot 0 in view 0; every commit was lost; then the primary crashes. */
    static PbftTestCluster preparedEverywhereThenPrimaryCrashes() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(1, p("x"));
        c.deliverWhere(type(PbftMessage.Forward.class).or(type(PrePrepare.class)).or(type(Prepare.class)));
        c.dropWhere(type(Commit.class));
        c.crash(0);
        return c;
    }

    // Castro and Liskov, section 4.4: "the new primary ... re-proposes the requests that prepared
    // in previous views"; a batch prepared at a quorum survives the primary's crash at the same slot.
    @Test
    void aBatchPreparedWhenThePrimaryCrashesIsReproposedByTheNewPrimaryAtTheSameSlot() {
        PbftTestCluster c = preparedEverywhereThenPrimaryCrashes();
        for (int i = 1; i < 4; i++) assertEquals(-1, c.core(i).deliveredThrough());
        suspect(c, 1, 2, 3);
        for (int i = 1; i < 4; i++) assertEquals(1, c.core(i).view(), c.core(i).describe());
        c.deliverAll();
        NewView nv = c.out(1).sentMessages(NewView.class).get(0);
        assertEquals(1, nv.view());
        assertEquals(List.of(0L), nv.prePrepares().stream().map(PrePrepare::sequence).toList());
        assertEquals(batch("x"), nv.prePrepares().get(0).batch());
        for (int i = 1; i < 4; i++) {
            assertEquals(Map.of(0L, batch("x")), c.deliveredLog(i), "member " + i);
            assertTrue(c.core(i).isViewActive());
            assertEquals(0, c.core(i).pendingCount());
        }
        // The new view orders new payloads too.
        c.submit(3, p("y"));
        c.deliverAll();
        for (int i = 1; i < 4; i++) assertEquals(batch("y"), c.deliveredLog(i).get(1L));
        assertEquals(List.of(), c.violations());
        assertPersistBeforeSend(c);
    }

    // Castro and Liskov, section 4.2 ("prepared(m, v, n, i) and prepared(m', v, n, j) imply D(m) = D(m')")
    // and section 4.4: an equivocating primary cannot make two correct replicas deliver different batches.
    @Test
    void anEquivocatingPrimaryCannotMakeTwoReplicasDeliverDifferentBatches() {
        for (int n : new int[] {4, 5, 7}) {
            PbftTestCluster c = new PbftTestCluster(n, CONFIG, PbftCore::new, Map.of(0, EquivocatingPbft::create)).byzantine(0);
            c.startAll();
            for (int k = 0; k < 6; k++) c.submit(1 + k % (n - 1), p("e" + k));
            c.deliverAll();
            for (int round = 0; round < 10; round++) {
                for (int i = 1; i < n; i++) {
                    for (var t : List.of(PbftCore.REQUEST, PbftCore.VIEW_CHANGE, PbftCore.RETRANSMIT)) if (c.armed(i, t)) c.fire(i, t);
                }
                c.deliverAll();
            }
            assertEquals(List.of(), c.violations(), "n = " + n);
            for (int i = 1; i < n; i++) {
                assertEquals(c.deliveredLog(1), c.deliveredLog(i), "n = " + n + " member " + i);
                assertEquals(0, c.core(i).pendingCount(), "n = " + n + " member " + i + " " + c.core(i).describe());
                assertTrue(c.core(i).view() >= 1, "the equivocating primary was replaced");
            }
            long evil = c.deliveredLog(1).values().stream().flatMap(List::stream).filter(b -> b.toUtf8().startsWith("evil")).count();
            assertTrue(evil <= 6, "an equivocated batch may be ordered, but only consistently");
        }
    }

    /** Members 1..3 vote for view 1 (primary 1) with "x" prepared at slot 0; returns their view changes. */
    private static List<ViewChange> viewChangesForViewOne(PbftTestCluster c) {
        suspect(c, 1, 2, 3);
        List<ViewChange> vcs = new ArrayList<>();
        for (int i = 1; i < 4; i++) vcs.add(c.out(i).sentMessages(ViewChange.class).get(0));
        c.dropWhere(type(NewView.class).or(type(ViewChange.class)));
        return vcs;
    }

    // Castro and Liskov, section 4.4: backups check the new view's O set by recomputing it from the
    // view changes it carries; a forged, altered or insufficient new view is refused.
    @Test
    void aNewViewWithAForgedOrInsufficientOSetIsRejected() {
        PbftTestCluster c = preparedEverywhereThenPrimaryCrashes();
        List<ViewChange> vcs = viewChangesForViewOne(c);
        assertEquals(1, vcs.get(0).prepared().size(), "each view change carries the prepared certificate of slot 0");
        List<Bytes> x = batch("x");
        List<Bytes> forged = batch("forged");
        PrePrepare honest = c.keys.sign(1, new PrePrepare(1, 0, PbftMessage.batchDigest(x), 1, x, Bytes.EMPTY));
        PrePrepare altered = c.keys.sign(1, new PrePrepare(1, 0, PbftMessage.batchDigest(forged), 1, forged, Bytes.EMPTY));
        List<NewView> bad = List.of(
                // Only two view changes: fewer than a quorum of three.
                c.keys.sign(1, new NewView(1, vcs.subList(0, 2), List.of(honest), 1, Bytes.EMPTY)),
                // The prepared batch replaced by another one.
                c.keys.sign(1, new NewView(1, vcs, List.of(altered), 1, Bytes.EMPTY)),
                // The prepared batch dropped from the O set.
                c.keys.sign(1, new NewView(1, vcs, List.of(), 1, Bytes.EMPTY)),
                // A view change counted twice.
                c.keys.sign(1, new NewView(1, List.of(vcs.get(0), vcs.get(1), vcs.get(1)), List.of(honest), 1, Bytes.EMPTY)),
                // Signed by a member that is not the primary of view 1, relayed by it.
                c.keys.sign(2, new NewView(1, vcs, List.of(honest), 2, Bytes.EMPTY)));
        for (NewView nv : bad) c.core(3).onMessage(1, nv);
        // A view change whose prepared certificate lacks a prepare makes the new view invalid too.
        ViewChange thin = vcs.get(1);
        PreparedCertificate cert = thin.prepared().get(0);
        ViewChange forgedVc = c.keys.sign(2, new ViewChange(1, -1, List.of(),
                List.of(new PreparedCertificate(cert.prePrepare(), cert.prepares().subList(0, 1))), 2, Bytes.EMPTY));
        c.core(3).onMessage(1, c.keys.sign(1, new NewView(1, List.of(vcs.get(0), forgedVc, vcs.get(2)), List.of(honest), 1, Bytes.EMPTY)));
        assertEquals(List.of(Rejection.PROTOCOL_VIOLATION, Rejection.PROTOCOL_VIOLATION, Rejection.PROTOCOL_VIOLATION,
                Rejection.PROTOCOL_VIOLATION, Rejection.PROTOCOL_VIOLATION, Rejection.PROTOCOL_VIOLATION),
                c.out(3).rejectionReasons(), c.out(3).rejections().toString());
        assertFalse(c.core(3).isViewActive());
        // The genuine one is accepted, even relayed by another member.
        c.core(3).onMessage(2, c.keys.sign(1, new NewView(1, vcs, List.of(honest), 1, Bytes.EMPTY)));
        assertTrue(c.core(3).isViewActive());
        assertEquals(1, c.core(3).view());
    }

    // Castro and Liskov, section 4.5.2: "if a replica receives a set of f+1 valid VIEW-CHANGE messages
    // from other replicas for views greater than its current view, it sends a VIEW-CHANGE message".
    @Test
    void aMemberJoinsAViewChangeOnceFPlusOneOthersVoteForIt() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(2, p("a"));
        c.submit(3, p("b"));
        c.dropWhere(e -> true); // the primary never hears of them; members 2 and 3 suspect it
        suspect(c, 2);
        c.deliver(c.only(type(ViewChange.class).and(from(2)).and(to(1))));
        assertEquals(0, c.core(1).view(), "one vote (f = 1) is not enough: it may come from a faulty member");
        suspect(c, 3);
        c.deliver(c.only(type(ViewChange.class).and(from(3)).and(to(1))));
        assertEquals(1, c.core(1).view(), "f + 1 = 2 votes include a correct one");
        assertEquals(1, c.out(1).sentMessages(ViewChange.class).stream().filter(v -> v.view() == 1).count() / 3);
        c.deliverAll();
        for (int i = 0; i < 4; i++) assertEquals(1, c.core(i).view());
        for (int i = 0; i < 4; i++) assertEquals(2, c.deliveredLog(i).values().stream().mapToInt(List::size).sum(), "member " + i);
        assertEquals(List.of(), c.violations());
    }

    // Castro and Liskov, TOCS 2002, section 4 (what survives a crash): a member that voted to leave
    // a view and restarts stays out of that view, re-sends its vote, and is installed in the new view.
    @Test
    void aMemberRestartedDuringAViewChangeStaysOutOfTheOldViewAndJoinsTheNewOne() {
        PbftTestCluster c = preparedEverywhereThenPrimaryCrashes();
        suspect(c, 1, 2, 3);
        c.dropWhere(e -> true);
        c.crash(2);
        c.restart(2);
        assertEquals(1, c.core(2).view());
        assertFalse(c.core(2).isViewActive(), "restored as still changing views");
        assertEquals(3, c.pending(type(ViewChange.class).and(from(2))).size(), "it re-sends its view change");
        List<Bytes> b = batch("late");
        c.core(2).onMessage(1, c.keys.sign(1, new Prepare(0, 1, PbftMessage.batchDigest(b), 1, Bytes.EMPTY)));
        assertEquals(List.of(Rejection.STALE_VIEW), c.out(2).rejectionReasons());
        c.restart(0);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++) if (c.armed(i, PbftCore.RETRANSMIT)) c.fire(i, PbftCore.RETRANSMIT);
            c.deliverAll();
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(1, c.core(i).view(), c.core(i).describe());
            assertTrue(c.core(i).isViewActive(), c.core(i).describe());
            assertEquals(Map.of(0L, batch("x")), c.deliveredLog(i), "member " + i);
        }
        assertEquals(List.of(), c.violations());
        assertPersistBeforeSend(c);
    }

    // Lane 2008, section 4.3: five sites with F = 1 (quorum 4) run the same core.
    @Test
    void fiveMembersWithOneCrashedOrderAndChangeViews() {
        PbftTestCluster c = startedCluster(5, CONFIG);
        c.submit(3, p("five"));
        c.deliverAll();
        for (int i = 0; i < 5; i++) assertEquals(Map.of(0L, batch("five")), c.deliveredLog(i));
        c.crash(0);
        c.submit(4, p("after-crash"));
        c.deliverWhere(type(PbftMessage.Forward.class));
        suspect(c, 1, 2, 3, 4);
        c.deliverAll();
        for (int i = 1; i < 5; i++) {
            assertEquals(1, c.core(i).view());
            assertEquals(batch("after-crash"), c.deliveredLog(i).get(1L), "member " + i);
        }
        assertEquals(List.of(), c.violations());
    }

    // Castro and Liskov, section 4.5.2: a member starts its view-change timer once it holds 2f + 1
    // view changes for the view it waits for; if the new view does not come in time it moves to the
    // next view and doubles the timeout.
    @Test
    void viewChangeTimeoutsStartAtAQuorumAndDoubleForConsecutiveViewChanges() {
        PbftTestCluster c = startedCluster(7, CONFIG);
        c.submit(6, p("a"));
        c.dropWhere(e -> true);
        suspect(c, 6);
        assertEquals(1, c.core(6).view());
        assertFalse(c.armed(6, PbftCore.VIEW_CHANGE), "alone, a member waits: it may be the faulty one");
        for (long v = 1; v <= 4; v++) {
            for (int other : new int[] {0, 2, 3, 4}) {
                c.core(6).onMessage(other, c.keys.sign(other, new ViewChange(v, -1, List.of(), List.of(), other, Bytes.EMPTY)));
            }
            assertTrue(c.armed(6, PbftCore.VIEW_CHANGE), "a quorum of 5 voted for view " + v);
            c.dropWhere(e -> true);
            c.fire(6, PbftCore.VIEW_CHANGE);
            assertEquals(v + 1, c.core(6).view());
        }
        List<Long> delays = new ArrayList<>();
        for (var e : c.out(6).events()) if (e instanceof TimerSet t && t.id().equals(PbftCore.VIEW_CHANGE)) delays.add(t.delayMillis());
        assertEquals(List.of(100L, 200L, 400L, 800L), delays);
    }
}
