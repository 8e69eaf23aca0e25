package io.redoubt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.lm.ServerId;
import io.redoubt.runtime.HostTopology;
import io.redoubt.runtime.keys.KeyGen;
import io.redoubt.runtime.net.StreamTransport;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's promises: one-line errors that say what is valid, and the campaign's closing line. */
class CommandLineTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run r, String... mustMention) {
        assertEquals(2, r.exit, "bad input exits 2; stderr: " + r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line, not a page of usage: " + r.err);
        assertTrue(r.err.startsWith("redoubt: "), r.err);
        for (String m : mustMention) assertTrue(r.err.contains(m), "error should mention '" + m + "': " + r.err);
    }

    @Test
    void unknownCompositionNamesTheValidOnes() {
        assertOneLineError(run("sim", "--composition", "raft/raft", "--seeds", "1"), "raft/raft", "valid: paxos/paxos");
    }

    @Test
    void unknownFaultProfileNamesTheValidOnes() {
        assertOneLineError(run("sim", "--faults", "gremlins", "--seeds", "1"), "gremlins", "valid: none, benign");
    }

    @Test
    void nonNumericAndOutOfRangeNumbersAreRefused() {
        assertOneLineError(run("sim", "--sites", "many"), "--sites", "many");
        assertOneLineError(run("sim", "--sites", "0", "--seeds", "1"), "--sites must be >= 1");
        assertOneLineError(run("sim", "--seeds", "0"), "--seeds must be >= 1");
        assertOneLineError(run("demo", "--servers-per-site", "0"), "--servers-per-site must be >= 1");
    }

    @Test
    void unknownOptionAndMissingCommandAreOneLine() {
        assertOneLineError(run("sim", "--colour", "blue"), "--colour");
        assertOneLineError(run(), "valid: demo, virtual-demo, sim");
        assertOneLineError(run("deploy"), "deploy");
    }

    @Test
    void badConfigurationNamesKeyValueAndFix(@TempDir Path dir) throws IOException {
        File f = dir.resolve("bad.conf").toFile();
        Files.writeString(f.toPath(), "redoubt.wan.bandwidth = \"fast\"\n");
        assertOneLineError(run("demo", "--config", f.getPath()), "redoubt.wan.bandwidth", "fast", "10 Mbit/s");
        Files.writeString(f.toPath(), "redoubt.topology.sites = -2\n");
        assertOneLineError(run("demo", "--config", f.getPath()), "redoubt.topology.sites", "-2", ">= 1");
        Files.writeString(f.toPath(), "redoubt.local.paxos.progress-timeout = soon\n");
        assertOneLineError(run("demo", "--config", f.getPath()), "redoubt.local.paxos.progress-timeout");
        assertOneLineError(run("demo", "--config", dir.resolve("missing.conf").toString()), "does not exist");
    }

    /** Issue 18: a history shorter than two snapshot intervals would leave a server that installs the latest snapshot short of it. */
    @Test
    void aHistoryShorterThanTwoSnapshotIntervalsStopsStartUpNamingBothKeys(@TempDir Path dir) throws IOException {
        File f = dir.resolve("short.conf").toFile();
        Files.writeString(f.toPath(), "redoubt.compaction.snapshot-interval-slots = 4096\n");
        assertOneLineError(run("demo", "--config", f.getPath()), "redoubt.local.paxos.history-slots-max", "4096",
                "redoubt.compaction.snapshot-interval-slots", "8192");
        assertOneLineError(run("sim", "--seeds", "1", "--compaction", "16/x"), "--compaction", "INTERVAL/HISTORY");
    }

    private static String write(Path dir, String text) throws IOException {
        Path f = dir.resolve("test.conf");
        Files.writeString(f, text);
        return f.toString();
    }

    @Test
    void theFourCompositionFilesShareOneTopologyAndSizeEachSiteForOneFault() {
        Map<String, Integer> serversPerSite = Map.of("paxos-paxos", 3, "bft-paxos", 3, "paxos-bft", 4, "bft-bft", 4);
        serversPerSite.forEach((name, servers) -> {
            ConfigReader r = ConfigReader.load(new File("../conf/" + name + ".conf"));
            Deployment d = DeploymentSettings.readForHost(r);
            assertEquals(name.replace('-', '/'), d.composition().cliName());
            assertEquals(5, d.sites(), name);
            assertEquals(servers, d.serversPerSite(), name);
            assertEquals(1, d.siteFaults(d.siteIds().get(0)), name);
            Map<ServerId, StreamTransport.Address> at = HostTopology.read(r, d);
            assertEquals(new StreamTransport.Address("127.0.0.1", 7100 + 5 * servers - 1), at.get(ServerId.of(4, servers - 1)), name);
        });
    }

    @Test
    void realServersTakeBothTiersTimersFromTheHostBlockAndTheSimulatorKeepsItsOwn(@TempDir Path dir) throws IOException {
        ConfigReader r = ConfigReader.load(new File(write(dir, """
                redoubt.wide.pbft.request-timeout = 1s
                redoubt.host.wide.pbft { request-timeout = 7s, view-change-timeout = 9s, retransmit = 1500ms }
                redoubt.host.wide.paxos { progress-timeout = 5s, progress-timeout-max = 50s, retransmit = 700ms }
                redoubt.host.local.pbft.request-timeout = 3s
                """)));
        Deployment simulated = DeploymentSettings.read(r);
        Deployment real = DeploymentSettings.readForHost(r);
        assertEquals(1_000, simulated.widePbft().requestTimeoutMillis());
        assertEquals(7_000, real.widePbft().requestTimeoutMillis());
        assertEquals(9_000, real.widePbft().viewChangeTimeoutMillis());
        assertEquals(1_500, real.widePbft().retransmitMillis());
        assertEquals(5_000, real.widePaxos().progressTimeoutMillis());
        assertEquals(50_000, real.widePaxos().progressTimeoutMaxMillis());
        assertEquals(700, real.widePaxos().retransmitMillis());
        assertEquals(3_000, real.localPbft().requestTimeoutMillis());
        assertTrue(real.widePbft().requestTimeoutMaxMillis() >= 7_000, "a maximum below the start would never be reached");
    }

    @Test
    void unknownKeyIsRefusedWithTheClosestValidOne(@TempDir Path dir) throws IOException {
        assertOneLineError(run("demo", "--config", write(dir, "redoubt.topology.site = 5\n")),
                "redoubt.topology.site = 5 is not a known key", "did you mean redoubt.topology.sites?");
        assertOneLineError(run("demo", "--config", write(dir, "redoubt { wan { latncy = 30ms } }\n")),
                "redoubt.wan.latncy = \"30ms\"", "did you mean redoubt.wan.latency?");
        assertOneLineError(run("demo", "--config", write(dir, "redoubt.wan = 5\n")), "redoubt.wan = 5", "a block of keys");
        // Server names under addresses are the user's, and keys outside redoubt are not ours to judge.
        ConfigReader r = ConfigReader.load(new File(write(dir, "other.key = 1\nredoubt.topology.addresses { \"1.2\" = \"10.0.0.7:7100\" }\n")));
        assertEquals(new StreamTransport.Address("10.0.0.7", 7100), HostTopology.read(r, DeploymentSettings.read(r)).get(ServerId.of(1, 2)));
    }

    @Test
    void siteClusterKeysAreReadAndBadOnesNamed(@TempDir Path dir) throws IOException {
        assertEquals(io.redoubt.runtime.cluster.SiteCluster.Settings.DEFAULT, io.redoubt.runtime.cluster.SiteCluster.Settings.read(ConfigReader.load(null)));
        ConfigReader r = ConfigReader.load(new File(write(dir, "redoubt { host.site-cluster = off, topology.cluster-port-offset = 2000 }\n")));
        assertEquals(new io.redoubt.runtime.cluster.SiteCluster.Settings(false, 2000), io.redoubt.runtime.cluster.SiteCluster.Settings.read(r));
        ConfigReader bad = ConfigReader.load(new File(write(dir, "redoubt.topology.cluster-port-offset = 0\n")));
        io.redoubt.compose.SettingsException e = org.junit.jupiter.api.Assertions.assertThrows(io.redoubt.compose.SettingsException.class,
                () -> io.redoubt.runtime.cluster.SiteCluster.Settings.read(bad));
        assertTrue(e.getMessage().contains("redoubt.topology.cluster-port-offset"), e.getMessage());
    }

    @Test
    void unknownProtocolInTheFileNamesTheKeyAndTheValidOnes(@TempDir Path dir) throws IOException {
        assertOneLineError(run("demo", "--config", write(dir, "redoubt.composition = \"raft/paxos\"\n")),
                "redoubt.composition", "raft/paxos", "valid: paxos/paxos");
    }

    @Test
    void sitesTooSmallForTheirFaultsNameTheKeyAndTheSizeThatWorks(@TempDir Path dir) throws IOException {
        assertOneLineError(run("demo", "--config", write(dir, "redoubt { composition = \"paxos/bft\", topology.servers-per-site = 3 }\n")),
                "redoubt.topology.servers-per-site = 3 is too few for bft", "3f+1 servers", "so at least 4");
        assertOneLineError(run("demo", "--config", write(dir, "redoubt { composition = \"bft/bft\", topology { sites = 3, servers-per-site = 4 } }\n")),
                "redoubt.topology.sites = 3 is too few for bft/bft", "3F+1 sites", "so at least 4");
        assertOneLineError(run("demo", "--config", write(dir, "redoubt { composition = \"paxos/paxos,site7=bft\" }\n")),
                "redoubt.composition paxos/paxos,site7=bft names site 7 but there are 5 sites");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void missingOrForeignKeysAreOneLineNamingTheFileAndTheFix(@TempDir Path dir) throws IOException {
        String conf = write(dir, "redoubt.topology { sites = 2, servers-per-site = 1, base-port = " + freePort() + " }\n");
        Path none = dir.resolve("no-keys");
        assertOneLineError(run("node", "--config", conf, "--server", "0.0", "--keys", none.toString(), "--data", dir.resolve("data").toString()),
                none.resolve("public").toString(), "missing", "keygen");
        Path oneSite = dir.resolve("keys-for-one-site");
        KeyGen.generate(Deployment.defaults(Composition.parse("paxos/paxos"), 1, 1), oneSite, KeyGen.Options.defaults(1));
        assertOneLineError(run("node", "--config", conf, "--server", "0.0", "--keys", oneSite.toString(), "--data", dir.resolve("data").toString()),
                "deployment.keys", "run keygen for this configuration");
        assertOneLineError(run("local", "--config", conf, "--keys", oneSite.toString(), "--data", dir.resolve("data").toString()),
                "deployment.keys", "run keygen for this configuration");
    }

    @Test
    void aNodeWhosePortIsTakenSaysWhichKeyPlacedItThere(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            String conf = write(dir, "redoubt.topology { sites = 1, servers-per-site = 3, host = \"127.0.0.1\", base-port = " + port + " }\n");
            assertOneLineError(run("node", "--config", conf, "--server", "0.0", "--keys", dir.resolve("keys").toString()),
                    "redoubt.topology.base-port: 127.0.0.1:" + port + " for server 0.0 is in use", "choose another port");
            conf = write(dir, "redoubt.topology { sites = 1, servers-per-site = 3, base-port = " + freePort()
                    + ", addresses { \"0.2\" = \"127.0.0.1:" + port + "\" } }\n");
            assertOneLineError(run("node", "--config", conf, "--server", "0.2", "--keys", dir.resolve("keys").toString()),
                    "redoubt.topology.addresses.\"0.2\": 127.0.0.1:" + port + " for server 0.2 is in use");
        }
    }

    @Test
    void plantedAdversariesAreCheckedAndNamedInTheReport() {
        assertOneLineError(run("sim", "--composition", "paxos/bft", "--sites", "3", "--servers-per-site", "4", "--seeds", "1",
                "--adversary", "0.0=silent", "--adversary", "0.3=garbage"), "--adversary 0.3=garbage", "more than f = 1");
        assertOneLineError(run("sim", "--composition", "paxos/bft", "--sites", "3", "--servers-per-site", "4", "--seeds", "1",
                "--adversary", "0.0"), "--adversary '0.0' has no '='", "SITE.SERVER=KIND");
        Run r = run("sim", "--composition", "paxos/bft", "--sites", "3", "--servers-per-site", "4", "--seeds", "1",
                "--faults", "none", "--updates", "30", "--threads", "1", "--adversary", "1.2=replay", "--verbose");
        assertEquals(0, r.exit, r.out + r.err);
        assertTrue(r.out.contains("adversaries: 1 x replays old messages"), r.out);
    }

    @Test
    void campaignEndsWithTheSummaryLineAndExitsZeroWhenClean() {
        Run r = run("sim", "--composition", "paxos/paxos", "--sites", "3", "--servers-per-site", "3", "--seeds", "3",
                "--faults", "benign", "--updates", "30", "--threads", "1");
        assertEquals(0, r.exit, r.out + r.err);
        String[] lines = r.out.strip().split("\n");
        assertEquals("sim: 3 seeds, 0 safety violations, 0 liveness failures", lines[lines.length - 1]);
        assertTrue(r.out.contains("Table 4.2"), r.out);
        assertTrue(r.out.contains("campaign took"), r.out);
    }

    @Test
    void demoRunsRealServersAndEndsWithTheLocalSummaryLine() {
        Run r = run("demo", "--sites", "3", "--servers-per-site", "3", "--clients-per-site", "1", "--updates-per-client", "5");
        assertEquals(0, r.exit, r.out + r.err);
        assertTrue(r.out.contains("each its own actor system, mutual TLS on loopback"), r.out);
        assertTrue(r.out.contains("15/15 updates executed by all 9 servers"), r.out);
        assertTrue(r.out.matches("(?s).*\\nlocal: 15 updates ordered at every site, \\d+ updates/s, p50 \\d+ ms, p99 \\d+ ms, replicas consistent\\n.*"), r.out);
        // Issue 16: what the workload cost, per ordered update.
        assertTrue(r.out.contains("cost per ordered update (15 updates, the workload only: start-up left out):"), r.out);
        java.util.regex.Matcher cpu = java.util.regex.Pattern.compile("(?m)^  CPU, whole process +([0-9.]+) ms").matcher(r.out);
        assertTrue(cpu.find() && Double.parseDouble(cpu.group(1)) > 0, r.out);
        java.util.regex.Matcher wide = java.util.regex.Pattern.compile("(?m)^  messages, wide-area +([0-9.]+)").matcher(r.out);
        assertTrue(wide.find() && Double.parseDouble(wide.group(1)) > 0, r.out);
    }

    @Test
    void virtualDemoPrintsProgressAndASummaryThatReplicasAgree() {
        Run r = run("virtual-demo", "--sites", "3", "--servers-per-site", "3", "--clients-per-site", "1", "--updates-per-client", "5");
        assertEquals(0, r.exit, r.out + r.err);
        assertTrue(r.out.contains("15/15 updates executed by all 9 servers"), r.out);
        assertTrue(r.out.contains("executed by            9 of 9 servers"), r.out);
        assertTrue(r.out.contains("replicas agree         yes"), r.out);
    }
}
