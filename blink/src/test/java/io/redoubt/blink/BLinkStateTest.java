package io.redoubt.blink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.exec.LinkLayer;
import io.redoubt.lm.exec.LinkLeaf;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BLink's logical-machine state (section 4.4.1) and the link header paired with each message under the signed root. */
class BLinkStateTest {
    private static final SiteId A = new SiteId(0), B = new SiteId(1), C = new SiteId(2);
    private static final BLinkConfig CONFIG = BLinkConfig.defaults();

    private static BLinkState state(SiteId self) {
        return new BLinkState(self, Map.of(A, 3, B, 4, C, 4), CONFIG);
    }

    private static Bytes msg(int i) {
        return Bytes.wrap(new byte[] {1, (byte) i});
    }

    @Test
    void messagesAreNumberedPerLinkAndAcknowledgementsFreeThem() {
        BLinkState a = state(A);
        assertEquals(1, a.append(B, msg(1)));
        assertEquals(2, a.append(B, msg(2)));
        assertEquals(1, a.append(C, msg(3)), "each link numbers its own messages");
        assertEquals(new LinkLayer.Monitoring(1, 0, CONFIG.headTimeoutMillis(), 0), a.monitoring(B));
        assertEquals(LinkLayer.AckResult.BEYOND_SENT, a.onAck(B, 3), "only a faulty machine acknowledges what was never sent");
        assertEquals(LinkLayer.AckResult.ADVANCED, a.onAck(B, 1));
        assertEquals(LinkLayer.AckResult.STALE, a.onAck(B, 1));
        assertEquals(new LinkLayer.Monitoring(2, 0, CONFIG.headTimeoutMillis(), 0), a.monitoring(B));
        assertEquals(LinkLayer.AckResult.ADVANCED, a.onAck(B, 2));
        assertNull(a.monitoring(B), "nothing waits: no timeout to arm");
        assertEquals(3, a.messagesNumbered());
    }

    @Test
    void anExpiredHeadMovesToTheNextVirtualLinkAndReturnsEverythingUnacknowledged() {
        BLinkState a = state(A);
        a.append(B, msg(1));
        a.append(B, msg(2));
        a.onAck(B, 1);
        // A (3 servers) sends to B (4): B is LM_A of P, so the sender's servers wrap modulo 3.
        VirtualLink first = SelectionOrder.between(3, 4).at(0), second = SelectionOrder.between(3, 4).at(1);
        assertEquals(first, new VirtualLink(a.forwarder(B), a.peer(B)));
        assertEquals(List.of(new LinkLayer.Unacked(2, msg(2))), a.headExpired(B));
        assertEquals(second, new VirtualLink(a.forwarder(B), a.peer(B)));
        assertNotEquals(first, second);
        assertEquals(1, a.virtualLinkChanges());
        assertEquals(new LinkLayer.Monitoring(2, 1, CONFIG.headTimeoutMillis(), 0), a.monitoring(B), "a new virtual link: the timeout is armed again");
    }

    @Test
    void aCopyOfAnExecutedMessageMakesTheAcknowledgementDueAgain() {
        BLinkState b = state(B);
        assertTrue(b.onMessage(A, 1));
        assertTrue(b.ackDue(A));
        assertEquals(1, b.takeAck(A));
        assertFalse(b.ackDue(A));
        assertFalse(b.onMessage(A, 1), "executed once");
        assertTrue(b.ackDue(A), "the sender resent it, so it missed our acknowledgement");
        assertEquals(1, b.takeAck(A));
        assertFalse(b.ackDue(A));
        assertTrue(b.onMessage(A, 3), "executed ahead of the gap at 2");
        assertFalse(b.ackDue(A), "but not acknowledged");
        assertTrue(b.onMessage(A, 2));
        assertEquals(3, b.takeAck(A));
    }

    @Test
    void theStateDigestCoversNumbersAcknowledgementsAndPositions() {
        BLinkState x = state(A), y = state(A);
        x.append(B, msg(1));
        y.append(B, msg(1));
        assertEquals(digest(x), digest(y));
        y.headExpired(B);
        assertNotEquals(digest(x), digest(y));
    }

    private static Bytes digest(BLinkState s) {
        CanonicalWriter w = new CanonicalWriter();
        s.writeState(w);
        return w.toBytes();
    }

    @Test
    void aHeaderIsPairedOnlyWithItsOwnMessageUnderTheRoot() throws DecodeException {
        Bytes m0 = msg(7), m1 = msg(8);
        Bytes h0 = new LinkLeaf(List.of(new LinkLeaf.Entry(B, 5, 2), new LinkLeaf.Entry(C, 9, 0))).encode();
        Bytes h1 = new LinkLeaf(List.of(new LinkLeaf.Entry(B, 6, 2))).encode();
        MerkleBatch tree = MerkleBatch.of(List.of(m0, h0, m1, h1));
        var envelopes = tree.envelopes(new LmSignature("test", Bytes.wrap(new byte[] {1})));
        assertTrue(LinkLeaf.pairedWith(h0, envelopes.get(0)));
        assertTrue(LinkLeaf.pairedWith(h1, envelopes.get(2)));
        assertFalse(LinkLeaf.pairedWith(h1, envelopes.get(0)), "another message's header");
        Bytes forged = new LinkLeaf(List.of(new LinkLeaf.Entry(B, 5, 99))).encode();
        assertFalse(LinkLeaf.pairedWith(forged, envelopes.get(0)), "a changed acknowledgement");
        assertFalse(LinkLeaf.pairedWith(m0, envelopes.get(1)), "a header's own leaf is at an odd index: never a message");
        assertEquals(List.of(new LinkLeaf.Entry(C, 9, 0)), LinkLeaf.decode(h0).entriesFor(C));
        assertThrows(DecodeException.class, () -> LinkLeaf.decode(m0), "a protocol message is never a header");
    }

    @Test
    void onlyLinksBetweenTwoBenignSitesSkipPeers() {
        // A and B benign, C Byzantine (section 4.4.2: the forwarder may try peers itself only when
        // neither end can lie).
        BLinkState a = new BLinkState(A, Map.of(A, 3, B, 4, C, 4), java.util.Set.of(C), CONFIG);
        a.append(B, Bytes.ofUtf8("to B"));
        a.append(C, Bytes.ofUtf8("to C"));
        assertTrue(a.monitoring(B).peerTimeoutMillis() > 0);
        assertEquals(0, a.monitoring(C).peerTimeoutMillis());
        assertEquals(List.of(new LinkLayer.Unacked(1, Bytes.ofUtf8("to B"))), a.peerExpired(B), "what waits goes again to the next peer");
        assertEquals(0, a.forwarder(B));
        assertEquals(1, a.peer(B));
        assertThrows(IllegalStateException.class, () -> a.peerExpired(C));
    }
}
