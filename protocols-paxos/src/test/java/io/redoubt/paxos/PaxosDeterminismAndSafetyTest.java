package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestSupport.assertPersistBeforeSend;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.testkit.HandDrivenCluster.NodeEvent;
import io.redoubt.paxos.PaxosTestCluster.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group 8: the core is deterministic (OrderingCore contract: "two cores given the same inputs in
 * the same order produce the same outputs"), and under seeded adversarial schedules no two members
 * ever deliver different values for one slot (safety S1; Lamport, Paxos Made Simple, section 2.1:
 * "only a single value is chosen"; Lane 2008, section 2.2.1).
 */
@Tag("property")
class PaxosDeterminismAndSafetyTest {

    private static final TimerId[] TIMERS = {PaxosCore.PROGRESS, PaxosCore.RETRANSMIT};

    /**
     * A seeded adversarial schedule: deliver a random in-flight message (reordering), sometimes
     * dropping or duplicating it; submit new payloads at random members; fire armed timers (so
     * followers suspect the leader and views change); crash the member that believes it leads
     * (at most a minority down at once) and restart crashed members from their persisted records.
     */
    static PaxosTestCluster<Integer> runSchedule(long seed, int n, int steps, PaxosConfig config, boolean viaBytes) {
        return runSchedule(seed, n, steps, config, viaBytes, PaxosCore::new);
    }

    static PaxosTestCluster<Integer> runSchedule(long seed, int n, int steps, PaxosConfig config, boolean viaBytes,
            PaxosTestCluster.CoreMaker<Integer> maker) {
        SplittableRandom rnd = new SplittableRandom(seed);
        PaxosTestCluster<Integer> c = PaxosTestCluster.ofIntegers(n, config, maker).viaBytes(viaBytes);
        c.startAll();
        int maxDown = (n - 1) / 2;
        int submitted = 0;
        for (int step = 0; step < steps; step++) {
            int r = rnd.nextInt(100);
            List<Envelope> net = c.pending();
            if (r < 72 && !net.isEmpty()) {
                Envelope e = net.get(rnd.nextInt(net.size()));
                int k = rnd.nextInt(12);
                if (k == 0) c.drop(e);
                else if (k == 1) c.duplicate(e);
                else c.deliver(e);
            } else if (r < 82) {
                List<Integer> live = live(c);
                c.submit(live.get(rnd.nextInt(live.size())), p("s" + seed + "-" + submitted++));
            } else if (r < 86) {
                TimerId t = TIMERS[rnd.nextInt(2)];
                List<Integer> armed = new ArrayList<>();
                for (int i = 0; i < n; i++) if (c.armed(i, t)) armed.add(i);
                if (!armed.isEmpty()) c.fire(armed.get(rnd.nextInt(armed.size())), t);
            } else if (r < 88) {
                if (n - live(c).size() < maxDown) {
                    List<Integer> leaders = new ArrayList<>();
                    for (int i : live(c)) if (c.core(i).isLeader()) leaders.add(i);
                    List<Integer> pool = leaders.isEmpty() || rnd.nextInt(4) == 0 ? live(c) : leaders;
                    c.crash(pool.get(rnd.nextInt(pool.size())));
                }
            } else if (r < 90) {
                List<Integer> down = new ArrayList<>();
                for (int i = 0; i < n; i++) if (c.crashed(i)) down.add(i);
                if (!down.isEmpty()) c.restart(down.get(rnd.nextInt(down.size())));
            } else if (!net.isEmpty()) {
                c.deliver(net.get(0)); // the oldest message, so that progress happens too
            }
        }
        return c;
    }

    /**
     * After the faults stop: every member is restarted, links become reliable and FIFO, and a timer
     * fires only when no message is in flight (timeouts longer than message delays), and then every
     * armed timer fires once per round. Returns whether
     * the cluster reached a state where nothing is pending and every member decided the same prefix.
     */
    static boolean heal(PaxosTestCluster<Integer> c, int maxRounds) {
        return heal(c, maxRounds, true);
    }

    /** As {@link #heal(PaxosTestCluster, int)}; with {@code restartCrashed} false, crashed members stay down. */
    static boolean heal(PaxosTestCluster<Integer> c, int maxRounds, boolean restartCrashed) {
        if (restartCrashed) for (int i = 0; i < c.n; i++) if (c.crashed(i)) c.restart(i);
        for (int round = 0; round < maxRounds; round++) {
            c.deliverAll();
            if (settled(c)) return true;
            boolean fired = false;
            for (int i = 0; i < c.n; i++) {
                for (TimerId t : TIMERS) {
                    if (c.armed(i, t)) {
                        c.fire(i, t);
                        fired = true;
                    }
                }
            }
            if (!fired) break;
        }
        c.deliverAll();
        return settled(c);
    }

    static boolean settled(PaxosTestCluster<Integer> c) {
        if (!c.pending().isEmpty()) return false;
        long d = -2;
        for (int i = 0; i < c.n; i++) {
            if (c.crashed(i)) continue;
            if (d == -2) d = c.core(i).decidedThrough();
            if (c.core(i).pendingCount() != 0 || c.core(i).decidedThrough() != d || c.core(i).deliveredThrough() != d) return false;
        }
        return true;
    }

    private static List<Integer> live(PaxosTestCluster<Integer> c) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < c.n; i++) if (!c.crashed(i)) l.add(i);
        return l;
    }

    private static final PaxosConfig CONFIG = cfg(4, 3);

    // OrderingCore contract: same inputs, same order, same outputs (also across restarts).
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 2008L})
    void identicalClustersUnderTheSameSeededScheduleProduceIdenticalOutputLogs(long seed) {
        PaxosTestCluster<Integer> a = runSchedule(seed, 5, 600, CONFIG, false);
        PaxosTestCluster<Integer> b = runSchedule(seed, 5, 600, CONFIG, false);
        List<NodeEvent> la = a.log();
        assertTrue(la.size() > 500, "the schedule did something: " + la.size() + " outputs");
        assertEquals(la, b.log());
        assertEquals(a.pending(), b.pending());
        for (int i = 0; i < 5; i++) assertEquals(a.disk(i), b.disk(i), "member " + i + " storage");
        // Decoding from the wire does not change behaviour either.
        PaxosTestCluster<Integer> wire = runSchedule(seed, 5, 600, CONFIG, true);
        assertEquals(la, wire.log());
        // A different seed gives a different run (the comparison above is not vacuous).
        assertNotEquals(la, runSchedule(seed + 1, 5, 600, CONFIG, false).log());
    }

    // Lamport, Paxos Made Simple, section 2.1 (safety: only a single value is chosen) and
    // Outbox contract (in order, no gaps, once per incarnation), over 200 seeded schedules of 5
    // members with loss, duplication, reordering, leader crashes, view changes and restarts.
    @Test
    void noTwoMembersEverDeliverDifferentValuesForOneSlotUnderSeededAdversarialSchedules() {
        int decidedSlots = 0;
        int viewChanges = 0;
        int restarts = 0;
        for (long seed = 0; seed < 200; seed++) {
            PaxosTestCluster<Integer> c = runSchedule(seed, 5, 600, CONFIG, seed % 2 == 0);
            assertEquals(List.of(), c.violations(), "seed " + seed);
            // Cross-check every member's decided values against the first delivery of each slot.
            Map<Long, List<Bytes>> delivered = c.firstDelivered();
            for (int i = 0; i < 5; i++) {
                for (Map.Entry<Long, List<Bytes>> e : delivered.entrySet()) {
                    List<Bytes> mine = c.core(i).decidedValue(e.getKey());
                    if (mine != null) assertEquals(e.getValue(), mine, "seed " + seed + " member " + i + " slot " + e.getKey());
                }
                assertPersistBeforeSend(c);
                viewChanges = Math.max(viewChanges, (int) c.core(i).view());
                restarts += c.incarnation(i) - 1;
            }
            decidedSlots += delivered.size();
        }
        // The schedules must actually exercise the protocol, or the check above is empty.
        assertTrue(decidedSlots > 1200, "slots decided across all seeds: " + decidedSlots);
        assertTrue(viewChanges >= 4, "highest view reached: " + viewChanges);
        assertTrue(restarts > 500, "restarts across all seeds: " + restarts);
    }

    // Lane 2008, section 4.8.2 (a correct leader is eventually found) and OrderingCore.submit
    // ("orders it at least once if this node stays correct and connected long enough"): once the
    // faults stop and a majority is up, every payload still pending at a live member is ordered
    // and all live members deliver the same prefix.
    @Test
    void afterFaultsStopEveryPendingPayloadIsOrderedAndLiveMembersConverge() {
        for (long seed = 500; seed < 560; seed++) {
            PaxosTestCluster<Integer> c = runSchedule(seed, 5, 400, CONFIG, false);
            boolean restart = seed % 2 == 0; // half the runs leave the crashed minority down
            assertTrue(heal(c, 200, restart), "seed " + seed + " did not settle");
            assertEquals(List.of(), c.violations(), "seed " + seed);
            for (int i = 0; i < 5; i++) {
                if (c.crashed(i)) continue;
                assertEquals(0, c.core(i).pendingCount(), "seed " + seed + " member " + i);
            }
        }
    }

    /** A deliberately broken Paxos: after phase 1 it ignores what the promises reported (violates P2c). */
    private static final PaxosTestCluster.CoreMaker<Integer> FORGETFUL_PAXOS = (config, members, self, out, persisted) ->
            new PaxosCore<>(config, members, self, out, persisted, (slot, highestAccepted) -> List.of(p("forgotten-" + slot)));

    // The safety check above is not vacuous: the same schedules catch a Paxos that breaks P2c
    // (Lamport, Paxos Made Simple: a new leader must propose the highest-numbered accepted value).
    @Test
    void theSameSchedulesCatchAPaxosThatIgnoresAcceptedValuesOnLeaderChange() {
        int caught = 0;
        for (long seed = 0; seed < 200 && caught == 0; seed++) {
            PaxosTestCluster<Integer> c = runSchedule(seed, 5, 600, CONFIG, false, FORGETFUL_PAXOS);
            if (c.violations().stream().anyMatch(v -> v.startsWith("S1"))) caught++;
        }
        assertTrue(caught > 0, "no schedule exposed the broken re-proposal rule");
    }

    // Same, with three members (a majority of 2: every accept by a follower decides at once).
    @Test
    void threeMemberSchedulesAreSafeToo() {
        Map<String, Integer> stats = new HashMap<>();
        for (long seed = 1000; seed < 1100; seed++) {
            PaxosTestCluster<Integer> c = runSchedule(seed, 3, 400, cfg(2, 2), true);
            assertEquals(List.of(), c.violations(), "seed " + seed);
            stats.merge("slots", c.firstDelivered().size(), Integer::sum);
        }
        assertTrue(stats.get("slots") > 300, stats.toString());
    }
}
