package io.redoubt.lm.server;

import static io.redoubt.lm.server.TestNode.ALICE;
import static io.redoubt.lm.server.TestNode.PEER;
import static io.redoubt.lm.server.TestNode.PEER2;
import static io.redoubt.lm.server.TestNode.REMOTE;
import static io.redoubt.lm.server.TestNode.SELF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.exec.LogicalMachine;
import io.redoubt.lm.exec.SignedUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Client signatures checked by f+1 servers of a site and vouched to the others (ServerNode
 * vouchForAccepted, onVouch). The node under test is server 0 of a 3-server site whose LM timeouts
 * need 2 notices, so each update has 2 checkers and the site is taken to hold at most 1 faulty
 * server.
 */
class ServerNodeVouchTest {

    private static TestNode node() {
        return new TestNode("ed25519", ServerConfig.byzantineSite(1));
    }

    /** An update of Alice's whose signature is another update's: no client signed it. */
    private static SignedUpdate forged(TestNode t, long seq) {
        SignedUpdate good = t.update(ALICE, seq);
        SignedUpdate other = t.update(ALICE, seq + 1000);
        return new SignedUpdate(good.client(), good.seq(), good.operation(), other.signature());
    }

    /** The checkers of an update that came in through PEER, as {@link #orderedHere} has it. */
    private static List<ServerId> checkersOf(Bytes digest) {
        List<ServerId> c = new ArrayList<>();
        for (ServerId s : List.of(SELF, PEER, PEER2)) if (ServerNode.checks(digest, s.index(), 3, 2, PEER.index())) c.add(s);
        return c;
    }

    /** A forged update of Alice's, in through PEER, that server 0 does not check, so only its two peers do. */
    private static SignedUpdate forgedCheckedByPeersOnly(TestNode t) {
        for (long seq = 1; ; seq++) {
            SignedUpdate u = forged(t, seq);
            if (checkersOf(LogicalMachine.updateDigest(u.encode())).equals(List.of(PEER, PEER2))) return u;
        }
    }

    @Test
    void eachUpdateHasExactlyItsNeededCheckersAndTheWorkSpreads() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[] load = new int[4];
        int[][] loadVia = new int[4][4];
        for (int i = 0; i < 4000; i++) {
            byte[] d = new byte[32];
            rnd.nextBytes(d);
            int checkers = 0;
            for (int s = 0; s < 4; s++) {
                if (ServerNode.checks(Bytes.wrap(d), s, 4, 2, -1)) {
                    checkers++;
                    load[s]++;
                }
            }
            assertEquals(2, checkers);
            for (int via = 0; via < 4; via++) {
                int withVia = 0;
                for (int s = 0; s < 4; s++) {
                    if (ServerNode.checks(Bytes.wrap(d), s, 4, 2, via)) {
                        withVia++;
                        loadVia[via][s]++;
                    }
                }
                assertEquals(2, withVia, "the server it came in through and one more");
                assertTrue(ServerNode.checks(Bytes.wrap(d), via, 4, 2, via));
                assertTrue(ServerNode.checks(Bytes.wrap(d), via, 4, 1, via), "a benign site: that server alone");
                final int v = via;
                assertEquals(1, java.util.stream.IntStream.range(0, 4).filter(s -> ServerNode.checks(Bytes.wrap(d), s, 4, 1, v)).count());
            }
        }
        for (int l : load) assertTrue(l > 1800 && l < 2200, "each of 4 servers checks about half: " + java.util.Arrays.toString(load));
        for (int via = 0; via < 4; via++) {
            for (int s = 0; s < 4; s++) {
                if (s == via) assertEquals(4000, loadVia[via][s]);
                else assertTrue(loadVia[via][s] > 1150 && loadVia[via][s] < 1520, "the others share the second check: " + java.util.Arrays.toString(loadVia[via]));
            }
        }
    }

    @Test
    void aCheckerVouchesToItsSiteForTheGoodSignaturesItChecked() {
        TestNode t = node();
        List<Bytes> payloads = new ArrayList<>();
        int mine = 0;
        for (long seq = 1; seq <= 40; seq++) {
            SignedUpdate u = seq % 2 == 0 ? t.update(ALICE, seq) : forged(t, seq);
            payloads.add(u.encode());
            if (seq % 2 == 0 && ServerNode.checks(LogicalMachine.updateDigest(u.encode()), SELF.index(), 3, 2, PEER.index())) mine++;
        }
        t.local.out.accepted(orderedHere(payloads));
        List<Frame.Vouch> vouches = new ArrayList<>();
        for (var sent : t.io.toServers) {
            assertTrue(sent.getKey().site().equals(SELF.site()), "vouches stay in the site");
            vouches.add(assertVouch(sent.getValue()));
        }
        assertEquals(2, vouches.size(), "one frame to each other server");
        assertEquals(mine, vouches.get(0).updateDigests().size(), "only good signatures, only the ones it checks");
    }

    @Test
    void theUpdatesOfAWideMessageTheSiteMustAdmitAreCheckedAndVouchedWhileTheSiteOrdersIt() {
        TestNode t = node();
        t.wide.onlyAdmitted = true;
        Bytes prePrepare = Bytes.ofUtf8("a pre-prepare this site checks before preparing");
        List<Bytes> updates = new ArrayList<>();
        int mine = 0;
        for (long seq = 1; seq <= 20; seq++) {
            SignedUpdate u = t.update(ALICE, seq);
            updates.add(u.encode());
            if (ServerNode.checks(LogicalMachine.updateDigest(u.encode()), SELF.index(), 3, 2, -1)) mine++;
        }
        t.wide.toAdmit.put(prePrepare, updates);
        io.redoubt.lm.exec.LmEvent.WideMessage event = new io.redoubt.lm.exec.LmEvent.WideMessage(REMOTE.site(),
                io.redoubt.lm.TestEnvelopes.signed(t.keys, REMOTE.site(), prePrepare));
        t.local.out.accepted(List.of(event.encode()));
        assertTrue(mine > 0 && mine < 20, "the seeds give this server some of the updates to check: " + mine);
        assertEquals(2, t.io.toServers.size(), "one vouch frame to each other server of the site");
        assertEquals(mine, assertVouch(t.io.toServers.get(0).getValue()).updateDigests().size());

        // A wide message that names nothing to admit (a prepare, or a pre-prepare another site checks) costs nothing.
        TestNode quiet = node();
        quiet.wide.onlyAdmitted = true;
        quiet.local.out.accepted(List.of(new io.redoubt.lm.exec.LmEvent.WideMessage(REMOTE.site(),
                io.redoubt.lm.TestEnvelopes.signed(quiet.keys, REMOTE.site(), Bytes.ofUtf8("a prepare"))).encode()));
        assertTrue(quiet.io.toServers.isEmpty());
    }

    /** The encoded updates as the client-update events a server of this site hands its local core. */
    private static List<Bytes> orderedHere(List<Bytes> updates) {
        List<Bytes> events = new ArrayList<>();
        for (Bytes u : updates) {
            try {
                events.add(new io.redoubt.lm.exec.LmEvent.ClientUpdate(PEER, SignedUpdate.decode(u)).encode());
            } catch (io.redoubt.lm.codec.DecodeException e) {
                throw new AssertionError(e);
            }
        }
        return events;
    }

    private static Frame.Vouch assertVouch(Bytes frame) {
        try {
            return (Frame.Vouch) Frame.decode(frame);
        } catch (io.redoubt.lm.codec.DecodeException e) {
            throw new AssertionError(e);
        }
    }

    /** The site's local core accepts {@code u}, {@code vouchers} vouch for it, and its wide-area slot executes. */
    private static void acceptVouchAndExecute(TestNode t, SignedUpdate u, ServerId... vouchers) {
        Bytes digest = LogicalMachine.updateDigest(u.encode());
        t.local.out.accepted(orderedHere(List.of(u.encode())));
        for (ServerId v : vouchers) t.node.onServerFrame(v, new Frame.Vouch(List.of(digest)).encode());
        t.wide.deliver(List.of(u.encode()));
    }

    @Test
    void oneFaultyCheckersVouchIsNotEnoughAndTheForgedUpdateIsRefused() {
        TestNode t = node();
        SignedUpdate u = forgedCheckedByPeersOnly(t);
        acceptVouchAndExecute(t, u, PEER); // PEER lies; PEER2 checks and stays silent
        assertTrue(t.io.executed.isEmpty(), "not executed: " + t.io.executed);
        assertEquals(1, t.counted(Rejection.BAD_SIGNATURE), "checked at execution and refused");
    }

    @Test
    void vouchesFromEveryCheckerStandForTheCheck() {
        // Shown with a bad signature, which only more faulty servers than the site tolerates could
        // vouch for: the server then takes it as checked, so the check really was skipped.
        TestNode t = node();
        SignedUpdate u = forgedCheckedByPeersOnly(t);
        acceptVouchAndExecute(t, u, PEER, PEER2);
        assertEquals(List.of(u), t.io.executed);
    }

    @Test
    void badVouchesAreRejectedAndCounted() {
        TestNode t = node();
        Bytes digest = LogicalMachine.updateDigest(forgedCheckedByPeersOnly(t).encode());
        t.node.onServerFrame(REMOTE, new Frame.Vouch(List.of(digest)).encode());
        assertEquals(1, t.counted(Rejection.NOT_A_MEMBER));
        t.node.onServerFrame(PEER, new Frame.Vouch(List.of(Bytes.wrap(new byte[31]))).encode());
        assertEquals(1, t.counted(Rejection.MALFORMED));
        assertTrue(t.io.executed.isEmpty());
    }

    @Test
    void theServerAnUpdateCameInThroughChecksItAndIsOneOfItsCheckers() {
        // Server 0 took the update in (and checked it then): it vouches for it without a second
        // check, and one more vouch, from the other checker, stands for the check at the others.
        TestNode t = node();
        SignedUpdate u = null;
        for (long seq = 1; u == null; seq++) {
            SignedUpdate c = t.update(ALICE, seq);
            Bytes d = LogicalMachine.updateDigest(c.encode());
            if (!ServerNode.checks(d, SELF.index(), 3, 2, PEER.index())) u = c; // not server 0's when in through PEER
        }
        Bytes digest = LogicalMachine.updateDigest(u.encode());
        t.local.out.accepted(List.of(new io.redoubt.lm.exec.LmEvent.ClientUpdate(SELF, u).encode()));
        assertEquals(2, t.io.toServers.size(), "server 0 vouches to both peers");
        assertEquals(List.of(digest), assertVouch(t.io.toServers.get(0).getValue()).updateDigests());

        // In through PEER instead, server 0 is not a checker (PEER and PEER2 are).
        TestNode other = node();
        other.local.out.accepted(List.of(new io.redoubt.lm.exec.LmEvent.ClientUpdate(PEER, u).encode()));
        assertTrue(other.io.toServers.isEmpty());
    }
}
