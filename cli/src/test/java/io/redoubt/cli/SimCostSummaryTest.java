package io.redoubt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The cost block of a {@code sim} campaign's summary (issue 16): CPU measured, the counts consistent. */
class SimCostSummaryTest {
    private static String sim(String... extra) {
        String[] base = {"sim", "--composition", "paxos/paxos", "--sites", "3", "--servers-per-site", "3", "--seeds", "2",
                "--faults", "none", "--clients-per-site", "2", "--updates-per-client", "15", "--threads", "1"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, exit, out + "\n" + err);
        return out.toString();
    }

    private static double row(String out, String label) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +([0-9.]+)").matcher(out);
        assertTrue(m.find(), () -> "no row '" + label + "' in\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theCostBlockGivesCpuAndCountsPerOrderedUpdate() {
        String out = sim("--cost-warmup-updates", "10");
        // 2 seeds x 3 sites x 2 clients x 15 updates
        assertTrue(out.contains("cost per ordered update (180 updates, all seeds):"), out);
        assertTrue(row(out, "CPU, simulation threads") > 0, out);
        assertTrue(row(out, "CPU, after each run's warm-up") > 0, out);
        // The mark falls at the step in which the last server executed its 10th update (a batch may carry
        // it past): at most 80 more in each run.
        Matcher warm = Pattern.compile("over the (\\d+) updates executed after each run's first 10 updates").matcher(out);
        assertTrue(warm.find() && Integer.parseInt(warm.group(1)) > 0 && Integer.parseInt(warm.group(1)) <= 160, out);
        double local = row(out, "messages, local"), wide = row(out, "messages, wide-area"), all = row(out, "messages, all");
        assertEquals(all, local + wide, 0.011, out);
        assertTrue(row(out, "bytes, wide-area") > row(out, "  floor"), out);
        assertTrue(row(out, "LM signatures") > 0, out);
        assertEquals(0, row(out, "threshold partials"), out);
        // Fault-free, every wide-area slot carries at least one update, and every site orders each
        // slot's events locally, so there are more local slots than wide ones.
        double wideSlots = row(out, "ordering instances, wide-area");
        assertTrue(wideSlots > 0 && wideSlots <= 1, out);
        assertTrue(row(out, "ordering instances, local") > wideSlots, out);
        Matcher each = Pattern.compile("slots among sites: ([0-9.]+) updates each").matcher(out);
        assertTrue(each.find(), out);
        assertEquals(1 / wideSlots, Double.parseDouble(each.group(1)), 0.1 / wideSlots, out);
        // The lines before and after the block are as they were.
        assertTrue(out.strip().endsWith("sim: 2 seeds, 0 safety violations, 0 liveness failures"), out);
        assertTrue(out.contains("campaign took"), out);
    }

    @Test
    void aNegativeWarmUpIsRefusedInOneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new String[] {"sim", "--cost-warmup-updates", "-1"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().strip().startsWith("redoubt: --cost-warmup-updates must be >= 0"), err.toString());
    }
}
