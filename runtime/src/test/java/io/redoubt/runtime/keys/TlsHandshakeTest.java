package io.redoubt.runtime.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.ServerId;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated stores work for the JDK's TLS 1.3 with mutual authentication, as Artery uses
 * them: two servers of one deployment complete a handshake and see each other's names; a server
 * of another deployment is refused. In memory, with two SSLEngines, so no sockets or threads.
 */
class TlsHandshakeTest {
    static final Deployment SMALL = Deployment.defaults(Composition.parse("paxos/paxos"), 1, 3);

    @Test
    void twoServersOfOneDeploymentAuthenticateEachOtherAndAStrangerIsRefused(@TempDir Path tmp) throws Exception {
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        KeyGen.generate(SMALL, ours, KeyGen.Options.defaults(0));
        KeyGen.generate(SMALL, theirs, KeyGen.Options.defaults(0));
        SSLEngine client = engine(KeyFiles.loadServer(ours, ServerId.of(0, 0)).tls(), true);
        SSLEngine server = engine(KeyFiles.loadServer(ours, ServerId.of(0, 1)).tls(), false);
        handshake(client, server);
        assertEquals("TLSv1.3", client.getSession().getProtocol());
        assertEquals("CN=server-0.1", client.getSession().getPeerPrincipal().getName());
        assertEquals("CN=server-0.0", server.getSession().getPeerPrincipal().getName(), "mutual: the server authenticated the client too");

        SSLEngine stranger = engine(KeyFiles.loadServer(theirs, ServerId.of(0, 0)).tls(), true);
        assertThrows(SSLException.class, () -> handshake(stranger, engine(KeyFiles.loadServer(ours, ServerId.of(0, 1)).tls(), false)));
    }

    private static SSLEngine engine(KeyFiles.TlsStores tls, boolean clientMode) {
        SSLEngine e = tls.sslContext().createSSLEngine("localhost", 25520);
        e.setUseClientMode(clientMode);
        if (!clientMode) e.setNeedClientAuth(true);
        return e;
    }

    /** Pumps records between the two engines until both finish, running delegated tasks inline. */
    private static void handshake(SSLEngine a, SSLEngine b) throws SSLException {
        int packet = Math.max(a.getSession().getPacketBufferSize(), b.getSession().getPacketBufferSize());
        int app = Math.max(a.getSession().getApplicationBufferSize(), b.getSession().getApplicationBufferSize());
        ByteBuffer aToB = ByteBuffer.allocate(packet * 4);
        ByteBuffer bToA = ByteBuffer.allocate(packet * 4);
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer sink = ByteBuffer.allocate(app * 4);
        a.beginHandshake();
        b.beginHandshake();
        for (int step = 0; step < 200; step++) {
            if (done(a) && done(b)) return;
            pump(a, empty, aToB, bToA, sink);
            pump(b, empty, bToA, aToB, sink);
        }
        throw new AssertionError("handshake did not finish in 200 steps");
    }

    private static void pump(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer sink) throws SSLException {
        e.wrap(empty, out);
        in.flip();
        e.unwrap(in, sink);
        in.compact();
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) task.run();
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus s = e.getHandshakeStatus();
        return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
    }
}
