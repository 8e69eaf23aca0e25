package io.redoubt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.runtime.host.ServerActor;
import io.redoubt.runtime.keys.KeyGen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped deployment files, run as a user runs them: the whole five-site topology of
 * {@code conf/topology-5-sites.conf} in one JVM, every server its own actor system over loopback
 * mutual TLS with the emulated WAN and durable logs, and the file's own workload (a few hundred
 * updates from closed-loop clients at every site). Every replica must execute every update and
 * end in the same state. The four runs differ only in their file, with one change common to all:
 * BFT sites' threshold keys are dealt at 1024 bits, because dealing 2048-bit keys (safe primes)
 * takes over a minute per deployment here; signing and combining work as they do at 2048.
 */
@Tag("campaign")
class ConfFilesDeploymentTest {
    private static final Path CONF = Path.of("..", "conf").toAbsolutePath().normalize();

    @ParameterizedTest(name = "conf/{0}")
    @ValueSource(strings = {"paxos-paxos.conf", "bft-paxos.conf", "paxos-bft.conf", "bft-bft.conf"})
    void theShippedFileOrdersItsWholeWorkloadAndEveryReplicaEndsInTheSameState(String file, @TempDir Path tmp) throws Exception {
        ConfigReader settings = ConfigReader.load(withTestKeySize(CONF.resolve(file), tmp).toFile());
        Deployment d = DeploymentSettings.readForHost(settings);
        int clientsPerSite = settings.atLeast("workload.clients-per-site", 1);
        int updatesPerClient = settings.atLeast("workload.updates-per-client", 1);
        long expected = (long) d.sites() * clientsPerSite * updatesPerClient;
        assertEquals(5, d.sites(), "the shared five-site topology");
        assertTrue(expected >= 200, "a few hundred updates: " + expected);

        Path keys = tmp.resolve("keys");
        KeyGen.generate(d, keys, KeyGen.Options.defaults(clientsPerSite).withInsecureSmallThresholdKeys(true));
        LocalDeployment.Options options = new LocalDeployment.Options(d, clientsPerSite, updatesPerClient, 0,
                new LocalDeployment.Keys.Files(keys), Optional.of(tmp.resolve("data")));
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            LocalDeployment.Result r = local.runWorkload(Duration.ofMinutes(4), (done, total) -> {});
            assertEquals(expected, r.updates());
            assertEquals(expected, r.latenciesNanos().size(), "every client's every update was acknowledged");
            assertEquals(expected, r.executedByEveryServer(), "every server executed every update: " + r.statuses());
            assertEquals(d.servers().size(), r.statuses().size(), "every server answered");
            assertTrue(r.replicasConsistent(), r.statuses().toString());
            assertEquals(1, r.statuses().stream().map(ServerActor.Status::appStateDigest).distinct().count());
            System.out.printf("conf/%s: %d updates, %.1f updates/s, p50 %.0f ms, p99 %.0f ms%n", file, expected,
                    expected / r.seconds(), r.latencyMillis(0.5), r.latencyMillis(0.99));
        }
    }

    /** {@code file} as it ships, with the BFT sites' threshold keys dealt smaller (see above). */
    private static Path withTestKeySize(Path file, Path dir) throws IOException {
        Path overlay = dir.resolve("test-" + file.getFileName());
        Files.writeString(overlay, "include \"" + file + "\"\nredoubt.byzantine-sites.threshold-key-bits = 1024\n");
        return overlay;
    }
}
