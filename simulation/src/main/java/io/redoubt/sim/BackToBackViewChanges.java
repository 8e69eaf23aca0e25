package io.redoubt.sim;

import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The targeted schedule of {@link FaultKind#BACK_TO_BACK_VIEW_CHANGES} (issue 15, "rare view-change
 * paths"): two view changes in a row over slots prepared at a single member, so that prepared
 * certificates for one slot from two different views meet in one view-change quorum, the case in
 * which only PBFT's rule "the certificate with the highest view" (Castro and Liskov, OSDI '99,
 * section 4.4) keeps a committed batch. It runs among the members of one PBFT group of {@code n =
 * 3f + 1}: the servers of a BFT site, or the sites when the wide area runs BFT (site-level cuts).
 * With P the primary and X another member, the holder:
 * <ol>
 *   <li><b>partial prepare</b>: only P's frames and frames to X get through. X alone collects a
 *       prepared certificate for what P proposes; nobody else prepares, nothing commits.</li>
 *   <li><b>view change without the holder</b>: X is cut off; the other {@code 3f} members change
 *       view without X's certificates and the new primary orders new batches in the same slots.</li>
 *   <li><b>stall</b>: X, the new primary and {@code f - 1} more members are cut off; the remaining
 *       {@code 2f} members leave the view for the next one but cannot finish (no quorum).</li>
 *   <li><b>the holder returns</b>: X rejoins those {@code 2f}: X's certificate from the first view
 *       and theirs from the second, for the same slots, meet in the next new view's quorum.</li>
 * </ol>
 * Phases 1 to 3 end once the members report what the phase is for (votes to leave the view; a new
 * view installed and two more slots delivered; votes to leave again), or after a few of the
 * group's request timeouts; phase 4 lasts eight, then the network heals. Which members play P and
 * X is decided when the phases begin, from the views the members report, so the schedule is a
 * function of the seed like every other fault.
 */
final class BackToBackViewChanges {
    /** The PBFT group a schedule runs in, as the simulator sees it. */
    interface Group {
        /** E.g. "site 2" or "the wide area". */
        String name();

        int size();

        /** The member an endpoint belongs to, or -1 if it is outside the group (clients, other sites). */
        int memberOf(Endpoint e);

        /** The view member {@code m} is in, or -1 if it is down. */
        long view(int m);

        /** Whether member {@code m} has installed its view. */
        boolean active(int m);

        /** The last slot member {@code m} delivered. */
        long delivered(int m);

        /** The primary that member {@code m} believes in. */
        int leaderSeenBy(int m);

        /** The group's request timeout, in microseconds: the time scale of the phases. */
        long requestTimeoutMicros();
    }

    /** What the schedule may do to the simulation. */
    interface Host {
        long nowMicros();

        boolean faultsActive();

        void schedule(long delayMicros, Runnable action);

        /** Installs {@code connected} (directed) until the next partition or heal, logged as {@code what}. */
        void partition(BiPredicate<Endpoint, Endpoint> connected, String what);

        /** Ends the partition in force. */
        void heal(String what);
    }

    private final Host host;
    private final Consumer<String> log;
    /** One schedule at a time: a second one would undo the first's cuts halfway. */
    private boolean running;

    BackToBackViewChanges(Host host, Consumer<String> log) {
        this.host = host;
        this.log = log;
    }

    /** Starts the schedule in {@code g}; {@code pick} chooses the holder among the members that are neither this view's primary nor the next's. */
    void start(Group g, int pick) {
        int n = g.size();
        int f = (n - 1) / 3;
        if (f < 1) {
            log.accept(t() + "back-to-back view changes: " + g.name() + " has no faults to tolerate; skipped");
            return;
        }
        if (running) {
            log.accept(t() + "back-to-back view changes in " + g.name() + ": one is under way; skipped");
            return;
        }
        running = true;
        int primary = leader(g, -1);
        long v0 = g.view(member(g, primary));
        // Not the next view's primary either: it would install that view with its own certificates.
        int holder = (primary + 2 + Math.floorMod(pick, n - 2)) % n;
        long unit = g.requestTimeoutMicros();
        log.accept(t() + "back-to-back view changes in " + g.name() + ": primary " + primary + ", holder " + holder);
        // 1: only the primary's frames and frames to the holder get through.
        // Until the backups other than the holder have voted to leave the view (their payloads
        // waited two request timeouts): were the cut lifted sooner, they would prepare the same
        // batches in the same view.
        TreeSet<Integer> voters = new TreeSet<>();
        for (int m = 0; m < n; m++) if (m != primary && m != holder) voters.add(m);
        phaseUntil(g, (a, b) -> a == primary || b == holder, "partial prepare (" + primary + " -> all, all -> " + holder + ")", 4 * unit,
                unit / 10, () -> allLeft(g, voters, v0, true), () -> {
            // 2: the others change view without the holder's certificates and order a few slots
            // (few: a stable checkpoint above the holder's slots would make its certificates moot).
            long[] deliveredAt = delivered(g);
            phaseUntil(g, (a, b) -> a != holder && b != holder, "view change without holder " + holder, 12 * unit, unit / 10,
                    () -> othersMovedOn(g, holder, v0, deliveredAt), () -> {
                // 3: the new primary and f - 1 more go too: 2f members leave that view and cannot finish.
                TreeSet<Integer> away = new TreeSet<>();
                away.add(holder);
                int next = leader(g, holder);
                long v1 = g.view(member(g, next));
                away.add(next);
                for (int k = 1; away.size() < f + 1 && k < n; k++) {
                    int m = Math.floorMod(next - k, n);
                    if (m != holder) away.add(m);
                }
                phaseUntil(g, (a, b) -> !away.contains(a) && !away.contains(b), "stall without " + away, 8 * unit, unit / 10,
                        () -> allLeft(g, away, v1, false), () -> {
                    // 4: the holder returns to those 2f members; together they are a quorum.
                    away.remove(holder);
                    phase(g, (a, b) -> !away.contains(a) && !away.contains(b), "holder " + holder + " returns, still without " + away,
                            8 * unit, () -> {
                                running = false;
                                host.heal(t() + g.name() + ": back-to-back view changes end");
                            });
                });
            });
        });
    }

    /** {@code m} if it is up, else some member that is (to read a view from). */
    private static int member(Group g, int m) {
        if (g.view(m) >= 0) return m;
        for (int k = 0; k < g.size(); k++) if (g.view(k) >= 0) return k;
        return m;
    }

    private static long[] delivered(Group g) {
        long[] d = new long[g.size()];
        for (int m = 0; m < d.length; m++) d[m] = g.delivered(m);
        return d;
    }

    /** Every running member but the holder has installed a view after {@code v0} and delivered two more slots. */
    private static boolean othersMovedOn(Group g, int holder, long v0, long[] deliveredAt) {
        for (int m = 0; m < g.size(); m++) {
            if (m == holder || g.view(m) < 0) continue;
            if (g.view(m) <= v0 || !g.active(m) || g.delivered(m) < deliveredAt[m] + 2) return false;
        }
        return true;
    }

    /** Every running member in {@code set} ({@code among}), or not in it, has left view {@code v}. */
    private static boolean allLeft(Group g, TreeSet<Integer> set, long v, boolean among) {
        for (int m = 0; m < g.size(); m++) if (set.contains(m) == among && g.view(m) >= 0 && g.view(m) <= v) return false;
        return true;
    }

    /** As {@link #phase}, ending early (checked every {@code pollMicros}) once {@code done} holds. */
    private void phaseUntil(Group g, MemberLink allowed, String what, long maxMicros, long pollMicros, BooleanSupplier done, Runnable then) {
        if (!host.faultsActive()) return;
        cut(g, allowed, what);
        long until = host.nowMicros() + maxMicros;
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            if (!host.faultsActive()) return;
            if (done.getAsBoolean() || host.nowMicros() >= until) then.run();
            else host.schedule(pollMicros, poll[0]);
        };
        host.schedule(pollMicros, poll[0]);
    }

    /** The primary seen by the member in the highest view, other than {@code except}. */
    private static int leader(Group g, int except) {
        int best = -1;
        for (int m = 0; m < g.size(); m++) {
            if (m != except && g.view(m) >= 0 && (best < 0 || g.view(m) > g.view(best))) best = m;
        }
        return best < 0 ? 0 : g.leaderSeenBy(best);
    }

    private void phase(Group g, MemberLink allowed, String what, long durationMicros, Runnable then) {
        if (!host.faultsActive()) return;
        cut(g, allowed, what + " for at most " + durationMicros / 1000 + "ms");
        host.schedule(durationMicros, () -> {
            if (host.faultsActive()) then.run();
        });
    }

    /** Puts the cut of one phase in force; the next phase replaces it, the last one ends at heal or with a new {@link Host#partition}. */
    private void cut(Group g, MemberLink allowed, String what) {
        BiPredicate<Endpoint, Endpoint> connected = (x, y) -> {
            int a = g.memberOf(x);
            int b = g.memberOf(y);
            return a < 0 || b < 0 || a == b || allowed.test(a, b);
        };
        StringBuilder views = new StringBuilder();
        for (int m = 0; m < g.size(); m++) views.append(m == 0 ? "" : ",").append(g.view(m));
        host.partition(connected, t() + g.name() + ": " + what + " (views " + views + ")");
    }

    @FunctionalInterface
    private interface MemberLink {
        boolean test(int from, int to);
    }

    private String t() {
        return "t=" + host.nowMicros() / 1000 + "ms ";
    }
}
