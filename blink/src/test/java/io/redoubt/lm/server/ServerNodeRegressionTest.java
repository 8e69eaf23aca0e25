package io.redoubt.lm.server;

import static io.redoubt.lm.server.TestNode.PEER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.lm.core.TimerId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Regressions: defects found in {@link ServerNode} by tests; each failed before its fix. */
class ServerNodeRegressionTest {
    static final TimerId TIMER = new TimerId("paxos-progress", 0);
    static final ServerTimer LM_TIMER = new ServerTimer.LmTimeout(new TimerId("paxos-progress", 0));

    /**
     * FIXED. ServerNode.collectNotice kept a notice set for any timer id a member of the site signs a
     * notice for, armed or not, never drops the sets of timers that were never armed, and sheds
     * notices for any new timer id once it holds 256 sets. One faulty server of the site (what
     * the f+1 notices of a Byzantine site are there to tolerate) can therefore sign notices for
     * 256 made-up timers and from then on every notice for a real LM timer, the server's own
     * included, is rejected as OVERLOADED: that LM timeout can never be ordered, so the
     * wide-area core's timer never fires (no leader change, no retransmission).
     */
    @Test
    void aPeerSigningNoticesForMadeUpTimersCannotDisableLmTimeouts() {
        TestNode t = new TestNode("simulated");
        for (int i = 0; i < 256; i++) {
            t.node.onServerFrame(PEER, new Frame.Notice(t.notice(PEER, new TimerId("made-up", i), 1)).encode());
        }
        t.wide.out.setTimer(TIMER, 300);
        t.node.onTimer(LM_TIMER); // our own timer expires: in a benign site our own notice is enough
        assertEquals(List.of(TIMER), t.wide.timersFired, "rejections: " + t.node.rejections());
    }

    /**
     * FIXED. LmTimeouts kept the notices of the newest generation it had heard of, newer than the
     * timer it had armed included, and dropped those of older generations as stale. One faulty
     * server of the site could sign (validly, with its own key) a notice for a far-future
     * generation of an armed timer: the correct servers' notices for the armed generation were
     * then all stale, so that LM timeout was never ordered. A notice now counts only for the
     * generation this server armed; one for a generation it has not armed yet is dropped, and
     * its signer resends it (LmTimeouts class comment).
     */
    @Test
    void aPeerSigningANoticeForAFutureGenerationCannotBlockTheArmedOne() {
        TestNode t = new TestNode("simulated", ServerConfig.byzantineSite(1)); // 2 notices needed
        t.wide.out.setTimer(TIMER, 300);
        long armed = t.node.logicalMachine().activeTimers().get(TIMER).generation();
        t.node.onServerFrame(PEER, new Frame.Notice(t.notice(PEER, TIMER, armed + 1_000_000)).encode());
        t.node.onServerFrame(TestNode.PEER2, new Frame.Notice(t.notice(TestNode.PEER2, TIMER, armed)).encode());
        t.node.onTimer(LM_TIMER); // our own notice: with PEER2's, the f+1 needed
        assertEquals(List.of(TIMER), t.wide.timersFired, "rejections: " + t.node.rejections());
    }
}
