package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftTestCluster.Envelope;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Validity checked by enough members, not all (PbftCore#checksBeforePreparing): where the host
 * judges payloads (Outbox#admits: among logical machines, a client's signature), n - quorum + f
 * backups per slot admit a pre-prepare's batch before preparing it, which leaves a faulty primary
 * one prepare short of a quorum for anything no correct checker admits.
 */
class PbftAdmissionTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4).withInFlightSlotsMax(1);

    /** An outbox that refuses payloads starting with "forged", as a host refuses an update with a bad signature. */
    private record Admitting(Outbox<Integer> inner) implements Outbox<Integer> {
        @Override public void send(Integer to, Encodable message) { inner.send(to, message); }
        @Override public void setTimer(TimerId id, long delayMillis) { inner.setTimer(id, delayMillis); }
        @Override public void cancelTimer(TimerId id) { inner.cancelTimer(id); }
        @Override public void persist(Encodable record) { inner.persist(record); }
        @Override public void deliver(long slot, List<Bytes> payloads) { inner.deliver(slot, payloads); }
        @Override public void reject(Integer from, Rejection reason, String detail) { inner.reject(from, reason, detail); }

        @Override
        public boolean admits(Bytes payload) {
            return !payload.toUtf8().startsWith("forged");
        }
    }

    private static PbftTestCluster admittingCluster(int n) {
        PbftTestCluster c = new PbftTestCluster(n, CONFIG,
                (config, members, self, out, keys, persisted) -> new PbftCore<>(config, members, self, new Admitting(out), keys, persisted));
        c.startAll();
        c.deliverAll();
        return c;
    }

    private static int checkers(int n) {
        return n - Quorums.byzantineQuorum(n) + Quorums.byzantineFaultsTolerated(n);
    }

    @Test
    void nMinusQuorumPlusFBackupsCheckEachSlotTheyRotateAndTheRestFallOneShortOfAPrepareQuorum() {
        for (int n : new int[] {4, 5, 7, 10}) {
            PbftTestCluster c = new PbftTestCluster(n, CONFIG);
            int f = Quorums.byzantineFaultsTolerated(n), quorum = Quorums.byzantineQuorum(n);
            // The bound the safety argument rests on: the backups that do not check, and the other
            // f - 1 faulty ones a faulty primary may have, make at most quorum - 2 prepares.
            assertEquals(quorum - 2, (n - 1 - checkers(n)) + (f - 1), "n=" + n);
            for (long view = 0; view < n; view++) {
                TreeSet<Integer> everChecking = new TreeSet<>();
                for (long seq = 1; seq <= 2L * n; seq++) {
                    int primary = (int) (view % n), count = 0;
                    for (int i = 0; i < n; i++) {
                        if (!c.core(i).checksBeforePreparing(view, seq)) continue;
                        assertTrue(i != primary, "the primary never checks its own batch");
                        count++;
                        everChecking.add(i);
                    }
                    assertEquals(checkers(n), count, "n=" + n + " view " + view + " slot " + seq);
                }
                assertEquals(n - 1, everChecking.size(), "every backup takes its turn, n=" + n + " view " + view);
            }
        }
    }

    @Test
    void aBatchNoCheckerAdmitsGetsNoPrepareFromCheckersAndPreparesNowhere() {
        int n = 5; // f = 1, quorum 4: 2 of the 4 backups check
        PbftTestCluster c = admittingCluster(n);
        c.submit(0, p("forged-update")); // the primary's host submitted it: a faulty primary's
        c.deliverAll(); // (the backups also refuse the copy the primary forwards them: see the forward test)

        PrePrepare pp = c.out(0).sentMessages(PrePrepare.class).get(0);
        for (int i = 1; i < n; i++) {
            boolean checks = c.core(i).checksBeforePreparing(pp.view(), pp.sequence());
            assertEquals(!checks, !c.out(i).sentMessages(Prepare.class).isEmpty(), "member " + i + " prepares only if it does not check");
            boolean refused = c.out(i).rejections().stream().anyMatch(r -> r.reason() == Rejection.INVALID_REQUEST && r.detail().startsWith("pre-prepare"));
            assertEquals(checks, refused, "member " + i + " refuses the pre-prepare only if it checks");
        }
        for (int i = 0; i < n; i++) {
            assertTrue(c.out(i).sentMessages(Commit.class).isEmpty(), "nobody prepared, so nobody commits: member " + i);
            assertTrue(c.deliveredLog(i).isEmpty(), "member " + i + " delivered " + c.deliveredLog(i));
        }
    }

    @Test
    void anAdmittedBatchIsOrderedAsBefore() {
        PbftTestCluster c = admittingCluster(5);
        c.submit(0, p("signed-update"));
        c.deliverAll();
        for (int i = 0; i < 5; i++) assertEquals(Map.of(0L, batch("signed-update")), c.deliveredLog(i), "member " + i);
        assertTrue(c.core(0).deliversOnlyAdmitted());
    }

    @Test
    void aForwardedPayloadNotAdmittedIsNeitherQueuedNorProposed() {
        PbftTestCluster c = admittingCluster(4);
        c.submit(1, p("forged-update")); // member 1's own host submitted it; it forwards it to every member
        c.deliverAll();
        assertTrue(c.out(0).sentMessages(PrePrepare.class).isEmpty(), "the primary proposed what it did not admit");
        assertTrue(c.out(0).rejectionReasons().contains(Rejection.INVALID_REQUEST), c.out(0).rejections()::toString);
        c.submit(1, p("signed-update"));
        c.deliverAll();
        assertEquals(Map.of(0L, batch("signed-update")), c.deliveredLog(0));
    }

    @Test
    void aCheckerIsToldOfAPrePreparesPayloadsBeforeItHandlesItAndNobodyElseIs() {
        int n = 5;
        PbftTestCluster c = admittingCluster(n).viaBytes(true);
        c.submit(0, p("signed-update"));
        List<Envelope> prePrepares = new ArrayList<>(c.pending(type(PrePrepare.class)));
        assertEquals(n - 1, prePrepares.size());
        for (Envelope e : prePrepares) {
            PrePrepare pp = (PrePrepare) e.message();
            List<Bytes> told = c.core(e.to()).payloadsToAdmit(0, pp.encode());
            boolean checks = c.core(e.to()).checksBeforePreparing(pp.view(), pp.sequence());
            assertEquals(checks ? batch("signed-update") : List.of(), told, "member " + e.to());
            assertEquals(List.of(), c.core(e.to()).payloadsToAdmit(2, pp.encode()), "a pre-prepare relayed by a backup names nothing");
        }
    }
}
