package io.redoubt.runtime.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.runtime.keys.KeyFiles;
import io.redoubt.runtime.keys.KeyGen;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport's promise: every frame arrives tagged with the principal its connection's
 * certificate names. A peer with a certificate this deployment did not issue never gets a frame
 * through, nor does one that announces itself as somebody else; both are counted.
 */
class StreamTransportTest {
    static final ServerId SERVER = ServerId.of(0, 0);
    static final Deployment DEPLOYMENT = Deployment.defaults(Composition.parse("paxos/paxos"), 1, 3);

    @TempDir
    Path tmp;
    ActorSystem<Void> system;
    StreamTransport server;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CountDownLatch refused = new CountDownLatch(1);
    final BlockingQueue<String> refusals = new LinkedBlockingQueue<>();
    Map<ServerId, StreamTransport.Address> addresses;

    @BeforeEach
    void start() throws Exception {
        KeyGen.generate(DEPLOYMENT, tmp.resolve("ours"), KeyGen.Options.defaults(2));
        KeyGen.generate(DEPLOYMENT, tmp.resolve("theirs"), KeyGen.Options.defaults(2));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        addresses = Map.of(SERVER, new StreamTransport.Address("127.0.0.1", port));
        system = ActorSystem.create(Behaviors.empty(), "transport-test");
        Inbound collect = new Inbound() {
            @Override
            public void fromServer(ServerId from, Bytes frame) {
                received.add("server " + from + ": " + frame.toUtf8());
            }

            @Override
            public void fromClient(ClientId from, Bytes frame) {
                received.add("client " + from + ": " + frame.toUtf8());
            }
        };
        server = new StreamTransport(system, new Principal.Server(SERVER), addresses,
                Optional.of(KeyFiles.loadServer(tmp.resolve("ours"), SERVER).tls().sslContext()), 1 << 16, collect)
                .onRefused(why -> {
                    refusals.add(why);
                    refused.countDown();
                });
        server.bind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        server.close();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    StreamTransport client(String keys, ClientId id, Principal announced) {
        var tls = KeyFiles.loadClient(tmp.resolve(keys), id).tls().sslContext();
        return new StreamTransport(system, announced, addresses, Optional.of(tls), 1 << 16, new Inbound() {
            public void fromServer(ServerId from, Bytes frame) {}

            public void fromClient(ClientId from, Bytes frame) {}
        });
    }

    @Test
    void aClientOfTheDeploymentIsHeardUnderItsOwnName() throws Exception {
        ClientId alice = ClientId.of(0, 0);
        StreamTransport.Traffic traffic = new StreamTransport.Traffic();
        StreamTransport c = client("ours", alice, new Principal.Client(alice)).countInto(traffic);
        c.sendToServer(SERVER, Bytes.ofUtf8("hello"));
        assertEquals("client " + alice + ": hello", received.poll(10, TimeUnit.SECONDS));
        // Counted as queued, within its site (the server is at site 0 too), by the protocol's bytes.
        assertEquals(List.of(1L, 5L, 0L, 0L), List.of(traffic.localFrames(), traffic.localBytes(), traffic.wideFrames(), traffic.wideBytes()));
        c.close();
    }

    @Test
    void aCertificateTheDeploymentDidNotIssueIsRefusedAndNothingGetsThrough() throws Exception {
        ClientId mallory = ClientId.of(0, 1);
        StreamTransport c = client("theirs", mallory, new Principal.Client(mallory));
        c.sendToServer(SERVER, Bytes.ofUtf8("let me in"));
        assertTrue(refused.await(10, TimeUnit.SECONDS), "the foreign certificate's connection was refused and counted");
        assertTrue(server.connectionsRefused() >= 1, "counted: " + server.connectionsRefused()); // the stranger retries with backoff
        assertNull(received.poll(), "no frame of it arrived");
        c.close();
    }

    @Test
    void aPeerAnnouncingSomebodyElseIsRefused() throws Exception {
        ClientId alice = ClientId.of(0, 0);
        // Alice's own certificate, but her first frame claims to be server 0.1.
        StreamTransport c = client("ours", alice, new Principal.Server(ServerId.of(0, 1)));
        c.sendToServer(SERVER, Bytes.ofUtf8("as a server"));
        assertTrue(refused.await(10, TimeUnit.SECONDS));
        assertTrue(refusals.peek().contains("announced server-0.1 but its certificate names client-0.0"), refusals.peek());
        assertNull(received.poll(), "nothing arrived under the false name");
        c.close();
    }
}
