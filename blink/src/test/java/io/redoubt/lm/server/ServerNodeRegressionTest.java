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
}
