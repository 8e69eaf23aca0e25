package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.Heartbeat;
import io.redoubt.paxos.PaxosMessage.HeartbeatAck;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a member moves between views outside phase 1's value selection (Lane 2008, section 4.8.2:
 * a suspected leader is replaced; Lamport, Paxos Made Simple, section 2.3: a promise is durable
 * before it is revealed), phase 1's retransmission, the accept window's edge and the storage
 * record's framing. Written against the mutants PIT left alive in {@code onHeartbeat},
 * {@code adoptView}, {@code startPhase1}, {@code onRetransmitTimeout}, {@code onAccept} and
 * {@code PaxosRecord.decode}; each assertion fails on the corresponding mutant.
 */
class PaxosViewMovesAndBoundsTest {

    @Test
    void aHeartbeatFromTheLeaderOfAHigherViewMovesAFollowerThereDurablyAndAStaleOneIsAnswered() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        int mark = c.out(2).mark();
        c.core(2).onMessage(1, new Heartbeat(1, -1)); // member 1 leads view 1
        c.core(2).checkInvariants();
        assertEquals(1L, c.core(2).view());
        assertEquals(List.of(new PaxosRecord.Promised(1)), c.out(2).persistedRecords().stream()
                .filter(r -> r instanceof PaxosRecord.Promised).toList(), "view 1 promised on disk");
        assertEquals(List.of(new HeartbeatAck(1, -1)), c.out(2).sentTo(1, HeartbeatAck.class),
                "the ack speaks for the view just adopted");

        // The leader of view 0 has not heard of view 1 yet: it is told where the member is.
        c.core(2).onMessage(0, new Heartbeat(0, -1));
        assertEquals(List.of(new ViewChange(1)), c.out(2).sentTo(0, ViewChange.class));
        assertEquals(1L, c.core(2).view());
        assertTrue(c.out(2).since(mark).stream().noneMatch(e -> e instanceof io.redoubt.lm.testkit.RecordingOutbox.Rejected<?>));
    }

    @Test
    void aFollowerThatBecomesLeaderDropsItsSuspicionTimer() {
        PaxosTestCluster<Integer> c = startedCluster(3, cfg(4, 1));
        c.submit(1, p("x")); // forwarded to leader 0 and watched by the progress timer
        assertTrue(c.out(1).isArmed(PaxosCore.PROGRESS));
        c.dropWhere(e -> true);
        c.core(1).onMessage(2, new ViewChange(1)); // member 1 leads view 1
        c.core(1).checkInvariants();
        assertTrue(c.core(1).isLeader());
        assertFalse(c.out(1).isArmed(PaxosCore.PROGRESS), "a leader does not suspect itself");
    }

    @Test
    void aPreparingLeaderResendsItsPrepareOnlyToMembersThatHaveNotPromised() {
        PaxosTestCluster<Integer> c = startedCluster(5, cfg(4, 1));
        c.dropWhere(e -> true);
        c.core(1).onMessage(3, new ViewChange(1)); // member 1 leads view 1; its prepares are lost below
        assertTrue(c.core(1).isLeader());
        assertTrue(c.out(1).isArmed(PaxosCore.RETRANSMIT), "phase 1 is watched by the retransmission timer");
        c.dropWhere(e -> true);
        c.core(1).onMessage(3, new Promise(1, -1, List.of(), false));
        int mark = c.out(1).mark();
        c.fire(1, PaxosCore.RETRANSMIT);
        List<Integer> to = c.out(1).since(mark).stream()
                .filter(e -> e instanceof io.redoubt.lm.testkit.RecordingOutbox.Sent<?> s && s.message() instanceof Prepare)
                .map(e -> (Integer) ((io.redoubt.lm.testkit.RecordingOutbox.Sent<?>) e).to()).sorted().toList();
        assertEquals(List.of(0, 2, 4), to, "not to itself, not to member 3 that promised");
        for (Prepare m : io.redoubt.lm.testkit.RecordingOutbox.messages(c.out(1).since(mark), Prepare.class)) {
            assertEquals(new Prepare(1, 0), m);
        }
        assertTrue(c.out(1).isArmed(PaxosCore.RETRANSMIT), "re-armed while phase 1 is unfinished");
    }

    @Test
    void anAcceptAtTheFarEdgeOfTheWindowIsCountedAndOnePastItIsRefused() {
        PaxosConfig config = cfg(4, 1);
        PaxosTestCluster<Integer> c = startedCluster(3, config);
        long edge = c.core(1).decidedThrough() + 4L * config.windowSlots();
        c.core(1).onMessage(2, new Accept(0, edge, -1));
        c.core(1).checkInvariants();
        assertTrue(c.out(1).rejections().isEmpty(), c.out(1).rejections().toString());
        c.core(1).onMessage(2, new Accept(0, edge + 1, -1));
        assertEquals(List.of(Rejection.OUT_OF_WINDOW), c.out(1).rejectionReasons());
    }

    @Test
    void aStorageRecordWithTrailingBytesIsCorruptNotSilentlyAccepted() {
        Bytes good = new PaxosRecord.Promised(3).encode();
        assertEquals(new PaxosRecord.Promised(3), PaxosRecord.decode(good));
        byte[] longer = java.util.Arrays.copyOf(good.toArray(), good.length() + 1);
        assertThrows(IllegalStateException.class, () -> PaxosRecord.decode(Bytes.wrap(longer)));
    }
}
