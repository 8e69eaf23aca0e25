package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.Heartbeat;
import io.redoubt.paxos.PaxosMessage.HeartbeatAck;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A view number past {@link PaxosMessage#VIEW_MAX} is refused before any handler sees it, for
 * every message that carries a view, also when the message reaches the core already decoded (the
 * decoder refuses it too): adopting such a view would leave no room for the next one.
 */
class PaxosViewBoundTest {
    @Test
    void everyMessageWithAViewBeyondTheMaximumIsRefusedAndChangesNothing() {
        long beyond = PaxosMessage.VIEW_MAX + 1;
        List<PaxosMessage> messages = List.of(new Prepare(beyond, 0), new Promise(beyond, -1, List.of(), false),
                new Propose(beyond, 0, List.of(Bytes.ofUtf8("x")), -1), new Accept(beyond, 0, -1), new ViewChange(beyond),
                new Heartbeat(beyond, -1), new HeartbeatAck(beyond, -1));
        for (PaxosMessage m : messages) {
            PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
            Bytes before = c.core(1).stateDigest();
            int sentBefore = c.out(1).sends().size();
            c.core(1).onMessage(0, m);
            c.core(1).checkInvariants();
            assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), c.out(1).rejections().stream().map(r -> r.reason()).toList(), m.toString());
            // Refused by the bound itself, not by whichever handler check it happens to trip next.
            assertEquals(List.of("view beyond " + PaxosMessage.VIEW_MAX), c.out(1).rejections().stream().map(r -> r.detail()).toList(), m.toString());
            assertEquals(before, c.core(1).stateDigest(), "state unchanged by " + m);
            assertEquals(sentBefore, c.out(1).sends().size(), "nothing sent in answer to " + m);
        }
    }
}
