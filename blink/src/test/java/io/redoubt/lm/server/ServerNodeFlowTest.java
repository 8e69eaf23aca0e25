package io.redoubt.lm.server;

import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import static io.redoubt.lm.server.TestNode.ALICE;
import static io.redoubt.lm.server.TestNode.PEER;
import static io.redoubt.lm.server.TestNode.PEER2;
import static io.redoubt.lm.server.TestNode.SELF;
import static io.redoubt.lm.server.TestNode.SITE;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.LogicalMachine;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.exec.TimeoutNotice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The good paths through a {@link ServerNode}, as the positive counterpart of
 * {@link ServerNodeBadInputTest}: a client update goes through local order to the wide core and
 * back as a reply; wide-area messages leave signed by the site, from the forwarder only; an LM
 * timer fires the wide core's timer only after its expiry was ordered (section 4.3).
 */
class ServerNodeFlowTest {
    static final TimerId TIMER = new TimerId("paxos-progress", 0);
    static final ServerTimer LM_TIMER = new ServerTimer.LmTimeout(new TimerId("paxos-progress", 0));

    static Frame decode(Bytes b) {
        return assertDoesNotThrow(() -> Frame.decode(b));
    }

    @Test
    void aClientUpdateIsExecutedAndAnsweredAndARetransmissionIsAnsweredFromTheCache() {
        TestNode t = new TestNode("ed25519");
        SignedUpdate u = t.update(ALICE, 1);
        t.node.onClientFrame(ALICE, t.request(u));
        assertEquals(List.of(u.encode()), t.wide.submitted);
        assertTrue(t.io.toClients.isEmpty(), "no reply before global order");

        t.wide.deliver(List.of(u.encode()));
        assertEquals(List.of(u), t.io.executed);
        assertEquals(1, t.io.toClients.size());
        Frame.Reply reply = assertInstanceOf(Frame.Reply.class, decode(t.io.toClients.get(0).getValue()));
        assertEquals(ALICE, t.io.toClients.get(0).getKey());
        assertEquals(ALICE, reply.client());
        assertEquals(1, reply.seq());

        int submittedBefore = t.local.submitted.size();
        t.node.onClientFrame(ALICE, t.request(u));
        assertEquals(submittedBefore, t.local.submitted.size(), "an executed update is never ordered again");
        assertEquals(2, t.io.toClients.size());
        assertEquals(t.io.toClients.get(0), t.io.toClients.get(1), "the same reply, from the cache");
        assertEquals(List.of(u), t.io.executed);
    }

    /**
     * Ends a batch the scripted wide core's sends belong to: one ordered event that does nothing
     * (an expiry of a timer nobody armed). An empty batch would not do: it executes no event, so
     * it is no batch end at all (LogicalMachine#execute).
     */
    private static void endBatch(TestNode t) {
        t.node.logicalMachine().execute(List.of(new io.redoubt.lm.exec.LmEvent.Timeout(io.redoubt.lm.core.TimerId.of("unarmed"), 1, List.of()).encode()));
    }

    @Test
    void wideMessagesLeaveSignedByTheSiteFromTheForwarderAndRetransmissionsRotateForwarderAndPeer() {
        TestNode t = new TestNode("ed25519");
        SiteId to = SiteId.of(1);
        Bytes msg = Bytes.ofUtf8("propose 1");
        Bytes other = Bytes.ofUtf8("propose 0");
        t.wide.out.send(to, w -> w.raw(msg.unsafeArray()));
        t.wide.out.send(SiteId.of(2), w -> w.raw(other.unsafeArray()));
        endBatch(t); // the end of an executed batch sends what it produced

        assertEquals(2, t.io.toServers.size());
        assertEquals(ServerId.of(1, 0), t.io.toServers.get(0).getKey());
        assertEquals(ServerId.of(2, 0), t.io.toServers.get(1).getKey());
        for (Map.Entry<ServerId, Bytes> sent : t.io.toServers) {
            Frame.Wide f = assertInstanceOf(Frame.Wide.class, decode(sent.getValue()));
            assertEquals(SITE, f.from());
            assertTrue(t.node.logicalMachine().verifyWide(SITE, f.envelope()) instanceof LmMessageVerifier.Accepted,
                    "signed by the site, over the batch root (section 4.6)");
        }
        assertEquals(1, t.node.lmSignatures(), "one signature per executed batch, however many messages it sent");
        assertEquals(2, t.node.wideMessagesSent());

        // The core sends the message again in a later batch: the next server of the site forwards
        // it, to the next peer. With the local leader at index 2, the next server is us (index 0).
        t.local.leaderNode = ServerId.of(0, 2);
        t.wide.out.send(to, w -> w.raw(msg.unsafeArray()));
        endBatch(t);
        assertEquals(3, t.io.toServers.size());
        assertEquals(ServerId.of(1, 1), t.io.toServers.get(2).getKey(), "a retransmission goes to the next peer");
        assertEquals(msg, assertInstanceOf(Frame.Wide.class, decode(t.io.toServers.get(2).getValue())).envelope().message());

        // A first attempt leaves from the local leader (index 2), so not from us.
        t.wide.out.send(to, w -> w.raw(Bytes.ofUtf8("propose 2").unsafeArray()));
        endBatch(t);
        assertEquals(3, t.io.toServers.size());
    }

    @Test
    void aQueryIsAnsweredAtOnceFromThisServersCopyWithoutBeingOrdered() throws Exception {
        TestNode t = new TestNode("ed25519");
        SignedUpdate u = t.update(ALICE, 1); // puts "k" + ALICE = "v1"
        t.node.onClientFrame(ALICE, t.request(u));
        t.wide.deliver(List.of(u.encode()));
        int submittedBefore = t.wide.submitted.size();
        t.io.toClients.clear();

        t.node.onClientFrame(ALICE, new Frame.Query(42, io.redoubt.lm.app.KeyValueStore.get("k" + ALICE)).encode());

        assertEquals(submittedBefore, t.wide.submitted.size(), "a local read is not ordered");
        assertEquals(1, t.io.toClients.size());
        Frame.QueryReply r = Frame.decodeQueryReply(t.io.toClients.get(0).getValue());
        assertEquals(42, r.nonce());
        assertEquals("v1", io.redoubt.lm.app.KeyValueStore.parseReply(r.reply()).getValue().toUtf8());
        // A client of another site is not answered.
        t.node.onClientFrame(io.redoubt.lm.ClientId.of(1, 0), new Frame.Query(43, io.redoubt.lm.app.KeyValueStore.get("x")).encode());
        assertEquals(1, t.io.toClients.size());
        assertEquals(1, t.counted(io.redoubt.lm.core.Rejection.INVALID_REQUEST));
    }

    @Test
    void localCoreTimersAreNamespacedAndRoutedBack() {
        TestNode t = new TestNode("simulated");
        t.local.out.setTimer(new TimerId("paxos-retransmit", 3), 10);
        assertEquals(List.of(Map.entry(new ServerTimer.Local(new TimerId("paxos-retransmit", 3)), 10L)), t.io.timersSet);
        t.node.onTimer(new ServerTimer.Local(new TimerId("paxos-retransmit", 3)));
        assertEquals(List.of(new TimerId("paxos-retransmit", 3)), t.local.timersFired);
        assertTrue(t.wide.timersFired.isEmpty());
    }

    @Test
    void anLmTimerExpiryIsAnnouncedOrderedAndFiresTheWideTimerOnce() {
        TestNode t = new TestNode("ed25519");
        t.wide.out.setTimer(TIMER, 300);
        assertEquals(List.of(Map.entry(LM_TIMER, 300L)), t.io.timersSet, "the wide core's timer becomes a local LM timer");
        assertTrue(t.wide.timersFired.isEmpty());

        t.node.onTimer(LM_TIMER);

        // Every other server of the site hears our signed notice.
        List<ServerId> noticed = t.io.toServers.stream().map(Map.Entry::getKey).toList();
        assertEquals(List.of(PEER, PEER2), noticed);
        for (Map.Entry<ServerId, Bytes> sent : t.io.toServers) {
            TimeoutNotice n = assertInstanceOf(Frame.Notice.class, decode(sent.getValue())).notice();
            assertEquals(SELF, n.signer());
            assertEquals(TIMER, n.timer());
            assertEquals(1, n.generation());
            assertTrue(t.keys.verify(SELF, n.signedContent(), n.signature()));
        }
        // The expiry was ordered as a Timeout event, and only then fired the wide core's timer.
        assertEquals(1, t.local.submitted.size());
        LmEvent e = assertDoesNotThrow(() -> LmEvent.decode(t.local.submitted.get(0)));
        assertInstanceOf(LmEvent.Timeout.class, e);
        assertEquals(List.of(TIMER), t.wide.timersFired);
        assertTrue(t.io.timersCancelled.contains(LM_TIMER), "the LM timer stops once its timeout executed");

        t.node.onTimer(LM_TIMER); // a late resend timer: the timeout is no longer armed
        t.node.onServerFrame(PEER, new Frame.Notice(t.notice(PEER, TIMER, 1)).encode());
        assertEquals(List.of(TIMER), t.wide.timersFired, "fires exactly once");
        assertEquals(Map.of(), t.node.rejections());
    }

    @Test
    void withTwoNoticesNeededOurOwnExpiryIsNotEnough() {
        TestNode t = new TestNode("simulated", ServerConfig.benignSite().withNoticesNeeded(2));
        t.wide.out.setTimer(TIMER, 300);
        t.node.onTimer(LM_TIMER);
        assertTrue(t.local.submitted.isEmpty());
        assertTrue(t.wide.timersFired.isEmpty());

        t.node.onServerFrame(PEER, new Frame.Notice(t.notice(PEER, TIMER, 0)).encode()); // a stale generation
        assertTrue(t.wide.timersFired.isEmpty());

        t.node.onServerFrame(PEER, new Frame.Notice(t.notice(PEER, TIMER, 1)).encode());
        assertEquals(List.of(TIMER), t.wide.timersFired);
    }

    @Test
    void aServerThatIsNotTheLocalLeaderAnnouncesButDoesNotOrderTimeouts() {
        TestNode t = new TestNode("simulated");
        t.local.leader = false;
        t.wide.out.setTimer(TIMER, 300);
        t.node.onTimer(LM_TIMER);
        assertEquals(2, t.io.toServers.size(), "the notices still go out");
        assertTrue(t.local.submitted.isEmpty());
        assertTrue(t.wide.timersFired.isEmpty());
    }
}
