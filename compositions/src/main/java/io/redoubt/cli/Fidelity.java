package io.redoubt.cli;

import io.redoubt.sim.FaultProfile;
import io.redoubt.sim.SimConfig;
import io.redoubt.sim.SimResult;
import io.redoubt.sim.Simulation;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Compares the rounds an update really takes with Table 4.2 of Lane 2008, from a fault-free run
 * with one client per site proposing updates one at a time.
 */
final class Fidelity {
    private Fidelity() {}

    static void print(SimConfig base, PrintWriter out) {
        SimResult r = new Simulation(base.withFaults(FaultProfile.NONE).withWorkload(1, 10).withSeed(base.seed())).run();
        int[] table = base.composition().table42Rounds();
        var leader = r.roundsClientAtLeaderSite();
        var other = r.roundsClientElsewhere();
        out.printf(Locale.ROOT, "rounds per update, fault-free, one client per site (Lane 2008, Table 4.2, %s):%n", base.composition().cliName());
        out.printf(Locale.ROOT, "  %-44s %6s %6s %6s%n", "", "wide", "local", "total");
        out.printf(Locale.ROOT, "  %-44s %6d %6d %6d%n", "Table 4.2", table[0], table[1], table[2]);
        row(out, "measured, client at the leader site (min)", leader.wideMin(), leader.localMin());
        row(out, "measured, client at the leader site (mean)", leader.wideMean(), leader.localMean());
        if (other.updates() > 0) {
            row(out, "measured, client at another site (min)", other.wideMin(), other.localMin());
            row(out, "measured, client at another site (mean)", other.wideMean(), other.localMean());
        }
        out.println("  The table counts from the update's arrival at the leader logical machine: order it there");
        out.println("  (2 local), proposal (1 wide), order it at each site (2 local), accept (1 wide), order the");
        out.println("  accepts (2 local). A client at another site adds 1 wide round (its logical machine forwards");
        out.println("  the update to the leader's) and 2 local rounds (its own site orders the update first); CLink-Opt");
        out.println("  (section 4.5) removes that local ordering and comes with the CLink issue. A mean above the minimum");
        out.println("  is an update that waited for an earlier batch: batching trades a round of waiting for throughput.");
    }

    private static void row(PrintWriter out, String label, double wide, double local) {
        out.printf(Locale.ROOT, "  %-44s %6.1f %6.1f %6.1f%n", label, wide, local, wide + local);
    }
}
