package io.redoubt.sim;

import io.redoubt.sim.adversary.ByzzFuzzCore;
import io.redoubt.sim.net.RandomSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The network faults of one ByzzFuzz adversary (Winter et al., 2023): up to two partitions that
 * start and end at protocol rounds of the faulty party rather than at times. At the local tier
 * the faulty server and some of its site's servers are cut from the rest of the site; at the wide
 * area the compromised site and some other sites are cut from the rest. The faulty party's cores
 * report their rounds ({@link ByzzFuzzCore.Listener}); a partition holds while the highest round
 * reported lies in its range, and only while the safety phase's faults are on.
 */
final class RoundPartitions implements ByzzFuzzCore.Listener {
    private record Cut(long fromRound, long toRound, TreeSet<Integer> side) {}

    private final String who;
    /** Site of the faulty server for a local cut; -1 for a cut between sites. */
    private final int site;
    private final List<Cut> cuts = new ArrayList<>();
    private final LongSupplier now;
    private final Consumer<String> log;
    private final TreeSet<String> logged = new TreeSet<>();
    private long round = -1;
    private Cut active;

    /**
     * @param members the indices of the servers of {@code site} (local) or the sites (wide)
     * @param faulty the faulty server's index or the compromised site
     */
    RoundPartitions(String who, int site, int members, int faulty, RandomSource r, LongSupplier nowMicros, Consumer<String> log) {
        this.who = who;
        this.site = site;
        this.now = nowMicros;
        this.log = log;
        int count = r.nextInt(3);
        for (int k = 0; k < count && members > 1; k++) {
            long from = 1 + r.nextInt(ByzzFuzzCore.ROUNDS);
            TreeSet<Integer> side = new TreeSet<>();
            side.add(faulty);
            for (int i = 0; i < members; i++) if (i != faulty && side.size() < members - 1 && r.nextInt(2) == 0) side.add(i);
            cuts.add(new Cut(from, from + 1 + r.nextInt(5), side));
        }
    }

    /** Whether the partition in force (if any) drops a frame from {@code a} to {@code b}. */
    boolean cuts(Endpoint a, Endpoint b) {
        if (active == null || a.client() || b.client()) return false;
        if (site >= 0) return a.site() == site && b.site() == site && active.side.contains(a.index()) != active.side.contains(b.index());
        return a.site() != b.site() && active.side.contains(a.site()) != active.side.contains(b.site());
    }

    @Override
    public void round(long r) {
        if (r <= round) return;
        round = r;
        Cut next = null;
        for (Cut c : cuts) if (c.fromRound <= round && round < c.toRound) next = c;
        if (next == active) return;
        String t = "t=" + now.getAsLong() / 1000 + "ms ";
        if (active != null) log.accept(t + who + " at round " + round + ": round partition " + describe(active) + " ends");
        if (next != null) log.accept(t + who + " at round " + round + ": round partition " + describe(next) + " until round " + next.toRound);
        active = next;
    }

    @Override
    public void mutated(long r, String field) {
        // Every server of a compromised site makes the same mutation: log it once.
        if (logged.add(r + " " + field)) log.accept("t=" + now.getAsLong() / 1000 + "ms " + who + " mutated " + field + " at round " + r);
    }

    private String describe(Cut c) {
        return (site >= 0 ? "servers " + c.side + " of site " + site : "sites " + c.side) + " | the rest";
    }
}
