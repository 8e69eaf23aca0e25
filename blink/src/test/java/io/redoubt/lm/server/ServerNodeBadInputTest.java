package io.redoubt.lm.server;

import io.redoubt.lm.TestEnvelopes;
import static io.redoubt.lm.server.TestNode.ALICE;
import static io.redoubt.lm.server.TestNode.BOB;
import static io.redoubt.lm.server.TestNode.PEER;
import static io.redoubt.lm.server.TestNode.PEER2;
import static io.redoubt.lm.server.TestNode.REMOTE;
import static io.redoubt.lm.server.TestNode.SELF;
import static io.redoubt.lm.server.TestNode.SITE;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.exec.TimeoutNotice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: "a malformed or unauthenticated message is rejected, counted and traced, never
 * thrown out of a core". Every bad input below must be counted in {@link ServerNode#rejections()}
 * under the right reason, reported through {@link ServerIo#rejected}, and never submitted for
 * local ordering. Each case also has a positive control, so a node that silently drops
 * everything would fail too. The cases run with the simulator's signature stand-in and with
 * real Ed25519.
 */
class ServerNodeBadInputTest {
    static final SiteId SITE1 = SiteId.of(1);
    static final SiteId SITE2 = SiteId.of(2);
    static final TimerId TIMER = new TimerId("paxos-progress", 0);

    abstract static class Cases {
        abstract String scheme();

        TestNode node() {
            return new TestNode(scheme());
        }

        /** Exactly {@code n} rejections, all for {@code reason}, counted and reported, and nothing ordered. */
        static void assertOnlyRejected(TestNode t, Rejection reason, int n) {
            assertEquals(Collections.nCopies(n, reason), t.io.reasons(), () -> "reported: " + t.io.rejected);
            assertEquals(n == 0 ? Map.of() : Map.of(reason, (long) n), t.node.rejections(), "counted");
            assertEquals(n, t.node.rejectionCount());
            assertTrue(t.local.submitted.isEmpty(), () -> "submitted for ordering: " + t.local.submitted);
            assertTrue(t.wide.messages.isEmpty() && t.wide.submitted.isEmpty() && t.wide.timersFired.isEmpty(), "reached the wide core");
            for (TestNode.RecordingIo.Rejected r : t.io.rejected) assertTrue(r.detail() != null && !r.detail().isEmpty(), "traced with a reason");
        }

        List<Bytes> validFrames(TestNode t) {
            SignedUpdate u = t.update(ALICE, 1);
            return List.of(
                    new Frame.Local(Bytes.ofUtf8("local protocol message")).encode(),
                    t.wide(SITE1, SITE, Bytes.ofUtf8("wide-area message")).encode(),
                    new Frame.Link(SITE1, SITE, t.wide(SITE1, SITE, Bytes.ofUtf8("logical-link message")).envelope(),
                            new io.redoubt.lm.exec.LinkLeaf(List.of(new io.redoubt.lm.exec.LinkLeaf.Entry(SITE, 1, 0))).encode()).encode(),
                    new Frame.Notice(t.notice(PEER, TIMER, 3)).encode(),
                    t.request(u),
                    new Frame.Reply(ALICE, 1, Bytes.ofUtf8("ok")).encode());
        }

        // ------------------------------------------------------------ malformed bytes

        @Test
        void garbageBytesAreMalformed() {
            TestNode t = node();
            List<Bytes> garbage = List.of(Bytes.EMPTY, Bytes.wrap(new byte[] {(byte) 0xff}), Bytes.ofUtf8("hello, server"),
                    Bytes.wrap(new byte[] {2, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}), Bytes.wrap(new byte[64]));
            for (Bytes g : garbage) {
                assertDoesNotThrow(() -> t.node.onServerFrame(PEER, g));
                assertDoesNotThrow(() -> t.node.onServerFrame(REMOTE, g));
                assertDoesNotThrow(() -> t.node.onClientFrame(ALICE, g));
            }
            assertOnlyRejected(t, Rejection.MALFORMED, 3 * garbage.size());
        }

        @Test
        void everyTruncationOfEveryKindOfFrameIsMalformed() {
            TestNode t = node();
            int n = 0;
            for (Bytes frame : validFrames(t)) {
                for (int len = 0; len < frame.length(); len++) {
                    Bytes prefix = Bytes.wrap(java.util.Arrays.copyOf(frame.unsafeArray(), len));
                    assertDoesNotThrow(() -> t.node.onServerFrame(PEER, prefix));
                    assertDoesNotThrow(() -> t.node.onClientFrame(ALICE, prefix));
                    n += 2;
                }
            }
            assertOnlyRejected(t, Rejection.MALFORMED, n);
        }

        @Test
        void trailingBytesAreMalformed() {
            TestNode t = node();
            List<Bytes> frames = validFrames(t);
            for (Bytes frame : frames) {
                byte[] longer = java.util.Arrays.copyOf(frame.unsafeArray(), frame.length() + 1);
                t.node.onServerFrame(PEER, Bytes.wrap(longer));
            }
            assertOnlyRejected(t, Rejection.MALFORMED, frames.size());
        }

        @Test
        void anUnknownFrameTagIsMalformed() {
            TestNode t = node();
            for (int tag : new int[] {0, 10, 11, 127, 255}) {
                t.node.onServerFrame(PEER, Bytes.wrap(new byte[] {(byte) tag, 0, 0, 0, 0}));
                t.node.onClientFrame(ALICE, Bytes.wrap(new byte[] {(byte) tag}));
            }
            assertOnlyRejected(t, Rejection.MALFORMED, 10);
            assertTrue(t.io.rejected.get(0).detail().contains("tag"), t.io.rejected.get(0).detail());
        }

        @Test
        void aFrameOverTheSizeLimitIsMalformed() {
            TestNode t = node();
            t.node.onServerFrame(PEER, Bytes.wrap(new byte[Frame.FRAME_BYTES_MAX + 1]));
            assertOnlyRejected(t, Rejection.MALFORMED, 1);
        }

        // ------------------------------------------------------------ client requests

        @Test
        void aValidClientRequestIsOrderedAndReachesTheWideCore() {
            TestNode t = node();
            SignedUpdate u = t.update(ALICE, 1);
            t.node.onClientFrame(ALICE, t.request(u));
            assertEquals(List.of(new LmEvent.ClientUpdate(SELF, u).encode()), t.local.submitted);
            assertEquals(List.of(u.encode()), t.wide.submitted);
            assertEquals(Map.of(), t.node.rejections());
        }

        @Test
        void aClientRequestWithABadSignatureIsRejected() {
            TestNode t = node();
            SignedUpdate u = t.update(ALICE, 1);
            SignedUpdate badSig = new SignedUpdate(ALICE, 1, u.operation(), TestNode.flipBit(u.signature(), 5));
            SignedUpdate otherOp = new SignedUpdate(ALICE, 1, t.update(ALICE, 2).operation(), u.signature());
            SignedUpdate otherSeq = new SignedUpdate(ALICE, 2, u.operation(), u.signature());
            SignedUpdate signedByBob = new SignedUpdate(ALICE, 1, u.operation(), t.update(BOB, 1).signature());
            SignedUpdate noSig = new SignedUpdate(ALICE, 1, u.operation(), Bytes.EMPTY);
            for (SignedUpdate bad : List.of(badSig, otherOp, otherSeq, signedByBob, noSig)) t.node.onClientFrame(ALICE, t.request(bad));
            assertOnlyRejected(t, Rejection.BAD_SIGNATURE, 5);
            assertEquals(ALICE, t.io.rejected.get(0).from());
        }

        @Test
        void aClientOfAnotherSiteIsRejected() {
            TestNode t = node();
            ClientId foreign = ClientId.of(1, 0);
            t.node.onClientFrame(foreign, t.request(t.update(foreign, 1)));
            assertOnlyRejected(t, Rejection.INVALID_REQUEST, 1);
        }

        @Test
        void aRequestWhoseUpdateNamesAnotherClientIsRejected() {
            TestNode t = node();
            // Bob relays Alice's properly signed update: the link vouches for Bob, not Alice.
            t.node.onClientFrame(BOB, t.request(t.update(ALICE, 1)));
            assertOnlyRejected(t, Rejection.INVALID_REQUEST, 1);
        }

        @Test
        void aClientMaySendOnlyRequests() {
            TestNode t = node();
            List<Bytes> frames = validFrames(t);
            for (Bytes f : frames) if (!f.equals(t.request(t.update(ALICE, 1)))) t.node.onClientFrame(ALICE, f);
            assertOnlyRejected(t, Rejection.PROTOCOL_VIOLATION, frames.size() - 1);
        }

        @Test
        void aServerMayNotSendClientFrames() {
            TestNode t = node();
            t.node.onServerFrame(PEER, t.request(t.update(ALICE, 1)));
            t.node.onServerFrame(PEER, new Frame.Reply(ALICE, 1, Bytes.ofUtf8("ok")).encode());
            assertOnlyRejected(t, Rejection.PROTOCOL_VIOLATION, 2);
        }

        // ------------------------------------------------------------ wide-area frames

        @Test
        void aProperlySignedWideFrameIsOrderedAndReachesTheWideCore() {
            TestNode t = node();
            Bytes msg = Bytes.ofUtf8("propose 1");
            Frame.Wide f = t.wide(SITE1, SITE, msg);
            t.node.onServerFrame(REMOTE, f.encode());
            assertEquals(List.of(new LmEvent.WideMessage(SITE1, f.envelope()).encode()), t.local.submitted);
            assertEquals(List.of(Map.entry(SITE1, msg)), t.wide.messages);
            assertEquals(Map.of(), t.node.rejections());
        }

        @Test
        void aWideFrameWithABadLmSignatureIsRejectedAndNeverOrdered() {
            TestNode t = node();
            Bytes msg = Bytes.ofUtf8("propose 1");
            Frame.Wide good = t.wide(SITE1, SITE, msg);
            List<Frame.Wide> bad = List.of(
                    new Frame.Wide(SITE1, SITE, TestEnvelopes.withSignatureValue(good.envelope(),
                            TestNode.flipBit(good.envelope().signature().value(), 9))),
                    new Frame.Wide(SITE1, SITE, TestEnvelopes.withMessage(good.envelope(), Bytes.ofUtf8("propose 2"))),
                    new Frame.Wide(SITE1, SITE, t.wide(SITE2, SITE, msg).envelope()), // site 2's signature
                    new Frame.Wide(SITE1, SITE, TestEnvelopes.withSignatureValue(good.envelope(), Bytes.EMPTY)));
            for (Frame.Wide f : bad) t.node.onServerFrame(REMOTE, f.encode());
            assertOnlyRejected(t, Rejection.BAD_SIGNATURE, bad.size());
        }

        @Test
        void aWideFrameAddressedToAnotherSiteIsAProtocolViolation() {
            TestNode t = node();
            t.node.onServerFrame(REMOTE, t.wide(SITE1, SITE2, Bytes.ofUtf8("m")).encode());
            assertOnlyRejected(t, Rejection.PROTOCOL_VIOLATION, 1);
        }

        @Test
        void aWideFrameClaimingToComeFromOurOwnSiteIsAProtocolViolation() {
            TestNode t = node();
            // Even with our own site's valid signature (replayed by a peer of our site).
            t.node.onServerFrame(PEER, t.wide(SITE, SITE, Bytes.ofUtf8("m")).encode());
            t.node.onServerFrame(REMOTE, t.wide(SITE, SITE, Bytes.ofUtf8("m")).encode());
            assertOnlyRejected(t, Rejection.PROTOCOL_VIOLATION, 2);
        }

        @Test
        void aWideFrameFromAServerOutsideItsClaimedSiteIsAProtocolViolation() {
            TestNode t = node();
            t.node.onServerFrame(ServerId.of(2, 0), t.wide(SITE1, SITE, Bytes.ofUtf8("m")).encode());
            assertOnlyRejected(t, Rejection.PROTOCOL_VIOLATION, 1);
        }

        @Test
        void aWideFrameFromAnUnknownSiteIsAProtocolViolation() {
            TestNode t = node();
            SiteId unknown = SiteId.of(7);
            t.node.onServerFrame(ServerId.of(7, 0), t.wide(unknown, SITE, Bytes.ofUtf8("m")).encode());
            assertOnlyRejected(t, Rejection.PROTOCOL_VIOLATION, 1);
        }

        // ------------------------------------------------------------ local frames

        @Test
        void aLocalFrameFromAServerOfAnotherSiteIsNotAMember() {
            TestNode t = node();
            t.node.onServerFrame(REMOTE, new Frame.Local(Bytes.ofUtf8("prepare")).encode());
            assertOnlyRejected(t, Rejection.NOT_A_MEMBER, 1);
            assertTrue(t.local.messages.isEmpty());

            t.node.onServerFrame(PEER, new Frame.Local(Bytes.ofUtf8("prepare")).encode()); // control
            assertEquals(List.of(Map.entry(PEER, Bytes.ofUtf8("prepare"))), t.local.messages);
        }

        // ------------------------------------------------------------ timeout notices

        @Test
        void aTimeoutNoticeWithABadSignatureIsRejected() {
            TestNode t = node();
            TimeoutNotice good = t.notice(PEER, TIMER, 1);
            TimeoutNotice forged = new TimeoutNotice(PEER, TIMER, 1, TestNode.flipBit(good.signature(), 0));
            TimeoutNotice signedByOther = new TimeoutNotice(PEER, TIMER, 1, t.notice(PEER2, TIMER, 1).signature());
            TimeoutNotice otherGeneration = new TimeoutNotice(PEER, TIMER, 2, good.signature());
            for (TimeoutNotice n : List.of(forged, signedByOther, otherGeneration)) t.node.onServerFrame(PEER, new Frame.Notice(n).encode());
            assertOnlyRejected(t, Rejection.BAD_SIGNATURE, 3);
        }

        @Test
        void aTimeoutNoticeRelayedBySomeoneOtherThanItsSignerIsAProtocolViolation() {
            TestNode t = node();
            t.node.onServerFrame(PEER2, new Frame.Notice(t.notice(PEER, TIMER, 1)).encode());
            t.node.onServerFrame(REMOTE, new Frame.Notice(t.notice(PEER, TIMER, 1)).encode());
            assertOnlyRejected(t, Rejection.PROTOCOL_VIOLATION, 2);
        }

        @Test
        void aTimeoutNoticeFromAServerOfAnotherSiteIsNotAMember() {
            TestNode t = node();
            t.node.onServerFrame(REMOTE, new Frame.Notice(t.notice(REMOTE, TIMER, 1)).encode());
            assertOnlyRejected(t, Rejection.NOT_A_MEMBER, 1);
        }

        @Test
        void aForgedNoticeCannotFireAnLmTimeout() {
            TestNode t = node();
            t.wide.out.setTimer(TIMER, 300); // the wide core arms a timer: generation 1
            TimeoutNotice good = t.notice(PEER, TIMER, 1);
            t.node.onServerFrame(PEER, new Frame.Notice(new TimeoutNotice(PEER, TIMER, 1, TestNode.flipBit(good.signature(), 1))).encode());
            assertTrue(t.local.submitted.isEmpty(), "no Timeout event ordered on a forged notice");
            assertTrue(t.wide.timersFired.isEmpty());

            t.node.onServerFrame(PEER, new Frame.Notice(good).encode()); // control: a valid notice is enough in a benign site
            assertEquals(List.of(TIMER), t.wide.timersFired);
        }

        // ------------------------------------------------------------ fuzz

        @Test
        void bitFlippedFramesAreNeverThrownAndNeverLetAnUnauthenticatedInputThrough() {
            TestNode t = node();
            SignedUpdate u = t.update(ALICE, 1);
            Bytes msg = Bytes.ofUtf8("wide-area message");
            Frame.Wide wide = t.wide(SITE1, SITE, msg);
            List<Bytes> frames = List.of(t.request(u), wide.encode(), new Frame.Notice(t.notice(PEER, TIMER, 1)).encode(),
                    new Frame.Local(Bytes.ofUtf8("local")).encode());
            List<ServerId> servers = List.of(PEER, PEER2, REMOTE, ServerId.of(2, 2), ServerId.of(9, 0));
            SplittableRandom random = new SplittableRandom(20081);
            int inputs = 0;
            for (int i = 0; i < 1_500; i++) {
                Bytes original = frames.get(random.nextInt(frames.size()));
                Bytes mutated = original;
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) mutated = TestNode.flipBit(mutated, random.nextInt(mutated.length() * 8));
                if (mutated.equals(original)) continue;
                Bytes input = mutated;
                if (random.nextBoolean()) {
                    ClientId from = random.nextBoolean() ? ALICE : ClientId.of(random.nextInt(3), random.nextInt(3));
                    assertDoesNotThrow(() -> t.node.onClientFrame(from, input));
                } else {
                    ServerId from = servers.get(random.nextInt(servers.size()));
                    assertDoesNotThrow(() -> t.node.onServerFrame(from, input));
                }
                inputs++;
            }
            assertEquals(t.io.rejected.size(), t.node.rejectionCount(), "every rejection is both counted and reported");
            long sum = 0;
            for (long v : t.node.rejections().values()) sum += v;
            assertEquals(sum, t.node.rejectionCount());
            assertTrue(t.node.rejectionCount() > inputs / 2, "most mutations are rejected: " + t.node.rejections());
            // Whatever got through to the wide core must be exactly what its signer signed.
            for (Map.Entry<SiteId, Bytes> m : t.wide.messages) assertEquals(Map.entry(SITE1, msg), m);
            for (Bytes s : t.wide.submitted) assertEquals(u.encode(), s);
            assertTrue(t.wide.timersFired.isEmpty());
        }
    }

    @Nested
    class SimulatedSignatures extends Cases {
        @Override
        String scheme() {
            return "simulated";
        }
    }

    @Nested
    class Ed25519Signatures extends Cases {
        @Override
        String scheme() {
            return "ed25519";
        }
    }

    /** The counts are per reason and cumulative over a node's life, whatever the mix of inputs. */
    @Test
    void rejectionsAreCountedPerReason() {
        TestNode t = new TestNode("simulated");
        t.node.onServerFrame(PEER, Bytes.EMPTY);
        t.node.onServerFrame(PEER, Bytes.EMPTY);
        t.node.onServerFrame(REMOTE, new Frame.Local(Bytes.ofUtf8("x")).encode());
        t.node.onClientFrame(ClientId.of(2, 0), t.request(t.update(ClientId.of(2, 0), 1)));
        t.node.onServerFrame(PEER2, new Frame.Notice(t.notice(PEER, TIMER, 1)).encode());
        assertEquals(Map.of(Rejection.MALFORMED, 2L, Rejection.NOT_A_MEMBER, 1L, Rejection.INVALID_REQUEST, 1L,
                Rejection.PROTOCOL_VIOLATION, 1L), t.node.rejections());
        assertEquals(5, t.node.rejectionCount());
        List<Rejection> reported = new ArrayList<>(t.io.reasons());
        assertEquals(List.of(Rejection.MALFORMED, Rejection.MALFORMED, Rejection.NOT_A_MEMBER, Rejection.INVALID_REQUEST,
                Rejection.PROTOCOL_VIOLATION), reported);
    }
}
