package io.redoubt.cli;

import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.lm.ServerId;
import io.redoubt.runtime.HostTopology;
import io.redoubt.runtime.LocalDeployment;
import io.redoubt.runtime.cluster.SiteCluster;
import io.redoubt.runtime.host.ServerActor;
import io.redoubt.runtime.net.StreamTransport;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code node}: one server in its own process, listening where the topology says, its log in
 * {@code --data}. It runs until it is stopped; a clean stop (SIGTERM) prints what it executed and
 * a digest of its state, so replicas can be compared.
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run one server of a deployment until stopped.")
final class NodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, description = "deployment file (HOCON)")
    File config;

    @Option(names = "--server", required = true, description = "which server, as SITE.INDEX, e.g. 1.2")
    String server;

    @Option(names = "--keys", required = true, description = "keygen output (this server needs public/ and servers/SITE.INDEX/)")
    Path keys;

    @Option(names = "--data", defaultValue = "data", description = "data directory; the log is DATA/server-SITE.INDEX/log (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--metrics-port", description = "serve this server's metrics as Prometheus text on this port (0: any free port; default: none)")
    Integer metricsPort;

    @Option(names = "--report-every", defaultValue = "0", description = "print a line each time this many more updates have executed (0: never)")
    int reportEvery;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ConfigReader r = ConfigReader.load(config);
        Deployment d = DeploymentSettings.readForHost(r);
        Map<ServerId, StreamTransport.Address> addresses = HostTopology.read(r, d);
        ServerId id = DeploymentOptions.parse(spec.commandLine(), () -> ServerId.parse(server));
        if (!addresses.containsKey(id)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server " + server + " is not in this topology; servers are "
                    + addresses.keySet());
        }
        HostTopology.checkCanListen(r, id, addresses.get(id));
        SiteCluster.Settings cluster = SiteCluster.Settings.read(r);
        if (cluster.enabled()) HostTopology.checkCanListenForCluster(r, id, cluster.clusterAddress(id, addresses.get(id)));
        LocalDeployment.Options options = new LocalDeployment.Options(d, 0, 0, 0, new LocalDeployment.Keys.Files(keys), Optional.of(data), addresses)
                .withSiteCluster(cluster).withCryptoThreads(DeploymentSettings.cryptoThreads(r));
        if (metricsPort != null) {
            if (metricsPort < 0 || metricsPort > 65_535) throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-port must be 0..65535, was " + metricsPort);
            // LocalDeployment numbers metrics ports from a base in server order; this process runs one server.
            options = options.withMetricsBasePort(metricsPort == 0 ? 0 : metricsPort - d.servers().indexOf(id));
        }
        LocalDeployment node = new LocalDeployment(options);
        if (reportEvery > 0) {
            node.onExecuted((at, seq) -> {
                if (seq % reportEvery == 0) {
                    out.printf("node %s executed %d%n", at, seq);
                    out.flush();
                }
            });
        }
        node.startServer(id);
        node.metricsPort(id).ifPresent(p -> out.printf("node %s: metrics at http://%s:%d/metrics%n", id, addresses.get(id).host(), p));
        out.printf("node %s: %s; listening on %s:%d; log in %s%n", id, DeploymentSettings.describe(d), addresses.get(id).host(),
                addresses.get(id).port(), data.resolve("server-" + id));
        node.clusterAddress(id).ifPresent(a -> out.printf("node %s: in the cluster of site %d at %s:%d (operations only)%n", id, id.site().value(),
                a.host(), a.port()));
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<ServerActor.Status> status = node.statuses();
            for (ServerActor.Status s : status) {
                out.printf("node %s stopped: executed %d updates after %d events, state %s, local view %d, wide view %d, rejected %s%n", s.id(),
                        s.executedUpdates(), s.executedEvents(), s.appStateDigest().toHex(), s.localView(), s.wideView(), s.rejections());
            }
            out.flush();
            node.close();
            stopped.countDown();
        }, "node-stop"));
        stopped.await();
        return 0;
    }
}
