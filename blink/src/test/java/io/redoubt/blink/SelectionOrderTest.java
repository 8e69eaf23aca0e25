package io.redoubt.blink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Properties 4.4.1 to 4.4.3 and Lemma 4.4.1 of Lane 2008 (section 4.4.4), checked exhaustively
 * for every pair of site sizes from 1 to 16 servers, in both directions of the link.
 */
class SelectionOrderTest {
    static final int SIZE_MAX = 16;

    /** Every (sender, receiver) pair of sizes, both directions. */
    static List<SelectionOrder> allOrders() {
        List<SelectionOrder> orders = new ArrayList<>();
        for (int s = 1; s <= SIZE_MAX; s++) for (int r = 1; r <= SIZE_MAX; r++) orders.add(SelectionOrder.between(s, r));
        return orders;
    }

    /** A link as (server of A, server of B), whichever site sends. */
    static List<Integer> asAB(SelectionOrder o, VirtualLink l) {
        return o.senderIsA() ? List.of(l.forwarder(), l.peer()) : List.of(l.peer(), l.forwarder());
    }

    static Set<List<Integer>> series(SelectionOrder o, int s) {
        Set<List<Integer>> links = new HashSet<>();
        for (int i = 0; i < o.seriesLength(); i++) links.add(asAB(o, o.link(s, i)));
        return links;
    }

    @Test
    void linksFollowTheDefinitionOfSection441() {
        for (SelectionOrder o : allOrders()) {
            int a = o.serversOfA(), b = o.serversOfB();
            for (int s = 0; s < a; s++) {
                for (int i = 0; i < o.seriesLength(); i++) {
                    assertEquals(List.of((i + s) % a, i % b), asAB(o, o.link(s, i)), o + " L(" + s + ", " + i + ")");
                }
            }
            assertEquals(Math.max(o.senderServers(), o.receiverServers()), a, o::toString);
            for (long p = 0; p < 3 * o.period(); p++) {
                VirtualLink l = o.at(p);
                assertTrue(l.forwarder() < o.senderServers() && l.peer() < o.receiverServers(), o + " at " + p + ": " + l);
            }
        }
    }

    @Test
    void property441EachSeriesHasLcmDistinctLinks() {
        for (SelectionOrder o : allOrders()) {
            for (int s = 0; s < o.serversOfA(); s++) assertEquals(o.seriesLength(), series(o, s).size(), o + " series " + s);
        }
    }

    @Test
    void property442SeriesNotCongruentModuloGcdAreDisjoint() {
        for (SelectionOrder o : allOrders()) {
            int gcd = SelectionOrder.gcd(o.serversOfA(), o.serversOfB());
            for (int s = 0; s < o.serversOfA(); s++) {
                for (int t = 0; t < o.serversOfA(); t++) {
                    if (s % gcd == t % gcd) continue;
                    Set<List<Integer>> common = series(o, s);
                    common.retainAll(series(o, t));
                    assertTrue(common.isEmpty(), o + ": series " + s + " and " + t + " share " + common);
                }
            }
        }
    }

    @Test
    void property443AnyGcdConsecutiveSeriesCoverEveryLinkOnce() {
        for (SelectionOrder o : allOrders()) {
            int a = o.serversOfA(), b = o.serversOfB(), gcd = SelectionOrder.gcd(a, b);
            for (int s = 0; s < a; s++) {
                Set<List<Integer>> all = new HashSet<>();
                int count = 0;
                for (int k = 0; k < gcd; k++) {
                    for (int i = 0; i < o.seriesLength(); i++) {
                        all.add(asAB(o, o.link((s + k) % a, i)));
                        count++;
                    }
                }
                assertEquals(a * b, count, o::toString);
                assertEquals(a * b, all.size(), o + ": series " + s + ".." + (s + gcd - 1) + " repeat a link");
            }
            // Hence P is made of blocks of A'B' links, each a permutation of all virtual links (Claim 4.4.1).
            for (long start = 0; start < o.period(); start += o.blockLength()) {
                Set<VirtualLink> block = new HashSet<>();
                for (int p = 0; p < o.blockLength(); p++) block.add(o.at(start + p));
                assertEquals(a * b, block.size(), o + ": block at " + start);
            }
        }
    }

    @Test
    void lemma441AnyAMinusOneSuccessiveLinksUseDistinctServersOfA() {
        for (SelectionOrder o : allOrders()) {
            int a = o.serversOfA();
            for (long start = 0; start < o.period(); start++) {
                Set<Integer> used = new HashSet<>();
                for (int k = 0; k < a - 1; k++) {
                    int serverOfA = asAB(o, o.at(start + k)).get(0);
                    assertTrue(used.add(serverOfA), o + ": server " + serverOfA + " of A twice in the " + (a - 1) + " links from " + start);
                }
            }
        }
    }

    @Test
    void theOrderRepeatsAfterASeries() {
        for (SelectionOrder o : allOrders()) {
            for (long p = 0; p < o.period(); p++) assertEquals(o.at(p), o.at(p + o.period()), o + " at " + p);
        }
    }

    /** Figure 4.3: four servers on each side, four series of four links; A's servers shift by one per series. */
    @Test
    void figure43() {
        SelectionOrder o = SelectionOrder.between(4, 4);
        List<VirtualLink> first = new ArrayList<>();
        for (int p = 0; p < 8; p++) first.add(o.at(p));
        assertEquals(List.of(new VirtualLink(0, 0), new VirtualLink(1, 1), new VirtualLink(2, 2), new VirtualLink(3, 3),
                new VirtualLink(1, 0), new VirtualLink(2, 1), new VirtualLink(3, 2), new VirtualLink(0, 3)), first);
        assertEquals(16, o.period());
    }

    @Test
    void theSmallerSiteWrapsWhicheverWayTheLinkGoes() {
        SelectionOrder toBigger = SelectionOrder.between(3, 4); // benign f = 1 sending to Byzantine f = 1
        assertTrue(!toBigger.senderIsA());
        // B (the sender, 3 servers) wraps modulo 3 on successive links; A (the receiver) shifts per series.
        assertEquals(List.of(new VirtualLink(0, 0), new VirtualLink(1, 1), new VirtualLink(2, 2), new VirtualLink(0, 3)),
                List.of(toBigger.at(0), toBigger.at(1), toBigger.at(2), toBigger.at(3)));
        assertEquals(new VirtualLink(0, 1), toBigger.at(12)); // series 1 starts with A's server 1
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> SelectionOrder.between(0, 4));
        assertThrows(IllegalArgumentException.class, () -> SelectionOrder.between(4, 4).at(-1));
        assertThrows(IllegalArgumentException.class, () -> SelectionOrder.between(4, 4).link(4, 0));
    }
}
