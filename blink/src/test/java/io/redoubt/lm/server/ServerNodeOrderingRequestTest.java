package io.redoubt.lm.server;

import static io.redoubt.lm.server.TestNode.ALICE;
import static io.redoubt.lm.server.TestNode.BOB;
import static io.redoubt.lm.server.TestNode.SELF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.blink.RotatingLink;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.SignedUpdate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CLink-Order at one server (section 4.5): in a Byzantine site each client update goes to the
 * local core as this server's signed, numbered Ordering_Request; a retransmission is the same
 * request; and numbers are reserved in stable storage before use, so a restart never reuses one
 * (which would prove a correct server corrupt).
 */
class ServerNodeOrderingRequestTest {

    private static TestNode byzantine(List<Bytes> persisted) {
        return new TestNode("ed25519", ServerConfig.byzantineSite(1), RotatingLink.FACTORY, true, persisted);
    }

    private static List<LmEvent.Requested> requests(TestNode t) {
        List<LmEvent.Requested> out = new ArrayList<>();
        for (Bytes p : t.local.submitted) {
            try {
                if (LmEvent.decode(p) instanceof LmEvent.Requested r) out.add(r);
            } catch (DecodeException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    private static long reservations(TestNode t) {
        return t.io.persisted.stream().filter(r -> (r.unsafeArray()[0] & 0xff) == ServerNode.REQUEST_SEQ_RECORD).count();
    }

    @Test
    void aByzantineSiteServerHandsEachUpdateInAsItsNextSignedRequest() {
        TestNode t = byzantine(List.of());
        SignedUpdate a = t.update(ALICE, 1), b = t.update(BOB, 1);
        t.node.onClientFrame(ALICE, t.request(a));
        t.node.onClientFrame(BOB, t.request(b));

        List<LmEvent.Requested> made = requests(t);
        assertEquals(2, made.size(), "one request per update: " + t.local.submitted);
        assertEquals(List.of(1L, 2L), made.stream().map(r -> r.request().seq()).toList());
        assertEquals(List.of(a, b), made.stream().map(LmEvent.Requested::update).toList());
        for (LmEvent.Requested r : made) {
            assertEquals(SELF, r.request().server());
            assertTrue(r.request().verify(t.keys), "signed with the server's own key");
        }
        assertEquals(2, t.node.requestsMade());
        assertEquals(1, reservations(t), "one reservation covers a block of numbers");
    }

    @Test
    void aRetransmittedUpdateGoesOutAsTheSameRequestNotANewNumber() {
        TestNode t = byzantine(List.of());
        SignedUpdate a = t.update(ALICE, 1);
        t.node.onClientFrame(ALICE, t.request(a));
        t.node.onClientFrame(ALICE, new Frame.Request(a, true).encode());

        List<LmEvent.Requested> made = requests(t);
        assertEquals(2, made.size());
        assertEquals(made.get(0), made.get(1));
        assertEquals(1, t.node.requestsMade());
    }

    @Test
    void aRestartedServerNumbersAboveEverythingItReservedBefore() {
        TestNode before = byzantine(List.of());
        before.node.onClientFrame(ALICE, before.request(before.update(ALICE, 1)));
        long used = requests(before).get(0).request().seq();

        TestNode after = byzantine(List.copyOf(before.io.persisted));
        after.node.onClientFrame(BOB, after.request(after.update(BOB, 1)));
        long next = requests(after).get(0).request().seq();
        assertTrue(next > used + ServerNode.REQUEST_SEQ_BLOCK - 1,
                "a number reserved before the crash may have been sent: " + next + " after " + used);
        assertEquals(1, reservations(after), "the restarted server reserves a new block before using it");
    }

    @Test
    void theReservationRecordsNeverReachTheLocalCore() {
        TestNode before = byzantine(List.of());
        before.node.onClientFrame(ALICE, before.request(before.update(ALICE, 1)));
        Bytes coreRecord = Bytes.ofUtf8("\u0001a core's record");
        List<Bytes> persisted = new ArrayList<>(before.io.persisted);
        persisted.add(1, coreRecord);
        TestNode after = byzantine(persisted);
        assertEquals(List.of(coreRecord), after.local.restoredFrom, "the core gets its own records, in order, and nothing else");
    }

    @Test
    void aCrashFaultSiteServerHandsUpdatesInPlainly() {
        TestNode t = new TestNode("ed25519", ServerConfig.benignSite());
        t.node.onClientFrame(ALICE, t.request(t.update(ALICE, 1)));
        assertEquals(1, t.local.submitted.size());
        assertInstanceOf(LmEvent.ClientUpdate.class, assertDoesNotThrowDecode(t.local.submitted.get(0)));
        assertTrue(requests(t).isEmpty());
        assertEquals(0, reservations(t));
    }

    private static LmEvent assertDoesNotThrowDecode(Bytes b) {
        try {
            return LmEvent.decode(b);
        } catch (DecodeException e) {
            throw new AssertionError(e);
        }
    }
}
