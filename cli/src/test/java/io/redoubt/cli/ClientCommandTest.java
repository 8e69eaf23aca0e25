package io.redoubt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.runtime.HostTopology;
import io.redoubt.runtime.LocalDeployment;
import io.redoubt.runtime.keys.KeyGen;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code client put} and {@code client get} (ordered, and local) against running servers: a write at one site is read at another. */
@Tag("campaign")
class ClientCommandTest {
    @TempDir
    Path dir;

    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return exit + " " + out + err;
    }

    @Test
    void aPutAtOneSiteIsReadLinearizablyAtAnother() throws Exception {
        StringBuilder addresses = new StringBuilder();
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 3; i++) {
                try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    addresses.append("\"").append(s).append('.').append(i).append("\" = \"127.0.0.1:").append(probe.getLocalPort()).append("\"\n");
                }
            }
        }
        Path config = dir.resolve("d.conf");
        Files.writeString(config, "redoubt {\n composition = \"paxos/paxos\"\n topology { sites = 3, servers-per-site = 3\n addresses {\n" + addresses
                + "}\n }\n wan.latency = 5ms\n}\n");
        ConfigReader r = ConfigReader.load(config.toFile());
        Deployment d = DeploymentSettings.readForHost(r);
        Path keys = dir.resolve("keys");
        KeyGen.generate(d, keys, KeyGen.Options.defaults(1));
        try (LocalDeployment servers = new LocalDeployment(new LocalDeployment.Options(d, 0, 0, 0, new LocalDeployment.Keys.Files(keys),
                Optional.empty(), HostTopology.read(r, d)))) {
            servers.startServers();
            String c = config.toString();
            String k = keys.toString();
            assertEquals("0 put color = blue (ordered; previous value: none)\n", run("client", "put", "--config", c, "--keys", k, "--client", "1.0", "color", "blue"));
            assertEquals("0 color = blue\n", run("client", "get", "--config", c, "--keys", k, "--client", "2.0", "color", "--linearizable"));
            assertEquals("0 shape: not found\n", run("client", "get", "--config", c, "--keys", k, "--client", "0.0", "shape", "--linearizable"));
            // A local read, unordered: server 2.0 answered the ordered read above, so its own copy has the write.
            assertEquals("0 color = blue\n", run("client", "get", "--config", c, "--keys", k, "--client", "2.0", "color"));

            // Each site's cluster (operations only) as status shows it, once every server sees its whole site.
            for (io.redoubt.lm.ServerId id : d.servers()) {
                assertTrue(servers.awaitSiteMembers(id, v -> v.up().size() == 3, java.time.Duration.ofSeconds(60)), id + ": " + servers.siteMembers(id));
            }
            String status = run("status", "--config", c, "--keys", k);
            assertTrue(status.contains("up 1.0 1.1 1.2, unreachable none"), "site 1's servers see their site cluster: " + status);
            assertTrue(status.startsWith("0 ") && status.contains("status: 9 of 9 servers answered"), status);
            assertTrue(status.contains("site 0"), "every server names the wide-area leader site: " + status);
        }
    }
}
