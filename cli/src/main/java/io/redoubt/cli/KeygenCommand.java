package io.redoubt.cli;

import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.runtime.keys.KeyGen;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keygen}: every key a deployment needs, generated once, offline (section 4.2). */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Generate every key of a deployment: server and client Ed25519 pairs, site keys, threshold-RSA shares, the deployment CA and TLS certificates.")
final class KeygenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, description = "deployment file (HOCON)")
    File config;

    @Option(names = "--out", required = true, description = "directory to write (must not exist unless --overwrite)")
    Path out;

    @Option(names = "--clients-per-site", defaultValue = "10", description = "client identities per site (default: ${DEFAULT-VALUE})")
    int clientsPerSite;

    @Option(names = "--overwrite", description = "replace an earlier keygen output in --out")
    boolean overwrite;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Deployment d = DeploymentSettings.read(ConfigReader.load(config));
        if (clientsPerSite < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--clients-per-site must be >= 0, was " + clientsPerSite);
        out.printf("keygen: %s into %s ...%n", DeploymentSettings.describe(d), this.out);
        out.flush();
        long t0 = System.nanoTime();
        KeyGen.generate(d, this.out, KeyGen.Options.defaults(clientsPerSite).withOverwrite(overwrite)
                .withInsecureSmallThresholdKeys(d.insecureThresholdKeys()));
        out.printf("keygen: %d servers, %d clients, %d sites; secrets readable by their owner only; took %.1f s%n",
                d.servers().size(), clientsPerSite * d.sites(), d.sites(), (System.nanoTime() - t0) / 1e9);
        out.printf("  public:  %s (copy to every server and client)%n  secrets: %s/servers/S.I and %s/clients/S.C (each to its owner only)%n",
                this.out.resolve("public"), this.out, this.out);
        return 0;
    }
}
