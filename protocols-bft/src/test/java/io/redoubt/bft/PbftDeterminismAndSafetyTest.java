package io.redoubt.bft;

import io.redoubt.bft.adversary.EquivocatingPbft;
import static io.redoubt.bft.PbftTestSupport.assertPersistBeforeSend;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftTestCluster.Envelope;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.core.TimerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tier 4: seeded adversarial schedules over whole clusters with one Byzantine member. Safety S1 (no
 * two correct members deliver different batches for one slot; Castro and Liskov, OSDI '99, section
 * 4.1, safety; Lane 2008, section 2.2.2) is checked outside the cores on every delivery; after the
 * faults stop, every payload pending at a correct member must be delivered (liveness; PBFT section
 * 4.5). A failing seed is reported with the command that replays it ({@link PbftCampaignTest}).
 */
@Tag("property")
class PbftDeterminismAndSafetyTest {

    private static final TimerId[] TIMERS = {PbftCore.REQUEST, PbftCore.VIEW_CHANGE, PbftCore.RETRANSMIT};

    /** How the Byzantine member misbehaves. */
    enum Byzantine { EQUIVOCATE, SILENT, GARBAGE }

    record Run(PbftTestCluster cluster, int byzantine, Byzantine mode) {}

    static Run runSchedule(long seed, int n, int steps, PbftConfig config, boolean viaBytes, PbftTestCluster.CoreMaker correct) {
        return runSchedule(seed, n, steps, config, viaBytes, correct, TestKeys.simulated());
    }

    /** As above with {@code keys}; {@link TestKeys#transportSigned()} runs the schedule as the wide-area tier. */
    static Run runSchedule(long seed, int n, int steps, PbftConfig config, boolean viaBytes, PbftTestCluster.CoreMaker correct, TestKeys keys) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Byzantine mode = Byzantine.values()[(int) (seed % 3)];
        int bad = (int) ((seed / 3) % n);
        if (mode == Byzantine.EQUIVOCATE && seed % 2 == 0) bad = 0; // often the first primary, where it hurts most
        PbftTestCluster.CoreMaker badMaker = mode == Byzantine.EQUIVOCATE ? EquivocatingPbft::create : correct;
        PbftTestCluster c = new PbftTestCluster(n, config, correct, Map.of(bad, badMaker), keys).byzantine(bad).viaBytes(viaBytes);
        c.startAll();
        int submitted = 0;
        for (int step = 0; step < steps; step++) {
            misbehave(c, bad, mode, rnd);
            int r = rnd.nextInt(100);
            List<Envelope> net = c.pending();
            if (r < 60 && !net.isEmpty()) {
                Envelope e = net.get(rnd.nextInt(net.size()));
                int k = rnd.nextInt(12);
                if (k == 0) c.drop(e);
                else if (k == 1) c.duplicate(e);
                else c.deliver(e);
            } else if (r < 68) {
                int at = rnd.nextInt(n);
                if (!c.crashed(at)) c.submit(at, p("s" + seed + "-" + submitted++));
            } else if (r < 72) {
                TimerId t = TIMERS[rnd.nextInt(TIMERS.length)];
                List<Integer> armed = new ArrayList<>();
                for (int i = 0; i < n; i++) if (c.armed(i, t)) armed.add(i);
                if (!armed.isEmpty()) c.fire(armed.get(rnd.nextInt(armed.size())), t);
            } else if (r < 73) {
                // Crash the member that believes it is primary (correct members only; they restart from disk).
                List<Integer> pool = new ArrayList<>();
                for (int i = 0; i < n; i++) if (i != bad && !c.crashed(i) && c.core(i).isLeader()) pool.add(i);
                if (pool.isEmpty()) for (int i = 0; i < n; i++) if (i != bad && !c.crashed(i)) pool.add(i);
                boolean anyDown = false;
                for (int i = 0; i < n; i++) anyDown |= c.crashed(i);
                if (!anyDown && !pool.isEmpty()) c.crash(pool.get(rnd.nextInt(pool.size())));
            } else if (r < 77) {
                for (int i = 0; i < n; i++) if (c.crashed(i)) c.restart(i);
            } else if (!net.isEmpty()) {
                c.deliver(net.get(0)); // the oldest message, so that progress happens too
            }
        }
        return new Run(c, bad, mode);
    }

    /** The Byzantine member's outgoing traffic: silenced, or partly replaced by mutated bytes. */
    private static void misbehave(PbftTestCluster c, int bad, Byzantine mode, SplittableRandom rnd) {
        if (mode == Byzantine.SILENT) {
            c.dropWhere(PbftTestCluster.from(bad));
        } else if (mode == Byzantine.GARBAGE) {
            for (Envelope e : c.pending(PbftTestCluster.from(bad))) {
                if (e.message() == null || rnd.nextInt(3) != 0) continue;
                byte[] b = e.message().encode().toArray();
                int flips = 1 + rnd.nextInt(3);
                for (int k = 0; k < flips; k++) b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                c.drop(e);
                c.injectRaw(bad, e.to(), Bytes.wrap(b));
            }
        }
    }

    /**
     * After the faults stop: crashed members restart, the Byzantine member falls silent, links become
     * reliable and FIFO, and timers fire only when no message is in flight (timeouts longer than
     * message delays). Returns whether every correct member ended with nothing pending.
     */
    static boolean heal(Run run, int maxRounds) {
        PbftTestCluster c = run.cluster();
        for (int i = 0; i < c.n; i++) if (c.crashed(i)) c.restart(i);
        for (int round = 0; round < maxRounds; round++) {
            c.dropWhere(PbftTestCluster.from(run.byzantine()));
            c.deliverWhere(PbftTestCluster.from(run.byzantine()).negate());
            c.dropWhere(PbftTestCluster.from(run.byzantine()));
            if (settled(run)) return true;
            for (int i = 0; i < c.n; i++) {
                if (i == run.byzantine()) continue;
                for (TimerId t : TIMERS) if (c.armed(i, t)) c.fire(i, t);
            }
        }
        return settled(run);
    }

    static boolean settled(Run run) {
        PbftTestCluster c = run.cluster();
        if (!c.pending(PbftTestCluster.from(run.byzantine()).negate()).isEmpty()) return false;
        for (int i = 0; i < c.n; i++) {
            if (i != run.byzantine() && c.core(i).pendingCount() != 0) return false;
        }
        return true;
    }

    private static final PbftConfig CONFIG = cfg(8, 4, 3);

    static String replay(long seed, int steps) {
        return "mvn -o test -pl protocols-bft -Dtest=PbftCampaignTest -Dpbft.campaign=true -Dfrom=" + seed + " -Dto=" + (seed + 1) + " -Dsteps=" + steps;
    }

    // OrderingCore contract: same inputs in the same order, same outputs (across restarts and the codec).
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 2008L})
    void identicalClustersUnderTheSameSeededScheduleProduceIdenticalOutputLogs(long seed) {
        Run a = runSchedule(seed, 4, 600, CONFIG, false, PbftCore::new);
        Run b = runSchedule(seed, 4, 600, CONFIG, false, PbftCore::new);
        var la = a.cluster().log();
        assertTrue(la.size() > 500, "the schedule did something: " + la.size() + " outputs");
        assertEquals(la, b.cluster().log());
        for (int i = 0; i < 4; i++) assertEquals(a.cluster().disk(i), b.cluster().disk(i), "member " + i + " storage");
        assertEquals(la, runSchedule(seed, 4, 600, CONFIG, true, PbftCore::new).cluster().log(), "decoding from the wire changes nothing");
        assertNotEquals(la, runSchedule(seed + 1, 4, 600, CONFIG, false, PbftCore::new).cluster().log());
    }

    // Castro and Liskov, OSDI '99, section 4.1 (safety: replicas agree on the sequence number of every
    // request) over 200 seeded schedules of 4 and 7 members with one Byzantine member (equivocating,
    // silent or sending garbage), loss, duplication, reordering, primary crashes and timer-driven view changes.
    @Test
    void noTwoCorrectMembersEverDeliverDifferentBatchesForOneSlot() {
        checkSafety(TestKeys::simulated);
    }

    // The same at the wide-area tier: messages leave unsigned and their LM proof comes with them, so
    // members vouch for their own certificate entries and relay only what others signed.
    @Test
    void safetyHoldsAlsoWhenSignaturesComeFromTheTransport() {
        checkSafety(TestKeys::transportSigned);
    }

    private static void checkSafety(Supplier<TestKeys> keys) {
        int slots = 0;
        long highestView = 0;
        int restarts = 0;
        for (long seed = 0; seed < 200; seed++) {
            int n = seed % 4 == 3 ? 7 : 4;
            Run run = runSchedule(seed, n, n == 4 ? 1500 : 1800, CONFIG, seed % 5 == 0, PbftCore::new, keys.get());
            PbftTestCluster c = run.cluster();
            assertEquals(List.of(), c.violations(), "seed " + seed + " (" + run.mode() + " member " + run.byzantine() + "); replay: " + replay(seed, n == 4 ? 1500 : 1800));
            assertPersistBeforeSend(c);
            slots += c.firstDelivered().size();
            for (int i = 0; i < n; i++) {
                if (i != run.byzantine()) highestView = Math.max(highestView, c.core(i).view());
                restarts += c.incarnation(i) - 1;
            }
        }
        assertTrue(slots > 250, "slots delivered across all seeds: " + slots); // 357 when written
        assertTrue(highestView >= 3, "highest view reached: " + highestView);
        assertTrue(restarts > 100, "restarts across all seeds: " + restarts);
    }

    // PBFT section 4.5 (liveness) and OrderingCore.submit: once faults stop, with at most f faulty
    // members, every payload pending at a correct member is ordered and delivered there.
    @Test
    void afterFaultsStopEveryPayloadPendingAtACorrectMemberIsDelivered() {
        checkLiveness(TestKeys::simulated);
    }

    // The same at the wide-area tier, where a member adopts a stable checkpoint only with a proof it
    // can relay and takes signed copies of a new view's pre-prepares before it counts as prepared.
    @Test
    void livenessHoldsAlsoWhenSignaturesComeFromTheTransport() {
        checkLiveness(TestKeys::transportSigned);
    }

    private static void checkLiveness(Supplier<TestKeys> keys) {
        for (long seed = 500; seed < 580; seed++) {
            int n = seed % 4 == 3 ? 7 : 4;
            Run run = runSchedule(seed, n, 500, CONFIG, false, PbftCore::new, keys.get());
            boolean ok = heal(run, 300);
            PbftTestCluster c = run.cluster();
            StringBuilder state = new StringBuilder();
            for (int i = 0; i < n; i++) state.append("\n  ").append(c.core(i).describe());
            assertTrue(ok, "seed " + seed + " (" + run.mode() + " member " + run.byzantine() + ") did not settle:" + state + "\nreplay: " + replay(seed, 500));
            assertEquals(List.of(), c.violations(), "seed " + seed);
        }
    }

    /** A deliberately broken PBFT (test code only): quorums of 2f instead of 2f + 1. */
    static PbftCore<Integer> smallQuorumPbft(PbftConfig config, List<Integer> members, Integer self, Outbox<Integer> out, NodeKeys<Integer> keys,
            List<Bytes> persisted) {
        return new PbftCore<>(config, members, self, out, keys, persisted, new PbftBehavior<>() {
            @Override
            public int quorum(int n) {
                return 2 * Quorums.byzantineFaultsTolerated(n);
            }
        });
    }

    // The checker is not blind: the same schedules catch a PBFT whose quorums do not intersect in a correct member.
    @Test
    void theSameSchedulesCatchAPbftWithQuorumsOfTwoF() {
        int caught = 0;
        for (long seed = 0; seed < 200 && caught == 0; seed++) {
            int n = seed % 4 == 3 ? 7 : 4;
            try {
                Run run = runSchedule(seed, n, n == 4 ? 700 : 900, CONFIG, false, PbftDeterminismAndSafetyTest::smallQuorumPbft);
                if (run.cluster().violations().stream().anyMatch(v -> v.startsWith("S1"))) caught++;
            } catch (IllegalStateException divergedCheckpoint) {
                caught++; // a member noticed its history contradicts a certified checkpoint
            }
        }
        assertTrue(caught > 0, "no schedule exposed the broken quorum");
    }
}
