package io.redoubt.cli;

import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.runtime.HostTopology;
import io.redoubt.runtime.LocalDeployment;
import io.redoubt.runtime.cluster.SiteCluster;
import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options of every command that talks to running servers as a client (client load, put, get,
 * status): the deployment file, where the servers listen, and keygen's output.
 */
final class RunningDeployment {
    @Option(names = "--config", required = true, description = "deployment file (HOCON)")
    File config;

    @Option(names = "--keys", required = true, description = "keygen output (a client needs public/ and its clients/SITE.INDEX/)")
    Path keys;

    /** The deployment as its servers run it. */
    Deployment deployment() {
        return DeploymentSettings.readForHost(ConfigReader.load(config));
    }

    /** A handle on the running servers with no server of its own, for clients to use; {@code clientsPerSite} and {@code updates} shape a load. */
    LocalDeployment connect(int clientsPerSite, int updatesPerClient) {
        ConfigReader r = ConfigReader.load(config);
        Deployment d = DeploymentSettings.readForHost(r);
        return new LocalDeployment(new LocalDeployment.Options(d, clientsPerSite, updatesPerClient, 0, new LocalDeployment.Keys.Files(keys),
                Optional.empty(), HostTopology.read(r, d)).withSiteCluster(SiteCluster.Settings.read(r)));
    }
}
