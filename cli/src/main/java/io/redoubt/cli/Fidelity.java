package io.redoubt.cli;

import io.redoubt.sim.FaultProfile;
import io.redoubt.sim.SimConfig;
import io.redoubt.sim.Simulation;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Compares the rounds an update really takes with Table 4.2 of Lane 2008. The count is the
 * longest chain of messages that led to the update's execution, which is well defined when one
 * update is in flight at a time: so each measurement is a fault-free run with a single client
 * (at the leader site, then at another site) proposing updates one after another.
 */
final class Fidelity {
    private Fidelity() {}

    static void print(SimConfig base, PrintWriter out) {
        // Two seconds between updates let retransmission and heartbeat timers of the previous one
        // settle, so no older chain of messages mixes into the next update's batches.
        SimConfig quiet = base.withFaults(FaultProfile.NONE).withWorkload(1, 10).toBuilder().clientThinkMillis(2_000)
                .plantedAdversaries(java.util.List.of()).build(); // fault-free: no adversaries either
        // In a fault-free run the leader of view 0 leads both tiers: site 0 and its server 0.
        var leader = new Simulation(quiet.toBuilder().clientSite(0).build()).run().roundsClientAtLeaderSite();
        var other = base.sites() > 1 ? new Simulation(quiet.toBuilder().clientSite(1).build()).run().roundsClientElsewhere() : null;
        int[] table = base.composition().table42Rounds();
        out.printf(Locale.ROOT, "rounds per update, fault-free, a single client proposing one update at a time (Lane 2008, Table 4.2, %s):%n",
                base.composition().cliName());
        out.printf(Locale.ROOT, "  %-44s %6s %6s %6s%n", "", "wide", "local", "total");
        if (table != null) out.printf(Locale.ROOT, "  %-44s %6d %6d %6d%n", "Table 4.2", table[0], table[1], table[2]);
        else out.printf(Locale.ROOT, "  %-44s%n", "Table 4.2 has no row for a flat (solo) or mixed composition");
        row(out, "measured, client at the leader site", leader);
        if (other != null) row(out, "measured, client at another site", other);
        out.println("  The table counts from the update's arrival at the leader logical machine: order it there");
        out.println("  (2 local), proposal (1 wide), order it at each site (2 local), accept (1 wide), order the");
        out.println("  accepts (2 local). A client at another site adds 1 wide round: with CLink-Opt (section 4.5,");
        out.println("  redoubt.clink.forward-to-leader-site = on) a server of its site sends the update straight to a");
        out.println("  server of the leader site; off, its own site orders the update first (2 more local rounds) and");
        out.println("  its logical machine forwards it.");
        if (base.sites() == 3) {
            out.println("  With 3 sites a majority is 2: a follower site decides as soon as it orders the proposal (the");
            out.println("  leader's proposal and its own accept), so a client elsewhere saves the accept round.");
        }
    }

    private static void row(PrintWriter out, String label, io.redoubt.sim.RoundStats.Snapshot s) {
        String range = s.wideMin() == s.wideMax() && s.localMin() == s.localMax() ? ""
                : String.format(Locale.ROOT, "  (wide %d..%d, local %d..%d over %d updates)", s.wideMin(), s.wideMax(), s.localMin(), s.localMax(), s.updates());
        out.printf(Locale.ROOT, "  %-44s %6.1f %6.1f %6.1f%s%n", label, s.wideMean(), s.localMean(), s.wideMean() + s.localMean(), range);
    }
}
