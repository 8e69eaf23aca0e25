package io.redoubt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.sim.FaultMix;
import io.redoubt.sim.SimConfig;
import io.redoubt.sim.Swarm;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code sim --swarm}: settings it draws cannot be named too, and a seed's replay command, run without --swarm, is the same run. */
class SwarmCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run r, String... mustMention) {
        assertEquals(2, r.exit, "bad input exits 2; stderr: " + r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        for (String m : mustMention) assertTrue(r.err.contains(m), "error should mention '" + m + "': " + r.err);
    }

    @Test
    void settingsTheSwarmDrawsCannotBeNamedAsWell() {
        assertOneLineError(run("sim", "--swarm", "--composition", "bft/bft", "--seeds", "1"), "--swarm draws --composition");
        assertOneLineError(run("sim", "--swarm", "--adversary", "0=silent-site", "--seeds", "1"), "--swarm draws --adversary");
        assertOneLineError(run("sim", "--swarm", "--fault-intensity", "many", "--seeds", "1"), "--swarm draws --fault-intensity");
        assertOneLineError(run("sim", "--swarm", "--wide-in-flight", "2", "--seeds", "1"), "--swarm draws --wide-in-flight");
        assertOneLineError(run("sim", "--swarm", "--local-batch-delay", "0ms", "--seeds", "1"), "--swarm draws --local-batch-delay");
        assertOneLineError(run("sim", "--local-batch-delay", "soon", "--seeds", "1"), "--local-batch-delay", "not a duration");
        assertOneLineError(run("sim", "--wide-forward", "sideways", "--seeds", "1"), "--wide-forward sideways", "valid: primary-first, all");
        assertOneLineError(run("sim", "--wide-in-flight", "0", "--seeds", "1"), "--wide-in-flight must be >= 1");
        assertOneLineError(run("sim", "--fault-intensity", "loud", "--seeds", "1"), "'loud'", "valid: few, some, many");
        assertOneLineError(run("sim", "--fault-kinds", "crash-server,meteor", "--seeds", "1"), "'meteor'", "valid: crash-server");
    }

    private static final Pattern SEED_LINE = Pattern.compile("seed (\\d+): (ok|FAILED), .*trace ([0-9a-f]{16})");

    @Tag("campaign")
    @Test
    void aSwarmSeedsReplayCommandRunsTheSameRunWithoutSwarm() {
        // Small seeds that drew adversaries, a mixed composition and a fault mix other than the default, so the replay must name them all.
        SimConfig base = SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3);
        List<Long> seeds = new ArrayList<>();
        boolean adversaries = false, mixed = false, mix = false;
        for (long s = 1; seeds.size() < 3 || !(adversaries && mixed && mix); s++) {
            SimConfig c = Swarm.draw(base, s, 8);
            if (c.deployment().servers().size() > 24) continue;
            boolean a = !c.plantedAdversaries().isEmpty(), m = !c.composition().uniform(), x = !c.faultMix().equals(FaultMix.DEFAULT);
            if ((a && !adversaries) || (m && !mixed) || (x && !mix) || seeds.size() < 3) {
                seeds.add(s);
                adversaries |= a;
                mixed |= m;
                mix |= x;
            }
        }
        for (long seed : seeds) {
            Run swarm = run("sim", "--swarm", "--seed", String.valueOf(seed), "--seeds", "1", "--updates", "8", "--threads", "1", "--verbose");
            assertEquals(0, swarm.exit, swarm.out + swarm.err);
            Matcher m = SEED_LINE.matcher(swarm.out);
            assertTrue(m.find(), swarm.out);
            String trace = m.group(3);
            String replay = swarm.out.lines().filter(l -> l.startsWith("    replay: ")).findFirst().orElseThrow().substring("    replay: ".length());
            assertTrue(replay.startsWith("bin/redoubt sim ") && !replay.contains("--swarm"), replay);
            List<String> args = new ArrayList<>(Arrays.asList(replay.substring("bin/redoubt ".length()).split(" ")));
            args.addAll(List.of("--threads", "1", "--verbose"));
            Run again = run(args.toArray(String[]::new));
            assertEquals(0, again.exit, again.out + again.err);
            Matcher m2 = SEED_LINE.matcher(again.out);
            assertTrue(m2.find(), again.out);
            assertEquals(seed + " ok " + trace, m2.group(1) + " " + m2.group(2) + " " + m2.group(3), "replay of swarm seed " + seed + ": " + replay);
        }
    }
}
