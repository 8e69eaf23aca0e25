package io.redoubt.cli;

import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.runtime.HostTopology;
import io.redoubt.runtime.LocalDeployment;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code client load}: closed-loop clients against running servers ({@code node}), with progress and latency percentiles. */
@Command(name = "client", mixinStandardHelpOptions = true, description = "Clients of a running deployment.",
        subcommands = {ClientCommand.Load.class})
final class ClientCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing client command; valid: load");
    }

    @Command(name = "load", mixinStandardHelpOptions = true, description = "Closed-loop clients at every site, each proposing updates one at a time.")
    static final class Load implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", required = true, description = "deployment file (HOCON)")
        File config;

        @Option(names = "--keys", required = true, description = "keygen output (clients need public/ and clients/SITE.INDEX/)")
        Path keys;

        @Option(names = "--clients-per-site", defaultValue = "1", description = "clients per site, identities 0.. (default: ${DEFAULT-VALUE})")
        int clientsPerSite;

        @Option(names = "--updates-per-client", defaultValue = "20", description = "updates each client proposes (default: ${DEFAULT-VALUE})")
        int updatesPerClient;

        @Option(names = "--deadline", defaultValue = "120s", description = "give up after this long (default: ${DEFAULT-VALUE})")
        String deadline;

        @Option(names = "--first-seq", defaultValue = "1", description = "each client's first sequence number: one more than its last in an earlier run (default: ${DEFAULT-VALUE})")
        long firstSeq;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            CommandLine cl = spec.commandLine();
            ConfigReader r = ConfigReader.load(config);
            Deployment d = DeploymentSettings.readForHost(r);
            DeploymentOptions.atLeast(cl, "--clients-per-site", clientsPerSite, 1);
            DeploymentOptions.atLeast(cl, "--updates-per-client", updatesPerClient, 1);
            Duration limit = Duration.ofMillis(DeploymentOptions.millis(cl, "--deadline", deadline));
            LocalDeployment clients = new LocalDeployment(new LocalDeployment.Options(d, clientsPerSite, updatesPerClient, 0,
                    new LocalDeployment.Keys.Files(keys), Optional.empty(), HostTopology.read(r, d)));
            if (firstSeq < 1) throw new CommandLine.ParameterException(cl, "--first-seq must be >= 1, was " + firstSeq);
            LocalDeployment.Result result = clients.runWorkload(limit, (done, total) -> {}, firstSeq);
            clients.close();
            long completed = result.latenciesNanos().size();
            out.printf(Locale.ROOT, "client load: %d of %d updates acknowledged, %.0f updates/s, p50 %.0f ms, p99 %.0f ms%n", completed,
                    result.updates(), completed / Math.max(1e-9, result.seconds()), result.latencyMillis(0.5), result.latencyMillis(0.99));
            return completed == result.updates() ? 0 : 1;
        }
    }
}
