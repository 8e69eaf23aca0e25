package io.redoubt.cli;

import io.redoubt.compose.Composition;
import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.runtime.LocalDeployment;
import io.redoubt.runtime.cluster.SiteCluster;
import io.redoubt.runtime.keys.KeyCache;
import io.redoubt.runtime.keys.KeyGen;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.redoubt.lm.ServerId;
import io.redoubt.runtime.net.OutboundFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code local}: the whole topology in one JVM on real sockets: every server its own Pekko actor
 * system with mutual TLS over loopback, the emulated WAN between sites, durable logs, and a
 * closed-loop workload; progress while it runs, a summary at the end.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run a whole deployment in one JVM on real loopback sockets (mutual TLS, emulated WAN, durable logs) under a client workload.")
class LocalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", description = "deployment file (HOCON); default conf/paxos-paxos.conf")
    File config;

    @Option(names = "--composition", description = "wide/local protocols; valid: " + Composition.VALID)
    String composition;

    @Option(names = "--sites", description = "number of sites")
    Integer sites;

    @Option(names = "--servers-per-site", description = "servers in each site")
    Integer serversPerSite;

    @Option(names = "--clients-per-site", description = "closed-loop clients per site (default: the file's redoubt.workload.clients-per-site)")
    Integer clientsPerSite;

    @Option(names = "--updates-per-client", description = "updates each client proposes, one at a time (default: the file's redoubt.workload.updates-per-client)")
    Integer updatesPerClient;

    @Option(names = "--keys", description = "keygen output to use; default: keys made once per deployment shape and kept "
            + "(in $REDOUBT_KEY_CACHE, else ~/.cache/redoubt/keys)")
    Path keys;

    @Option(names = "--fresh-keys", description = "generate new keys into a temporary directory instead of using the kept ones")
    boolean freshKeys;

    @Option(names = "--data", description = "where servers keep their logs; default: a temporary directory")
    Path data;

    @Option(names = "--deadline", defaultValue = "120s", description = "give up after this long (default: ${DEFAULT-VALUE})")
    String deadline;

    @Option(names = "--metrics-base-port", description = "serve each server's metrics as Prometheus text, server k of the topology on this port + k (0: free ports)")
    Integer metricsBasePort;

    @Option(names = "--adversary", paramLabel = "SITE.SERVER=KIND", description = "run a server of a BFT site as an adversary;"
            + " repeatable, at most f per site. KIND: silent (sends nothing) or garbage (flips bytes in half of what it sends)")
    List<String> adversaries = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CommandLine cl = spec.commandLine();
        File file = config != null ? config : new File("conf/paxos-paxos.conf");
        ConfigReader settings = ConfigReader.load(file.isFile() || config != null ? file : null);
        Deployment.Builder b = DeploymentSettings.readForHost(settings).toBuilder();
        int clientsPerSite = this.clientsPerSite != null ? this.clientsPerSite : settings.atLeast("workload.clients-per-site", 1);
        int updatesPerClient = this.updatesPerClient != null ? this.updatesPerClient : settings.atLeast("workload.updates-per-client", 1);
        if (composition != null) b.composition(DeploymentOptions.parse(cl, () -> Composition.parse(composition)));
        if (sites != null) b.sites(DeploymentOptions.atLeast(cl, "--sites", sites, 1));
        if (serversPerSite != null) b.serversPerSite(DeploymentOptions.atLeast(cl, "--servers-per-site", serversPerSite, 1));
        Deployment d = DeploymentOptions.parse(cl, b::build);
        DeploymentOptions.atLeast(cl, "--clients-per-site", clientsPerSite, 1);
        DeploymentOptions.atLeast(cl, "--updates-per-client", updatesPerClient, 1);
        Duration limit = Duration.ofMillis(DeploymentOptions.millis(cl, "--deadline", deadline));

        Path keyDir = keys;
        KeyGen.Options keyOptions = KeyGen.Options.defaults(clientsPerSite).withInsecureSmallThresholdKeys(d.insecureThresholdKeys());
        if (keyDir == null && !freshKeys) {
            // The dealer runs once per deployment shape, not at every start (issue 16).
            Path root = KeyCache.defaultRoot();
            out.printf("local: keys for this deployment shape in %s (made once, then kept; --fresh-keys for new ones) ...%n", root);
            out.flush();
            long t0 = System.nanoTime();
            try {
                KeyCache.Entry entry = KeyCache.ensure(root, d, clientsPerSite, keyOptions, java.time.Instant.now());
                keyDir = entry.dir();
                out.printf(Locale.ROOT, "local: %s %s (%.1f s)%n", entry.reused() ? "using the keys kept in" : "made and kept keys in", keyDir,
                        (System.nanoTime() - t0) / 1e9);
            } catch (java.io.IOException e) {
                out.printf("local: cannot keep keys in %s (%s); set REDOUBT_KEY_CACHE to a writable directory to keep them%n", root, e);
            }
        }
        if (keyDir == null) {
            keyDir = Files.createTempDirectory("redoubt-keys-").resolve("keys");
            out.printf("local: generating keys into %s%n", keyDir);
            out.flush();
            KeyGen.generate(d, keyDir, keyOptions);
        }
        Path dataDir = data != null ? data : Files.createTempDirectory("redoubt-data-");
        int servers = d.servers().size();
        long total = (long) d.sites() * clientsPerSite * updatesPerClient;
        out.printf(Locale.ROOT, "local: %s%n", DeploymentSettings.describe(d));
        out.printf(Locale.ROOT, "  %d servers, each its own actor system, mutual TLS on loopback; %d clients proposing %d updates; logs in %s%n",
                servers, d.sites() * clientsPerSite, total, dataDir);
        out.flush();
        Map<ServerId, OutboundFault> faults = new TreeMap<>();
        for (String a : adversaries) {
            int eq = a.indexOf('=');
            if (eq < 0) throw new CommandLine.ParameterException(cl, "--adversary '" + a + "': write SITE.SERVER=KIND, e.g. 1.2=silent");
            ServerId id = DeploymentOptions.parse(cl, () -> ServerId.parse(a.substring(0, eq)));
            faults.put(id, DeploymentOptions.parse(cl, () -> OutboundFault.parse(a.substring(eq + 1), id.hashCode())));
        }
        Path keysUsed = keyDir;
        LocalDeployment.Options options = new LocalDeployment.Options(d, clientsPerSite, updatesPerClient, 0, new LocalDeployment.Keys.Files(keysUsed),
                Optional.of(dataDir)).withFaults(faults).withCryptoThreads(DeploymentSettings.cryptoThreads(settings))
                .withSiteCluster(SiteCluster.Settings.read(settings));
        if (metricsBasePort != null) options = options.withMetricsBasePort(DeploymentOptions.atLeast(cl, "--metrics-base-port", metricsBasePort, 0));
        if (!faults.isEmpty()) out.printf("  adversaries: %s (the checks below hold for the correct servers)%n", faults.keySet());
        long[] lastPrinted = {-1};
        LocalDeployment.Result r;
        Cost cost;
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            // What the workload costs, start-up and key loading left out (issue 16).
            Cost before = Cost.now(local, local.statuses());
            r = local.runWorkload(limit, (done, all) -> {
                if (done != lastPrinted[0]) {
                    lastPrinted[0] = done;
                    out.printf(Locale.ROOT, "  %4d/%d updates executed by all %d servers%n", done, all, servers);
                    out.flush();
                }
            });
            cost = Cost.now(local, r.statuses()).minus(before);
        }
        double p50 = r.latencyMillis(0.50);
        double p99 = r.latencyMillis(0.99);
        double rate = r.executedByEveryServer() / Math.max(1e-9, r.seconds());
        out.println("summary:");
        out.printf(Locale.ROOT, "  updates ordered        %d of %d executed by every server%n", r.executedByEveryServer(), r.updates());
        out.printf(Locale.ROOT, "  replicas               %s%n", r.replicasConsistent()
                ? "consistent: every server executed the same updates and holds the same key-value state" : "NOT consistent: " + r.statuses());
        out.printf(Locale.ROOT, "  client latency         p50 %.0f ms, p99 %.0f ms (wall clock, emulated WAN %d ms one-way)%n", p50, p99,
                d.wanLatencyMicros() / 1000);
        out.printf(Locale.ROOT, "  took                   %.1f s%n", r.seconds());
        cost.print(out, r.executedByEveryServer());
        boolean ok = r.replicasConsistent() && r.executedByEveryServer() == r.updates();
        out.printf(Locale.ROOT, "local: %d updates ordered at every site, %.0f updates/s, p50 %.0f ms, p99 %.0f ms, replicas %s%n",
                r.executedByEveryServer(), rate, p50, p99, r.replicasConsistent() ? "consistent" : "NOT consistent");
        return ok ? 0 : 1;
    }

    /** What the deployment has spent so far: the JVM's CPU, LM signatures and shares by every server, frames and bytes sent. */
    private record Cost(long cpuNanos, long lmSignatures, long shares, long localFrames, long localBytes, long wideFrames, long wideBytes) {
        static Cost now(LocalDeployment local, List<io.redoubt.runtime.host.ServerActor.Status> statuses) {
            long lm = 0, shares = 0;
            for (var s : statuses) {
                lm += s.lmSignatures();
                shares += s.sharesMade();
            }
            var t = local.traffic();
            return new Cost(SimCommand.processCpuNanos(), lm, shares, t.localFrames(), t.localBytes(), t.wideFrames(), t.wideBytes());
        }

        Cost minus(Cost o) {
            return new Cost(cpuNanos - o.cpuNanos, lmSignatures - o.lmSignatures, shares - o.shares, localFrames - o.localFrames,
                    localBytes - o.localBytes, wideFrames - o.wideFrames, wideBytes - o.wideBytes);
        }

        void print(PrintWriter out, long updates) {
            out.printf(Locale.ROOT, "cost per ordered update (%d updates, the workload only: start-up left out):%n", updates);
            if (updates == 0) return;
            double u = updates;
            if (cpuNanos >= 0) {
                SimCommand.costRow(out, "CPU, whole process", String.format(Locale.ROOT, "%10.2f ms", cpuNanos / 1e6 / u),
                        "every thread of this JVM: servers, clients, TLS, JIT compiler, GC");
            }
            String n = "%10.2f   ";
            SimCommand.costRow(out, "LM signatures", String.format(Locale.ROOT, n, lmSignatures / u), "site signatures on Merkle roots, by forwarders");
            SimCommand.costRow(out, "signature shares", String.format(Locale.ROOT, n, shares / u), "threshold partials or certificate signatures, all servers");
            SimCommand.costRow(out, "messages, local", String.format(Locale.ROOT, n, localFrames / u), "within a site, clients to their servers included");
            SimCommand.costRow(out, "messages, wide-area", String.format(Locale.ROOT, n, wideFrames / u), "between sites");
            SimCommand.costRow(out, "messages, all", String.format(Locale.ROOT, n, (localFrames + wideFrames) / u), "");
            String b = "%10.0f B ";
            SimCommand.costRow(out, "bytes, local", String.format(Locale.ROOT, b, localBytes / u), "frames as the protocols encode them (no length prefix, no TLS)");
            SimCommand.costRow(out, "bytes, wide-area", String.format(Locale.ROOT, b, wideBytes / u), "");
            SimCommand.costRow(out, "bytes, all", String.format(Locale.ROOT, b, (localBytes + wideBytes) / u), "");
        }
    }
}
