package io.redoubt.runtime.net;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Frames between servers, and between clients and servers, over TCP with mutual TLS (Pekko
 * Streams). Why not Artery: a server must know which server sent each frame, because some frames
 * are authenticated by the link alone (a THRESHOLD-SIGN share, a Paxos message). Artery
 * authenticates a connection as "some holder of a deployment certificate" and cannot bind a
 * message to it, so one faulty server could speak as another. Here every connection's peer is the
 * principal named in its verified certificate, and every frame on it is tagged with that name.
 *
 * <p>Each frame is length-prefixed (4 bytes, big-endian) and bounded before it is read. A
 * connection opens with one frame naming the principal that opened it; with TLS it must match the
 * certificate, or the connection is dropped and counted. Server-to-server traffic flows over the
 * sender's own outbound connection, reconnected with backoff; a client's replies flow back over
 * the connection the client opened. Links are lossy by design: a frame offered while a link is
 * down or its queue full is dropped and counted, and the protocols retransmit.
 *
 * <p>Plain TCP (no {@link SSLContext}) is an explicit opt-in for tests and trusted networks: the
 * opening frame is then believed as it is.
 */
public final class StreamTransport implements AutoCloseable {
    /** Where a server listens. */
    public record Address(String host, int port) {}

    /**
     * Frames queued for sending and their bytes (the protocol's, without the length prefix and
     * TLS), within a site and between sites apart; several transports may count into one.
     */
    public static final class Traffic {
        private final java.util.concurrent.atomic.LongAdder localFrames = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder localBytes = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder wideFrames = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder wideBytes = new java.util.concurrent.atomic.LongAdder();

        void sent(boolean wide, int bytes) {
            (wide ? wideFrames : localFrames).increment();
            (wide ? wideBytes : localBytes).add(bytes);
        }

        public long localFrames() {
            return localFrames.sum();
        }

        public long localBytes() {
            return localBytes.sum();
        }

        public long wideFrames() {
            return wideFrames.sum();
        }

        public long wideBytes() {
            return wideBytes.sum();
        }
    }

    private static final int QUEUE_FRAMES = 4_096;

    private final ActorSystem<?> system;
    private final Principal self;
    private final Map<ServerId, Address> servers;
    private final Optional<SSLContext> tls;
    private final int frameBytesMax;
    private final Inbound inbound;
    private final Map<ServerId, Outbound> outbound = new ConcurrentHashMap<>();
    /** Each client's current connection to this server, for its replies. */
    private final Map<ClientId, BoundedSourceQueue<ByteString>> clients = new ConcurrentHashMap<>();
    private final AtomicLong framesDropped = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    private volatile boolean closed;
    private volatile Tcp.ServerBinding binding;
    private volatile java.util.function.Consumer<String> onRefused = why -> {};
    /** What this endpoint does to its own outgoing frames: nothing, unless a test runs it as an adversary. */
    private volatile OutboundFault fault;
    /** Where the frames this endpoint queues are counted; null: nowhere. */
    private volatile Traffic traffic;

    /**
     * @param servers every server's listening address
     * @param tls the deployment's TLS context (its key and the deployment CA); empty for plain TCP
     */
    public StreamTransport(ActorSystem<?> system, Principal self, Map<ServerId, Address> servers, Optional<SSLContext> tls,
                           int frameBytesMax, Inbound inbound) {
        this.system = system;
        this.self = self;
        this.servers = new TreeMap<>(servers);
        this.tls = tls;
        this.frameBytesMax = frameBytesMax;
        this.inbound = inbound;
    }

    /** Runs this endpoint as a faulty one: every frame it sends passes through {@code fault} first. */
    public StreamTransport misbehave(OutboundFault fault) {
        this.fault = fault;
        return this;
    }

    /** Counts every frame this endpoint queues for sending into {@code counts}. */
    public StreamTransport countInto(Traffic counts) {
        this.traffic = counts;
        return this;
    }

    /** Tells {@code listener} why each refused connection was refused (metrics, tests). */
    public StreamTransport onRefused(java.util.function.Consumer<String> listener) {
        this.onRefused = listener;
        return this;
    }

    /** Starts listening at this server's address. */
    public CompletionStage<Tcp.ServerBinding> bind() {
        if (!(self instanceof Principal.Server s)) throw new IllegalStateException("only a server listens");
        Address at = servers.get(s.id());
        return Tcp.get(system).bind(at.host(), at.port())
                .to(Sink.foreach(connection -> connection.handleWith(inboundConnection(), system)))
                .run(system)
                .thenApply(b -> {
                    binding = b;
                    return b;
                });
    }

    /** Queues {@code frame} for server {@code to} (a client: the server it talks to); dropped (and counted) if its link is down or full. */
    public void sendToServer(ServerId to, Bytes frame) {
        if (closed) return;
        Outbound link = outbound.computeIfAbsent(to, Outbound::new);
        link.send(frame);
    }

    private int siteOfSelf() {
        return self instanceof Principal.Server s ? s.id().site().value() : ((Principal.Client) self).id().site().value();
    }

    /** Queues {@code frame} for client {@code to} on the connection it opened; dropped if it has none. */
    public void sendToClient(ClientId to, Bytes frame) {
        offer(clients.get(to), frame, to.site().value());
    }

    /** Offers a frame to a connection's queue; a missing, full or closed one drops it (a lossy link). */
    private void offer(BoundedSourceQueue<ByteString> q, Bytes frame, int toSite) {
        OutboundFault f = fault;
        if (f != null && (frame = f.apply(frame)) == null) return;
        QueueOfferResult result;
        try {
            result = q == null ? QueueOfferResult.dropped() : q.offer(prefixed(frame));
        } catch (IllegalStateException closedMeanwhile) {
            result = QueueOfferResult.dropped();
        }
        if (result != QueueOfferResult.enqueued()) framesDropped.incrementAndGet();
        else if (traffic != null) traffic.sent(toSite != siteOfSelf(), frame.length());
    }

    public long framesDropped() {
        return framesDropped.get();
    }

    /** Connections dropped because their peer was not who it said it was (or not of this deployment). */
    public long connectionsRefused() {
        return connectionsRefused.get();
    }

    @Override
    public void close() {
        closed = true;
        outbound.values().forEach(Outbound::close);
        clients.values().forEach(StreamTransport::complete);
        if (binding != null) binding.unbind();
    }

    // ---------------------------------------------------------------- inbound

    /** One accepted connection: TLS (when on), then frames, the first of which names the peer. */
    private Flow<ByteString, ByteString, NotUsed> inboundConnection() {
        AtomicReference<Principal> certified = new AtomicReference<>();
        AtomicReference<Principal> peer = new AtomicReference<>();
        AtomicReference<BoundedSourceQueue<ByteString>> replies = new AtomicReference<>();
        Sink<ByteString, ?> frames = framing().to(Sink.foreach(frame -> onInboundFrame(frame, certified.get(), peer, replies.get())));
        Source<ByteString, ?> out = Source.<ByteString>queue(QUEUE_FRAMES).mapMaterializedValue(q -> {
            replies.set(q);
            return NotUsed.getInstance();
        });
        Flow<ByteString, ByteString, NotUsed> app = Flow.fromSinkAndSourceCoupled(frames, out);
        Flow<ByteString, ByteString, NotUsed> connection = tls.isEmpty() ? app
                : tlsLayer(false, session -> certified.set(principalOf(session))).reversed().join(plaintext(app));
        // A connection that ends before it named its peer was refused: a failed TLS handshake (a
        // certificate this deployment did not issue, on either side), or a peer that claimed to be
        // someone else. Every connection of ours names itself first.
        return connection.watchTermination((mat, done) -> {
            done.whenComplete((d, failure) -> {
                boolean countedAlready = failure != null && failure.getMessage() != null && failure.getMessage().startsWith("refused:");
                if (peer.get() == null && !countedAlready && !closed) {
                    countRefusal("a connection ended before it named its peer (" + (failure == null ? "closed by the peer" : failure.toString()) + ")");
                }
            });
            return NotUsed.getInstance();
        });
    }

    private void onInboundFrame(ByteString prefixed, Principal certified, AtomicReference<Principal> peer, BoundedSourceQueue<ByteString> replies) {
        Bytes frame = Bytes.wrap(prefixed.drop(4).toArray());
        Principal from = peer.get();
        if (from == null) {
            Principal claimed;
            try {
                claimed = Principal.parse(new String(frame.unsafeArray(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                refuse("a connection opened with " + e.getMessage());
                return;
            }
            if (tls.isPresent() && !claimed.equals(certified)) {
                refuse("a connection announced " + claimed.name() + " but its certificate names " + (certified == null ? "nobody" : certified.name()));
                return;
            }
            peer.set(claimed);
            if (claimed instanceof Principal.Client c && replies != null) clients.put(c.id(), replies);
            return;
        }
        if (from instanceof Principal.Server s) inbound.fromServer(s.id(), frame);
        else if (from instanceof Principal.Client c) inbound.fromClient(c.id(), frame);
    }

    private void refuse(String why) {
        countRefusal(why);
        throw new IllegalStateException("refused: " + why); // fails this connection's stream only
    }

    private void countRefusal(String why) {
        connectionsRefused.incrementAndGet();
        system.log().warn("transport: refused {}", why);
        onRefused.accept(why);
    }

    // ---------------------------------------------------------------- outbound

    /** This server's connection to one other server: a queue, re-materialized with backoff after a failure. */
    private final class Outbound {
        final ServerId to;
        volatile BoundedSourceQueue<ByteString> queue;
        long backoffMillis = 50;
        long connectedAtNanos;

        Outbound(ServerId to) {
            this.to = to;
            connect();
        }

        void send(Bytes frame) {
            offer(queue, frame, to.site().value());
        }

        void connect() {
            if (closed) return;
            Address at = servers.get(to);
            if (at == null) throw new IllegalArgumentException("no address for " + to);
            Flow<ByteString, ByteString, ?> wire = Tcp.get(system).outgoingConnection(at.host(), at.port());
            if (tls.isPresent()) {
                Principal expected = new Principal.Server(to);
                Flow<TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, NotUsed> secured = tlsLayer(true, session -> {
                    Principal certified = principalOf(session);
                    if (!expected.equals(certified)) {
                        throw new IllegalStateException("connected to " + at + " for " + expected.name() + " but its certificate names " + certified.name());
                    }
                }).join(wire);
                wire = Flow.<ByteString>create()
                        .map(b -> (TLSProtocol.SslTlsOutbound) TLSProtocol.SendBytes$.MODULE$.apply(b))
                        .via(secured)
                        .collectType(TLSProtocol.SessionBytes.class)
                        .map(TLSProtocol.SessionBytes::bytes);
            }
            // What comes back on our own connection: a client's replies; a server expects nothing.
            Sink<ByteString, CompletionStage<Done>> back = self instanceof Principal.Client
                    ? framing().toMat(Sink.foreach(f -> inbound.fromServer(to, Bytes.wrap(f.drop(4).toArray()))), Keep.right())
                    : Sink.ignore();
            connectedAtNanos = System.nanoTime();
            Pair<BoundedSourceQueue<ByteString>, CompletionStage<Done>> running = Source.<ByteString>queue(QUEUE_FRAMES)
                    .prepend(Source.single(prefixed(Bytes.wrap(self.name().getBytes(StandardCharsets.UTF_8)))))
                    .via(wire)
                    .toMat(back, Keep.both())
                    .run(system);
            queue = running.first();
            running.second().whenComplete((done, failure) -> reconnectLater());
        }

        void reconnectLater() {
            queue = null;
            if (closed) return;
            if (System.nanoTime() - connectedAtNanos > 1_000_000_000L) backoffMillis = 50; // it had worked: try again soon
            long delay = backoffMillis;
            backoffMillis = Math.min(2_000, backoffMillis * 2);
            system.scheduler().scheduleOnce(Duration.ofMillis(delay), this::connect, system.executionContext());
        }

        void close() {
            complete(queue);
        }
    }

    private static void complete(BoundedSourceQueue<ByteString> q) {
        try {
            if (q != null) q.complete();
        } catch (IllegalStateException alreadyCompleted) {
            // its connection ended first: nothing left to close
        }
    }

    // ---------------------------------------------------------------- framing and TLS

    private ByteString prefixed(Bytes frame) {
        if (frame.length() > frameBytesMax) throw new IllegalArgumentException("frame of " + frame.length() + " bytes exceeds " + frameBytesMax);
        return ByteString.fromArrayUnsafe(java.nio.ByteBuffer.allocate(4).putInt(frame.length()).array()).concat(ByteString.fromArrayUnsafe(frame.unsafeArray()));
    }

    /** Length-prefixed frames, each bounded before it is buffered. */
    private Flow<ByteString, ByteString, NotUsed> framing() {
        return Framing.lengthField(4, 0, frameBytesMax + 4, ByteOrder.BIG_ENDIAN);
    }

    /** TLS 1.3 with mutual authentication against the deployment CA; {@code verify} checks the peer's identity. */
    private BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed> tlsLayer(boolean client,
            java.util.function.Consumer<SSLSession> verify) {
        SSLContext context = tls.orElseThrow();
        return TLS.create(() -> {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(client);
            if (!client) engine.setNeedClientAuth(true);
            engine.setEnabledProtocols(new String[] {"TLSv1.3"});
            return engine;
        }, verify, TLSClosing.eagerClose());
    }

    /** Adapts a byte flow to TLS's plaintext side. */
    private static Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsOutbound, NotUsed> plaintext(Flow<ByteString, ByteString, NotUsed> bytes) {
        return Flow.<TLSProtocol.SslTlsInbound>create()
                .collectType(TLSProtocol.SessionBytes.class)
                .map(TLSProtocol.SessionBytes::bytes)
                .via(bytes)
                .map(b -> (TLSProtocol.SslTlsOutbound) TLSProtocol.SendBytes$.MODULE$.apply(b));
    }

    /** The principal a verified peer certificate names (its subject's common name). */
    public static Principal principalOf(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            X509Certificate leaf = (X509Certificate) chain[0];
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return Principal.parse(rdn.getValue().toString());
            }
            throw new IllegalStateException("peer certificate has no common name: " + leaf.getSubjectX500Principal());
        } catch (javax.net.ssl.SSLPeerUnverifiedException | javax.naming.InvalidNameException e) {
            throw new IllegalStateException("peer not verified: " + e.getMessage(), e);
        }
    }
}
