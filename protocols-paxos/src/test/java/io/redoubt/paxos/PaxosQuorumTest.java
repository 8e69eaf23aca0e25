package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.testkit.RecordingOutbox.Delivered;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Group 7: majority quorums (Lamport, Paxos Made Simple, section 2.2; Lane 2008, section 2.2.1). */
@Tag("property")
class PaxosQuorumTest {

    // Lamport, Paxos Made Simple, section 2.2: a majority of the acceptors. The core takes its
    // quorum from Quorums (checked there against a brute-force oracle); this pins what it uses.
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    void quorumSizeIsAStrictMajority(int n) {
        int q = quorumOf(n);
        assertEquals(n / 2 + 1, q);
        assertEquals(Quorums.majority(n), q);
        assertTrue(2 * q > n, "two quorums together exceed n");
        assertTrue(2 * (q - 1) <= n, "and it is the smallest such size");
    }

    // Lamport, Paxos Made Simple, section 2.2: any two majorities have an acceptor in common
    // (that is what carries a chosen value into every later ballot). Exhaustive for n <= 7.
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void everyTwoQuorumsIntersect(int n) {
        int q = quorumOf(n);
        List<Integer> quorums = new ArrayList<>();
        for (int set = 0; set < (1 << n); set++) if (Integer.bitCount(set) >= q) quorums.add(set);
        for (int a : quorums) for (int b : quorums) assertTrue((a & b) != 0, "quorums " + a + " and " + b + " of " + n + " are disjoint");
        // And one fewer would not do (for n >= 2): two disjoint sets of size q-1 exist.
        if (n >= 2) assertTrue(2 * (q - 1) <= n);
    }

    /** The quorum a core of {@code n} members decides with. */
    private static int quorumOf(int n) {
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < n; i++) members.add(i);
        return new PaxosCore<>(cfg(4, 1), members, 0, new RecordingOutbox<>(), List.of()).quorum();
    }

    // Lane 2008, section 2.2.1 with n = 1: the single member is its own majority.
    @Test
    void singleMemberInstanceDecidesOnItsOwn() {
        RecordingOutbox<String> out = new RecordingOutbox<>();
        PaxosCore<String> core = new PaxosCore<>(cfg(4, 2), List.of("solo"), "solo", out, List.of());
        core.start();
        assertTrue(core.isLeader());
        assertEquals(1, core.quorum());
        core.submit(p("x"));
        core.submit(p("y"));
        core.submit(p("z"));
        assertEquals(List.of(new Delivered(0, batch("x")), new Delivered(1, batch("y")), new Delivered(2, batch("z"))), out.deliveries());
        assertTrue(out.sends().isEmpty(), "nobody to talk to: " + out.sends());
        assertEquals(2L, core.decidedThrough());
        assertEquals(0, core.pendingCount());

        // And a restart of the single member re-delivers and continues.
        RecordingOutbox<String> out2 = new RecordingOutbox<>();
        PaxosCore<String> again = new PaxosCore<>(cfg(4, 2), List.of("solo"), "solo", out2, out.persistedBytes());
        again.start();
        again.submit(p("w"));
        assertEquals(List.of(new Delivered(0, batch("x")), new Delivered(1, batch("y")), new Delivered(2, batch("z")),
                new Delivered(3, batch("w"))), out2.deliveries());
    }

    // Construction rejects configurations where quorums would make no sense.
    @Test
    void membershipMustBeNonEmptyDistinctAndContainSelf() {
        assertThrows(IllegalArgumentException.class, () -> new PaxosCore<>(cfg(4, 1), List.<Integer>of(), 0, new RecordingOutbox<>(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PaxosCore<>(cfg(4, 1), List.of(0, 1, 1), 0, new RecordingOutbox<>(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PaxosCore<>(cfg(4, 1), List.of(0, 1, 2), 3, new RecordingOutbox<>(), List.of()));
    }
}
