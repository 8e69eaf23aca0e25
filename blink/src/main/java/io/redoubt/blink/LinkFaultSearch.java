package io.redoubt.blink;

import java.util.ArrayList;
import java.util.List;

/**
 * The adversary's best placement against a logical link, found by trying every one: which f_S
 * servers of the sending site and f_R of the receiving site to corrupt so that the most
 * consecutive virtual links are blocked (a link is blocked when its forwarder or its peer is
 * faulty). That maximum is VL_max of Lane 2008, section 4.4.1; Table 4.1 bounds it for each
 * sub-protocol, and this search measures it, for the tests and for {@code bin/redoubt fidelity}.
 *
 * <p>Pure and exhaustive: C(S', f_S) * C(R', f_R) placements, each over one period of the order,
 * so keep sites at most 13 servers or so (f = 4 for a Byzantine site).
 */
public final class LinkFaultSearch {
    private LinkFaultSearch() {}

    /** Which BLink sub-protocol a pair of sites runs (section 4.4.2), by (sender, receiver) fault model. */
    public enum SubProtocol {
        BYZANTINE_BYZANTINE("(Byz, Byz)", 4, 9),
        BYZANTINE_BENIGN("(Byz, Benign)", 1, 3),
        BENIGN_BYZANTINE("(Benign, Byz)", 1, 3),
        BENIGN_BENIGN("(Benign, Benign)", 1, 4);

        private final String label;
        private final int correctNumerator;
        private final int correctDenominator;

        SubProtocol(String label, int correctNumerator, int correctDenominator) {
            this.label = label;
            this.correctNumerator = correctNumerator;
            this.correctDenominator = correctDenominator;
        }

        public static SubProtocol of(boolean senderByzantine, boolean receiverByzantine) {
            if (senderByzantine) return receiverByzantine ? BYZANTINE_BYZANTINE : BYZANTINE_BENIGN;
            return receiverByzantine ? BENIGN_BYZANTINE : BENIGN_BENIGN;
        }

        public String label() {
            return label;
        }

        /** Table 4.1's lower bound on the fraction of correct virtual links, as a fraction n/d. */
        public int correctNumerator() {
            return correctNumerator;
        }

        public int correctDenominator() {
            return correctDenominator;
        }

        /**
         * Table 4.1's bound on VL_max, where A is the logical machine with more servers (on equal
         * sizes, either: the formulas agree). f of each site as given.
         */
        public int vlMaxBound(int fSender, int fReceiver) {
            int sSize = servers(this == BYZANTINE_BYZANTINE || this == BYZANTINE_BENIGN, fSender);
            int rSize = servers(this == BYZANTINE_BYZANTINE || this == BENIGN_BYZANTINE, fReceiver);
            int fA = sSize >= rSize ? fSender : fReceiver;
            int fB = sSize >= rSize ? fReceiver : fSender;
            return switch (this) {
                case BYZANTINE_BYZANTINE -> 2 * fA;
                case BYZANTINE_BENIGN, BENIGN_BYZANTINE -> Math.max(5 * fA / 2, 3 * fA - 2);
                case BENIGN_BENIGN -> fA + fB;
            };
        }
    }

    /** Servers of a site tolerating {@code f} faults: 3f+1 if Byzantine, 2f+1 if benign. */
    public static int servers(boolean byzantine, int f) {
        return byzantine ? 3 * f + 1 : 2 * f + 1;
    }

    /**
     * The worst placement found: the longest run of consecutive blocked virtual links, and the
     * smallest fraction of correct links in one block of A' * B' links of the order.
     */
    public record Worst(int longestBlockedRun, List<Integer> faultySenders, List<Integer> faultyReceivers,
                        double smallestCorrectFraction) {}

    /**
     * Every placement of {@code fSender} faulty servers among the sender's and {@code fReceiver}
     * among the receiver's, against selection order P: the longest run of consecutive blocked links
     * anywhere in P (which is periodic, so one period read cyclically covers every start).
     */
    public static Worst againstSelectionOrder(SelectionOrder order, int fSender, int fReceiver) {
        return againstOrder(order.senderServers(), order.receiverServers(), Math.toIntExact(order.period()), order.blockLength(),
                order::at, fSender, fReceiver);
    }

    /** The same search against any periodic order of virtual links (tests compare P with alternatives). */
    static Worst againstOrder(int senderServers, int receiverServers, int period, int block, java.util.function.LongFunction<VirtualLink> order,
                              int fSender, int fReceiver) {
        int[] forwarder = new int[period];
        int[] peer = new int[period];
        for (int p = 0; p < period; p++) {
            VirtualLink l = order.apply(p);
            forwarder[p] = l.forwarder();
            peer[p] = l.peer();
        }
        Worst[] worst = {null};
        forEachSubset(senderServers, fSender, faultyS -> forEachSubset(receiverServers, fReceiver, faultyR -> {
            int longest = 0, run = 0, firstRun = -1;
            int correctInBlock = 0;
            double smallestFraction = 1.0;
            for (int p = 0; p < period; p++) {
                boolean blocked = faultyS[forwarder[p]] || faultyR[peer[p]];
                if (blocked) {
                    run++;
                } else {
                    if (firstRun < 0) firstRun = run;
                    longest = Math.max(longest, run);
                    run = 0;
                    correctInBlock++;
                }
                if ((p + 1) % block == 0) {
                    smallestFraction = Math.min(smallestFraction, correctInBlock / (double) block);
                    correctInBlock = 0;
                }
            }
            // The run at the end of one period continues into the start of the next.
            longest = Math.max(longest, firstRun < 0 ? period : run + firstRun);
            if (worst[0] == null || longest > worst[0].longestBlockedRun()
                    || (longest == worst[0].longestBlockedRun() && smallestFraction < worst[0].smallestCorrectFraction())) {
                worst[0] = new Worst(longest, indices(faultyS), indices(faultyR), smallestFraction);
            }
        }));
        return worst[0];
    }

    /**
     * (benign, benign), section 4.4.2: no selection order; the forwarder tries the receiver's
     * servers one after another, and the site replaces a forwarder that stops acting. As
     * {@link OutgoingLink} does it: a crashed peer is skipped by its live forwarder; a crashed
     * forwarder is replaced, and since its peer never answered it, the next forwarder starts at
     * the next peer. The worst run is the longest stretch of such moves from any starting pair.
     */
    public static Worst againstPeerSkipping(int senderServers, int receiverServers, int fSender, int fReceiver) {
        Worst[] worst = {null};
        forEachSubset(senderServers, fSender, faultyS -> forEachSubset(receiverServers, fReceiver, faultyR -> {
            int longest = 0;
            for (int f0 = 0; f0 < senderServers; f0++) {
                for (int p0 = 0; p0 < receiverServers; p0++) {
                    int f = f0, p = p0, blocked = 0;
                    while (faultyS[f] || faultyR[p]) {
                        if (faultyS[f]) {
                            f = (f + 1) % senderServers; // the site's timeout on the forwarder
                            p = (p + 1) % receiverServers; // whose peer was never tried
                        } else {
                            p = (p + 1) % receiverServers; // the forwarder skips this peer
                        }
                        blocked++;
                    }
                    longest = Math.max(longest, blocked);
                }
            }
            double correct = (senderServers - fSender) * (double) (receiverServers - fReceiver) / (senderServers * (double) receiverServers);
            if (worst[0] == null || longest > worst[0].longestBlockedRun()) {
                worst[0] = new Worst(longest, indices(faultyS), indices(faultyR), correct);
            }
        }));
        return worst[0];
    }

    /** The worst placement for the sub-protocol of these two sites, each with its own f. */
    public static Worst search(boolean senderByzantine, int fSender, boolean receiverByzantine, int fReceiver) {
        int s = servers(senderByzantine, fSender), r = servers(receiverByzantine, fReceiver);
        if (!senderByzantine && !receiverByzantine) return againstPeerSkipping(s, r, fSender, fReceiver);
        return againstSelectionOrder(SelectionOrder.between(s, r), fSender, fReceiver);
    }

    interface SubsetVisitor {
        void visit(boolean[] chosen);
    }

    /** Calls {@code visitor} once for every k-subset of 0..n-1 (the array is reused between calls). */
    static void forEachSubset(int n, int k, SubsetVisitor visitor) {
        if (k < 0 || k > n) throw new IllegalArgumentException("cannot choose " + k + " of " + n);
        boolean[] chosen = new boolean[n];
        choose(chosen, 0, k, visitor);
    }

    private static void choose(boolean[] chosen, int from, int left, SubsetVisitor visitor) {
        if (left == 0) {
            visitor.visit(chosen);
            return;
        }
        for (int i = from; i <= chosen.length - left; i++) {
            chosen[i] = true;
            choose(chosen, i + 1, left - 1, visitor);
            chosen[i] = false;
        }
    }

    private static List<Integer> indices(boolean[] chosen) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) if (chosen[i]) out.add(i);
        return List.copyOf(out);
    }
}
