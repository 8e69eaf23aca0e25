package io.redoubt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.bft.PbftConfig;
import io.redoubt.paxos.PaxosConfig;
import java.time.Duration;
import java.util.Optional;
import io.redoubt.lm.ServerId;
import io.redoubt.runtime.host.ServerActor;
import io.redoubt.runtime.keys.KeyGen;
import io.redoubt.runtime.storage.DurableLog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A whole deployment on real sockets in one JVM, for each composition: every server its own actor
 * system, keys from keygen, every connection mutual TLS; clients propose over it; every update is
 * executed by every replica and all end in the same state. The four runs differ only in their
 * deployment.
 */
@Tag("campaign")
class LocalDeploymentTest {
    /**
     * Real time, unlike the simulator's: a dozen servers share two cores here, so the local
     * protocols' timers are those of a loaded LAN, not the simulator's instant CPU.
     */
    static Deployment deployment(String composition, int sites, int servers) {
        return Deployment.defaults(Composition.parse(composition), sites, servers).toBuilder().wanLatencyMicros(5_000)
                .localPbft(PbftConfig.localDefaults().withTimeouts(500, 1_000, 100))
                .localPaxos(PaxosConfig.localDefaults().withTimeouts(400, 4_000, 100)).build();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"paxos/paxos, 3, 3", "bft/paxos, 4, 3", "paxos/bft, 3, 4", "bft/bft, 4, 4"})
    void everyUpdateIsOrderedAndEveryReplicaEndsInTheSameState(String composition, int sites, int servers, @TempDir Path tmp) throws Exception {
        Path keys = tmp.resolve("keys");
        int clients = 2;
        int updates = 8;
        Deployment d = deployment(composition, sites, servers);
        KeyGen.generate(d, keys, KeyGen.Options.defaults(clients).withInsecureSmallThresholdKeys(true));
        LocalDeployment.Options options = new LocalDeployment.Options(d, clients, updates, 0, new LocalDeployment.Keys.Files(keys), Optional.empty());
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            LocalDeployment.Result r = local.runWorkload(Duration.ofSeconds(90), (done, total) -> {});
            long expected = (long) sites * clients * updates;
            assertEquals(expected, r.updates());
            assertEquals(expected, r.executedByEveryServer(), r.statuses().toString());
            assertTrue(r.replicasConsistent(), r.statuses().toString());
            assertEquals(expected, r.latenciesNanos().size());
        }
    }

    @Test
    void withFServersOfASiteDownUpdatesFlowAndARestartedServerCatchesUpFromItsDisk(@TempDir Path data) throws Exception {
        int clients = 2;
        int updates = 12;
        LocalDeployment.Options options = new LocalDeployment.Options(deployment("paxos/paxos", 3, 3), clients, updates, 0,
                new LocalDeployment.Keys.InsecureDerived("ed25519", 1), Optional.of(data));
        ServerId down = ServerId.of(1, 2);
        Path log = data.resolve("server-" + down).resolve("log");
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            boolean[] stopped = {false};
            LocalDeployment.Result r = local.runWorkload(Duration.ofSeconds(60), (done, total) -> {
                if (!stopped[0] && done >= total / 4) {
                    local.stopServer(down); // f = 1 of site 1's three servers, mid-run
                    stopped[0] = true;
                }
            });
            assertTrue(stopped[0]);
            assertEquals(3L * clients * updates, r.executedByEveryServer(), "the other 8 servers executed every update: " + r.statuses());
            try (DurableLog persisted = DurableLog.open(log)) {
                assertFalse(persisted.records().isEmpty(), "the stopped server had persisted what it accepted before it stopped");
            }

            local.startServer(down); // back on its own log
            assertTrue(local.awaitExecuted(down, r.updates(), Duration.ofSeconds(30)), "the restarted server caught up: " + local.statuses());
            List<ServerActor.Status> all = local.statuses();
            assertEquals(9, all.size());
            assertEquals(1, all.stream().map(ServerActor.Status::appStateDigest).distinct().count(), "every replica in the same state: " + all);
        }
    }
}
