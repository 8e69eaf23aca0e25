package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.testkit.RecordingOutbox;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The new leader's phase 1, driven with hand-made promises so that each part of its rule is
 * exercised on its own (Lamport, Paxos Made Simple, P2c; Lane 2008, section 2.2.1): for each open
 * slot the value accepted in the highest view among a majority's promises, whatever order the
 * promises arrive in; a promise that reaches too far is refused; truncated promises make the
 * leader learn what is decided and prepare again from there. Written to kill the mutants PIT
 * found surviving in {@code maybeFinishPhase1} and {@code onPromise}.
 */
class PaxosPhase1SelectionTest {
    private static final int LEADER = 2; // leads view 2 of five members

    /** Five members; member 2 suspects twice, hearing nobody, until it leads view 2 and is preparing it. */
    private static PaxosTestCluster<Integer> leaderPreparingView2() {
        PaxosTestCluster<Integer> c = startedCluster(5, cfg(4, 1));
        c.submit(LEADER, p("pending")); // forwarded to leader 0: lost below
        for (int i = 0; i < 20 && !(c.core(LEADER).view() == 2 && c.core(LEADER).isLeader()); i++) {
            c.dropWhere(e -> true);
            c.fire(LEADER, PaxosCore.PROGRESS);
        }
        assertEquals(2L, c.core(LEADER).view());
        assertTrue(c.core(LEADER).isLeader());
        c.dropWhere(e -> true); // its prepares reach nobody; the promises below are ours
        return c;
    }

    private static void promise(PaxosTestCluster<Integer> c, int from, Promise m) {
        c.core(LEADER).onMessage(from, m);
        c.core(LEADER).checkInvariants();
    }

    private static List<Propose> proposals(PaxosTestCluster<Integer> c, long slot) {
        return c.out(LEADER).sentMessages(Propose.class).stream().filter(m -> m.view() == 2 && m.slot() == slot).toList();
    }

    private static void assertProposes(PaxosTestCluster<Integer> c, long slot, List<Bytes> value) {
        List<Propose> sent = proposals(c, slot);
        assertEquals(4, sent.size(), "slot " + slot + " proposed to the four others: " + sent);
        for (Propose m : sent) assertEquals(value, m.value(), "slot " + slot);
    }

    @Test
    void theValueAcceptedInTheHighestViewWinsWhenItArrivesLast() {
        PaxosTestCluster<Integer> c = leaderPreparingView2();
        promise(c, 3, new Promise(2, -1, List.of(new SlotReport(0, 0, batch("old"), false)), false));
        assertTrue(proposals(c, 0).isEmpty(), "two promises of five (its own and one) are not a majority");
        promise(c, 4, new Promise(2, -1, List.of(new SlotReport(0, 1, batch("new"), false)), false));
        assertProposes(c, 0, batch("new"));
    }

    @Test
    void theValueAcceptedInTheHighestViewWinsWhenItArrivesFirst() {
        PaxosTestCluster<Integer> c = leaderPreparingView2();
        promise(c, 3, new Promise(2, -1, List.of(new SlotReport(0, 1, batch("new"), false)), false));
        promise(c, 4, new Promise(2, -1, List.of(new SlotReport(0, 0, batch("old"), false)), false));
        assertProposes(c, 0, batch("new"));
    }

    @Test
    void gapsBelowTheHighestReportedSlotAreNoOpsAndNewPayloadsGoAfterIt() {
        PaxosTestCluster<Integer> c = leaderPreparingView2();
        promise(c, 3, new Promise(2, -1, List.of(new SlotReport(2, 1, batch("x"), false)), false));
        promise(c, 4, new Promise(2, -1, List.of(), false));
        assertProposes(c, 0, List.of());
        assertProposes(c, 1, List.of());
        assertProposes(c, 2, batch("x"));
        // The payload the leader held since before the view change takes the next slot, not one of the above.
        assertProposes(c, 3, batch("pending"));
        assertTrue(proposals(c, 4).isEmpty());
    }

    @Test
    void aPromiseReportingASlotBeyondTheBoundIsRefusedAndOneJustBelowIsTaken() {
        PaxosConfig config = cfg(4, 1);
        long limit = config.catchUpSlotsMax() + 5L * config.windowSlots(); // prepared from slot 0
        PaxosTestCluster<Integer> c = leaderPreparingView2();
        promise(c, 3, new Promise(2, -1, List.of(new SlotReport(limit, 1, batch("far"), false)), false));
        assertEquals(1, c.out(LEADER).rejections().stream().filter(r -> r.reason() == Rejection.OUT_OF_WINDOW).count(),
                "slot " + limit + " is past the bound");
        promise(c, 4, new Promise(2, -1, List.of(new SlotReport(limit - 1, 1, batch("near"), false)), false));
        assertTrue(proposals(c, limit - 1).isEmpty(), "the refused promise does not count toward the majority");
        promise(c, 1, new Promise(2, -1, List.of(), false));
        assertProposes(c, limit - 1, batch("near"));
        assertEquals(1, c.out(LEADER).rejections().size(), c.out(LEADER).rejections().toString());
    }

    @Test
    void aTruncatedPromiseMakesTheLeaderLearnWhatIsDecidedAndPrepareAgainFromThere() {
        PaxosTestCluster<Integer> c = leaderPreparingView2();
        promise(c, 3, new Promise(2, 1, List.of(new SlotReport(0, 0, batch("a"), true), new SlotReport(1, 0, batch("b"), true)), true));
        promise(c, 4, new Promise(2, -1, List.of(), false));
        assertEquals(batch("a"), c.core(LEADER).decidedValue(0));
        assertEquals(batch("b"), c.core(LEADER).decidedValue(1));
        assertEquals(1L, c.core(LEADER).decidedThrough(), "learned and delivered slots 0 and 1");
        assertTrue(proposals(c, 0).isEmpty() && proposals(c, 1).isEmpty(), "nothing is proposed for decided slots");
        List<Prepare> again = c.out(LEADER).sentMessages(Prepare.class).stream().filter(m -> m.fromSlot() == 2).toList();
        assertEquals(4, again.size(), "phase 1 again, from the first slot not decided: " + again);
        for (Prepare m : again) assertEquals(2L, m.view());
    }

    @Test
    void aMemberThatAnnouncesTheViewBeingPreparedGetsThePrepareAgainAndOnlyThen() {
        PaxosTestCluster<Integer> c = leaderPreparingView2();
        int mark = c.out(LEADER).mark();
        c.core(LEADER).onMessage(3, new ViewChange(1)); // an older view: nothing to resend
        assertEquals(0, RecordingOutbox.messages(c.out(LEADER).since(mark), Prepare.class).size(), "not for an older view");
        c.core(LEADER).onMessage(3, new ViewChange(2)); // ours, while we prepare: it may have missed our prepare
        List<RecordingOutbox.Event> since = c.out(LEADER).since(mark);
        assertEquals(List.of(new RecordingOutbox.Sent<>(3, new Prepare(2, 0))), since.stream().filter(e -> e instanceof RecordingOutbox.Sent<?>).toList(),
                "one prepare, to the member that asked");

        promise(c, 3, new Promise(2, -1, List.of(), false));
        promise(c, 4, new Promise(2, -1, List.of(), false));
        int leading = c.out(LEADER).mark();
        c.core(LEADER).onMessage(1, new ViewChange(2)); // phase 1 is over: nothing to resend
        assertEquals(0, RecordingOutbox.messages(c.out(LEADER).since(leading), Prepare.class).size());
        assertEquals(2L, c.core(LEADER).view());
    }
}
