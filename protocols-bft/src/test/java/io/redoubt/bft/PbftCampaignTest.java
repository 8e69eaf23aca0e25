package io.redoubt.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * A seeded campaign of the schedules of {@link PbftDeterminismAndSafetyTest} (safety phase, then
 * heal and liveness phase). By default it runs 60 seeds the other test does not; run it longer, or
 * replay one failing seed, with:
 * <pre>
 * mvn -o test -pl protocols-bft -Dtest=PbftCampaignTest -Dfrom=3547 -Dto=3548 -Dsteps=1200
 * </pre>
 * Settings: {@code from}, {@code to} (seeds), {@code steps}, the window {@code w}, checkpoint
 * interval {@code k} and batch size {@code b}, and {@code transport=true} to run as the wide-area
 * tier does (messages leave unsigned; the transport proves them).
 */
@Tag("campaign")
class PbftCampaignTest {

    @Test
    void campaign() {
        long from = Long.getLong("from", 10_000);
        long to = Long.getLong("to", 10_060);
        int steps = Integer.getInteger("steps", 1200);
        int w = Integer.getInteger("w", 8), k = Integer.getInteger("k", 4), b = Integer.getInteger("b", 3);
        PbftConfig config = PbftTestSupport.cfg(w, k, b);
        boolean transport = Boolean.getBoolean("transport");
        run(from, to, steps, w, k, b, config, transport, false);
    }

    // Forwards with MAC authenticators, as among a site's servers (issue 16).
    @Test
    void campaignWithMacForwards() {
        int steps = Integer.getInteger("steps", 1200);
        int w = Integer.getInteger("w", 8), k = Integer.getInteger("k", 4), b = Integer.getInteger("b", 3);
        run(Long.getLong("from", 20_000), Long.getLong("to", 20_060), steps, w, k, b, PbftTestSupport.cfg(w, k, b), false, true);
    }

    private static void run(long from, long to, int steps, int w, int k, int b, PbftConfig config, boolean transport, boolean macs) {
        List<String> failures = new ArrayList<>();
        int slots = 0;
        for (long seed = from; seed < to; seed++) {
            int n = seed % 4 == 3 ? 7 : 4;
            String replay = "mvn -o test -pl protocols-bft -Dtest=PbftCampaignTest -Dfrom=" + seed
                    + " -Dto=" + (seed + 1) + " -Dsteps=" + steps + " -Dw=" + w + " -Dk=" + k + " -Db=" + b + (transport ? " -Dtransport=true" : "") + (macs ? " (campaignWithMacForwards)" : "");
            try {
                PbftDeterminismAndSafetyTest.Run run = PbftDeterminismAndSafetyTest.runSchedule(seed, n, steps, config, seed % 5 == 0, PbftCore::new,
                        transport ? TestKeys.transportSigned() : macs ? TestKeys.macForwards() : TestKeys.simulated());
                PbftTestCluster c = run.cluster();
                slots += c.firstDelivered().size();
                boolean settled = PbftDeterminismAndSafetyTest.heal(run, 300);
                if (!c.violations().isEmpty() || !settled) {
                    StringBuilder sb = new StringBuilder("seed " + seed + " " + run.mode() + " member " + run.byzantine()
                            + (settled ? "" : " did not settle") + " " + c.violations());
                    for (int i = 0; i < n; i++) sb.append("\n    ").append(c.core(i).describe());
                    failures.add(sb + "\n  replay: " + replay);
                }
            } catch (RuntimeException e) {
                failures.add("seed " + seed + " threw " + e + "\n  replay: " + replay);
            }
        }
        System.out.println("PBFT campaign" + (transport ? " (transport-signed)" : "") + (macs ? " (MAC'd forwards)" : "") + ": seeds " + from + ".." + to + ", slots delivered " + slots + ", failures " + failures.size());
        assertEquals(List.of(), failures);
    }
}
