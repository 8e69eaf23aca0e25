package io.redoubt.blink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The sending end of a BLink logical link (section 4.4.1): numbering, cumulative acknowledgements, monitoring. */
class OutgoingLinkTest {

    static Bytes msg(long i) {
        return Bytes.ofUtf8("message " + i);
    }

    static OutgoingLink link(int sender, int receiver) {
        return new OutgoingLink(SelectionOrder.between(sender, receiver), 100, 1_600, 64);
    }

    @Test
    void messagesAreNumberedInExecutionOrderFromOneAndKeptUntilAcknowledged() {
        OutgoingLink l = link(4, 4);
        for (long i = 1; i <= 5; i++) assertEquals(i, l.append(msg(i)));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), l.unacked().stream().map(OutgoingLink.Pending::seq).toList());
        assertEquals(msg(3), l.unacked().get(2).message());

        assertEquals(OutgoingLink.AckResult.ADVANCED, l.onAck(3));
        assertEquals(List.of(4L, 5L), l.unacked().stream().map(OutgoingLink.Pending::seq).toList());
        assertEquals(3, l.ackedThrough());
        assertEquals(OutgoingLink.AckResult.STALE, l.onAck(3), "a repeated acknowledgement");
        assertEquals(OutgoingLink.AckResult.STALE, l.onAck(1), "an older one");
        assertEquals(OutgoingLink.AckResult.ADVANCED, l.onAck(5));
        assertTrue(l.unacked().isEmpty());
        assertEquals(6, l.append(msg(6)), "numbers go on after the queue emptied");
    }

    @Test
    void anAcknowledgementOfWhatWasNeverSentChangesNothing() {
        OutgoingLink l = link(4, 3);
        l.append(msg(1));
        l.append(msg(2));
        byte[] before = state(l);
        assertEquals(OutgoingLink.AckResult.BEYOND_SENT, l.onAck(3));
        assertEquals(OutgoingLink.AckResult.BEYOND_SENT, l.onAck(Long.MAX_VALUE));
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(state(l)));
    }

    @Test
    void aFullQueueRefusesMoreUntilAnAcknowledgementMakesRoom() {
        OutgoingLink l = new OutgoingLink(SelectionOrder.between(4, 4), 100, 100, 3);
        for (long i = 1; i <= 3; i++) assertEquals(i, l.append(msg(i)));
        assertEquals(-1, l.append(msg(4)));
        assertEquals(4, l.nextSeq(), "a refused message takes no number");
        l.onAck(1);
        assertEquals(4, l.append(msg(4)));
    }

    @Test
    void eachExpiryMovesToTheNextVirtualLinkOfTheSelectionOrder() {
        for (int[] sizes : new int[][] {{4, 4}, {3, 4}, {4, 3}, {7, 4}, {5, 3}}) {
            OutgoingLink l = link(sizes[0], sizes[1]);
            SelectionOrder order = SelectionOrder.between(sizes[0], sizes[1]);
            assertEquals(order.at(0), l.current());
            for (long p = 1; p <= 2 * order.period(); p++) {
                assertEquals(order.at(p), l.onHeadExpired());
                assertEquals(p, l.position());
            }
        }
    }

    @Test
    void theTimeoutDoublesAfterEachWholeBlockOfVirtualLinksUpToItsCap() {
        OutgoingLink l = link(4, 3); // blocks of 12 virtual links
        List<Long> timeouts = new ArrayList<>();
        for (int p = 0; p < 12 * 6; p++) {
            if (p % 12 == 0) timeouts.add(l.headTimeoutMillis());
            if (p % 12 != 0) assertEquals(timeouts.get(timeouts.size() - 1), l.headTimeoutMillis(), "constant within a block");
            l.onHeadExpired();
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1_600L, 1_600L), timeouts);
        OutgoingLink far = new OutgoingLink(SelectionOrder.between(1, 1), 1, Long.MAX_VALUE, 1);
        for (int p = 0; p < 200; p++) {
            assertTrue(far.headTimeoutMillis() > 0, "no overflow at position " + p);
            far.onHeadExpired();
        }
    }

    @Test
    void monitoringNamesTheHeadAndTheVirtualLinkAndStopsWhenAllIsAcknowledged() {
        OutgoingLink l = link(4, 4);
        assertNull(l.monitoring(), "nothing to time");
        l.append(msg(1));
        l.append(msg(2));
        OutgoingLink.Monitoring first = l.monitoring();
        assertEquals(new OutgoingLink.Monitoring(1, 0, 100, 0), first);
        l.onAck(1);
        assertEquals(new OutgoingLink.Monitoring(2, 0, 100, 0), l.monitoring(), "the head moved: a new timeout");
        l.onHeadExpired();
        assertEquals(new OutgoingLink.Monitoring(2, 1, 100, 0), l.monitoring(), "another virtual link: a new timeout");
        l.onAck(2);
        assertNull(l.monitoring());
    }

    @Test
    void theStateDigestCoversEverythingThatDecidesTheFuture() {
        OutgoingLink a = link(4, 4);
        OutgoingLink b = link(4, 4);
        for (OutgoingLink l : List.of(a, b)) {
            l.append(msg(1));
            l.append(msg(2));
            l.onAck(1);
        }
        assertEquals(java.util.Arrays.toString(state(a)), java.util.Arrays.toString(state(b)));
        b.onHeadExpired();
        assertNotEquals(java.util.Arrays.toString(state(a)), java.util.Arrays.toString(state(b)), "position");
        OutgoingLink c = link(4, 4);
        c.append(msg(1));
        c.append(Bytes.ofUtf8("another second message"));
        c.onAck(1);
        assertNotEquals(java.util.Arrays.toString(state(a)), java.util.Arrays.toString(state(c)), "queued bytes");
    }

    @Test
    void refusesNonsense() {
        SelectionOrder o = SelectionOrder.between(4, 4);
        assertThrows(IllegalArgumentException.class, () -> new OutgoingLink(o, 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new OutgoingLink(o, 10, 9, 1));
        assertThrows(IllegalArgumentException.class, () -> new OutgoingLink(o, 10, 10, 0));
    }

    /**
     * Both ends together over a link model in which a virtual link carries messages and
     * acknowledgements only if its forwarder and its peer are correct: random placements of f
     * faulty servers at each end (the sub-protocols of Table 4.1 with a Byzantine end, f = 1, 2,
     * both directions), random losses on correct links, and the sender moving on at each expiry.
     * Every message arrives once and in order, and the sender never meets more faulty virtual
     * links in a row than Table 4.1's VL_max.
     */
    @Test
    void overFaultyEndsEveryMessageArrivesOnceInOrderAndNoMoreThanVlMaxFaultyLinksInARow() {
        SplittableRandom rnd = new SplittableRandom(41);
        for (boolean[] kinds : new boolean[][] {{true, true}, {true, false}, {false, true}}) {
            for (int fs = 1; fs <= 2; fs++) {
                for (int fr = 1; fr <= 2; fr++) {
                    int senders = LinkFaultSearch.servers(kinds[0], fs);
                    int receivers = LinkFaultSearch.servers(kinds[1], fr);
                    int bound = LinkFaultSearch.SubProtocol.of(kinds[0], kinds[1]).vlMaxBound(fs, fr);
                    for (int trial = 0; trial < 30; trial++) {
                        int faultyInARow = runLink(rnd, senders, receivers, pick(rnd, senders, fs), pick(rnd, receivers, fr));
                        assertTrue(faultyInARow <= bound, senders + " -> " + receivers + ": " + faultyInARow + " faulty links in a row, Table 4.1 allows " + bound);
                    }
                }
            }
        }
    }

    static Set<Integer> pick(SplittableRandom rnd, int n, int f) {
        Set<Integer> s = new java.util.TreeSet<>();
        while (s.size() < f) s.add(rnd.nextInt(n));
        return s;
    }

    /**
     * Sends 60 messages, at most 8 unacknowledged. Each round the forwarder of the current virtual
     * link sends everything unacknowledged (a correct link loses each frame, and the
     * acknowledgement, with probability 1/10), and a round that does not move the head ends in an
     * expiry: the timeout is one round. Returns the most faulty virtual links met in a row.
     */
    static int runLink(SplittableRandom rnd, int senders, int receivers, Set<Integer> badSenders, Set<Integer> badReceivers) {
        OutgoingLink out = new OutgoingLink(SelectionOrder.between(senders, receivers), 100, 1_600, 64);
        IncomingLink in = new IncomingLink(16);
        List<Bytes> delivered = new ArrayList<>();
        long sent = 0;
        int faultyInARow = 0;
        int most = 0;
        for (int round = 0; round < 10_000 && out.ackedThrough() < 60; round++) {
            while (sent < 60 && out.unacked().size() < 8) out.append(msg(++sent));
            VirtualLink v = out.current();
            boolean correct = !badSenders.contains(v.forwarder()) && !badReceivers.contains(v.peer());
            faultyInARow = correct ? 0 : faultyInARow + 1;
            most = Math.max(most, faultyInARow);
            long headBefore = out.unacked().get(0).seq();
            if (correct) {
                for (OutgoingLink.Pending p : out.unacked()) {
                    if (rnd.nextInt(10) != 0 && IncomingLink.executesNow(in.onMessage(p.seq()))) delivered.add(p.message());
                }
                if (rnd.nextInt(10) != 0) out.onAck(in.takeAck());
            }
            if (!out.unacked().isEmpty() && out.unacked().get(0).seq() == headBefore) out.onHeadExpired();
        }
        java.util.Set<Bytes> expected = new java.util.HashSet<>();
        for (long i = 1; i <= 60; i++) expected.add(msg(i));
        assertEquals(60, delivered.size(), "every message once; faulty senders " + badSenders + ", receivers " + badReceivers);
        assertEquals(expected, new java.util.HashSet<>(delivered), "every message; faulty senders " + badSenders + ", receivers " + badReceivers);
        return most;
    }

    static byte[] state(OutgoingLink l) {
        CanonicalWriter w = new CanonicalWriter();
        l.writeState(w);
        return w.toBytes().toArray();
    }

    // ------------------------------------------------------------ (benign, benign): peer skipping, section 4.4.2

    static OutgoingLink skipping(int sender, int receiver) {
        return new OutgoingLink(SelectionOrder.between(sender, receiver), 100, 1_600, 64, true);
    }

    @Test
    void betweenBenignMachinesTheForwarderSkipsPeersAndTheSiteReplacesOnlyTheForwarder() {
        OutgoingLink l = skipping(3, 5);
        assertTrue(l.skipsPeers());
        assertEquals(new VirtualLink(0, 0), l.current());
        assertEquals(new VirtualLink(0, 1), l.onPeerExpired(), "the forwarder moves on to the next peer");
        assertEquals(new VirtualLink(0, 2), l.onPeerExpired());
        l.append(msg(1));
        l.append(msg(2));
        l.onAck(1); // peer 2 answered
        assertEquals(new VirtualLink(1, 2), l.onHeadExpired(), "a new forwarder goes on with the peer that answered");
        assertEquals(new VirtualLink(2, 3), l.onHeadExpired(), "a peer never tried under a dead forwarder is passed too");
        for (int k = 0; k < 2; k++) l.onPeerExpired();
        assertEquals(new VirtualLink(2, 0), l.current(), "peers wrap around");
        assertEquals(6, l.position(), "every move counts");
        assertThrows(IllegalStateException.class, () -> link(3, 5).onPeerExpired(), "links with a Byzantine end follow P");
    }

    @Test
    void onlyAPeerSkippingLinkAsksForTheForwardersShorterPeerTimeout() {
        OutgoingLink l = skipping(3, 3), p = link(3, 3);
        l.append(msg(1));
        p.append(msg(1));
        assertEquals(new OutgoingLink.Monitoring(1, 0, 100, 75), l.monitoring(),
                "the forwarder times its peer a quarter sooner than the site times the forwarder");
        assertEquals(new OutgoingLink.Monitoring(1, 0, 100, 0), p.monitoring());
    }

    @Test
    void aHeadTimeoutWithNothingAnsweredMovesBothEndsBetweenBenignMachines() {
        OutgoingLink l = skipping(3, 3);
        assertEquals(new VirtualLink(1, 1), l.onHeadExpired(), "nothing answered on the link: both ends move");
        assertEquals(link(3, 3).order().at(1), link(3, 3).onHeadExpired(), "along P, the next link of P");
    }

    /**
     * Table 4.1's (benign, benign) row on the real link: for every placement of f_A crashed
     * senders and f_B crashed receivers, and every virtual link the link may be on when they
     * crash, a crashed forwarder is replaced by the site's timeout (and its untried peer passed)
     * and a crashed peer skipped by a live forwarder, so a working virtual link comes within
     * f_A + f_B moves.
     */
    @Test
    void crashedServersBlockAtMostFaPlusFbConsecutiveVirtualLinks() {
        for (int fA = 1; fA <= 3; fA++) {
            for (int fB = 1; fB <= 3; fB++) {
                int a = 2 * fA + 1, b = 2 * fB + 1;
                int worst = 0;
                for (int[] crashedA : subsets(a, fA)) {
                    for (int[] crashedB : subsets(b, fB)) {
                        Set<Integer> downA = toSet(crashedA), downB = toSet(crashedB);
                        for (int forwarderStart = 0; forwarderStart < a; forwarderStart++) {
                            for (int peerStart = 0; peerStart < b; peerStart++) {
                                OutgoingLink l = skipping(a, b);
                                for (int k = 0; k < forwarderStart; k++) l.onHeadExpired();
                                for (int k = 0; k < peerStart; k++) l.onPeerExpired();
                                int moves = 0;
                                while (downA.contains(l.current().forwarder()) || downB.contains(l.current().peer())) {
                                    // Nobody skips under a dead forwarder: the site's timeout; its
                                    // peer never answered, so it is passed too.
                                    if (downA.contains(l.current().forwarder())) l.onHeadExpired();
                                    else l.onPeerExpired(); // a live forwarder skips its dead peer
                                    moves++;
                                }
                                worst = Math.max(worst, moves);
                            }
                        }
                    }
                }
                assertEquals(fA + fB, worst, "f_A = " + fA + ", f_B = " + fB);
            }
        }
    }

    private static List<int[]> subsets(int n, int k) {
        List<int[]> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) != k) continue;
            int[] s = new int[k];
            for (int i = 0, j = 0; i < n; i++) if ((mask & 1 << i) != 0) s[j++] = i;
            out.add(s);
        }
        return out;
    }

    private static Set<Integer> toSet(int[] xs) {
        Set<Integer> s = new java.util.HashSet<>();
        for (int x : xs) s.add(x);
        return s;
    }
}
