package io.redoubt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A whole deployment on real sockets in one JVM: every server its own actor system, clients proposing over TCP. */
@Tag("campaign")
class LocalDeploymentTest {
    static Deployment deployment(String composition, int sites, int servers) {
        return Deployment.defaults(Composition.parse(composition), sites, servers).toBuilder().wanLatencyMicros(5_000).build();
    }

    @Test
    void paxosPaxosOrdersEveryUpdateAndEveryReplicaEndsInTheSameState() throws Exception {
        LocalDeployment.Options options = new LocalDeployment.Options(deployment("paxos/paxos", 3, 3), 2, 10, 0, "ed25519", 1, Optional.empty());
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            LocalDeployment.Result r = local.runWorkload(Duration.ofSeconds(60), (done, total) -> {});
            assertEquals(60, r.updates());
            assertEquals(60, r.executedByEveryServer(), r.statuses().toString());
            assertTrue(r.replicasConsistent(), r.statuses().toString());
            assertEquals(60, r.latenciesNanos().size());
        }
    }
}
