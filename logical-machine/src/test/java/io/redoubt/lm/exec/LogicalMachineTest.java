package io.redoubt.lm.exec;

import io.redoubt.lm.TestEnvelopes;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The logical-machine executor (Lane 2008, section 4.3) driven by hand: ordered batches go in,
 * and a scripted wide-area core shows what the executor handed it and lets the test deliver global
 * order and arm timers. No real protocol runs here.
 */
class LogicalMachineTest {
    static final SiteId SITE = SiteId.of(0);
    static final SiteId OTHER_SITE = SiteId.of(1);
    static final List<SiteId> SITES = List.of(SiteId.of(0), SiteId.of(1), SiteId.of(2));
    static final List<ServerId> SITE_SERVERS = List.of(ServerId.of(0, 0), ServerId.of(0, 1), ServerId.of(0, 2));
    static final ClientId ALICE = ClientId.of(0, 0);
    static final ClientId BOB = ClientId.of(0, 1);
    static final TimerId T = new TimerId("paxos-progress", 0);

    final KeyDirectory keys = new KeyDirectory(SignatureScheme.named("simulated"), Bytes.ofUtf8("lm-test"));

    /** Everything the executor asked of its host, in order. */
    static final class RecordingHost implements LmHost {
        record Executed(long globalSeq, SignedUpdate update, Bytes reply) {}
        record Started(TimerId timer, long generation, long delayMillis) {}
        record Rejected(Object from, Rejection reason, String detail) {}

        final List<Map.Entry<SiteId, Bytes>> sent = new ArrayList<>();
        final List<Started> started = new ArrayList<>();
        final List<TimerId> stopped = new ArrayList<>();
        final List<Executed> executed = new ArrayList<>();
        final List<Map.Entry<SignedUpdate, Bytes>> replies = new ArrayList<>();
        final List<Rejected> rejected = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final List<OrderingRequest.Equivocation> proofs = new ArrayList<>();

        @Override
        public void provenFaulty(OrderingRequest.Equivocation proof) {
            proofs.add(proof);
            calls.add("proven " + proof.server());
        }

        @Override
        public void sendWideBatch(List<LmHost.Outgoing> batch) {
            for (LmHost.Outgoing o : batch) {
                sent.add(Map.entry(o.to(), o.message()));
                calls.add("send " + o.to() + " " + o.message().toHex());
            }
        }

        @Override
        public void startLmTimer(TimerId timer, long generation, long delayMillis) {
            started.add(new Started(timer, generation, delayMillis));
            calls.add("start " + timer + " g" + generation + " " + delayMillis);
        }

        @Override
        public void stopLmTimer(TimerId timer) {
            stopped.add(timer);
            calls.add("stop " + timer);
        }

        @Override
        public void executed(long globalSeq, SignedUpdate update, Bytes reply) {
            executed.add(new Executed(globalSeq, update, reply));
            calls.add("executed " + globalSeq + " " + update + " " + reply.toHex());
        }

        @Override
        public void reply(SignedUpdate update, Bytes reply) {
            replies.add(Map.entry(update, reply));
            calls.add("reply " + update + " " + reply.toHex());
        }

        @Override
        public void rejected(Object from, Rejection reason, String detail) {
            rejected.add(new Rejected(from, reason, detail));
            calls.add("rejected " + from + " " + reason);
        }

        /** What {@link #rechecksOrderedUpdates} answers: false for a deployment with Paxos among sites. */
        boolean rechecks = true;

        @Override
        public boolean rechecksOrderedUpdates() {
            return rechecks;
        }

        List<Rejection> reasons() {
            return rejected.stream().map(Rejected::reason).toList();
        }
    }

    /** One executor with its scripted wide core and host. */
    final class Lm {
        final RecordingHost host = new RecordingHost();
        final ScriptedCore.Factory wideFactory = ScriptedCore.Factory.recording();
        final KeyValueStore app = new KeyValueStore();
        final LogicalMachine lm;
        final ScriptedCore<SiteId> wide;

        Lm() {
            this(1);
        }

        Lm(int noticesNeeded) {
            lm = new LogicalMachine(SITE, SITES, SITE_SERVERS, noticesNeeded, wideFactory, keys, app, host);
            wide = wideFactory.last();
        }

        void execute(LmEvent... events) {
            List<Bytes> batch = new ArrayList<>();
            for (LmEvent e : events) batch.add(e.encode());
            lm.execute(batch);
        }
    }

    SignedUpdate update(ClientId client, long seq, String key, String value) {
        Bytes op = KeyValueStore.put(key, value);
        return new SignedUpdate(client, seq, op, keys.scheme().sign(keys.client(client).privateKey(), SignedUpdate.signedContent(client, seq, op)));
    }

    static SignedUpdate withBadSignature(SignedUpdate u) {
        byte[] sig = u.signature().toArray();
        sig[0] ^= 1;
        return new SignedUpdate(u.client(), u.seq(), u.operation(), Bytes.wrap(sig));
    }

    static LmEvent.ClientUpdate viaUs(SignedUpdate u) {
        return new LmEvent.ClientUpdate(ServerId.of(0, 1), u);
    }

    TimeoutNotice notice(ServerId signer, TimerId timer, long generation) {
        return new TimeoutNotice(signer, timer, generation,
                keys.scheme().sign(keys.server(signer).privateKey(), TimeoutNotice.signedContent(signer, timer, generation)));
    }

    LmEvent.WideMessage wideFrom(SiteId from, Bytes message) {
        return new LmEvent.WideMessage(from, TestEnvelopes.signed(keys, from, message));
    }

    static Encodable raw(Bytes b) {
        return w -> w.raw(b.unsafeArray());
    }

    LmEvent.Requested requested(ServerId server, long seq, SignedUpdate u) {
        return new LmEvent.Requested(OrderingRequest.sign(keys, server, seq, u), u);
    }

    /** A request with {@code real}'s number and signature, naming another update: nobody signed it. */
    static LmEvent.Requested forgedLike(LmEvent.Requested real, SignedUpdate other) {
        OrderingRequest r = real.request();
        return new LmEvent.Requested(new OrderingRequest(r.server(), r.seq(), LogicalMachine.updateDigest(other.encode()), r.signature()), other);
    }

    @Test
    void theWideCoreIsBuiltOverTheSitesAndStartedOnce() {
        Lm m = new Lm();
        assertEquals(SITES, m.wide.members);
        assertEquals(SITE, m.wide.self);
        assertEquals(1, m.wide.starts);
    }

    @Nested
    class ClientUpdates {
        @Test
        void aValidUpdateIsSubmittedAndAppliedOnlyWhenTheWideCoreDeliversIt() {
            Lm m = new Lm();
            SignedUpdate u = update(ALICE, 1, "x", "1");
            m.execute(viaUs(u));

            assertEquals(List.of(u.encode()), m.wide.submitted, "the ordered client update goes to the wide-area core");
            assertTrue(m.host.executed.isEmpty(), "nothing executes before global order");
            assertEquals(0, m.app.size());
            assertEquals(0, m.lm.executedUpdates());

            m.wide.deliver(List.of(u.encode()));

            assertEquals(1, m.lm.executedUpdates());
            assertEquals(1, m.host.executed.size());
            RecordingHost.Executed e = m.host.executed.get(0);
            assertEquals(1, e.globalSeq());
            assertEquals(u, e.update());
            assertEquals(List.of(Map.entry(u, e.reply())), m.host.replies, "the reply goes to the host for the client");
            assertEquals(KeyValueStore.STATUS_OK, assertDoesNotThrow(() -> KeyValueStore.parseReply(e.reply())).getKey());
            Bytes stored = m.app.query(KeyValueStore.get("x"));
            assertEquals(Bytes.ofUtf8("1"), assertDoesNotThrow(() -> KeyValueStore.parseReply(stored)).getValue());
            assertEquals(Map.entry(1L, e.reply()), m.lm.lastReply(ALICE));
            assertTrue(m.host.rejected.isEmpty(), m.host.rejected::toString);
        }

        @Test
        void globalSequenceNumbersCountExecutedUpdatesAcrossSlotsAndClients() {
            Lm m = new Lm();
            SignedUpdate a1 = update(ALICE, 1, "a", "1");
            SignedUpdate b1 = update(BOB, 1, "b", "1");
            SignedUpdate a2 = update(ALICE, 2, "a", "2");
            m.wide.deliver(List.of(a1.encode(), b1.encode()));
            m.wide.deliver(List.of());
            m.wide.deliver(List.of(a2.encode()));
            assertEquals(List.of(1L, 2L, 3L), m.host.executed.stream().map(RecordingHost.Executed::globalSeq).toList());
            assertEquals(List.of(a1, b1, a2), m.host.executed.stream().map(RecordingHost.Executed::update).toList());
        }

        @Test
        void aDuplicateOrderedTwiceIsExecutedOnceAndAnsweredFromTheCache() {
            Lm m = new Lm();
            SignedUpdate u = update(ALICE, 1, "x", "1");
            // A retransmission through another server, ordered before the first copy executed.
            m.execute(viaUs(u), new LmEvent.ClientUpdate(ServerId.of(0, 2), u));
            assertEquals(2, m.wide.submitted.size(), "both copies were ordered locally before either executed");

            m.wide.deliver(List.of(u.encode()));
            m.wide.deliver(List.of(u.encode()));

            assertEquals(1, m.lm.executedUpdates());
            assertEquals(1, m.host.executed.size(), "executed once");
            Bytes reply = m.host.executed.get(0).reply();
            assertEquals(List.of(Map.entry(u, reply), Map.entry(u, reply)), m.host.replies, "the duplicate is answered with the cached reply");
            assertEquals(1, m.app.size());
        }

        @Test
        void aRetransmissionOfAnExecutedUpdateIsAnsweredFromTheCacheWithoutGlobalOrdering() {
            Lm m = new Lm();
            SignedUpdate u = update(ALICE, 1, "x", "1");
            m.execute(viaUs(u));
            m.wide.deliver(List.of(u.encode()));
            Bytes reply = m.host.executed.get(0).reply();
            m.host.replies.clear();

            m.execute(new LmEvent.ClientUpdate(ServerId.of(0, 2), u));

            assertEquals(1, m.wide.submitted.size(), "not submitted to the wide-area core again");
            assertEquals(List.of(Map.entry(u, reply)), m.host.replies);
            assertEquals(1, m.host.executed.size());
        }

        @Test
        void anOlderSequenceNumberIsNeitherOrderedNorExecutedNorAnswered() {
            Lm m = new Lm();
            SignedUpdate u1 = update(ALICE, 1, "x", "1");
            SignedUpdate u2 = update(ALICE, 2, "x", "2");
            m.wide.deliver(List.of(u2.encode()));
            m.host.replies.clear();

            m.execute(viaUs(u1));
            m.wide.deliver(List.of(u1.encode()));

            assertTrue(m.wide.submitted.isEmpty());
            assertEquals(1, m.host.executed.size());
            assertTrue(m.host.replies.isEmpty());
        }

        @Test
        void anUpdateWithABadClientSignatureIsRejectedAndNeverReachesTheWideCore() {
            Lm m = new Lm();
            SignedUpdate forged = withBadSignature(update(ALICE, 1, "x", "1"));
            m.execute(viaUs(forged));
            assertTrue(m.wide.submitted.isEmpty());
            assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons());
            assertEquals(ALICE, m.host.rejected.get(0).from());
            assertEquals(1, m.lm.executedEvents(), "a skipped event still counts as executed");
        }

        // With Paxos among sites every logical machine is correct (section 4.2) and the one that
        // ordered an update first checked its signature: the others do not pay that check again.
        // (A forged signature stands in here for "not checked": nothing correct proposes one.)
        @Test
        void whereNoSiteMayBeFaultyAGloballyOrderedUpdateIsNotCheckedAgain() {
            Lm m = new Lm();
            m.host.rechecks = false;
            SignedUpdate unchecked = withBadSignature(update(BOB, 1, "y", "1"));
            m.wide.deliver(List.of(unchecked.encode()));
            assertEquals(1, m.lm.executedUpdates());
            assertTrue(m.host.rejected.isEmpty(), m.host.rejected::toString);

            // Handed in at this site, an update is still checked before it is ordered among sites.
            m.execute(viaUs(withBadSignature(update(ALICE, 1, "x", "1"))));
            assertTrue(m.wide.submitted.isEmpty());
            assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons());
        }

        @Test
        void aCoreThatOrdersOnlyAdmittedUpdatesHasThemCheckedBeforeOrderingAndNotAgainOnDelivery() {
            Lm m = new Lm();
            m.wide.onlyAdmitted = true;
            SignedUpdate good = update(ALICE, 1, "x", "1");
            SignedUpdate forged = withBadSignature(update(BOB, 1, "y", "1"));
            // What a checker site's core asks before it prepares (PbftCore#checksBeforePreparing).
            assertTrue(m.wide.out.admits(good.encode()));
            assertFalse(m.wide.out.admits(forged.encode()), "a bad client signature is not admitted");
            assertFalse(m.wide.out.admits(Bytes.ofUtf8("not an update")), "nor is garbage");
            // Delivered, an update comes with the core's word that a correct checker admitted it, so
            // nothing is checked again: even one this test slips past the checkers executes.
            m.wide.deliver(List.of(good.encode(), forged.encode()));
            assertEquals(2, m.lm.executedUpdates(), "not checked on delivery");
            assertTrue(m.host.rejected.isEmpty(), m.host.rejected::toString);

            // With Paxos among sites (benign sites) nothing needs admitting: the ordering site checked it.
            Lm benign = new Lm();
            benign.host.rechecks = false;
            assertTrue(benign.wide.out.admits(forged.encode()));
            assertEquals(List.of(), benign.lm.updatesToAdmit(SiteId.of(1), Bytes.ofUtf8("anything")));
        }

        @Test
        void aGloballyOrderedUpdateWithABadSignatureIsSkippedIdenticallyEverywhere() {
            Lm a = new Lm();
            Lm b = new Lm();
            SignedUpdate good = update(ALICE, 1, "x", "1");
            SignedUpdate forged = withBadSignature(update(BOB, 1, "y", "1"));
            for (Lm m : List.of(a, b)) {
                m.wide.deliver(List.of(forged.encode(), good.encode()));
                assertEquals(1, m.lm.executedUpdates(), "the forged update is skipped, the good one executes");
                assertEquals(List.of(good), m.host.executed.stream().map(RecordingHost.Executed::update).toList());
                assertEquals(1, m.host.executed.get(0).globalSeq(), "a skipped update does not use up a global sequence number");
                assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons());
                assertNull(m.lm.lastReply(BOB));
            }
            assertEquals(a.host.calls, b.host.calls);
            assertEquals(a.app.snapshot(), b.app.snapshot());
        }

        @Test
        void aMalformedGloballyOrderedPayloadIsRejectedNotThrown() {
            Lm m = new Lm();
            SignedUpdate good = update(ALICE, 1, "x", "1");
            assertDoesNotThrow(() -> m.wide.deliver(List.of(Bytes.ofUtf8("garbage"), good.encode())));
            assertEquals(List.of(Rejection.MALFORMED), m.host.reasons());
            assertEquals(1, m.lm.executedUpdates());
        }

        @Test
        void aClientUpdateHandedInByAServerOfAnotherSiteIsRejected() {
            Lm m = new Lm();
            m.execute(new LmEvent.ClientUpdate(ServerId.of(1, 0), update(ALICE, 1, "x", "1")));
            assertTrue(m.wide.submitted.isEmpty());
            assertEquals(List.of(Rejection.INVALID_REQUEST), m.host.reasons());
        }

        // CLink-Opt (section 4.5): a server of another site sends its client's update to the leader
        // site, whose own server hands it in; the client's signature alone vouches for it.
        @Test
        void aClientOfAnotherSiteHandedInByOurServerIsSubmittedIfItsSignatureHolds() {
            Lm m = new Lm();
            SignedUpdate foreign = update(ClientId.of(1, 0), 1, "x", "1");
            m.execute(new LmEvent.ClientUpdate(ServerId.of(0, 1), foreign));
            assertEquals(List.of(foreign.encode()), m.wide.submitted);
            SignedUpdate forged = new SignedUpdate(foreign.client(), 2, foreign.operation(), foreign.signature());
            m.execute(new LmEvent.ClientUpdate(ServerId.of(0, 1), forged));
            assertEquals(1, m.wide.submitted.size(), "an update whose signature does not hold is not submitted");
            assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons());
        }
    }

    /** CLink-Order's Ordering_Requests as the executor keeps them (section 4.5). */
    @Nested
    class OrderingRequests {
        final ServerId s1 = ServerId.of(0, 1);

        @Test
        void aRequestExecutesItsUpdateAsIfItsServerHadHandedItIn() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1");
            m.execute(requested(s1, 1, u));
            assertEquals(List.of(u.encode()), m.wide.submitted);
            assertTrue(m.host.rejected.isEmpty(), m.host.rejected::toString);
            assertTrue(m.host.proofs.isEmpty());
        }

        @Test
        void twoRequestsOfOneServerWithOneNumberAndDifferentUpdatesProveItCorrupt() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2");
            m.execute(requested(s1, 7, u), requested(s1, 7, v));

            assertEquals(1, m.host.proofs.size(), m.host.calls::toString);
            OrderingRequest.Equivocation proof = m.host.proofs.get(0);
            assertEquals(s1, proof.server());
            assertTrue(proof.holds(keys), "anyone with the public keys can check the proof");
            assertTrue(m.lm.isProvenFaulty(s1));
            assertEquals(java.util.Set.of(s1), m.lm.provenFaulty().keySet());
            assertEquals(List.of(u.encode()), m.wide.submitted, "the update of the request that completes the proof is refused with it");

            // From now on the server's requests are refused, and their updates wait for another server.
            SignedUpdate w = update(ALICE, 2, "x", "3");
            m.execute(requested(s1, 8, w));
            assertEquals(1, m.wide.submitted.size());
            assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), m.host.reasons());
            assertEquals(1, m.host.proofs.size(), "proven once");
            m.execute(requested(ServerId.of(0, 2), 1, w));
            assertEquals(2, m.wide.submitted.size(), "the same update through a correct server");
        }

        @Test
        void aForgedRequestNeverFramesTheServerWhoseNumberItReuses() {
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2");
            LmEvent.Requested real = requested(s1, 7, u);
            LmEvent.Requested forged = forgedLike(real, v);
            for (List<LmEvent> order : List.<List<LmEvent>>of(List.of(real, forged), List.of(forged, real))) {
                Lm m = new Lm(2);
                m.execute(order.toArray(LmEvent[]::new));
                m.execute(real); // and again: the genuine request stands
                assertTrue(m.host.proofs.isEmpty(), "no proof against " + s1 + " from " + order);
                assertTrue(!m.lm.isProvenFaulty(s1));
                assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons(), "the forged one is refused as evidence");
            }
        }

        @Test
        void aForgeryInBetweenDoesNotHideARealEquivocation() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2"), w = update(ALICE, 2, "x", "3");
            LmEvent.Requested first = requested(s1, 7, u);
            m.execute(forgedLike(first, v), first, requested(s1, 7, w));
            assertEquals(1, m.host.proofs.size());
            assertEquals(first.request(), m.host.proofs.get(0).first(), "the proof holds the genuine pair");
            assertTrue(m.host.proofs.get(0).holds(keys));
        }

        @Test
        void theSameRequestTwiceProvesNothing() {
            Lm m = new Lm(2);
            LmEvent.Requested r = requested(s1, 3, update(ALICE, 1, "x", "1"));
            m.execute(r, r);
            assertTrue(m.host.proofs.isEmpty());
            assertTrue(m.host.rejected.isEmpty(), m.host.rejected::toString);
        }

        @Test
        void aRequestNamingAnotherUpdateThanItCarriesIsRefused() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2");
            LmEvent.Requested r = requested(s1, 3, u);
            m.execute(new LmEvent.Requested(r.request(), v));
            assertEquals(List.of(Rejection.MALFORMED), m.host.reasons());
            assertTrue(m.wide.submitted.isEmpty());
        }

        @Test
        void aRequestOfAServerOfAnotherSiteIsRefused() {
            Lm m = new Lm(2);
            m.execute(requested(ServerId.of(1, 0), 1, update(ALICE, 1, "x", "1")));
            assertEquals(List.of(Rejection.NOT_A_MEMBER), m.host.reasons());
            assertTrue(m.wide.submitted.isEmpty());
        }

        @Test
        void numbersBelowAFullWindowAreRefusedSoNoServerCanMoveItsWindowAndEquivocateBelow() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2");
            List<LmEvent> many = new ArrayList<>();
            for (long seq = 1; seq <= OrderingRequest.WINDOW + 1; seq++) many.add(requested(s1, seq, u));
            m.execute(many.toArray(LmEvent[]::new));
            int submitted = m.wide.submitted.size();
            m.execute(requested(s1, 1, v)); // number 1 left the window when number WINDOW + 1 came
            assertEquals(List.of(Rejection.OUT_OF_WINDOW), m.host.reasons());
            assertEquals(submitted, m.wide.submitted.size(), "refused: its update waits for another server");
            m.execute(requested(s1, 2, v)); // number 2 is still in it
            assertEquals(1, m.host.proofs.size());
        }

        @Test
        void aForgedRequestFarAheadCannotMoveACorrectServersWindow() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2");
            m.execute(requested(s1, 1, u));
            // A faulty leader orders forgeries in s1's name far ahead of its numbers, to push them below the window.
            LmEvent.Requested real = requested(s1, 2, u);
            List<LmEvent> junk = new ArrayList<>();
            for (long k = 0; k <= OrderingRequest.WINDOW; k++) {
                OrderingRequest r = real.request();
                junk.add(new LmEvent.Requested(new OrderingRequest(s1, (1L << 40) + k, r.updateDigest(), r.signature()), u));
            }
            m.execute(junk.toArray(LmEvent[]::new));
            assertTrue(m.host.reasons().stream().allMatch(r -> r == Rejection.BAD_SIGNATURE), m.host.reasons()::toString);
            m.host.rejected.clear();
            // s1 goes on with its own numbers, and they are still compared.
            m.execute(requested(s1, 2, u), requested(s1, 2, v));
            assertEquals(1, m.host.proofs.size(), "s1's own equivocation is still caught");
            assertTrue(m.host.rejected.isEmpty(), m.host.rejected::toString);
        }

        @Test
        void forgeriesOneNumberAtATimeCannotWalkACorrectServersWindowPastIt() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2"), w = update(ALICE, 2, "x", "3");
            m.execute(requested(s1, 1, u));
            // A faulty member hands in forgeries in s1's name, each one above the last, to push
            // s1's window past the numbers s1 will use.
            OrderingRequest any = requested(s1, 1, u).request();
            List<LmEvent> walk = new ArrayList<>();
            for (long k = 2; k <= 2L * OrderingRequest.WINDOW + 1; k++) {
                walk.add(new LmEvent.Requested(new OrderingRequest(s1, k, any.updateDigest(), any.signature()), u));
            }
            m.execute(walk.toArray(LmEvent[]::new));
            assertTrue(m.host.reasons().contains(Rejection.BAD_SIGNATURE), "past half a window ahead of s1's checked numbers, they are checked");
            m.host.rejected.clear();
            int submitted = m.wide.submitted.size();
            m.execute(requested(s1, 2, v)); // s1's own next request
            assertEquals(submitted + 1, m.wide.submitted.size(), "executed, not refused as below the window");
            assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons(), "the forgery it met is named");
            m.execute(requested(s1, 2, w));
            assertEquals(1, m.host.proofs.size(), "and s1's own equivocation is still caught");
        }

        @Test
        void whereOrderingRequestsAreRequiredAPlainClientUpdateIsRefused() {
            Lm m = new Lm(2);
            m.lm.requireOrderingRequests();
            m.execute(viaUs(update(ALICE, 1, "x", "1")));
            assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), m.host.reasons());
            assertTrue(m.wide.submitted.isEmpty());
            m.execute(requested(s1, 1, update(ALICE, 1, "x", "1")));
            assertEquals(1, m.wide.submitted.size());
        }

        @Test
        void aServerProvenFaultyCanHandNoUpdateInAtAll() {
            Lm m = new Lm(2);
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2"), w = update(ALICE, 2, "x", "3");
            m.execute(requested(s1, 7, u), requested(s1, 7, v));
            assertTrue(m.lm.isProvenFaulty(s1));
            int submitted = m.wide.submitted.size();
            m.execute(new LmEvent.ClientUpdate(s1, w));
            assertEquals(submitted, m.wide.submitted.size());
            assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), m.host.reasons());
        }

        @Test
        void machinesThatExecutedTheSameRequestsAgreeAndAProofChangesTheState() {
            SignedUpdate u = update(ALICE, 1, "x", "1"), v = update(BOB, 1, "y", "2");
            Lm a = new Lm(2), b = new Lm(2), c = new Lm(2);
            a.execute(requested(s1, 7, u));
            b.execute(requested(s1, 7, u));
            c.execute(requested(s1, 8, u));
            assertEquals(a.lm.stateDigest(), b.lm.stateDigest());
            assertTrue(!a.lm.stateDigest().equals(c.lm.stateDigest()), "the request's number is state");
            a.execute(requested(s1, 7, v));
            b.execute(requested(ServerId.of(0, 2), 7, v));
            assertTrue(!a.lm.stateDigest().equals(b.lm.stateDigest()), "a proof is state");
        }
    }

    @Nested
    class OrderedEvents {
        @Test
        void aMalformedEventIsSkippedButStillAdvancesTheExecutedEventCountAndDigest() {
            Lm m = new Lm();
            Bytes before = m.lm.stateDigest();
            assertDoesNotThrow(() -> m.lm.execute(List.of(Bytes.EMPTY, Bytes.wrap(new byte[] {9, 9, 9}), Bytes.wrap(new byte[] {1}))));
            assertEquals(3, m.lm.executedEvents());
            assertEquals(List.of(Rejection.MALFORMED, Rejection.MALFORMED, Rejection.MALFORMED), m.host.reasons());
            assertNotEquals(before, m.lm.stateDigest());
            assertTrue(m.wide.submitted.isEmpty() && m.wide.messages.isEmpty() && m.wide.timersFired.isEmpty());
        }

        @Test
        void aValidlySignedWideMessageReachesTheWideCoreFromItsSite() {
            Lm m = new Lm();
            Bytes msg = Bytes.ofUtf8("accept 7");
            m.execute(wideFrom(OTHER_SITE, msg));
            assertEquals(List.of(Map.entry(OTHER_SITE, msg)), m.wide.messages);
            assertTrue(m.host.rejected.isEmpty());
        }

        @Test
        void aWideMessageWithABadSiteSignatureIsRejected() {
            Lm m = new Lm();
            Bytes msg = Bytes.ofUtf8("accept 7");
            LmEvent.WideMessage good = wideFrom(OTHER_SITE, msg);
            // Signed by site 2 but claiming to come from site 1.
            LmEvent.WideMessage wrongSigner = new LmEvent.WideMessage(OTHER_SITE, wideFrom(SiteId.of(2), msg).envelope());
            // Signature over another message.
            LmEvent.WideMessage otherContent = new LmEvent.WideMessage(OTHER_SITE,
                    TestEnvelopes.withMessage(good.envelope(), Bytes.ofUtf8("accept 8")));
            m.execute(wrongSigner, otherContent, new LmEvent.WideMessage(OTHER_SITE,
                    TestEnvelopes.withSignatureValue(good.envelope(), Bytes.EMPTY)));
            assertTrue(m.wide.messages.isEmpty());
            assertEquals(List.of(Rejection.BAD_SIGNATURE, Rejection.BAD_SIGNATURE, Rejection.BAD_SIGNATURE), m.host.reasons());
        }

        @Test
        void aWideMessageClaimingToComeFromOurOwnSiteIsAProtocolViolation() {
            Lm m = new Lm();
            m.execute(wideFrom(SITE, Bytes.ofUtf8("propose")));
            assertTrue(m.wide.messages.isEmpty());
            assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), m.host.reasons());
        }

        // Lane 2008, section 4.6: the messages produced by executing one ordered batch leave
        // together, so that one LM signature over their Merkle root covers them all.
        @Test
        void wideCoreSendsGoToTheHostTogetherWhenTheirBatchEnds() {
            Lm m = new Lm();
            m.wide.out.send(SiteId.of(2), raw(Bytes.ofUtf8("propose")));
            m.wide.out.send(SiteId.of(3), raw(Bytes.ofUtf8("propose")));
            assertEquals(List.of(), m.host.sent, "nothing leaves in the middle of a batch");
            m.execute(viaUs(update(ALICE, 1, "x", "1"))); // the batch those sends belong to ends
            assertEquals(List.of(Map.entry(SiteId.of(2), Bytes.ofUtf8("propose")), Map.entry(SiteId.of(3), Bytes.ofUtf8("propose"))),
                    m.host.sent);
        }
    }

    @Nested
    class StateDigest {
        List<List<Bytes>> batches() {
            SignedUpdate a = update(ALICE, 1, "x", "1");
            SignedUpdate b = update(BOB, 1, "y", "2");
            return List.of(
                    List.of(viaUs(a).encode(), wideFrom(OTHER_SITE, Bytes.ofUtf8("m1")).encode()),
                    List.of(),
                    List.of(viaUs(b).encode(), Bytes.ofUtf8("junk"), viaUs(withBadSignature(a)).encode()));
        }

        @Test
        void twoMachinesFedTheSameBatchesHoldTheSameDigestAtEveryStep() {
            Lm a = new Lm();
            Lm b = new Lm();
            assertEquals(a.lm.stateDigest(), b.lm.stateDigest());
            for (List<Bytes> batch : batches()) {
                a.lm.execute(batch);
                b.lm.execute(batch);
                assertEquals(a.lm.executedEvents(), b.lm.executedEvents());
                assertEquals(a.lm.stateDigest(), b.lm.stateDigest());
                assertEquals(a.lm.executionDigest(), b.lm.executionDigest());
            }
            assertEquals(5, a.lm.executedEvents());
            assertEquals(a.host.calls, b.host.calls, "same events, same effects");
            assertEquals(a.wide.submitted, b.wide.submitted);
            assertEquals(a.wide.messages, b.wide.messages);
        }

        @Test
        void differentBatchesGiveDifferentDigests() {
            Lm a = new Lm();
            Lm b = new Lm();
            List<List<Bytes>> batches = batches();
            a.lm.execute(batches.get(0));
            b.lm.execute(batches.get(2));
            assertNotEquals(a.lm.stateDigest(), b.lm.stateDigest());
        }

        @Test
        void theDigestDependsOnTheOrderOfEvents() {
            Lm a = new Lm();
            Lm b = new Lm();
            Bytes e1 = viaUs(update(ALICE, 1, "x", "1")).encode();
            Bytes e2 = viaUs(update(BOB, 1, "y", "1")).encode();
            a.lm.execute(List.of(e1, e2));
            b.lm.execute(List.of(e2, e1));
            assertEquals(a.lm.executedEvents(), b.lm.executedEvents());
            assertNotEquals(a.lm.stateDigest(), b.lm.stateDigest());
        }

        @Test
        void theExecutionDigestMovesWithEveryBatchAndDependsOnTheOrderOfEvents() {
            Lm a = new Lm();
            Lm b = new Lm();
            Bytes e1 = viaUs(update(ALICE, 1, "x", "1")).encode();
            Bytes e2 = viaUs(update(BOB, 1, "y", "1")).encode();
            Bytes before = a.lm.executionDigest();
            a.lm.execute(List.of(e1));
            assertNotEquals(before, a.lm.executionDigest());
            a.lm.execute(List.of(e2));
            b.lm.execute(List.of(e2));
            b.lm.execute(List.of(e1));
            assertNotEquals(a.lm.executionDigest(), b.lm.executionDigest());
        }

        /**
         * Seed 7162 of the 10,000-seed swarm: a Paxos site fills a hole with an empty slot after a
         * view change; one server compared its digest between the slot before and the empty one,
         * another only after both. Same event count, so the digests must agree.
         */
        @Test
        void anEmptyBatchLeavesTheExecutionDigestWhereItWas() {
            Lm a = new Lm();
            Lm b = new Lm();
            Bytes e1 = viaUs(update(ALICE, 1, "x", "1")).encode();
            Bytes e2 = viaUs(update(BOB, 1, "y", "1")).encode();
            a.lm.execute(List.of(e1));
            b.lm.execute(List.of(e1));
            Bytes afterE1 = a.lm.executionDigest();
            a.lm.execute(List.of());
            assertEquals(1, a.lm.executedEvents());
            assertEquals(afterE1, a.lm.executionDigest(), "no events executed, nothing done");
            a.lm.execute(List.of(e2));
            b.lm.execute(List.of(e2));
            assertEquals(b.lm.executionDigest(), a.lm.executionDigest());
        }

        @Test
        void aReplyTheNextOneOverwritesStaysInTheExecutionDigest() {
            ScriptedCore.Factory instant = ScriptedCore.Factory.instant();
            LogicalMachine a = new LogicalMachine(SITE, SITES, SITE_SERVERS, 1, instant, keys, new KeyValueStore(), new RecordingHost());
            KeyValueStore odd = new KeyValueStore();
            LogicalMachine b = new LogicalMachine(SITE, SITES, SITE_SERVERS, 1, instant, keys, odd, new RecordingHost());
            odd.apply(KeyValueStore.put("x", "0")); // b alone: its first reply differs
            for (LogicalMachine m : List.of(a, b)) m.execute(List.of(viaUs(update(ALICE, 1, "x", "1")).encode()));
            assertNotEquals(a.executionDigest(), b.executionDigest());
            for (LogicalMachine m : List.of(a, b)) m.execute(List.of(viaUs(update(ALICE, 2, "x", "2")).encode()));
            // Same application state and same last reply for Alice: the whole state agrees again.
            assertEquals(a.stateDigest(), b.stateDigest());
            assertNotEquals(a.executionDigest(), b.executionDigest());
        }

        @Test
        void batchBoundariesDoNotMatterOnlyTheEventSequenceDoes() {
            Lm a = new Lm();
            Lm b = new Lm();
            Bytes e1 = viaUs(update(ALICE, 1, "x", "1")).encode();
            Bytes e2 = viaUs(update(BOB, 1, "y", "1")).encode();
            a.lm.execute(List.of(e1, e2));
            b.lm.execute(List.of(e1));
            b.lm.execute(List.of(e2));
            assertEquals(a.lm.stateDigest(), b.lm.stateDigest());
        }
    }

    /** LM timeouts (section 4.3): a wide-area timer fires only through an ordered, proven Timeout event. */
    @Nested
    class Timeouts {
        long arm(Lm m, TimerId timer, long delayMillis) {
            m.wide.out.setTimer(timer, delayMillis);
            RecordingHost.Started s = m.host.started.get(m.host.started.size() - 1);
            assertEquals(timer, s.timer());
            assertEquals(delayMillis, s.delayMillis());
            return s.generation();
        }

        @Test
        void settingAWideTimerStartsAnLmTimerWithAFreshGeneration() {
            Lm m = new Lm();
            long g1 = arm(m, T, 300);
            long g2 = arm(m, new TimerId("paxos-retransmit", 0), 100);
            long g3 = arm(m, T, 600);
            assertTrue(g1 >= 1);
            assertTrue(g2 > g1 && g3 > g2, "generations grow: " + g1 + ", " + g2 + ", " + g3);
            assertEquals(new LogicalMachine.ActiveTimer(g3, 600), m.lm.activeTimers().get(T));
            assertTrue(m.wide.timersFired.isEmpty(), "arming never fires");
        }

        @Test
        void aTimeoutWithTheRightGenerationAndAValidNoticeFiresTheWideTimerExactlyOnce() {
            Lm m = new Lm();
            long g = arm(m, T, 300);
            LmEvent.Timeout timeout = new LmEvent.Timeout(T, g, List.of(notice(ServerId.of(0, 2), T, g)));

            m.execute(timeout);
            assertEquals(List.of(T), m.wide.timersFired);
            assertEquals(List.of(T), m.host.stopped, "the LM timer stops once its timeout executed");
            assertNull(m.lm.activeTimers().get(T));

            m.execute(timeout); // ordered twice (e.g. submitted by two leaders in turn)
            assertEquals(List.of(T), m.wide.timersFired, "fires exactly once");
            assertTrue(m.host.rejected.isEmpty(), m.host.rejected::toString);
        }

        @Test
        void aStaleGenerationDoesNotFire() {
            Lm m = new Lm();
            long old = arm(m, T, 300);
            long current = arm(m, T, 300); // re-armed: the old expiry no longer counts
            m.execute(new LmEvent.Timeout(T, old, List.of(notice(ServerId.of(0, 1), T, old))));
            assertTrue(m.wide.timersFired.isEmpty());

            m.execute(new LmEvent.Timeout(T, current, List.of(notice(ServerId.of(0, 1), T, current))));
            assertEquals(List.of(T), m.wide.timersFired);
        }

        @Test
        void aTimeoutOfACancelledTimerDoesNotFire() {
            Lm m = new Lm();
            long g = arm(m, T, 300);
            m.wide.out.cancelTimer(T);
            assertEquals(List.of(T), m.host.stopped);
            m.execute(new LmEvent.Timeout(T, g, List.of(notice(ServerId.of(0, 1), T, g))));
            assertTrue(m.wide.timersFired.isEmpty());
        }

        @Test
        void aTimeoutForATimerThatWasNeverArmedDoesNotFire() {
            Lm m = new Lm();
            m.execute(new LmEvent.Timeout(T, 1, List.of(notice(ServerId.of(0, 1), T, 1))));
            assertTrue(m.wide.timersFired.isEmpty());
        }

        @Test
        void aNoticeFromAServerOfAnotherSiteDoesNotCount() {
            Lm m = new Lm();
            long g = arm(m, T, 300);
            m.execute(new LmEvent.Timeout(T, g, List.of(notice(ServerId.of(1, 0), T, g))));
            assertTrue(m.wide.timersFired.isEmpty());
            assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons());
            assertNotNull(m.lm.activeTimers().get(T), "the timer stays armed");
        }

        @Test
        void aNoticeFromAnIndexOutsideTheSiteDoesNotCount() {
            Lm m = new Lm();
            long g = arm(m, T, 300);
            m.execute(new LmEvent.Timeout(T, g, List.of(notice(ServerId.of(0, 3), T, g))));
            assertTrue(m.wide.timersFired.isEmpty());
        }

        @Test
        void aNoticeWithABadSignatureOrForAnotherTimerOrGenerationDoesNotCount() {
            Lm m = new Lm();
            long g = arm(m, T, 300);
            TimeoutNotice good = notice(ServerId.of(0, 1), T, g);
            byte[] sig = good.signature().toArray();
            sig[3] ^= 0x40;
            TimeoutNotice badSig = new TimeoutNotice(good.signer(), T, g, Bytes.wrap(sig));
            TimeoutNotice otherTimer = notice(ServerId.of(0, 1), new TimerId("paxos-retransmit", 0), g);
            TimeoutNotice otherGeneration = notice(ServerId.of(0, 1), T, g + 1);
            // Signed by 0.2 but claiming 0.1.
            TimeoutNotice impostor = new TimeoutNotice(ServerId.of(0, 1), T, g, notice(ServerId.of(0, 2), T, g).signature());
            for (TimeoutNotice n : List.of(badSig, otherTimer, otherGeneration, impostor)) {
                m.execute(new LmEvent.Timeout(T, g, List.of(n)));
                assertTrue(m.wide.timersFired.isEmpty(), "fired on " + n);
            }
            m.execute(new LmEvent.Timeout(T, g, List.of(good)));
            assertEquals(List.of(T), m.wide.timersFired);
        }

        @Test
        void tooFewNoticesDoNotFireWhenTwoAreNeeded() {
            Lm m = new Lm(2);
            long g = arm(m, T, 300);
            m.execute(new LmEvent.Timeout(T, g, List.of(notice(ServerId.of(0, 1), T, g))));
            m.execute(new LmEvent.Timeout(T, g, List.of()));
            assertTrue(m.wide.timersFired.isEmpty());
            m.execute(new LmEvent.Timeout(T, g, List.of(notice(ServerId.of(0, 1), T, g), notice(ServerId.of(0, 2), T, g))));
            assertEquals(List.of(T), m.wide.timersFired);
        }

        @Test
        void theSameSignerTwiceCountsOnce() {
            Lm m = new Lm(2);
            long g = arm(m, T, 300);
            TimeoutNotice n = notice(ServerId.of(0, 1), T, g);
            m.execute(new LmEvent.Timeout(T, g, List.of(n, n)));
            assertTrue(m.wide.timersFired.isEmpty());
            assertEquals(List.of(Rejection.BAD_SIGNATURE), m.host.reasons());
        }

        @Test
        void noticesNeededMustFitTheSite() {
            ScriptedCore.Factory f = ScriptedCore.Factory.recording();
            RecordingHost h = new RecordingHost();
            KeyValueStore app = new KeyValueStore();
            assertThrows(IllegalArgumentException.class, () -> new LogicalMachine(SITE, SITES, SITE_SERVERS, 0, f, keys, app, h));
            assertThrows(IllegalArgumentException.class, () -> new LogicalMachine(SITE, SITES, SITE_SERVERS, 4, f, keys, app, h));
        }

        @Test
        void timeoutEventsAdvanceTheDigestIdenticallyOnEveryServer() {
            Lm a = new Lm();
            Lm b = new Lm();
            for (Lm m : List.of(a, b)) {
                long g = arm(m, T, 300);
                m.execute(new LmEvent.Timeout(T, g, List.of(notice(ServerId.of(0, 0), T, g))));
            }
            assertEquals(a.lm.stateDigest(), b.lm.stateDigest());
            assertEquals(a.host.calls, b.host.calls);
            assertEquals(a.wide.timersFired, b.wide.timersFired);
        }
    }

    @Test
    void theLmSignatureCoversTheSendingSite() {
        // A signature of one site over a batch root can never pass as another site's.
        Bytes root = io.redoubt.lm.crypto.merkle.MerkleBatch.of(List.of(Bytes.ofUtf8("x"))).root();
        assertNotEquals(io.redoubt.lm.crypto.merkle.LmSignatureScheme.rootContent(SiteId.of(1), root),
                io.redoubt.lm.crypto.merkle.LmSignatureScheme.rootContent(SiteId.of(2), root));
    }
}
