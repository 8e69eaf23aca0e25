package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * A failure report's replay command must replay that run: runs that differ in anything the
 * command line can set must print different replay commands. (It once named only composition,
 * sites, servers per site, faults and seed, so a run with another workload or with Ed25519
 * signatures printed a command that replayed a different run.)
 */
@Tag("campaign")
class ReplayCommandTest {
    @Test
    void runsThatDifferInWhatTheCommandLineCanSetHaveDifferentReplayCommands() {
        SimConfig base = Sims.paxos(3, 3, FaultProfile.NONE, 5).withWorkload(2, 2);
        List<SimConfig> variants = List.of(base.withWorkload(2, 3), base.withSignatureScheme("ed25519"));
        SimResult baseRun = Sims.run(base);
        List<String> clashes = new ArrayList<>();
        for (SimConfig v : variants) {
            SimResult run = Sims.run(v);
            assertNotEquals(baseRun.traceHash(), run.traceHash(), "the variant is a different run");
            if (v.replayCommand().equals(base.replayCommand())) clashes.add(v + "\n  replays as " + v.replayCommand());
        }
        assertTrue(clashes.isEmpty(), "different runs, same replay command:\n" + String.join("\n", clashes));
    }

    @Test
    void theReplayCommandNamesTheSeedAndRunsOneSeed() {
        String cmd = Sims.paxos(5, 3, FaultProfile.BENIGN, 42).replayCommand();
        assertTrue(cmd.startsWith("bin/redoubt sim "), cmd);
        assertTrue(cmd.contains(" --seed 42 ") || cmd.endsWith(" --seed 42"), cmd);
        assertTrue(cmd.contains(" --seeds 1"), cmd);
        assertTrue(cmd.contains(" --sites 5") && cmd.contains(" --servers-per-site 3") && cmd.contains(" --faults benign"), cmd);
    }
}
