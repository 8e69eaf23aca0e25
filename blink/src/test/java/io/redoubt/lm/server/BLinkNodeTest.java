package io.redoubt.lm.server;

import static io.redoubt.lm.server.TestNode.REMOTE;
import static io.redoubt.lm.server.TestNode.SITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.blink.BLink;
import io.redoubt.blink.BLinkConfig;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.crypto.merkle.SingleKeyLmSigner;
import io.redoubt.lm.exec.LinkLeaf;
import io.redoubt.lm.exec.LmEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One server running BLink (section 4.4.1), as the peer of the link from site 1: what a good
 * logical-link frame becomes (one ordered event, one execution however often it comes, an
 * acknowledgement due), and how each kind of bad frame is refused, counted and never ordered.
 */
class BLinkNodeTest {
    static final SiteId SITE1 = SiteId.of(1);
    static final SiteId SITE2 = SiteId.of(2);

    private static TestNode node() {
        return new TestNode("simulated", ServerConfig.benignSite(), BLink.factory(BLinkConfig.defaults()));
    }

    /** A frame from {@code from}'s forwarder: {@code message} and {@code header} as leaves 0 and 1 of a tree {@code from} signed. */
    private static Frame.Link linkFrame(TestNode t, SiteId from, Bytes message, Bytes header) {
        MerkleBatch batch = MerkleBatch.of(List.of(message, header));
        LmSignature sig = new SingleKeyLmSigner(t.keys.scheme(), from, t.keys.site(from).privateKey()).sign(batch.root());
        return new Frame.Link(from, SITE, batch.envelopes(sig).get(0), header);
    }

    private static Bytes header(SiteId to, long seq, long ack) {
        return new LinkLeaf(List.of(new LinkLeaf.Entry(to, seq, ack))).encode();
    }

    @Test
    void aGoodMessageIsOrderedAndExecutedOnceHoweverOftenItComesAndIsAcknowledged() {
        TestNode t = node();
        Bytes m = Bytes.ofUtf8("prepare");
        Bytes frame = linkFrame(t, SITE1, m, header(SITE, 1, 0)).encode();
        t.node.onServerFrame(REMOTE, frame);
        assertEquals(1, t.local.submitted.size());
        assertEquals(LmEvent.TAG_LINK_MESSAGE, t.local.submitted.get(0).unsafeArray()[0]);
        assertTrue(t.io.timersSet.stream().anyMatch(e -> e.getKey().id().kind().equals("blink-ack")),
                () -> "an LM timeout sends the acknowledgement alone if nothing goes back first: " + t.io.timersSet);
        t.node.onServerFrame(REMOTE, frame); // a copy while our acknowledgement is due anyway: not ordered
        assertEquals(1, t.local.submitted.size());
        assertEquals(1, t.node.logicalMachine().links().takeAck(SITE1), "everything through 1 is acknowledged next");
        t.node.onServerFrame(REMOTE, frame); // resent after our acknowledgement went: ordered, so the site acknowledges again
        assertEquals(2, t.local.submitted.size());
        assertTrue(t.node.logicalMachine().links().ackDue(SITE1), "acknowledged again");
        assertEquals(List.of(Map.entry(SITE1, m)), t.wide.messages, "the wide-area core sees it once");
        assertEquals(0, t.node.rejectionCount());
        // A message ahead of a gap executes at once; the acknowledgement stays at the gap.
        t.node.onServerFrame(REMOTE, linkFrame(t, SITE1, Bytes.ofUtf8("commit"), header(SITE, 3, 0)).encode());
        assertEquals(2, t.wide.messages.size());
        assertEquals(1, t.node.logicalMachine().links().takeAck(SITE1));
    }

    @Test
    void anAcknowledgementAloneThatSaysNothingNewIsNotOrdered() {
        TestNode t = node();
        t.node.onServerFrame(REMOTE, linkFrame(t, SITE1, Bytes.EMPTY, header(SITE, 0, 0)).encode());
        assertTrue(t.local.submitted.isEmpty());
        assertEquals(0, t.node.rejectionCount());
    }

    @Test
    void anAcknowledgementOfMessagesNeverSentIsRefusedWhenItExecutes() {
        TestNode t = node();
        t.node.onServerFrame(REMOTE, linkFrame(t, SITE1, Bytes.EMPTY, header(SITE, 0, 5)).encode());
        assertEquals(1, t.local.submitted.size(), "only execution knows what this site sent");
        assertEquals(Map.of(Rejection.PROTOCOL_VIOLATION, 1L), t.node.rejections());
    }

    @Test
    void badFramesAreRefusedCountedAndNeverOrdered() {
        TestNode t = node();
        Bytes m = Bytes.ofUtf8("prepare");
        Frame.Link good = linkFrame(t, SITE1, m, header(SITE, 1, 0));
        // A header the signed root does not cover (a peer lying about numbers or acknowledgements).
        t.node.onServerFrame(REMOTE, new Frame.Link(SITE1, SITE, good.envelope(), header(SITE, 1, 7)).encode());
        // A header paired with the message but addressed to another site.
        t.node.onServerFrame(REMOTE, linkFrame(t, SITE1, m, header(SITE2, 1, 0)).encode());
        // A paired leaf that is no header.
        t.node.onServerFrame(REMOTE, linkFrame(t, SITE1, m, Bytes.ofUtf8("not a header")).encode());
        // Signed by another site than the one it claims.
        LmEnvelopePart other = linkFrame(t, SITE2, m, header(SITE, 1, 0)).envelope();
        t.node.onServerFrame(REMOTE, new Frame.Link(SITE1, SITE, other, header(SITE, 1, 0)).encode());
        // A frame of the stand-in link.
        t.node.onServerFrame(REMOTE, t.wide(SITE1, SITE, m).encode());
        assertTrue(t.local.submitted.isEmpty(), () -> "ordered: " + t.local.submitted);
        assertTrue(t.wide.messages.isEmpty());
        assertEquals(Map.of(Rejection.BAD_SIGNATURE, 2L, Rejection.PROTOCOL_VIOLATION, 2L, Rejection.MALFORMED, 1L), t.node.rejections());
        assertEquals(5, t.io.rejected.size(), "each reported");
    }

    /**
     * (benign, benign), section 4.4.2: the forwarder times its own peer, and only the forwarder's
     * clock runs that timer; every server times the forwarder, whose expiry replaces the forwarder.
     */
    @Test
    void betweenBenignSitesOnlyTheForwarderRunsTheTimerOnItsPeer() {
        TestNode t = node();
        io.redoubt.lm.core.TimerId head = new io.redoubt.lm.core.TimerId("blink-head", SITE1.value());
        io.redoubt.lm.core.TimerId peer = new io.redoubt.lm.core.TimerId("blink-peer", SITE1.value());
        Bytes propose = Bytes.ofUtf8("propose");
        t.wide.out.send(SITE1, w -> w.raw(propose.unsafeArray())); // the wide-area core sends; it goes out with the next executed batch
        t.node.onClientFrame(TestNode.ALICE, t.request(t.update(TestNode.ALICE, 1)));
        var active = t.node.logicalMachine().activeTimers();
        assertEquals(0, active.get(peer).runBy(), "server 0 forwards first");
        assertEquals(-1, active.get(head).runBy());
        assertTrue(active.get(head).delayMillis() > active.get(peer).delayMillis(), "the forwarder gets to skip before the site replaces it");
        assertTrue(t.io.timersSet.stream().anyMatch(e -> e.getKey().equals(new ServerTimer.LmTimeout(peer))), "this server forwards: it runs the peer timer");

        t.io.timersSet.clear();
        t.node.onTimer(new ServerTimer.LmTimeout(head)); // no acknowledgement and no skip in time: the site replaces the forwarder
        assertEquals(1, t.node.logicalMachine().links().forwarder(SITE1));
        assertEquals(1, t.node.logicalMachine().links().peer(SITE1), "peer 0 never answered a dead forwarder: passed too");
        active = t.node.logicalMachine().activeTimers();
        assertEquals(1, active.get(peer).runBy());
        assertTrue(t.io.timersSet.stream().anyMatch(e -> e.getKey().equals(new ServerTimer.LmTimeout(head))), "every server times the new forwarder");
        assertTrue(t.io.timersSet.stream().noneMatch(e -> e.getKey().equals(new ServerTimer.LmTimeout(peer))),
                () -> "server 1's peer timer is not this server's to run: " + t.io.timersSet);
        assertTrue(t.io.timersCancelled.contains(new ServerTimer.LmTimeout(peer)),
                () -> "the peer timer this server ran as forwarder stops, or its expiry would skip server 1's peer: " + t.io.timersCancelled);
        long peerBefore = t.node.logicalMachine().links().peer(SITE1);
        t.node.onTimer(new ServerTimer.LmTimeout(peer)); // were it still running here
        assertEquals(peerBefore, t.node.logicalMachine().links().peer(SITE1), "a notice for another server's timer is never made");
        assertEquals(0, t.node.rejectionCount());
    }
}
