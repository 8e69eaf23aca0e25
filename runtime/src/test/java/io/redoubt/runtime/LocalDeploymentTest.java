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
import io.redoubt.runtime.keys.KeyFiles;
import io.redoubt.runtime.keys.KeyGen;
import io.redoubt.runtime.net.Inbound;
import io.redoubt.runtime.net.OutboundFault;
import io.redoubt.runtime.net.Principal;
import io.redoubt.runtime.net.StreamTransport;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.Ed25519Scheme;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.Frame;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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

    @Test
    void aBftSiteWithASilentServerAndOneSendingGarbageStillOrdersEveryUpdate(@TempDir Path tmp) throws Exception {
        Deployment d = deployment("paxos/bft", 3, 4);
        Path keys = tmp.resolve("keys");
        KeyGen.generate(d, keys, KeyGen.Options.defaults(2).withInsecureSmallThresholdKeys(true));
        LocalDeployment.Options options = new LocalDeployment.Options(d, 2, 8, 0, new LocalDeployment.Keys.Files(keys), Optional.empty())
                .withFaults(Map.of(ServerId.of(0, 1), OutboundFault.SILENT, ServerId.of(1, 2), OutboundFault.garbage(7)));
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            LocalDeployment.Result r = local.runWorkload(Duration.ofSeconds(90), (done, total) -> {});
            assertEquals(48, r.executedByEveryServer(), "every correct server executed every update: " + r.statuses());
            assertTrue(r.replicasConsistent(), r.statuses().toString());
            assertEquals(48, r.latenciesNanos().size(), "every client's update was acknowledged");
        }
    }

    @Test
    void aClientWithABadSignatureIsRefusedAndTheOthersAreUnaffected(@TempDir Path tmp) throws Exception {
        Deployment d = deployment("paxos/paxos", 3, 3);
        Path keys = tmp.resolve("keys");
        KeyGen.generate(d, keys, KeyGen.Options.defaults(2));
        LocalDeployment.Options options = new LocalDeployment.Options(d, 1, 8, 0, new LocalDeployment.Keys.Files(keys), Optional.empty());
        ClientId mallory = ClientId.of(0, 1);
        KeyFiles.ClientKeys own = KeyFiles.loadClient(keys, mallory);
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            ServerId target = ServerId.of(0, 0);
            CompletableFuture<Bytes> answered = new CompletableFuture<>();
            ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mallory");
            try {
                StreamTransport c = new StreamTransport(system, new Principal.Client(mallory), Map.of(target, local.address(target)),
                        Optional.of(own.tls().sslContext()), 1 << 20, new Inbound() {
                            public void fromServer(ServerId from, Bytes frame) {
                                answered.complete(frame);
                            }

                            public void fromClient(ClientId from, Bytes frame) {}
                        });
                Bytes op = KeyValueStore.put("mallory", "forged");
                Bytes forged = Ed25519Scheme.INSTANCE.sign(Ed25519Scheme.INSTANCE.generate(Bytes.wrap(new byte[32])).privateKey(), // a key nobody was given
                        SignedUpdate.signedContent(mallory, 1, op));
                c.sendToServer(target, new Frame.Request(new SignedUpdate(mallory, 1, op, forged)).encode());
                // Then a well-signed one on the same connection: once it is answered, the forged one was handled before it.
                Bytes good = KeyValueStore.put("mallory", "honest");
                c.sendToServer(target, new Frame.Request(new SignedUpdate(mallory, 1, good,
                        own.keys().scheme().sign(own.keys().client(mallory).privateKey(), SignedUpdate.signedContent(mallory, 1, good)))).encode());
                LocalDeployment.Result r = local.runWorkload(Duration.ofSeconds(60), (done, total) -> {});
                assertEquals(24, r.latenciesNanos().size(), "the other clients were unaffected");
                Frame.Reply reply = Frame.decodeReply(answered.get(30, TimeUnit.SECONDS));
                assertEquals(1, reply.seq());
                ServerActor.Status at = local.statuses().stream().filter(st -> st.id().equals(target)).findFirst().orElseThrow();
                assertTrue(at.rejections().getOrDefault(Rejection.BAD_SIGNATURE, 0L) >= 1, "the forged update was refused and counted: " + at);
                c.close();
            } finally {
                system.terminate();
            }
        }
    }
}
