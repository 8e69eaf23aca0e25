package io.redoubt.lm.server;

import static io.redoubt.lm.server.TestNode.ALICE;
import static io.redoubt.lm.server.TestNode.PEER;
import static io.redoubt.lm.server.TestNode.REMOTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.exec.SignedUpdate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CLink-Opt (Lane 2008, section 4.5): a server of a site that does not lead the wide area sends a
 * new client update straight to a server of the leader site, which orders it there; the client's
 * own site orders it only if it has not executed within the forward timeout, and then moves on to
 * the leader site's next server.
 */
class ClinkOptTest {
    private static final long TIMEOUT = 1_000;
    private static final SiteId LEADER_SITE = SiteId.of(1);

    private static TestNode nodeWithLeaderSite(SiteId leaderSite, long forwardTimeout) {
        TestNode t = new TestNode("simulated", ServerConfig.benignSite().withForwardTimeout(forwardTimeout));
        t.wide.leaderNode = leaderSite;
        return t;
    }

    private static List<ServerId> forwardsTo(TestNode t) {
        return t.io.toServers.stream().filter(e -> Frame.tagOf(e.getValue()) == Frame.TAG_FORWARD).map(Map.Entry::getKey).toList();
    }

    private static ServerTimer lastTimer(TestNode t) {
        return t.io.timersSet.get(t.io.timersSet.size() - 1).getKey();
    }

    @Test
    void aNewUpdateGoesToTheLeaderSiteUnorderedAndIsAnsweredWhenItExecutesHere() {
        TestNode t = nodeWithLeaderSite(LEADER_SITE, TIMEOUT);
        SignedUpdate u = t.update(ALICE, 1);
        t.node.onClientFrame(ALICE, t.request(u));

        assertTrue(t.wide.submitted.isEmpty(), "not ordered at the client's own site");
        assertEquals(List.of(Map.entry(ServerId.of(1, 0), new Frame.Forward(u).encode())),
                t.io.toServers.stream().filter(e -> Frame.tagOf(e.getValue()) == Frame.TAG_FORWARD).toList());
        ServerTimer timer = lastTimer(t);
        assertTrue(timer instanceof ServerTimer.Forward, timer::toString);
        assertEquals(TIMEOUT, t.io.timersSet.get(t.io.timersSet.size() - 1).getValue());
        assertEquals(1, t.node.forwardsSent());

        // The leader site ordered it; the wide area delivers it here: the client is answered and the wait ends.
        t.wide.deliver(List.of(u.encode()));
        assertEquals(List.of(ALICE), t.io.toClients.stream().map(Map.Entry::getKey).toList());
        assertTrue(t.io.timersCancelled.contains(timer), "the forward timer is cancelled once the update executed");
        t.node.onTimer(timer); // a late expiry changes nothing
        assertTrue(t.wide.submitted.isEmpty());
        assertEquals(0, t.node.forwardFallbacks());
    }

    @Test
    void anUpdateNotExecutedInTimeIsOrderedHereAndTheNextGoesToTheLeaderSitesNextServer() {
        TestNode t = nodeWithLeaderSite(LEADER_SITE, TIMEOUT);
        SignedUpdate u = t.update(ALICE, 1);
        t.node.onClientFrame(ALICE, t.request(u));
        t.node.onTimer(lastTimer(t));
        assertEquals(List.of(u.encode()), t.wide.submitted, "ordered the plain way: its logical machine forwards it");
        assertEquals(1, t.node.forwardFallbacks());

        t.wide.deliver(List.of(u.encode()));
        SignedUpdate next = t.update(ALICE, 2);
        t.node.onClientFrame(ALICE, t.request(next));
        assertEquals(List.of(ServerId.of(1, 0), ServerId.of(1, 1)), forwardsTo(t), "a faulty server costs one timeout, not one per update");
    }

    @Test
    void anUpdateSentOnIsCheckedByTheLeaderSitesServerNotTwice() {
        TestNode home = nodeWithLeaderSite(LEADER_SITE, TIMEOUT);
        SignedUpdate good = home.update(ALICE, 1);
        SignedUpdate forged = new SignedUpdate(good.client(), good.seq(), good.operation(), home.update(ALICE, 2).signature());
        home.node.onClientFrame(ALICE, home.request(forged));
        assertEquals(1, forwardsTo(home).size(), "sent on unchecked: the server that takes it checks it");
        assertTrue(home.io.rejected.isEmpty(), home.io.rejected::toString);

        TestNode leader = nodeWithLeaderSite(TestNode.SITE, TIMEOUT);
        leader.node.onServerFrame(REMOTE, new Frame.Forward(new SignedUpdate(ClientId.of(1, 0), 1, good.operation(), good.signature())).encode());
        assertTrue(leader.wide.submitted.isEmpty(), "a bad signature is not ordered at the leader site");
        assertEquals(List.of(Rejection.BAD_SIGNATURE), leader.io.rejected.stream().map(r -> r.reason()).toList());

        // Ordered where it arrives (CLink-Opt off), it is checked there, before the site spends f+1 checks on it.
        TestNode off = nodeWithLeaderSite(LEADER_SITE, 0);
        off.node.onClientFrame(ALICE, off.request(forged));
        assertTrue(off.wide.submitted.isEmpty() && forwardsTo(off).isEmpty());
        assertEquals(List.of(Rejection.BAD_SIGNATURE), off.io.rejected.stream().map(r -> r.reason()).toList());
    }

    @Test
    void theClientRetransmittingToTheSameServerHasItOrderedThere() {
        TestNode t = nodeWithLeaderSite(LEADER_SITE, TIMEOUT);
        SignedUpdate u = t.update(ALICE, 1);
        t.node.onClientFrame(ALICE, t.request(u));
        t.node.onClientFrame(ALICE, t.request(u));
        assertEquals(1, forwardsTo(t).size());
        assertEquals(List.of(u.encode()), t.wide.submitted);
    }

    @Test
    void anUpdateMarkedAsTheClientsRetransmissionIsOrderedHereNotSentOn() {
        // The client got no reply in time and sent it to f+1 servers with the retransmit flag
        // (section 4.5): a server that never saw it orders it at home (CLink-Order).
        TestNode t = nodeWithLeaderSite(LEADER_SITE, TIMEOUT);
        SignedUpdate u = t.update(ALICE, 1);
        t.node.onClientFrame(ALICE, new Frame.Request(u, true).encode());
        assertTrue(forwardsTo(t).isEmpty(), "not sent on again");
        assertEquals(List.of(u.encode()), t.wide.submitted);
        assertEquals(0, t.node.forwardsSent());
    }

    @Test
    void atTheLeaderSiteOrWithCLinkOptOffTheUpdateIsOrderedWhereItArrives() {
        TestNode leader = nodeWithLeaderSite(TestNode.SITE, TIMEOUT);
        SignedUpdate u = leader.update(ALICE, 1);
        leader.node.onClientFrame(ALICE, leader.request(u));
        assertEquals(List.of(u.encode()), leader.wide.submitted);

        TestNode off = nodeWithLeaderSite(LEADER_SITE, 0);
        off.node.onClientFrame(ALICE, off.request(u));
        assertEquals(List.of(u.encode()), off.wide.submitted);
        assertTrue(forwardsTo(leader).isEmpty() && forwardsTo(off).isEmpty());
    }

    @Test
    void anUpdateSentOnByAnotherSitesServerIsOrderedHereOnce() {
        TestNode t = nodeWithLeaderSite(TestNode.SITE, TIMEOUT);
        SignedUpdate u = t.update(ClientId.of(1, 0), 1);
        Bytes frame = new Frame.Forward(u).encode();
        t.node.onServerFrame(REMOTE, frame);
        t.node.onServerFrame(REMOTE, frame); // again: the local core already has it
        assertEquals(List.of(u.encode()), t.wide.submitted);
        assertEquals(1, t.node.forwardsOrdered());
        assertTrue(t.io.rejected.isEmpty(), t.io.rejected::toString);

        t.wide.deliver(List.of(u.encode()));
        t.node.onServerFrame(REMOTE, frame); // executed already
        assertEquals(1, t.wide.submitted.size());
        assertTrue(t.io.toClients.isEmpty(), "another site's client is answered by its own site's servers");
    }

    @Test
    void aForwardThatIsNotAClinkOptForwardIsRejectedAndCounted() {
        TestNode t = nodeWithLeaderSite(TestNode.SITE, TIMEOUT);
        t.node.onServerFrame(PEER, new Frame.Forward(t.update(ALICE, 1)).encode());
        t.node.onServerFrame(REMOTE, new Frame.Forward(t.update(ClientId.of(2, 0), 1)).encode());
        SignedUpdate good = t.update(ClientId.of(1, 0), 1);
        SignedUpdate forged = new SignedUpdate(good.client(), 2, good.operation(), good.signature());
        t.node.onServerFrame(REMOTE, new Frame.Forward(forged).encode());
        Bytes intact = new Frame.Forward(good).encode();
        t.node.onServerFrame(REMOTE, TestNode.flipBit(intact, 8 * intact.length() - 1)); // in the signature

        assertTrue(t.wide.submitted.isEmpty());
        assertEquals(1, t.counted(Rejection.PROTOCOL_VIOLATION), "from a server of this site");
        assertEquals(1, t.counted(Rejection.INVALID_REQUEST), "a client of site 2 sent on by a server of site 1");
        assertEquals(2, t.counted(Rejection.BAD_SIGNATURE), "a forged sequence number and a flipped signature bit");
    }
}
