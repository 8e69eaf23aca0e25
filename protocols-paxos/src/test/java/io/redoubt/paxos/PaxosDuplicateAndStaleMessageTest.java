package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestCluster.from;
import static io.redoubt.paxos.PaxosTestCluster.to;
import static io.redoubt.paxos.PaxosTestCluster.type;
import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static io.redoubt.paxos.PaxosTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.testkit.RecordingOutbox.Event;
import io.redoubt.lm.testkit.RecordingOutbox.Persisted;
import io.redoubt.lm.testkit.RecordingOutbox.Rejected;
import io.redoubt.lm.testkit.RecordingOutbox.Sent;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.CatchUpReply;
import io.redoubt.paxos.PaxosMessage.CatchUpRequest;
import io.redoubt.paxos.PaxosMessage.Forward;
import io.redoubt.paxos.PaxosMessage.Heartbeat;
import io.redoubt.paxos.PaxosMessage.HeartbeatAck;
import io.redoubt.paxos.PaxosMessage.Prepare;
import io.redoubt.paxos.PaxosMessage.Promise;
import io.redoubt.paxos.PaxosMessage.Propose;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import io.redoubt.paxos.PaxosMessage.ViewChange;
import io.redoubt.paxos.PaxosTestCluster.Envelope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Group 4: links lose, duplicate and reorder messages (Outbox contract; Lane 2008, section 2.2.1
 * assumes only fair-lossy links), and a core never trusts what a peer sends (OrderingCore contract).
 */
class PaxosDuplicateAndStaleMessageTest {

    private static final PaxosConfig CONFIG = cfg(4, 8);

    private static long count(List<Event> events, Class<?> type) {
        return events.stream().filter(type::isInstance).count();
    }

    // Lamport, Paxos Made Simple, section 2.3 (an acceptor accepts a proposal at most once per
    // ballot); Outbox contract (each slot delivered exactly once per incarnation).
    @Test
    void duplicatedProposeIsAcceptedOnceDeliveredOnceAndAnsweredWithAnotherAccept() {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        c.submit(0, p("x"));
        Envelope propose = c.only(type(Propose.class).and(to(1)));
        c.duplicate(propose);
        int mark = c.out(1).mark();
        c.deliver(propose);
        List<Event> second = c.out(1).since(mark);
        assertEquals(List.of(new Sent<>(0, new Accept(0, 0, 0))), second,
                "a duplicate proposal only re-sends an accept, to the leader");
        assertEquals(1, c.out(1).persistedRecords().stream().filter(r -> r instanceof PaxosRecord.Accepted).count());
        assertEquals(1, c.deliveries(1).size());
        c.deliverAll();
        assertEquals(1, c.deliveries(0).size());
        assertEquals(1, c.deliveries(1).size());
    }

    // Same rule on the path where the duplicate arrives before the slot is decided (5 members).
    @Test
    void duplicatedProposeBeforeDecisionIsAcceptedOnceAndReacknowledged() {
        PaxosTestCluster<Integer> c = startedCluster(5, CONFIG);
        c.submit(0, p("x"));
        Envelope propose = c.only(type(Propose.class).and(to(1)));
        c.duplicate(propose);
        assertEquals(4, c.pending(type(Accept.class).and(from(1))).size(), "first copy: accept broadcast to all");
        int mark = c.out(1).mark();
        c.deliver(propose);
        assertEquals(List.of(new Sent<>(0, new Accept(0, 0, -1))), c.out(1).since(mark),
                "second copy: one accept back to the proposer, nothing persisted again");
        assertNull(c.core(1).decidedValue(0));
        c.deliverAll();
        for (int i = 0; i < 5; i++) assertEquals(1, c.deliveries(i).size(), "member " + i);
    }

    // Lamport, Paxos Made Simple, phase 2: a value is chosen by a majority of distinct acceptors.
    @Test
    void duplicatedAcceptsFromOneMemberDoNotMakeAQuorum() {
        PaxosTestCluster<Integer> c = startedCluster(5, CONFIG);
        assertEquals(3, c.core(0).quorum());
        c.submit(0, p("x"));
        c.deliver(c.only(type(Propose.class).and(to(1))));
        Envelope accept = c.only(type(Accept.class).and(from(1)).and(to(0)));
        c.duplicate(accept);
        c.duplicate(accept);
        c.deliver(accept);
        assertTrue(c.deliveries(0).isEmpty(), "leader + three copies of member 1's accept are 2 distinct members of 5");
        assertNull(c.core(0).decidedValue(0));
        // The same at a learner that has not accepted: member 2 sees member 1's accept twice.
        Envelope toTwo = c.only(type(Accept.class).and(from(1)).and(to(2)));
        c.duplicate(toTwo);
        c.deliver(toTwo);
        assertNull(c.core(2).decidedValue(0));
        // A second distinct acceptor completes the quorum.
        c.deliver(c.only(type(Propose.class).and(to(3))));
        c.deliver(c.only(type(Accept.class).and(from(3)).and(to(0))));
        assertEquals(batch("x"), c.core(0).decidedValue(0));
        assertEquals(1, c.deliveries(0).size());
    }

    // Lamport, Paxos Made Simple, phase 1(b)/2(b): an acceptor ignores proposals and prepares
    // numbered below its promise; here it also tells the stale leader the current view.
    @Test
    void proposeAndPrepareFromAnOlderViewAreRejectedStaleAndAnsweredWithTheCurrentView() {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        c.submit(0, p("x"));
        Envelope delayed = c.only(type(Propose.class).and(to(2)));
        c.deliverWhere(e -> e != delayed && e.to() != 2);
        // Member 2 suspects the leader and moves to view 1 while the proposal is still in flight.
        c.submit(2, p("y"));
        c.dropWhere(type(Forward.class));
        c.fire(2, PaxosCore.PROGRESS);
        c.fire(2, PaxosCore.PROGRESS);
        assertEquals(1L, c.core(2).view());
        int mark = c.out(2).mark();
        c.deliver(delayed);
        List<Event> out = c.out(2).since(mark);
        assertEquals(2, out.size(), out.toString());
        assertInstanceOf(Rejected.class, out.get(0));
        assertEquals(Rejection.STALE_VIEW, ((Rejected<?>) out.get(0)).reason());
        assertEquals(0, ((Rejected<?>) out.get(0)).from());
        assertEquals(new Sent<>(0, new ViewChange(1)), out.get(1));
        assertTrue(c.out(2).persistedRecords().stream().noneMatch(r -> r instanceof PaxosRecord.Accepted a && a.slot() == 0));

        mark = c.out(2).mark();
        c.core(2).onMessage(0, new Prepare(0, 0));
        out = c.out(2).since(mark);
        assertEquals(Rejection.STALE_VIEW, ((Rejected<?>) out.get(0)).reason());
        assertEquals(new Sent<>(0, new ViewChange(1)), out.get(1));
        assertEquals(2, out.size());

        // The stale leader, told of view 1, stops leading.
        c.deliver(c.pending(type(ViewChange.class).and(to(0))).get(0));
        assertEquals(1L, c.core(0).view());
        assertTrue(!c.core(0).isLeader());
    }

    // Lane 2008, section 2.2.1: view v is led by member v mod n; anything else is a protocol violation.
    @Test
    void proposeOrPrepareFromANodeThatDoesNotLeadThatViewIsAProtocolViolation() {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        int mark = c.out(1).mark();
        c.core(1).onMessage(2, new Propose(0, 0, batch("evil"), -1)); // view 0 is led by 0
        c.core(1).onMessage(2, new Prepare(0, 0));
        c.core(1).onMessage(0, new Prepare(2, 0)); // view 2 is led by 2
        c.core(1).onMessage(2, new Heartbeat(0, 5));
        List<Event> out = c.out(1).since(mark);
        assertEquals(4, out.size(), out.toString());
        for (Event e : out) assertEquals(Rejection.PROTOCOL_VIOLATION, ((Rejected<?>) e).reason());
        assertEquals(List.of(2, 2, 0, 2), out.stream().map(e -> ((Rejected<?>) e).from()).toList());
        assertEquals(0L, c.core(1).view(), "no view was adopted");
        assertNull(c.core(1).decidedValue(0));
        // And a message that claims to come from the node itself.
        c.core(1).onMessage(1, new ViewChange(7));
        assertEquals(Rejection.PROTOCOL_VIOLATION, c.out(1).rejections().get(4).reason());
        assertEquals(0L, c.core(1).view());
    }

    // OrderingCore contract: only members take part; outsiders are rejected, typed or as bytes.
    @Test
    void messageFromANonMemberIsRejectedNotAMember() {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        int mark = c.out(1).mark();
        c.core(1).onMessage(7, new Propose(0, 0, batch("x"), -1));
        c.core(1).onMessage(7, new ViewChange(3).encode());
        c.core(1).onMessage(-1, new Prepare(3, 0));
        List<Event> out = c.out(1).since(mark);
        assertEquals(3, out.size(), out.toString());
        for (Event e : out) assertEquals(Rejection.NOT_A_MEMBER, ((Rejected<?>) e).reason());
        assertEquals(List.of(7, 7, -1), out.stream().map(e -> ((Rejected<?>) e).from()).toList());
        assertEquals(0L, c.core(1).view());
    }

    /** One valid message of every type, as a peer could send it. */
    static List<PaxosMessage> sampleMessages() {
        SlotReport r1 = new SlotReport(0, 0, batch("a", "bb"), true);
        SlotReport r2 = new SlotReport(1, 2, batch(), false);
        return List.of(
                new Prepare(3, 1),
                new Promise(3, 0, List.of(r1, r2), true),
                new Propose(3, 2, batch("p1", "p2"), 0),
                new Accept(3, 2, 0),
                new Forward(batch("f1", "f2", "f3")),
                new CatchUpRequest(4),
                new CatchUpReply(1, List.of(r1)),
                new ViewChange(5),
                new Heartbeat(3, 2),
                new HeartbeatAck(3, 2));
    }

    static Stream<Arguments> malformedInputs() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("empty", Bytes.EMPTY));
        out.add(Arguments.of("unknown tag 0", Bytes.wrap(new byte[] {0})));
        out.add(Arguments.of("unknown tag 11", Bytes.wrap(new byte[] {11, 0, 0, 0, 0, 0, 0, 0, 1})));
        out.add(Arguments.of("unknown tag 255", Bytes.wrap(new byte[] {(byte) 255})));
        for (PaxosMessage m : sampleMessages()) {
            byte[] full = m.encode().toArray();
            for (int len = 0; len < full.length; len++) {
                out.add(Arguments.of("truncated " + m.getClass().getSimpleName() + " to " + len + "/" + full.length,
                        Bytes.wrap(Arrays.copyOf(full, len))));
            }
            out.add(Arguments.of("trailing byte after " + m.getClass().getSimpleName(), Bytes.wrap(Arrays.copyOf(full, full.length + 1))));
        }
        // Huge length prefixes: a list count and a byte-string length of 2^31-1 with no data behind.
        out.add(Arguments.of("forward with huge list count",
                new CanonicalWriter().u8(PaxosMessage.TAG_FORWARD).i32(Integer.MAX_VALUE).toBytes()));
        out.add(Arguments.of("propose with huge payload length",
                new CanonicalWriter().u8(PaxosMessage.TAG_PROPOSE).i64(0).i64(0).i32(1).i32(Integer.MAX_VALUE).toBytes()));
        out.add(Arguments.of("propose with negative payload length",
                new CanonicalWriter().u8(PaxosMessage.TAG_PROPOSE).i64(0).i64(0).i32(1).i32(-5).toBytes()));
        out.add(Arguments.of("promise with huge slot-report count",
                new CanonicalWriter().u8(PaxosMessage.TAG_PROMISE).i64(1).i64(-1).i32(Integer.MAX_VALUE).toBytes()));
        out.add(Arguments.of("catch-up reply with huge slot-report count",
                new CanonicalWriter().u8(PaxosMessage.TAG_CATCH_UP_REPLY).i64(-1).i32(0x7fff0000).toBytes()));
        // Values out of range.
        out.add(Arguments.of("negative view", new CanonicalWriter().u8(PaxosMessage.TAG_VIEW_CHANGE).i64(-1).toBytes()));
        out.add(Arguments.of("decidedThrough below -1", new CanonicalWriter().u8(PaxosMessage.TAG_ACCEPT).i64(0).i64(0).i64(-2).toBytes()));
        out.add(Arguments.of("boolean byte 2", new CanonicalWriter().u8(PaxosMessage.TAG_PROMISE).i64(1).i64(-1).i32(0).u8(2).toBytes()));
        out.add(Arguments.of("batch larger than batchPayloadsMax",
                new Propose(0, 0, batch("1", "2", "3", "4", "5", "6", "7", "8", "9"), -1).encode()));
        out.add(Arguments.of("payload larger than payloadBytesMax",
                new Propose(0, 0, List.of(Bytes.wrap(new byte[CONFIG.payloadBytesMax() + 1])), -1).encode()));
        return out.stream();
    }

    // OrderingCore contract: untrusted bytes are validated; bad input is rejected MALFORMED and
    // dropped, never thrown, and changes nothing.
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedInputs")
    void malformedBytesAreRejectedMalformedAndNeverThrow(String name, Bytes bytes) {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        for (int target : new int[] {0, 1}) { // a leader and a follower
            int mark = c.out(target).mark();
            assertDoesNotThrow(() -> c.core(target).onMessage(target == 0 ? 1 : 0, bytes));
            List<Event> out = c.out(target).since(mark);
            assertEquals(1, out.size(), name + ": " + out);
            Rejected<?> r = assertInstanceOf(Rejected.class, out.get(0));
            assertEquals(Rejection.MALFORMED, r.reason(), name);
            assertEquals(target == 0 ? 1 : 0, r.from());
        }
        assertEquals(0L, c.core(1).view());
    }

    // The sample messages themselves are well-formed, so the truncations above are meaningful.
    @Test
    void everySampleMessageRoundTripsThroughTheWire() throws DecodeException {
        for (PaxosMessage m : sampleMessages()) assertEquals(m, PaxosMessage.decode(m.encode(), CONFIG));
        assertThrows(DecodeException.class, () -> PaxosMessage.decode(Bytes.EMPTY, CONFIG));
    }

    // OrderingCore contract, fuzzed: seeded random garbage never throws; whatever does not
    // decode is rejected MALFORMED with no other output.
    @Test
    void randomGarbageNeverThrowsAndUndecodableBytesAreRejectedMalformed() {
        SplittableRandom rnd = new SplittableRandom(20080601L);
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        List<Bytes> valid = sampleMessages().stream().map(PaxosMessage::encode).toList();
        int malformed = 0;
        for (int k = 0; k < 3000; k++) {
            byte[] b;
            if (k % 2 == 0) {
                b = new byte[rnd.nextInt(64)];
                for (int i = 0; i < b.length; i++) b[i] = (byte) rnd.nextInt(256);
            } else { // mutate a valid encoding: flip a byte or cut it
                b = valid.get(rnd.nextInt(valid.size())).toArray();
                if (b.length > 1 && rnd.nextBoolean()) b = Arrays.copyOf(b, rnd.nextInt(b.length));
                else b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
            Bytes bytes = Bytes.wrap(b);
            boolean decodes;
            try {
                PaxosMessage.decode(bytes, CONFIG);
                decodes = true;
            } catch (DecodeException e) {
                decodes = false;
            }
            if (decodes) continue; // a valid message from a member; other tests cover its handling
            malformed++;
            int target = 1 + (k % 2);
            int mark = c.out(target).mark();
            assertDoesNotThrow(() -> c.core(target).onMessage(0, bytes));
            List<Event> out = c.out(target).since(mark);
            assertEquals(1, out.size(), out.toString());
            assertEquals(Rejection.MALFORMED, ((Rejected<?>) out.get(0)).reason());
        }
        assertTrue(malformed > 2000, "the fuzzer mostly produced garbage: " + malformed);
    }

    // Lane 2008, section 2.2.1 (bounded window); a node far behind does not grow its log for
    // a far-future slot, it rejects it OUT_OF_WINDOW and asks for catch-up instead.
    @Test
    void proposeFarBeyondTheWindowIsRejectedOutOfWindowAndTriggersCatchUp() {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG); // window 4: acceptors take slots <= decided + 16
        int mark = c.out(1).mark();
        c.core(1).onMessage(0, new Propose(0, 15, batch("edge"), -1));
        assertTrue(c.out(1).persistedRecords().contains(new PaxosRecord.Accepted(15, 0, batch("edge"))),
                "slot 15 is still inside the acceptor window");
        mark = c.out(1).mark();
        c.core(1).onMessage(0, new Propose(0, 16, batch("far"), -1));
        List<Event> out = c.out(1).since(mark);
        assertEquals(Rejection.OUT_OF_WINDOW, ((Rejected<?>) out.get(0)).reason(), out.toString());
        assertEquals(0, ((Rejected<?>) out.get(0)).from());
        assertEquals(List.of(new CatchUpRequest(0)), RecordingOutbox.messages(out, CatchUpRequest.class));
        assertEquals(0, RecordingOutbox.messages(out, Accept.class).size());
        assertEquals(0, count(out, Persisted.class), "nothing accepted for slot 16");
        assertTrue(c.out(1).isArmed(PaxosCore.RETRANSMIT), "the catch-up request is retried on the retransmit timer");
        // Accepts far beyond the window are refused the same way.
        mark = c.out(1).mark();
        c.core(1).onMessage(2, new Accept(0, 1000, -1));
        assertEquals(List.of(Rejection.OUT_OF_WINDOW), c.out(1).since(mark).stream().map(e -> ((Rejected<?>) e).reason()).toList());
    }

    // OrderingCore.submit / PaxosConfig.payloadBytesMax and pendingPayloadsMax: local input is
    // bounded too; oversize payloads are INVALID_REQUEST, a full queue sheds with OVERLOADED, and
    // a payload already pending is not forwarded a second time.
    @Test
    void submitIsBoundedAndDuplicateSubmitsAreNotForwardedTwice() {
        PaxosConfig small = new PaxosConfig(4, 8, 1 << 20, 16, 2, 40, 2_000, 10, 16); // 16-byte payloads, 2 pending
        PaxosTestCluster<Integer> c = startedCluster(3, small);
        c.submit(1, Bytes.wrap(new byte[17]));
        assertEquals(List.of(Rejection.INVALID_REQUEST), c.out(1).rejectionReasons());
        c.submit(1, p("one"));
        c.submit(1, p("one"));
        assertEquals(1, c.out(1).sentMessages(Forward.class).size(), "the same pending payload is forwarded once");
        c.submit(1, p("two"));
        c.submit(1, p("three"));
        assertEquals(List.of(Rejection.INVALID_REQUEST, Rejection.OVERLOADED), c.out(1).rejectionReasons());
        assertEquals(2, c.core(1).pendingCount());
        c.deliverAll();
        assertEquals(List.of(batch("one"), batch("two")), c.deliveries(0).stream().map(RecordingOutbox.Delivered::payloads).toList());
        assertEquals(0, c.core(1).pendingCount());
    }

    // PaxosCore.onTimer: timers the core does not know (an earlier incarnation's) are ignored.
    @Test
    void unknownTimerIdsAreIgnored() {
        PaxosTestCluster<Integer> c = startedCluster(3, CONFIG);
        int mark = c.out(1).mark();
        c.core(1).onTimer(TimerId.of("bft-view-change"));
        c.core(1).onTimer(new TimerId("paxos-progress", 7));
        assertEquals(List.of(), c.out(1).since(mark));
    }
}
