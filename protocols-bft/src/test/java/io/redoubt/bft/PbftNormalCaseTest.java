package io.redoubt.bft;

import static io.redoubt.bft.PbftTestCluster.from;
import static io.redoubt.bft.PbftTestCluster.to;
import static io.redoubt.bft.PbftTestCluster.type;
import static io.redoubt.bft.PbftTestSupport.assertPersistBeforeSend;
import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.Forward;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftTestCluster.Envelope;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Ed25519Scheme;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.Persisted;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Group 1: the normal case of PBFT (Castro and Liskov, OSDI '99, section 4.2; Lane 2008, section 2.2.2, Figure 2.2). */
class PbftNormalCaseTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4);

    private static int indexOf(List<Event> events, java.util.function.Predicate<Event> p) {
        for (int i = 0; i < events.size(); i++) if (p.test(events.get(i))) return i;
        return -1;
    }

    // Batching under load: with one slot in flight, what arrives meanwhile leaves together in the
    // next pre-prepare once that slot is delivered, instead of one instance per payload.
    @Test
    void payloadsArrivingWhileTheInFlightBoundIsReachedLeaveInOneBatch() {
        PbftTestCluster c = startedCluster(4, CONFIG.withInFlightSlotsMax(1));
        c.submit(0, p("first"));
        for (int k = 0; k < 3; k++) c.submit(0, p("queued-" + k));
        List<PrePrepare> proposed = c.out(0).sentMessages(PrePrepare.class);
        assertEquals(1, proposed.stream().map(PrePrepare::sequence).distinct().count(), "only one slot in flight");
        c.deliverAll();
        for (int i = 0; i < 4; i++) {
            assertEquals(Map.of(0L, batch("first"), 1L, batch("queued-0", "queued-1", "queued-2")), c.deliveredLog(i), "member " + i);
        }
        assertEquals(List.of(), c.violations());
    }

    // Adaptive batching (issue 16): a payload alone goes out at once in any free slot, as a lone
    // client's events do, but once a proposal found several payloads waiting the primary is under
    // load and keeps one proposal in flight, so what arrives meanwhile leaves together.
    @Test
    void afterAProposalOfSeveralPayloadsThePrimaryHoldsTheNextOnesUntilItIsDelivered() {
        PbftTestCluster c = startedCluster(4, CONFIG.withInFlightSlotsMax(4));
        for (int k = 0; k < 4; k++) c.submit(0, p("alone-" + k));
        assertEquals(4, c.out(0).sentMessages(PrePrepare.class).stream().map(PrePrepare::sequence).distinct().count(), "each alone, at once");
        c.submit(0, p("a"));
        c.submit(0, p("b")); // four slots in flight: both wait
        c.deliverWhere(e -> !(e.message() instanceof PrePrepare pp && pp.sequence() == 4)); // slot 4 (a, b) stays in flight
        c.submit(0, p("c"));
        c.submit(0, p("d"));
        assertEquals(5, c.out(0).sentMessages(PrePrepare.class).stream().map(PrePrepare::sequence).distinct().count(),
                "under load c and d wait for slot 4, though three slots are free");
        c.deliverAll();
        for (int i = 0; i < 4; i++) {
            assertEquals(Map.of(0L, batch("alone-0"), 1L, batch("alone-1"), 2L, batch("alone-2"), 3L, batch("alone-3"), 4L, batch("a", "b"),
                    5L, batch("c", "d")), c.deliveredLog(i), "member " + i);
        }
        assertEquals(List.of(), c.violations());
    }

    // Lane 2008, section 4.6: events that arrive at about the same time share one ordering. With a
    // batch delay the primary waits for company from the first payload it could propose; the
    // expiry sends what waits in one pre-prepare, and a full batch does not wait.
    @Test
    void withABatchDelayThePrimaryWaitsForCompanyUnlessTheBatchIsFull() {
        PbftTestCluster c = startedCluster(4, CONFIG.withBatchPayloadsMax(3).withBatchDelayMillis(2));
        c.submit(0, p("a"));
        c.submit(0, p("b"));
        assertEquals(0, proposals(c), "a and b wait for company");
        assertTrue(c.armed(0, PbftCore.BATCH));
        c.fire(0, PbftCore.BATCH);
        assertEquals(1, proposals(c));
        c.deliverAll();
        c.submit(0, p("c"));
        c.submit(0, p("d"));
        c.submit(0, p("e")); // three payloads fill a batch: it leaves without the timer
        assertEquals(2, proposals(c));
        c.deliverAll();
        c.submit(0, p("f"));
        c.fire(0, PbftCore.BATCH);
        c.deliverAll();
        for (int i = 0; i < 4; i++) {
            assertEquals(Map.of(0L, batch("a", "b"), 1L, batch("c", "d", "e"), 2L, batch("f")), c.deliveredLog(i), "member " + i);
        }
        assertEquals(List.of(), c.violations());
    }

    private static long proposals(PbftTestCluster c) {
        return c.out(0).sentMessages(PrePrepare.class).stream().map(PrePrepare::sequence).distinct().count();
    }

    // Among sites (issue 16): once payloads queue behind the proposal in flight, each proposal waits
    // for company from its first payload; a wait that finds none ends the load, and a lone payload
    // then leaves at once again.
    @Test
    void withALoadBatchDelayOnlyLoadMakesThePrimaryWait() {
        PbftTestCluster c = startedCluster(4, CONFIG.withInFlightSlotsMax(1).withLoadBatchDelayMillis(5));
        c.submit(0, p("a"));
        assertEquals(1, proposals(c), "alone, at once");
        assertFalse(c.armed(0, PbftCore.BATCH));
        c.submit(0, p("b")); // waits behind a: load
        c.deliverAll();
        assertEquals(1, proposals(c), "after a is delivered, b waits for company");
        c.submit(0, p("c"));
        c.fire(0, PbftCore.BATCH);
        assertEquals(2, proposals(c));
        c.deliverAll();
        c.submit(0, p("d"));
        assertEquals(2, proposals(c), "still under load: d waits");
        c.fire(0, PbftCore.BATCH);
        c.deliverAll();
        c.submit(0, p("e"));
        assertEquals(4, proposals(c), "d's wait found no company: e leaves at once");
        c.deliverAll();
        for (int i = 0; i < 4; i++) {
            assertEquals(Map.of(0L, batch("a"), 1L, batch("b", "c"), 2L, batch("d"), 3L, batch("e")), c.deliveredLog(i), "member " + i);
        }
        assertEquals(List.of(), c.violations());
    }

    // The wait for company ends as soon as as many payloads wait as the last proposal carried (the
    // clients it answered are back), and its timer is cancelled: no LM timeout among sites.
    @Test
    void aWaitForCompanyEndsOnceAsManyWaitAsTheLastProposalCarried() {
        PbftTestCluster c = startedCluster(4, CONFIG.withInFlightSlotsMax(1).withLoadBatchDelayMillis(5));
        c.submit(0, p("a"));
        c.submit(0, p("b")); // waits behind a: load
        c.deliverAll();
        c.submit(0, p("c"));
        c.fire(0, PbftCore.BATCH); // b and c: the last proposal carried 2
        c.deliverAll();
        c.submit(0, p("d"));
        assertEquals(2, proposals(c), "one of two: d waits");
        assertTrue(c.armed(0, PbftCore.BATCH));
        c.submit(0, p("e"));
        assertEquals(3, proposals(c), "two of two: d and e leave at once");
        assertFalse(c.armed(0, PbftCore.BATCH), "and the timer is cancelled");
        c.deliverAll();
        for (int i = 0; i < 4; i++) {
            assertEquals(Map.of(0L, batch("a"), 1L, batch("b", "c"), 2L, batch("d", "e")), c.deliveredLog(i), "member " + i);
        }
        assertEquals(List.of(), c.violations());
    }

    // A timer of a primary that lost its view proposes nothing, and the new primary waits afresh.
    @Test
    void aBatchTimerThatExpiresAfterAViewChangeProposesNothingAtTheFormerPrimary() {
        PbftTestCluster c = startedCluster(4, CONFIG.withBatchDelayMillis(2));
        c.submit(0, p("x"));
        assertTrue(c.armed(0, PbftCore.BATCH));
        c.deliverAll(); // the backups hear of x; the primary holds it
        for (int r = 0; r < 3 && c.core(1).view() == 0; r++) { // they suspect the primary
            for (int i = 1; i < 4; i++) if (c.armed(i, PbftCore.REQUEST)) c.fire(i, PbftCore.REQUEST);
            c.deliverAll();
        }
        assertEquals(1, c.core(1).view(), "the backups moved on without the batch");
        c.fire(0, PbftCore.BATCH);
        assertEquals(0, c.out(0).sentMessages(PrePrepare.class).stream().filter(pp -> pp.view() == 0).count());
        for (int k = 0; k < 3 && c.deliveredLog(1).isEmpty(); k++) {
            if (c.armed(1, PbftCore.BATCH)) c.fire(1, PbftCore.BATCH);
            c.deliverAll();
        }
        for (int i = 0; i < 4; i++) assertEquals(Map.of(0L, batch("x")), c.deliveredLog(i), "member " + i);
        assertEquals(List.of(), c.violations());
    }

    // Lane 2008, section 2.2.2: "the leader assigns a sequence number to a client update and
    // proposes this assignment ... Pre-prepare"; every replica executes the same batch at the same slot.
    @Test
    void payloadsSubmittedAtThePrimaryAndAtABackupAreDeliveredInTheSameSlotsEverywhere() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        assertTrue(c.core(0).isLeader());
        c.submit(0, p("at-primary"));
        c.deliverAll();
        c.submit(2, p("at-backup"));
        c.deliverAll();
        for (int i = 0; i < 4; i++) {
            assertEquals(Map.of(0L, batch("at-primary"), 1L, batch("at-backup")), c.deliveredLog(i), "member " + i);
            assertEquals(0, c.core(i).pendingCount());
        }
        assertEquals(List.of(), c.violations());
        assertPersistBeforeSend(c);
    }

    // Castro and Liskov, section 4.2: prepared = pre-prepare + 2f prepares from distinct backups;
    // committed-local = prepared + 2f + 1 commits. A backup with only quorum - 1 commits waits.
    @Test
    void aBackupDoesNotCommitWithOnlyQuorumMinusOneCommitsAndDuplicatesDoNotCount() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(0, p("x"));
        c.deliverWhere(type(Forward.class));
        c.deliverWhere(type(PrePrepare.class));
        c.deliverWhere(type(Prepare.class));
        // Every member is prepared and has sent its commit; member 3 hears only member 1's commit.
        c.dropWhere(type(Commit.class).and(to(3)).and(from(1).negate()));
        Envelope one = c.only(type(Commit.class).and(to(3)));
        c.duplicate(one);
        c.duplicate(one);
        c.deliver(one);
        assertEquals(-1, c.core(3).deliveredThrough(), "own commit + one other = 2 < quorum 3, however often repeated");
        // A duplicated prepare does not make an unprepared member prepared either.
        c.deliverWhere(to(3).negate());
        for (int i = 0; i < 3; i++) assertEquals(0, c.core(i).deliveredThrough(), "member " + i);
        // Member 3 retransmits its own votes once they are a whole period old (the first expiry
        // after sending them resends nothing); members that finished the slot answer with their commits.
        int before = c.out(3).mark();
        c.fire(3, PbftCore.RETRANSMIT);
        assertEquals(List.of(), RecordingOutbox.messages(c.out(3).since(before), Commit.class), "a commit sent in this period is not resent yet");
        c.fire(3, PbftCore.RETRANSMIT);
        assertEquals(3, RecordingOutbox.messages(c.out(3).since(before), Commit.class).size(), "a period later it is, to the 3 others");
        c.deliverWhere(to(3).negate());
        c.deliverWhere(type(Commit.class).and(to(3)));
        assertEquals(0, c.core(3).deliveredThrough());
        assertEquals(List.of(), c.violations());
    }

    /** The period set by the last arming of the retransmission timer. */
    private static long lastRetransmitDelay(PbftTestCluster c, int i) {
        List<Event> events = c.out(i).events();
        for (int k = events.size() - 1; k >= 0; k--) {
            if (events.get(k) instanceof io.redoubt.lm.testkit.RecordingOutbox.TimerSet t && t.id().equals(PbftCore.RETRANSMIT)) return t.delayMillis();
        }
        throw new AssertionError("retransmission timer never armed");
    }

    // Among sites every retransmission tick is an LM timeout; under steady load nearly every one
    // finds nothing a whole period old. The period stretches while slots keep being delivered and
    // nothing needs resending, up to retransmit-max, and is back at the first tick that resends.
    @Test
    void theRetransmissionPeriodStretchesUnderSteadyProgressAndSnapsBackWhenSomethingIsResent() {
        PbftTestCluster c = startedCluster(4, CONFIG.withInFlightSlotsMax(1).withRetransmitMaxMillis(40)); // base 10 ms
        long[] expected = {20, 40, 40};
        for (int k = 0; k < expected.length; k++) {
            c.submit(0, p("steady-" + k));
            c.deliverAll(); // delivered everywhere: progress
            c.submit(0, p("in-flight-" + k)); // a fresh slot, sent during this period
            c.fire(0, PbftCore.RETRANSMIT);
            assertEquals(expected[k], lastRetransmitDelay(c, 0), "tick " + k);
            c.deliverAll();
        }
        // A slot stuck for a whole period: no progress, its pre-prepare is resent, the period is the base again.
        c.submit(0, p("stuck"));
        c.dropWhere(to(0).negate());
        c.fire(0, PbftCore.RETRANSMIT); // progress since the last tick (the slot before), and "stuck" is young
        int before = c.out(0).mark();
        c.dropWhere(to(0).negate());
        c.fire(0, PbftCore.RETRANSMIT);
        assertEquals(3, RecordingOutbox.messages(c.out(0).since(before), PrePrepare.class).size(), "the stuck slot's pre-prepare resent to the 3 backups");
        assertEquals(10, lastRetransmitDelay(c, 0), "back to the base period");
        c.deliverAll();
        assertEquals(List.of(), c.violations());

        // Inside a site the period stays fixed (retransmit-max = retransmit): a tick there costs nothing.
        PbftTestCluster fixed = startedCluster(4, CONFIG.withInFlightSlotsMax(1));
        fixed.submit(0, p("a"));
        fixed.deliverAll();
        fixed.submit(0, p("b"));
        fixed.fire(0, PbftCore.RETRANSMIT);
        assertEquals(10, lastRetransmitDelay(fixed, 0));
    }

    @Test
    void aDuplicatedPrepareFromOneBackupDoesNotPrepareAndAPreparedSlotIsRecordedOnce() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(0, p("x"));
        c.deliverWhere(type(Forward.class));
        c.deliver(c.only(type(PrePrepare.class).and(to(3))));
        c.dropWhere(type(PrePrepare.class).or(type(Prepare.class)));
        assertEquals(0, c.out(3).sentMessages(Commit.class).size());
        // With n = 4 a backup needs the prepares of 2 distinct backups: its own and one more.
        Prepare fromTwo = c.keys.sign(2, new Prepare(0, 0, PbftMessage.batchDigest(batch("x")), 2, Bytes.EMPTY));
        Prepare fromThree = c.keys.sign(3, new Prepare(0, 0, PbftMessage.batchDigest(batch("x")), 3, Bytes.EMPTY));
        c.core(3).onMessage(2, fromTwo);
        c.core(3).onMessage(2, fromTwo);
        c.core(3).onMessage(2, fromTwo);
        assertEquals(3, c.out(3).sentMessages(Commit.class).size(), "one commit to each of the 3 peers");
        assertEquals(1, c.out(3).persistedRecords().stream().filter(r -> r instanceof PbftRecord.Prepared).count());
        // A primary's own prepare would not count (the primary does not prepare), nor would its own member's echoed back.
        c.core(1).onMessage(2, fromTwo);
        c.core(1).onMessage(3, fromThree);
        assertEquals(0, c.out(1).sentMessages(Commit.class).size(), "member 1 never accepted the pre-prepare, so it is not prepared");
    }

    // Every message is signed by its sender (the brief's requirement; certificates must be checkable
    // by third parties). A prepare or a commit is checked when it would complete a quorum (issue 16):
    // then a bad one is rejected, and its vote does not count.
    @Test
    void messagesWithBadSignaturesOrForeignSignersAreRejected() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        Bytes d = PbftMessage.batchDigest(batch("x"));
        Prepare honest = c.keys.sign(3, new Prepare(0, 0, d, 3, Bytes.EMPTY));
        c.core(1).onMessage(2, honest); // 3's genuine prepare, but sent by 2
        c.core(1).onMessage(7, honest); // not a member
        assertEquals(List.of(Rejection.BAD_SIGNATURE, Rejection.NOT_A_MEMBER), c.out(1).rejectionReasons());

        c.submit(0, p("x"));
        c.deliverWhere(e -> e.message() instanceof PrePrepare && e.to() == 1); // member 1 accepts and prepares
        c.core(1).onMessage(2, c.keys.sign(3, new Prepare(0, 0, d, 2, Bytes.EMPTY))); // claims 2, signed by 3
        c.core(1).onMessage(3, honest.withSignature(Bytes.ofUtf8("not a signature")));
        assertEquals(List.of(Rejection.BAD_SIGNATURE, Rejection.NOT_A_MEMBER, Rejection.BAD_SIGNATURE, Rejection.BAD_SIGNATURE),
                c.out(1).rejectionReasons(), "each was checked when it would have completed the quorum");
        assertEquals(0, c.out(1).sentMessages(Commit.class).size(), "bad prepares do not prepare member 1");
        c.core(1).onMessage(3, honest);
        assertEquals(3, c.out(1).sentMessages(Commit.class).size(), "3's place was free again for its genuine prepare");
    }

    // Forwards with MAC authenticators (issue 16): one MAC per member instead of a signature, each
    // member checking its own entry; a bad MAC is refused, commits stay signed.
    @Test
    void forwardsWithMacAuthenticatorsAreCheckedByTheirOwnEntry() {
        PbftTestCluster c = new PbftTestCluster(4, CONFIG, PbftCore::new, Map.of(), TestKeys.macForwards());
        c.startAll();
        c.deliverAll();
        c.submit(2, p("x"));
        List<Forward> sent = c.pending(e -> e.message() instanceof Forward).stream().map(e -> (Forward) e.message()).toList();
        assertEquals(3, sent.size(), "to every member");
        for (Forward f : sent) assertEquals(4 * NodeKeys.MAC_BYTES, f.signature().length(), "an authenticator, not a signature");
        byte[] bad = sent.get(0).signature().toArray();
        bad[0] ^= 1; // member 0's entry
        c.core(0).onMessage(2, sent.get(0).withSignature(Bytes.wrap(bad)));
        assertEquals(List.of(Rejection.BAD_SIGNATURE), c.out(0).rejectionReasons());
        assertEquals(0, c.core(0).pendingCount(), "the primary did not take x from a bad forward");
        c.deliverAll();
        for (int i = 0; i < 4; i++) assertEquals(Map.of(0L, batch("x")), c.deliveredLog(i), "member " + i);
        assertEquals(32, c.out(1).sentMessages(Commit.class).get(0).signature().length(), "commits are signed (the simulated scheme's 32 bytes)");
        assertEquals(List.of(), c.violations());
    }

    // Persist before send (Outbox contract; Castro and Liskov, TOCS 2002, section 4: a replica must
    // not forget what it accepted or prepared once others may have heard of it).
    @Test
    void acceptedIsPersistedBeforeThePrepareAndPreparedBeforeTheCommit() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(0, p("x"));
        List<Event> primary = c.out(0).events();
        int acc = indexOf(primary, e -> e instanceof Persisted pr && pr.record() instanceof PbftRecord.Accepted);
        int pp = indexOf(primary, e -> e instanceof Sent<?> s && s.message() instanceof PrePrepare);
        assertTrue(acc >= 0 && acc < pp, "the primary records its pre-prepare before sending it: " + primary);
        c.deliverWhere(type(Forward.class).or(type(PrePrepare.class)));
        List<Event> backup = c.out(1).events();
        int accB = indexOf(backup, e -> e instanceof Persisted pr && pr.record() instanceof PbftRecord.Accepted);
        int prepB = indexOf(backup, e -> e instanceof Sent<?> s && s.message() instanceof Prepare);
        assertTrue(accB >= 0 && accB < prepB, backup.toString());
        c.deliverWhere(type(Prepare.class));
        backup = c.out(1).events();
        int prepared = indexOf(backup, e -> e instanceof Persisted pr && pr.record() instanceof PbftRecord.Prepared);
        int commit = indexOf(backup, e -> e instanceof Sent<?> s && s.message() instanceof Commit);
        assertTrue(prepared >= 0 && prepared < commit, backup.toString());
        c.deliverAll();
        int committed = indexOf(c.out(1).events(), e -> e instanceof Persisted pr && pr.record() instanceof PbftRecord.Committed);
        int delivered = indexOf(c.out(1).events(), e -> e instanceof RecordingOutbox.Delivered);
        assertTrue(committed >= 0 && committed < delivered);
        assertPersistBeforeSend(c);
    }

    // Castro and Liskov, section 4.2: pre-prepares are accepted only between the watermarks h and H = h + L.
    @Test
    void preparesAndPrePreparesOutsideTheWindowAreRejectedAndThePrimaryStopsAtTheHighWatermark() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        List<Bytes> b = batch("far");
        PrePrepare far = c.keys.sign(0, new PrePrepare(0, 8, PbftMessage.batchDigest(b), 0, b, Bytes.EMPTY)); // window is (-1, 7]
        c.core(1).onMessage(0, far);
        assertEquals(List.of(Rejection.OUT_OF_WINDOW), c.out(1).rejectionReasons());
        // The primary assigns at most windowSlots slots before a checkpoint is stable.
        for (int k = 0; k < 40; k++) c.submit(0, p("w" + k));
        List<PrePrepare> sent = c.out(0).sentMessages(PrePrepare.class);
        assertEquals(8, sent.stream().mapToLong(PrePrepare::sequence).distinct().count(), "slots 0..7 only");
        assertTrue(sent.stream().allMatch(m -> m.batch().size() == 1), "submitted one by one with free slots: one per batch");
        c.deliverAll();
        // Checkpoints at 3 and 7 become stable, the window moves, and the rest is batched (4 per batch).
        for (int i = 0; i < 4; i++) assertEquals(8 + 7, c.core(i).deliveredThrough(), c.core(i).describe());
        assertEquals(15, c.core(1).stableCheckpoint());
        assertTrue(c.deliveries(1).get(14).payloads().size() >= 1);
        assertEquals(List.of(), c.violations());
    }

    // Stale views are refused (PBFT: a replica accepts normal-case messages only of its view).
    @Test
    void messagesOfOlderViewsAreRejectedAsStale() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(1, p("a"));
        c.fire(1, PbftCore.REQUEST);
        c.fire(1, PbftCore.REQUEST); // with the forwards still in flight, member 1 suspects the primary
        assertEquals(1, c.core(1).view());
        Bytes d = PbftMessage.batchDigest(batch("a"));
        c.core(1).onMessage(2, c.keys.sign(2, new Prepare(0, 0, d, 2, Bytes.EMPTY)));
        assertEquals(List.of(Rejection.STALE_VIEW), c.out(1).rejectionReasons());
    }

    // The factory builds cores over any member type with the production signature scheme.
    @Test
    void factoryBuiltCoresWithEd25519KeysOrderOverServerIds() {
        KeyDirectory dir = new KeyDirectory(Ed25519Scheme.INSTANCE, Bytes.ofUtf8("pbft-factory-test"));
        PbftFactory factory = new PbftFactory(CONFIG, NodeKeys.fromDirectory(dir));
        assertEquals("pbft", factory.protocolName());
        List<ServerId> servers = List.of(ServerId.of(1, 0), ServerId.of(1, 1), ServerId.of(1, 2), ServerId.of(1, 3));
        Deque<Object[]> net = new ArrayDeque<>();
        Map<ServerId, List<List<Bytes>>> delivered = new TreeMap<>();
        Map<ServerId, OrderingCore<ServerId>> cores = new TreeMap<>();
        for (ServerId s : servers) {
            delivered.put(s, new ArrayList<>());
            Outbox<ServerId> out = new Outbox<>() {
                public void send(ServerId to, Encodable m) { net.add(new Object[] {s, to, m.encode()}); }
                public void setTimer(TimerId id, long d) { }
                public void cancelTimer(TimerId id) { }
                public void persist(Encodable r) { }
                public void deliver(long slot, List<Bytes> b) { delivered.get(s).add(b); }
                public void reject(ServerId from, Rejection r, String d) { throw new AssertionError(r + " " + d); }
            };
            cores.put(s, factory.create(servers, s, out, List.of()));
        }
        cores.values().forEach(OrderingCore::start);
        cores.get(servers.get(2)).submit(p("signed-with-ed25519"));
        while (!net.isEmpty()) {
            Object[] e = net.poll();
            cores.get((ServerId) e[1]).onMessage((ServerId) e[0], (Bytes) e[2]);
        }
        for (ServerId s : servers) assertEquals(List.of(batch("signed-with-ed25519")), delivered.get(s), s.toString());
    }

    /**
     * Votes are resent only once a retransmission period old, so a slot that commits within one
     * is never resent: a member that lost its pre-prepare gets it from the primary when the slot
     * commits without a word from that member, and not otherwise.
     */
    @Test
    void aSlotThatCommitsWithoutAMemberSendsItThePrePrepareAndOnlyThen() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(0, p("x"));
        c.deliverWhere(type(Forward.class));
        c.dropWhere(type(PrePrepare.class).and(to(3)));
        c.deliverWhere(to(3).negate());
        assertEquals(0, c.core(0).deliveredThrough(), "members 0, 1 and 2 are a quorum");
        assertEquals(2, c.out(0).sentTo(3, PrePrepare.class).size(), "the primary sent member 3 its pre-prepare again when the slot committed");
        c.deliverAll();
        assertEquals(0, c.core(3).deliveredThrough());

        c.submit(0, p("y"));
        c.deliverAll();
        assertEquals(1, c.core(3).deliveredThrough());
        assertEquals(3, c.out(0).sentTo(3, PrePrepare.class).size(), "with every member's prepare in, one pre-prepare each");
        assertEquals(List.of(), c.violations());
    }

    /**
     * A commit comes from the member it names (the core refuses any other), so it counts towards
     * committing unchecked, as with PBFT's MACs; its signature matters only to a third member and
     * is checked when the commit would be relayed in a certificate, which then leaves it out.
     */
    @Test
    void aCommitCountsUncheckedFromItsSenderAndIsRelayedOnlyIfItsSignatureHolds() {
        PbftTestCluster c = startedCluster(4, CONFIG);
        c.submit(0, p("x"));
        c.deliverWhere(type(Forward.class));
        c.deliverWhere(type(PrePrepare.class).or(type(Prepare.class)));
        Commit fromOne = (Commit) c.only(type(Commit.class).and(from(1)).and(to(3))).message();
        c.dropWhere(type(Commit.class).and(to(3)));
        byte[] spoiled = fromOne.signature().toArray();
        spoiled[0] ^= 1;
        c.core(3).onMessage(1, fromOne.withSignature(Bytes.wrap(spoiled)));
        c.core(3).onMessage(2, (PbftMessage) c.out(2).sentTo(3, Commit.class).get(0));
        assertEquals(0, c.core(3).deliveredThrough(), "its own, member 1's and member 2's commits: a quorum");
        assertTrue(c.out(3).events().stream().noneMatch(e -> e instanceof io.redoubt.lm.testkit.RecordingOutbox.Rejected<?>),
                "nothing was checked, so nothing was refused");
        c.core(3).onMessage(0, (PbftMessage) c.out(0).sentTo(3, Commit.class).get(0)); // late: kept with the certificate
        List<Commit> certificate = c.core(3).log.history.get(0L).commits();
        List<Commit> relayed = c.core(3).certs.relayableCommits(certificate);
        assertEquals(List.of(2, 3, 0), relayed.stream().map(Commit::replica).toList(), "member 1's spoiled commit is left out when relayed; the late one from member 0 stands in");
    }
}
