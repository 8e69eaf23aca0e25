package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestCluster.type;
import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.core.Rejection;
import io.redoubt.paxos.PaxosMessage.CatchUpRequest;
import io.redoubt.paxos.PaxosMessage.Forward;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regressions: each test pins down a defect found in {@link PaxosCore} while its tests were
 * written (an endless catch-up in an idle cluster, unbounded no-ops from a hostile promise, a
 * view overflow thrown out of a timer, a mis-attributed rejection, and a forward dropped during
 * a leader change). Each failed against the code before its fix.
 */
class PaxosRegressionTest {

    /**
     * FIXED (liveness/resource): a follower restarted into an idle, up-to-date cluster sends
     * CatchUpRequest(decidedThrough+1) on start(); no peer answers (onCatchUpRequest replies only
     * when it has something from fromSlot on), so catchUpRequestedFrom is never cleared and
     * onRetransmitTimeout re-sends the request and re-arms RETRANSMIT forever, until some new
     * slot happens to be decided. On the wide area every firing is an ordered LM timeout, so an
     * idle system never goes quiet (PaxosCore class comment: idle systems must stay quiet).
     * Expected: the retries stop after a bounded number of attempts once peers have been asked
     * and have nothing newer (e.g. peers answer with an empty CatchUpReply carrying decidedThrough).
     */
    @Test
    void restartedFollowerInIdleClusterStopsAskingForCatchUpEventually() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(0, p("a"));
        c.deliverAll();
        while (c.armed(0, PaxosCore.RETRANSMIT)) {
            c.fire(0, PaxosCore.RETRANSMIT);
            c.deliverAll();
        }
        c.crash(2);
        c.restart(2);
        c.deliverAll();
        int firings = 0;
        while (c.armed(2, PaxosCore.RETRANSMIT) && firings < 20) {
            c.fire(2, PaxosCore.RETRANSMIT);
            c.deliverAll();
            firings++;
        }
        int requests = c.out(2).sentMessages(CatchUpRequest.class).size();
        assertFalse(c.armed(2, PaxosCore.RETRANSMIT),
                "after " + firings + " firings and " + requests + " CatchUpRequests the restarted idle follower is still retrying");
        assertTrue(requests <= 3, "CatchUpRequests sent into an idle cluster: " + requests);
    }

    /**
     * FIXED (untrusted input not validated): PaxosCore.maybeFinishPhase1 loops
     * {@code for (long s = prepareFrom; s <= last; s++) propose(...)} up to the highest slot named
     * in any promise, with no bound. A Promise naming slot 100000 makes the leader propose 100000
     * no-op slots (200000 sends with 3 members); one naming Long.MAX_VALUE never terminates
     * (s++ overflows, s <= Long.MAX_VALUE stays true) and exhausts memory. OrderingCore's contract
     * says untrusted input is validated and rejected. Expected: such a promise is rejected (e.g.
     * PROTOCOL_VIOLATION / OUT_OF_WINDOW) or the re-proposal range is bounded.
     */
    @Test
    void promiseNamingAFarFutureSlotDoesNotMakeTheLeaderProposeUnboundedNoOps() {
        PaxosConfig config = cfg(4, 1);
        PaxosTestCluster<Integer> c = PaxosTestCluster.ofIntegers(3, config);
        c.startAll();
        c.dropWhere(e -> true);
        int mark = c.out(0).mark();
        c.core(0).onMessage(1, new Promise(0, -1, List.of(new SlotReport(100_000, 0, batch("x"), false)), false));
        long proposals = RecordingOutbox.messages(c.out(0).since(mark), Propose.class).size();
        int bound = 2 * (config.catchUpSlotsMax() + 4 * config.windowSlots());
        assertTrue(proposals <= bound, "one promise made the leader send " + proposals + " proposals (bound " + bound + ")");
    }

    /**
     * FIXED (untrusted input makes a core throw): a ViewChange (or Prepare/Propose/Heartbeat) for
     * view Long.MAX_VALUE is adopted; on the next progress suspicion onProgressTimeout calls
     * adoptView(view + 1), which overflows and throws IllegalStateException("views only grow") out
     * of onTimer. Expected: absurd views are rejected on input, and no input makes a core throw.
     */
    @Test
    void absurdViewFromAPeerCannotMakeALaterTimerThrow() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.core(2).onMessage(1, new ViewChange(Long.MAX_VALUE));
        c.submit(2, p("y"));
        c.fire(2, PaxosCore.PROGRESS);
        assertDoesNotThrow(() -> c.fire(2, PaxosCore.PROGRESS));
    }

    /**
     * FIXED (minor, wrong attribution): when a leader's pending queue is full, a forwarded payload is
     * dropped with {@code out.reject(members.get(self), OVERLOADED, ...)}: the rejection names the
     * leader itself instead of the member whose Forward was shed. Outbox.reject's {@code from} is
     * the sender of the dropped input (hosts count and trace rejections per sender).
     */
    @Test
    void overloadRejectionOfAForwardedPayloadNamesTheForwardingMember() {
        PaxosConfig config = new PaxosConfig(4, 8, 1 << 20, 1024, 2, 40, 2_000, 10, 16); // pendingPayloadsMax 2
        PaxosTestCluster<Integer> c = PaxosTestCluster.ofIntegers(3, config);
        c.startAll(); // phase 1 not finished: the leader holds what it gets
        c.core(0).onMessage(1, new Forward(batch("f1", "f2", "f3")));
        List<RecordingOutbox.Rejected<Integer>> rejections = c.out(0).rejections();
        assertEquals(1, rejections.size(), rejections.toString());
        assertEquals(Rejection.OVERLOADED, rejections.get(0).reason());
        assertEquals(1, rejections.get(0).from(), "the shed payload came from member 1");
    }

    /**
     * INEFFICIENCY (not a safety problem): on suspicion, onProgressTimeout calls adoptView, which
     * forwards the pending payloads to the next leader, and only then broadcasts the ViewChange.
     * Over a FIFO link the next leader receives the Forward while still in the old view, drops it
     * (onForward: "if (!leading()) return"), and the payload waits one more full (already doubled)
     * progress timeout before it is re-forwarded. Expected: the ViewChange goes out first (or the
     * leader keeps forwards it receives for a view it is about to lead), so the payload is ordered
     * in the new view without another timer expiry.
     */
    @Test
    void payloadThatTriggeredALeaderChangeIsOrderedByTheNewLeaderWithoutAnotherTimeout() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.crash(0);
        c.submit(2, p("y"));
        c.fire(2, PaxosCore.PROGRESS);
        c.fire(2, PaxosCore.PROGRESS); // view 1, led by member 1
        assertEquals(1L, c.core(2).view());
        assertEquals(1, c.pending(type(Forward.class).and(PaxosTestCluster.to(1))).size());
        c.deliverAll(); // FIFO: the Forward reaches member 1 before the ViewChange
        assertEquals(batch("y"), c.core(1).decidedValue(0), "y is ordered in view 1 without another progress timeout");
    }

    /**
     * FIXED. A follower learning the leader's decidedThrough looped over every slot up to it, so a
     * heartbeat claiming an absurd decidedThrough made a server spin for hours. Now it looks no
     * further than the window and asks for the rest with catch-up. The preemptive timeout only
     * guards the build against a hang; it checks no performance.
     */
    @Test
    void anAbsurdDecidedThroughFromTheLeaderDoesNotHangAFollower() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        int before = c.out(2).sends().size();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> c.core(2).onMessage(0, new PaxosMessage.Heartbeat(0, Long.MAX_VALUE - 1)));
        assertTrue(c.out(2).sends().subList(before, c.out(2).sends().size()).stream()
                .anyMatch(sent -> sent.message() instanceof CatchUpRequest), "the follower asks for catch-up instead");
        assertEquals(-1, c.core(2).decidedThrough(), "nothing is decided on a bare claim");
    }
}
