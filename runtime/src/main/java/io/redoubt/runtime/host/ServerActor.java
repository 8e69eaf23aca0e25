package io.redoubt.runtime.host;

import io.redoubt.compose.ServerAssembly;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.Frame;
import io.redoubt.lm.server.ServerIo;
import io.redoubt.lm.server.ServerNode;
import io.redoubt.lm.server.ServerTimer;
import io.redoubt.lm.sign.CryptoJob;
import io.redoubt.lm.sign.CryptoResult;
import io.redoubt.runtime.cluster.SiteMembers;
import io.redoubt.runtime.metrics.NodeMetrics;
import io.redoubt.runtime.net.Inbound;
import io.redoubt.runtime.net.StreamTransport;
import io.redoubt.runtime.net.WanShaper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One server hosted by Pekko: a behavior that only delivers inputs to its {@link ServerNode} (built
 * by the shared {@link ServerAssembly}) and performs the node's outputs; it makes no protocol
 * decision. Each input is one step: the node runs, then everything it persisted is forced to
 * disk, and only then do the messages and replies it produced leave (persist before send).
 * Messages to other sites cross the emulated WAN ({@link WanShaper}); timers are the actor's own.
 *
 * <p>CPU-heavy cryptography the node offloads ({@link ServerIo#offload}: threshold partials,
 * proofs, proof checks) runs on this server's own bounded pool, never on the actor thread; each
 * result comes back as a {@link CryptoDone} message and is one step like any other input, so
 * persist before send holds for what it makes the node send.
 *
 * <p>What it sees of its site's Pekko cluster ({@link SiteMembers}) goes to status, metrics and
 * the log only; the node never sees it.
 */
public final class ServerActor extends AbstractBehavior<ServerActor.Command> {
    public sealed interface Command {}

    /** A frame from another server; the transport authenticated {@code from}. */
    public record FromServer(ServerId from, Bytes frame) implements Command {}

    /** A frame from a client; the transport authenticated {@code from}. */
    public record FromClient(ClientId from, Bytes frame) implements Command {}

    /** Asks for what this server executed so far, for checks and status. */
    public record GetStatus(ActorRef<Status> replyTo) implements Command {}

    /** What a server reports about itself; {@code site} is what it sees of its site's cluster (operations only). */
    public record Status(ServerId id, long executedUpdates, long executedEvents, Bytes appStateDigest, Bytes lmStateDigest, long localView,
                         long wideView, boolean localLeader, Map<Rejection, Long> rejections, SiteMembers.View site,
                         long lmSignatures, long sharesMade) {}

    private record Fire(ServerTimer timer) implements Command {}

    /** An offloaded job's result, told by the pool thread that ran it. */
    private record CryptoDone(CryptoResult result) implements Command {}

    /** An offloaded job threw: our own bug (jobs check what others sent, never trust it to parse). */
    private record CryptoFailed(CryptoJob job, Throwable error) implements Command {}

    private record SiteChanged(SiteMembers.View view) implements Command {}

    /** Observes what the server executes (the local deployment's progress and latency), and what it sees of its site cluster. */
    public interface Observer {
        void executed(ServerId at, long globalSeq, SignedUpdate update);

        default void siteChanged(ServerId at, SiteMembers.View view) {}

        Observer NONE = (at, seq, u) -> {};
    }

    private final ServerId id;
    private final StreamTransport transport;
    private final Storage storage;
    private final WanShaper wan;
    private final Observer observer;
    private final TimerScheduler<Command> timers;
    private final ServerNode node;
    /** Null when this server is not measured. */
    private final NodeMetrics metrics;
    /** Outputs of the current step, performed after its appends are forced. */
    private final List<Runnable> pending = new ArrayList<>();
    private final EnumMap<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
    /** This server's threads for offloaded cryptography. */
    private final CryptoPool crypto;
    private SiteMembers.View site;

    /** Makes the server's transport, given its actor system and where arriving frames go. */
    public interface TransportFactory {
        StreamTransport create(org.apache.pekko.actor.typed.ActorSystem<?> system, Inbound inbound);
    }

    /** The server's behavior; it binds its transport and builds its node from {@code storage}'s records. */
    public static Behavior<Command> create(ServerAssembly assembly, ServerId id, TransportFactory transports, Storage storage, WanShaper wan,
                                           Observer observer) {
        return create(assembly, id, transports, storage, wan, observer, null);
    }

    /** As above, the server keeping {@code metrics} up to date after every step. */
    public static Behavior<Command> create(ServerAssembly assembly, ServerId id, TransportFactory transports, Storage storage, WanShaper wan,
                                           Observer observer, NodeMetrics metrics) {
        return create(assembly, id, transports, storage, wan, observer, metrics, null, CryptoPool.defaultThreads());
    }

    /**
     * As above, in an actor system that is a node of its site's cluster ({@code siteCluster} maps
     * the site's cluster addresses, {@code host:port}, to its servers; null when there is no
     * cluster), with {@code cryptoThreads} threads for offloaded cryptography
     * ({@code redoubt.host.crypto-threads}).
     */
    public static Behavior<Command> create(ServerAssembly assembly, ServerId id, TransportFactory transports, Storage storage, WanShaper wan,
                                           Observer observer, NodeMetrics metrics, Map<String, ServerId> siteCluster, int cryptoThreads) {
        if (cryptoThreads < 1) throw new IllegalArgumentException("cryptoThreads must be at least 1, was " + cryptoThreads);
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            StreamTransport transport = transports.create(context.getSystem(), inbound(context.getSelf()));
            transport.bind().toCompletableFuture().join(); // listening before the node says anything
            if (metrics != null) metrics.watchTransport(transport::framesDropped, transport::connectionsRefused);
            if (siteCluster != null) {
                ActorRef<Command> self = context.getSelf();
                context.spawn(SiteMembers.create(siteCluster, v -> self.tell(new SiteChanged(v))), "site-members");
            }
            return new ServerActor(context, timers, assembly, id, transport, storage, wan, observer, metrics,
                    siteCluster != null ? SiteMembers.View.JOINING : SiteMembers.View.OFF, cryptoThreads);
        }));
    }

    /** What a transport hands this actor. */
    public static Inbound inbound(ActorRef<Command> server) {
        return new Inbound() {
            @Override
            public void fromServer(ServerId from, Bytes frame) {
                server.tell(new FromServer(from, frame));
            }

            @Override
            public void fromClient(ClientId from, Bytes frame) {
                server.tell(new FromClient(from, frame));
            }
        };
    }

    private ServerActor(ActorContext<Command> context, TimerScheduler<Command> timers, ServerAssembly assembly, ServerId id,
                        StreamTransport transport, Storage storage, WanShaper wan, Observer observer, NodeMetrics metrics, SiteMembers.View site,
                        int cryptoThreads) {
        super(context);
        ActorRef<Command> self = context.getSelf(); // the context is the actor's own; pool threads only tell
        this.crypto = new CryptoPool(id, cryptoThreads, r -> self.tell(new CryptoDone(r)), (job, e) -> self.tell(new CryptoFailed(job, e)));
        if (metrics != null) metrics.watchCrypto(crypto::backlogSize, crypto::backlogged);
        this.metrics = metrics;
        this.site = site;
        if (metrics != null) metrics.siteMembers(site);
        this.id = id;
        this.transport = transport;
        this.storage = storage;
        this.wan = wan;
        this.observer = observer;
        this.timers = timers;
        List<Bytes> stored = storage.records();
        this.node = assembly.build(id, new Io(), stored);
        storage.forgetRecords(); // restored from them; held, they would take memory for the process's life
        node.start();
        endOfStep();
        context.getLog().info("{} started from {} stored records", id, stored.size());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FromServer.class, m -> step(() -> node.onServerFrame(m.from(), m.frame())))
                .onMessage(FromClient.class, this::onFromClient)
                .onMessage(Fire.class, m -> step(() -> node.onTimer(m.timer())))
                .onMessage(CryptoDone.class, this::onCryptoDone)
                .onMessage(CryptoFailed.class, m -> {
                    throw new IllegalStateException(id + ": offloaded " + m.job() + " failed", m.error());
                })
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(SiteChanged.class, this::onSiteChanged)
                .onSignal(PostStop.class, s -> {
                    crypto.shutdown(); // a running job finishes and tells a stopped actor: a dead letter, harmless
                    transport.close();
                    storage.close();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onFromClient(FromClient m) {
        if (metrics != null) metrics.requestArrived(m.from(), m.frame(), System.nanoTime());
        step(() -> node.onClientFrame(m.from(), m.frame()));
        if (Frame.tagOf(m.frame()) == Frame.TAG_STATUS_REQUEST) {
            // The node answered with its own status; the host adds what it sees of the site cluster.
            try {
                if (Frame.decode(m.frame()) instanceof Frame.StatusRequest q) transport.sendToClient(m.from(), site.encode(q.nonce(), id));
            } catch (io.redoubt.lm.codec.DecodeException malformed) {
                // the node rejected and counted it
            }
        }
        return this;
    }

    private Behavior<Command> onSiteChanged(SiteChanged m) {
        site = m.view();
        if (metrics != null) metrics.siteMembers(site);
        observer.siteChanged(id, site);
        return this;
    }

    private Behavior<Command> onCryptoDone(CryptoDone m) {
        step(() -> node.onCryptoDone(m.result()));
        crypto.feed(node::isCryptoWanted); // a job finished, so the pool has room for one more
        return this;
    }

    private Behavior<Command> step(Runnable input) {
        input.run();
        endOfStep();
        return this;
    }

    /** Persist before send: force this step's appends, then let its messages go. */
    private void endOfStep() {
        if (storage.dirty()) storage.force();
        for (Runnable r : pending) r.run();
        pending.clear();
        if (metrics != null) metrics.afterStep(node);
    }

    private Behavior<Command> onGetStatus(GetStatus m) {
        var lm = node.logicalMachine();
        m.replyTo().tell(new Status(id, lm.executedUpdates(), lm.executedEvents(), lm.app().stateDigest(), lm.stateDigest(),
                node.localCore().view(), lm.wideCore().view(), node.localCore().isLeader(), Map.copyOf(rejections), site,
                node.lmSignatures(), node.sharesMade()));
        return this;
    }

    private final class Io implements ServerIo {
        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            if (to.site().equals(id.site())) {
                pending.add(() -> transport.sendToServer(to, frame));
                return;
            }
            pending.add(() -> {
                long now = System.nanoTime();
                long delayNanos = wan.arrivalNanos(to.site().value(), frame.length(), now) - now;
                getContext().getSystem().scheduler().scheduleOnce(Duration.ofNanos(delayNanos), () -> transport.sendToServer(to, frame),
                        getContext().getSystem().executionContext());
            });
        }

        @Override
        public void sendToClient(ClientId to, Bytes frame) {
            pending.add(() -> {
                transport.sendToClient(to, frame);
                if (metrics != null) metrics.replySent(to, frame, System.nanoTime());
            });
        }

        @Override
        public void setTimer(ServerTimer timer, long delayMillis) {
            timers.startSingleTimer(timer, new Fire(timer), Duration.ofMillis(delayMillis));
        }

        @Override
        public void cancelTimer(ServerTimer timer) {
            timers.cancel(timer);
        }

        @Override
        public void persist(Bytes record) {
            storage.append(record);
        }

        @Override
        public void compactStorage(List<Bytes> records) {
            storage.replaceAll(records);
        }

        @Override
        public void offload(CryptoJob job) {
            // At once, not after the step's force: a job only computes, and what its result makes
            // the node send leaves in a later step, after that step's own force.
            crypto.offload(job);
        }

        @Override
        public void executed(long globalSeq, SignedUpdate update, Bytes reply) {
            observer.executed(id, globalSeq, update);
        }

        @Override
        public void rejected(Object from, Rejection reason, String detail) {
            rejections.merge(reason, 1L, Long::sum);
            getContext().getLog().debug("{} rejected input from {}: {} ({})", id, from, reason, detail);
        }

        @Override
        public void provenFaulty(io.redoubt.lm.exec.OrderingRequest.Equivocation proof) {
            // An operator must hear of this: a server of the site is corrupt (CLink-Order, section 4.5).
            getContext().getLog().warn("{}: server {} is proven corrupt and its ordering requests are refused from now on: {}", id, proof.server(), proof);
        }
    }
}
