package io.redoubt.clink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CLink's client side (section 4.5), driven by hand. */
class ClientLinkTest {
    private static final ClientId CLIENT = ClientId.of(1, 2);

    /** Records what the link asks of its host. */
    private static final class Recorder implements ClientLink.Host {
        final List<ServerId> sentTo = new ArrayList<>();
        final List<Frame.Request> sent = new ArrayList<>();
        long armedSeq = -1, armedMillis = -1;
        int cancels;

        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            sentTo.add(to);
            try {
                sent.add((Frame.Request) Frame.decode(frame));
            } catch (DecodeException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void armResendTimer(long seq, long delayMillis) {
            armedSeq = seq;
            armedMillis = delayMillis;
        }

        @Override
        public void cancelResendTimer() {
            cancels++;
            armedSeq = -1;
        }

        void clear() {
            sentTo.clear();
            sent.clear();
        }
    }

    /** A Byzantine site of 4 (f = 1): retransmissions to 2 servers, 2 matching replies. */
    private static final ClientLink.Settings BYZANTINE_SITE = new ClientLink.Settings(4, 1, 2, 100, 400);

    private static SignedUpdate update(long seq) {
        return new SignedUpdate(CLIENT, seq, Bytes.wrap(new byte[] {(byte) seq}), Bytes.wrap(new byte[64]));
    }

    private static Bytes reply(ClientId client, long seq, String value) {
        return new Frame.Reply(client, seq, Bytes.wrap(value.getBytes(java.nio.charset.StandardCharsets.UTF_8))).encode();
    }

    private static ServerId server(int index) {
        return new ServerId(CLIENT.site(), index);
    }

    @Test
    void aNewUpdateGoesToTheServerAtTheFrontUnmarkedAndArmsTheTimer() {
        Recorder host = new Recorder();
        ClientLink link = new ClientLink(CLIENT, BYZANTINE_SITE, host);
        link.propose(update(1));
        // Clients start at different servers: client index 2 of a 4-server site at server 2.
        assertEquals(List.of(server(2)), host.sentTo);
        assertFalse(host.sent.get(0).retransmit());
        assertEquals(1, host.armedSeq);
        assertEquals(100, host.armedMillis);
        assertEquals(1, link.transmissions());
    }

    @Test
    void aTimeoutSendsTheUpdateMarkedToFPlusOneServersAndTheNextUpdateStartsAtTheNextServer() {
        Recorder host = new Recorder();
        ClientLink link = new ClientLink(CLIENT, BYZANTINE_SITE, host);
        link.propose(update(1));
        host.clear();
        link.onResendTimer(1);
        // f + 1 = 2 distinct servers, so at least one correct one orders it; starting at the next server.
        assertEquals(List.of(server(3), server(0)), host.sentTo);
        assertTrue(host.sent.stream().allMatch(Frame.Request::retransmit));
        assertTrue(host.sent.stream().allMatch(r -> r.update().equals(update(1))), "the same update, only marked");
        assertEquals(200, host.armedMillis, "the timeout doubles");
        host.clear();
        link.onResendTimer(1);
        assertEquals(List.of(server(0), server(1)), host.sentTo);
        assertEquals(400, host.armedMillis);
        link.onResendTimer(1);
        assertEquals(400, host.armedMillis, "up to its bound");
        assertEquals(4, link.transmissions());
        assertEquals(3, link.retransmissions());

        assertEquals("ok", text(link.onServerFrame(server(0), reply(CLIENT, 1, "ok")), link.onServerFrame(server(1), reply(CLIENT, 1, "ok"))));
        host.clear();
        link.propose(update(2));
        assertEquals(List.of(server(1)), host.sentTo, "the front moved once per timeout");
        assertEquals(100, host.armedMillis, "a new update starts at the first timeout again");
    }

    @Test
    void aResultNeedsRepliesNeededMatchingRepliesOfDistinctServersOfTheSite() {
        Recorder host = new Recorder();
        ClientLink link = new ClientLink(CLIENT, BYZANTINE_SITE, host);
        link.propose(update(1));
        assertNull(link.onServerFrame(server(2), reply(CLIENT, 1, "bad")), "a faulty server's reply alone");
        assertNull(link.onServerFrame(server(2), reply(CLIENT, 1, "good")));
        assertNull(link.onServerFrame(server(3), reply(CLIENT, 1, "good")), "server 2's second reply did not count: one good reply so far");
        assertNull(link.onServerFrame(new ServerId(io.redoubt.lm.SiteId.of(0), 1), reply(CLIENT, 1, "good")), "a server of another site");
        assertNull(link.onServerFrame(server(1), reply(ClientId.of(1, 3), 1, "good")), "a reply to another client");
        assertNull(link.onServerFrame(server(1), Bytes.wrap(new byte[] {7, 7})), "garbage");
        assertEquals(3, link.repliesRefused());
        assertNull(link.onServerFrame(server(1), reply(CLIENT, 0, "good")), "a reply to an earlier update");
        assertEquals(0, host.cancels);
        assertEquals("good", text(link.onServerFrame(server(0), reply(CLIENT, 1, "good"))));
        assertEquals(1, host.cancels, "the timer stops with the result");
        assertNull(link.outstanding());
        assertNull(link.onServerFrame(server(1), reply(CLIENT, 1, "good")), "a late reply after the result");
        link.onResendTimer(1); // a timer that fired as the result came: nothing to resend
        assertEquals(1, host.sentTo.size());
    }

    @Test
    void aBenignSiteTakesTheFirstReply() {
        Recorder host = new Recorder();
        ClientLink link = new ClientLink(CLIENT, new ClientLink.Settings(3, 1, 1, 100, 100), host);
        link.propose(update(5));
        assertEquals("r", text(link.onServerFrame(server(2), reply(CLIENT, 5, "r"))));
    }

    @Test
    void oneUpdateAtATimeWithGrowingSequenceNumbersOfItsOwnClient() {
        ClientLink link = new ClientLink(CLIENT, BYZANTINE_SITE, new Recorder());
        link.propose(update(3));
        assertThrows(IllegalStateException.class, () -> link.propose(update(4)));
        assertEquals("x", text(link.onServerFrame(server(0), reply(CLIENT, 3, "x")), link.onServerFrame(server(1), reply(CLIENT, 3, "x"))));
        assertThrows(IllegalArgumentException.class, () -> link.propose(update(3)));
        assertThrows(IllegalArgumentException.class,
                () -> link.propose(new SignedUpdate(ClientId.of(1, 0), 9, Bytes.wrap(new byte[] {1}), Bytes.wrap(new byte[64]))));
    }

    @Test
    void settingsOutsideTheirRangeAreRefusedSayingWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClientLink.Settings(3, 3, 1, 100, 100));
        assertTrue(e.getMessage().contains("f + 1 = 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClientLink.Settings(3, 1, 4, 100, 100));
        assertThrows(IllegalArgumentException.class, () -> new ClientLink.Settings(3, 1, 1, 100, 50));
        assertThrows(IllegalArgumentException.class, () -> new ClientLink.Settings(0, 0, 1, 100, 100));
    }

    /** The one non-null result among {@code results}, as text. */
    private static String text(Bytes... results) {
        Bytes found = null;
        for (Bytes b : results) {
            if (b == null) continue;
            assertNull(found, "only one result");
            found = b;
        }
        assertTrue(found != null, "a result");
        return new String(found.unsafeArray(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
