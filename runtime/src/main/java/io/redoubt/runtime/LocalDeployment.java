package io.redoubt.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.redoubt.clink.ClientLink;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.ServerAssembly;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.server.Frame;
import io.redoubt.runtime.cluster.SiteCluster;
import io.redoubt.runtime.cluster.SiteMembers;
import io.redoubt.runtime.host.ClientActor;
import io.redoubt.runtime.host.ServerActor;
import io.redoubt.runtime.host.Storage;
import io.redoubt.runtime.keys.KeyFiles;
import io.redoubt.runtime.metrics.MetricsServer;
import io.redoubt.runtime.metrics.NodeMetrics;
import io.redoubt.runtime.net.OutboundFault;
import io.redoubt.runtime.net.Principal;
import io.redoubt.runtime.net.StreamTransport;
import io.redoubt.runtime.net.WanShaper;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.LoggerFactory;

/**
 * A whole deployment in one JVM on real sockets: every server its own Pekko actor system with its
 * own transport on a loopback port, the emulated WAN between sites, and closed-loop clients. What
 * {@code bin/redoubt local} runs, and what the integration tests drive.
 */
public final class LocalDeployment implements AutoCloseable {
    /**
     * @param basePort the first server's port, the others following in server order; 0 for free ports
     * @param dataDir where each server keeps its durable log ({@code server-S.I/log}); empty to keep storage in memory
     * @param addresses where every server listens ({@link HostTopology}); empty to use loopback ports from {@code basePort}
     * @param faults servers run as adversaries, and what they do to what they send (none in a real deployment)
     * @param metricsBasePort if present, each server started here serves its metrics as Prometheus text at
     *        {@code http://its-host:port/metrics}, the first server of the deployment on this port and the others following in
     *        server order; 0 for free ports ({@link #metricsPort} tells which)
     * @param siteCluster whether each site's servers form a Pekko cluster (operations only), and where its ports are
     * @param cryptoThreads threads of each server's pool for offloaded cryptography ({@code redoubt.host.crypto-threads})
     */
    public record Options(Deployment deployment, int clientsPerSite, int updatesPerClient, int basePort, Keys keys,
                          Optional<java.nio.file.Path> dataDir, Map<ServerId, StreamTransport.Address> addresses,
                          Map<ServerId, OutboundFault> faults, Optional<Integer> metricsBasePort, SiteCluster.Settings siteCluster,
                          int cryptoThreads) {
        public Options {
            if (cryptoThreads < 1) throw new IllegalArgumentException("crypto threads must be at least 1, was " + cryptoThreads);
            if (metricsBasePort.isPresent() && (metricsBasePort.get() < 0 || metricsBasePort.get() > 65_535)) {
                throw new IllegalArgumentException("metrics base port must be 0 (free ports) to 65535, was " + metricsBasePort.get());
            }
        }

        public Options(Deployment deployment, int clientsPerSite, int updatesPerClient, int basePort, Keys keys, Optional<java.nio.file.Path> dataDir,
                       Map<ServerId, StreamTransport.Address> addresses, Map<ServerId, OutboundFault> faults, Optional<Integer> metricsBasePort) {
            this(deployment, clientsPerSite, updatesPerClient, basePort, keys, dataDir, addresses, faults, metricsBasePort, SiteCluster.Settings.DEFAULT,
                    io.redoubt.runtime.host.CryptoPool.defaultThreads());
        }

        public Options(Deployment deployment, int clientsPerSite, int updatesPerClient, int basePort, Keys keys, Optional<java.nio.file.Path> dataDir) {
            this(deployment, clientsPerSite, updatesPerClient, basePort, keys, dataDir, Map.of());
        }

        public Options(Deployment deployment, int clientsPerSite, int updatesPerClient, int basePort, Keys keys, Optional<java.nio.file.Path> dataDir,
                       Map<ServerId, StreamTransport.Address> addresses) {
            this(deployment, clientsPerSite, updatesPerClient, basePort, keys, dataDir, addresses, Map.of(), Optional.empty());
        }

        /** The same deployment with these servers faulty (at most f per BFT site; checked by {@link LocalDeployment}). */
        public Options withFaults(Map<ServerId, OutboundFault> faulty) {
            return new Options(deployment, clientsPerSite, updatesPerClient, basePort, keys, dataDir, addresses, faulty, metricsBasePort, siteCluster,
                    cryptoThreads);
        }

        /** These options with every server's metrics exposed from {@code port} on (0: free ports). */
        public Options withMetricsBasePort(int port) {
            return new Options(deployment, clientsPerSite, updatesPerClient, basePort, keys, dataDir, addresses, faults, Optional.of(port), siteCluster,
                    cryptoThreads);
        }

        /** These options with each server's crypto pool of {@code threads} threads ({@code redoubt.host.crypto-threads}). */
        public Options withCryptoThreads(int threads) {
            return new Options(deployment, clientsPerSite, updatesPerClient, basePort, keys, dataDir, addresses, faults, metricsBasePort, siteCluster,
                    threads);
        }

        /** These options with site clusters as {@code settings} say ({@link SiteCluster.Settings#OFF} for none). */
        public Options withSiteCluster(SiteCluster.Settings settings) {
            return new Options(deployment, clientsPerSite, updatesPerClient, basePort, keys, dataDir, addresses, faults, metricsBasePort, settings,
                    cryptoThreads);
        }
    }

    /** Where the principals' keys come from. */
    public sealed interface Keys {
        /**
         * Keygen's output: each server and client loads only its own secrets, and every connection
         * is mutual TLS with the deployment CA.
         */
        record Files(java.nio.file.Path dir) implements Keys {}

        /**
         * Every key derived from a seed, as in the simulator, over plain TCP: anyone who knows the
         * seed holds every key. For tests only, and said loudly when used.
         */
        record InsecureDerived(String signatureScheme, long seed) implements Keys {}
    }

    /** Told how far the run is. */
    public interface Progress {
        void update(long executedEverywhere, long total);
    }

    /** What a finished run found. */
    public record Result(long updates, long executedByEveryServer, boolean replicasConsistent, double seconds, List<Long> latenciesNanos,
                         List<ServerActor.Status> statuses) {
        /** The {@code q}-quantile of the acknowledged updates' latencies, in milliseconds (0 with none). */
        public double latencyMillis(double q) {
            if (latenciesNanos.isEmpty()) return 0;
            List<Long> sorted = new ArrayList<>(latenciesNanos);
            sorted.sort(null);
            return sorted.get((int) Math.max(0, Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1))) / 1e6;
        }
    }

    private static final int FRAME_BYTES_MAX = Frame.FRAME_BYTES_MAX;

    private final Options options;
    private final Deployment deployment;
    /** With derived keys, one directory and one assembly serve everyone; with key files each principal loads its own. */
    private final KeyDirectory derivedKeys;
    private final ServerAssembly derivedAssembly;
    private final Map<ServerId, StreamTransport.Address> addresses = new TreeMap<>();
    /** Where each server's actor system is a node of its site's cluster; empty without site clusters. */
    private final Map<ServerId, StreamTransport.Address> clusterAddresses = new TreeMap<>();
    private final Map<ServerId, ActorSystem<ServerActor.Command>> servers = new TreeMap<>();
    /** A server's metrics and their HTTP endpoint outlive its restarts, so a scraper keeps one address per server. */
    private final Map<ServerId, NodeMetrics> metrics = new TreeMap<>();
    private final Map<ServerId, MetricsServer> metricsServers = new TreeMap<>();
    /** Every frame this deployment's servers and clients queued, local and wide-area apart (issue 16's cost summary). */
    private final StreamTransport.Traffic traffic = new StreamTransport.Traffic();
    private final Map<ServerId, AtomicLong> executed = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private volatile java.util.function.BiConsumer<ServerId, Long> executedListener = (at, seq) -> {};
    /** What each server started here last saw of its site cluster (guarded by {@link #progressed}). */
    private final Map<ServerId, SiteMembers.View> siteViews = new TreeMap<>();
    /** Notified whenever a server executes an update or sees its site cluster change. */
    private final Object progressed = new Object();
    private ActorSystem<Void> clientSystem;

    public LocalDeployment(Options options) {
        this.options = options;
        this.deployment = options.deployment();
        if (options.keys() instanceof Keys.InsecureDerived d) {
            LoggerFactory.getLogger(LocalDeployment.class).warn("INSECURE: every key derived from seed {} and plain TCP between servers;"
                    + " for tests only (run keygen and use its directory)", d.seed());
            this.derivedKeys = new KeyDirectory(SignatureScheme.named(d.signatureScheme()), Bytes.wrap(ByteBuffer.allocate(8).putLong(d.seed()).array()));
            this.derivedAssembly = new ServerAssembly(deployment, derivedKeys);
        } else {
            this.derivedKeys = null;
            this.derivedAssembly = null;
        }
        checkFaults(options);
        List<ServerId> all = deployment.servers();
        boolean cluster = options.siteCluster().enabled();
        List<Integer> ports = options.basePort() == 0 && options.addresses().isEmpty() ? freePorts(cluster ? 2 * all.size() : all.size()) : null;
        for (int i = 0; i < all.size(); i++) {
            ServerId id = all.get(i);
            StreamTransport.Address given = options.addresses().get(id);
            StreamTransport.Address at = given != null ? given : new StreamTransport.Address("127.0.0.1", ports != null ? ports.get(i) : options.basePort() + i);
            addresses.put(id, at);
            if (cluster) {
                // Free protocol ports get free cluster ports; a topology's get theirs at the configured offset.
                clusterAddresses.put(id, ports != null ? new StreamTransport.Address(at.host(), ports.get(all.size() + i))
                        : options.siteCluster().clusterAddress(id, at));
            }
            executed.put(id, new AtomicLong());
        }
        if (cluster && options.keys() instanceof Keys.InsecureDerived) {
            LoggerFactory.getLogger(LocalDeployment.class).warn("INSECURE: site clusters over plain TCP (Artery without TLS); for tests only");
        }
    }

    /** Adversaries only where the composition tolerates them (section 4.2): at most f per BFT site, none in a Paxos site. */
    private static void checkFaults(Options options) {
        Map<SiteId, Integer> perSite = new TreeMap<>();
        for (ServerId id : options.faults().keySet()) {
            Deployment d = options.deployment();
            if (!d.localAt(id.site()).byzantine()) throw new IllegalArgumentException(id + ": " + d.localAt(id.site()).cliName() + " sites tolerate crashes only");
            if (perSite.merge(id.site(), 1, Integer::sum) > d.siteFaults(id.site())) {
                throw new IllegalArgumentException("more than f = " + d.siteFaults(id.site()) + " faulty servers in " + id.site());
            }
        }
    }

    /** CLink's client side for a client of {@code id}'s site: first resend after 2 s, doubling up to 8 s (section 4.5). */
    public static ClientLink.Settings clientLink(Deployment deployment, ClientId id) {
        return new ClientLink.Settings(deployment.serversAt(id.site()), deployment.siteFaults(id.site()), deployment.repliesNeeded(id.site()),
                2_000, 8_000);
    }

    /**
     * {@code n} distinct loopback ports free now, below the kernel's ephemeral range. A port from
     * that range (what binding port 0 gives) can be taken, while a crashed server is down, as the
     * local end of an outbound connection (its peers keep reconnecting to it), and its restart on
     * that port then fails with "Address already in use": seen once in a multi-process test run.
     * Ports below the range are never handed out that way. A port taken again between here and
     * the bind still fails that server loudly.
     */
    /** {@code redoubt.topology.cluster-port-offset}'s default (reference.conf): a node's cluster port is its port plus this. */
    private static final int DEFAULT_CLUSTER_PORT_OFFSET = 1_000;

    public static List<Integer> freePorts(int n) {
        int ephemeralLow = 32768, ephemeralHigh = 60999; // Linux's defaults, where the kernel does not say
        try {
            // Not Files.readString: it sizes its read by the file's length, which /proc reports as 0, and returned "3".
            String[] range;
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\s+");
            }
            ephemeralLow = Integer.parseInt(range[0]);
            ephemeralHigh = Integer.parseInt(range[1]);
        } catch (java.io.IOException | RuntimeException notLinux) {
            // keep the defaults
        }
        // Below the range if it leaves room there (the usual case), else above it; if neither,
        // inside it, where a restart may find its port taken. Never within the default cluster
        // port offset of the top, so that a node's cluster port (its port + the offset) exists.
        int top = 65_536 - DEFAULT_CLUSTER_PORT_OFFSET;
        int low, high;
        if (ephemeralLow - 10_000 >= 1_000) {
            low = 10_000;
            high = ephemeralLow;
        } else if (top - (ephemeralHigh + 1) >= 1_000) {
            low = ephemeralHigh + 1;
            high = top;
        } else {
            low = 1_024;
            high = top;
        }
        java.util.Random random = new java.util.Random();
        java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
        for (int attempt = 0; ports.size() < n; attempt++) {
            if (attempt >= 50 * n + 100) throw new IllegalStateException("cannot find " + n + " free loopback ports in " + low + ".." + high);
            int port = low + random.nextInt(high - low);
            if (ports.contains(port)) continue;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                ports.add(probe.getLocalPort());
            } catch (java.io.IOException inUse) {
                // try another
            }
        }
        return List.copyOf(ports);
    }

    /** Host settings for one actor system: few threads (many systems share two cores), a fine scheduler for the WAN delay line. */
    static Config actorSystemConfig() {
        return ConfigFactory.parseString("""
                pekko {
                  loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
                  logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
                  loglevel = INFO
                  stdout-loglevel = OFF
                  log-dead-letters = off
                  actor.default-dispatcher.fork-join-executor { parallelism-min = 1, parallelism-max = 2 }
                  scheduler.tick-duration = 2ms
                  coordinated-shutdown.run-by-jvm-shutdown-hook = off
                }
                """).withFallback(ConfigFactory.defaultReference());
    }

    private ServerActor.TransportFactory transportFor(Principal who, Optional<KeyFiles.TlsStores> tls, Map<ServerId, StreamTransport.Address> reachable) {
        Optional<SSLContext> context = tls.map(KeyFiles.TlsStores::sslContext);
        OutboundFault fault = who instanceof Principal.Server s ? options.faults().get(s.id()) : null;
        return (system, inbound) -> {
            StreamTransport t = new StreamTransport(system, who, reachable, context, FRAME_BYTES_MAX, inbound).countInto(traffic);
            return fault == null ? t : t.misbehave(fault);
        };
    }

    /** A client's keys and how it connects: keygen's files (mutual TLS) or the derived test keys (plain TCP). */
    private record ClientSide(ClientId id, KeyDirectory keys, Optional<SSLContext> tls, Map<ServerId, StreamTransport.Address> ownSite) {
        /** Connections to the servers of its own site, where a client sends its updates (section 4.2). */
        ServerActor.TransportFactory transports(StreamTransport.Traffic traffic) {
            return (system, inbound) -> transport(system, ownSite, inbound).countInto(traffic);
        }

        StreamTransport transport(ActorSystem<?> system, Map<ServerId, StreamTransport.Address> reachable, io.redoubt.runtime.net.Inbound inbound) {
            return new StreamTransport(system, new Principal.Client(id), reachable, tls, FRAME_BYTES_MAX, inbound);
        }
    }

    private ClientSide clientSide(ClientId id) {
        Map<ServerId, StreamTransport.Address> ownSite = new TreeMap<>();
        addresses.forEach((s, a) -> { if (s.site().equals(id.site())) ownSite.put(s, a); });
        if (options.keys() instanceof Keys.Files f) {
            KeyFiles.ClientKeys own = KeyFiles.loadClient(f.dir(), deployment, id);
            return new ClientSide(id, own.keys(), Optional.of(own.tls().sslContext()), ownSite);
        }
        return new ClientSide(id, derivedKeys, Optional.empty(), ownSite);
    }

    /** What the servers and clients started here have sent so far. */
    public StreamTransport.Traffic traffic() {
        return traffic;
    }

    /** Where {@code id} listens. */
    public StreamTransport.Address address(ServerId id) {
        return addresses.get(id);
    }

    /** Where {@code id}'s actor system is a node of its site's cluster; empty without site clusters. */
    public Optional<StreamTransport.Address> clusterAddress(ServerId id) {
        return Optional.ofNullable(clusterAddresses.get(id));
    }

    /** Starts every server. */
    public void startServers() {
        for (ServerId id : deployment.servers()) startServer(id);
    }

    /** Starts (or restarts) {@code id} on its storage: its durable log if there is a data directory, else fresh memory. */
    public void startServer(ServerId id) {
        // Keys first: a key file that does not fit fails before the log is opened (and locked).
        Optional<KeyFiles.ServerKeys> own = options.keys() instanceof Keys.Files f ? Optional.of(KeyFiles.loadServer(f.dir(), deployment, id))
                : Optional.empty();
        Storage storage;
        if (options.dataDir().isEmpty()) {
            storage = Storage.inMemory();
        } else {
            java.nio.file.Path log = options.dataDir().get().resolve("server-" + id).resolve("log");
            try {
                storage = Storage.durable(log);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot open " + log + ": " + e.getMessage(), e);
            }
        }
        startServer(id, own, storage);
    }

    private void startServer(ServerId id, Optional<KeyFiles.ServerKeys> own, Storage storage) {
        WanShaper wan = new WanShaper(deployment.sites(), deployment.wanLatencyMicros(), deployment.wanBandwidthBitsPerSecond());
        ServerAssembly assembly = own.map(k -> new ServerAssembly(deployment, k.keys(), k.keyring(), KeyValueStore::new)).orElse(derivedAssembly);
        Optional<KeyFiles.TlsStores> tls = own.map(KeyFiles.ServerKeys::tls);
        Map<ServerId, StreamTransport.Address> site = new TreeMap<>();
        clusterAddresses.forEach((s, a) -> { if (s.site().equals(id.site())) site.put(s, a); });
        Map<String, ServerId> members = null;
        if (!site.isEmpty()) {
            members = new java.util.HashMap<>();
            for (Map.Entry<ServerId, StreamTransport.Address> e : site.entrySet()) members.put(SiteCluster.key(e.getValue().host(), e.getValue().port()), e.getKey());
        }
        ServerActor.Observer observer = new ServerActor.Observer() {
            @Override
            public void executed(ServerId at, long seq, io.redoubt.lm.exec.SignedUpdate update) {
                executed.get(at).accumulateAndGet(seq, Math::max);
                executedListener.accept(at, seq);
                synchronized (progressed) {
                    progressed.notifyAll();
                }
            }

            @Override
            public void siteChanged(ServerId at, SiteMembers.View view) {
                synchronized (progressed) {
                    siteViews.put(at, view);
                    progressed.notifyAll();
                }
            }
        };
        synchronized (progressed) {
            siteViews.put(id, members == null ? SiteMembers.View.OFF : SiteMembers.View.JOINING);
        }
        Behavior<ServerActor.Command> behavior = ServerActor.create(assembly, id, transportFor(new Principal.Server(id), tls, addresses), storage, wan,
                observer, options.metricsBasePort().isPresent() ? metricsOf(id) : null, members, options.cryptoThreads());
        servers.put(id, site.isEmpty() ? ActorSystem.create(behavior, "server-" + id.site().value() + "-" + id.index(), actorSystemConfig())
                : ActorSystem.create(behavior, SiteCluster.systemName(id.site()), SiteCluster.actorSystemConfig(id, site, tls).withFallback(actorSystemConfig())));
    }

    /** {@code id}'s metrics, served from its first start on (only with {@link Options#metricsBasePort}). */
    private NodeMetrics metricsOf(ServerId id) {
        NodeMetrics m = metrics.get(id);
        if (m != null) return m;
        m = new NodeMetrics(id);
        int base = options.metricsBasePort().orElseThrow();
        int port = base == 0 ? 0 : base + deployment.servers().indexOf(id);
        metricsServers.put(id, MetricsServer.start(m.registry(), addresses.get(id).host(), port));
        metrics.put(id, m);
        return m;
    }

    /** The port where {@code id} serves its metrics; empty if it does not (no metrics option, or never started here). */
    public OptionalInt metricsPort(ServerId id) {
        MetricsServer s = metricsServers.get(id);
        return s == null ? OptionalInt.empty() : OptionalInt.of(s.port());
    }

    /**
     * Stops one server (its actor system); what it persisted stays in its storage. Waits at most
     * {@link #STOP_WAIT} for the system to terminate ({@link SiteCluster#terminate} bounds the one
     * wait of Pekko's own known to hang): a stop that still never completes must fail, not hang the
     * caller, and says what the system was still doing.
     */
    public void stopServer(ServerId id) {
        ActorSystem<ServerActor.Command> system = servers.remove(id);
        if (system != null) {
            try {
                SiteCluster.terminate(system).toCompletableFuture().get(STOP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // What the system is still doing goes with the failure, so a rare hang in CI explains itself.
                String dump = StuckSystemDump.of(system);
                LoggerFactory.getLogger(LocalDeployment.class).error("{} did not stop within {} s\n{}", id, STOP_WAIT.toSeconds(), dump);
                throw new IllegalStateException(id + " did not stop within " + STOP_WAIT.toSeconds() + " s\n" + dump);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping " + id, e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(id + " failed while stopping: " + e.getCause(), e.getCause());
            }
        }
    }

    /** How long {@link #stopServer} waits for a server's actor system to terminate. */
    public static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /** Tells {@code listener} each time a server of this process executes an update (its global sequence number). */
    public void onExecuted(java.util.function.BiConsumer<ServerId, Long> listener) {
        this.executedListener = listener;
    }

    /** Waits until {@code id} has executed {@code updates} updates; false if the deadline passed first. */
    public boolean awaitExecuted(ServerId id, long updates, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (progressed) {
            while (executed.get(id).get() < updates) {
                long leftMillis = (end - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) return false;
                progressed.wait(leftMillis);
            }
        }
        return true;
    }

    /**
     * Waits until what {@code id} sees of its site cluster satisfies {@code wanted} (operations
     * only: the protocols never wait for this); false if the deadline passed first.
     */
    public boolean awaitSiteMembers(ServerId id, java.util.function.Predicate<SiteMembers.View> wanted, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (progressed) {
            while (!wanted.test(siteViews.getOrDefault(id, SiteMembers.View.OFF))) {
                long leftMillis = (end - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) return false;
                progressed.wait(leftMillis);
            }
        }
        return true;
    }

    /** What {@code id} last saw of its site cluster, if it was started here. */
    public Optional<SiteMembers.View> siteMembers(ServerId id) {
        synchronized (progressed) {
            return Optional.ofNullable(siteViews.get(id));
        }
    }

    /** Runs the clients' workload to the end (or the deadline) and reports, checking that every replica agrees. */
    public Result runWorkload(Duration deadline, Progress progress) throws InterruptedException {
        return runWorkload(deadline, progress, 1);
    }

    /** As above, the clients numbering their updates from {@code firstSeq} (a client's numbers never go back). */
    public Result runWorkload(Duration deadline, Progress progress, long firstSeq) throws InterruptedException {
        List<ClientId> clientIds = new ArrayList<>();
        for (SiteId site : deployment.siteIds()) for (int c = 0; c < options.clientsPerSite(); c++) clientIds.add(ClientId.of(site.value(), c));
        long total = (long) clientIds.size() * options.updatesPerClient();
        CountDownLatch finished = new CountDownLatch(clientIds.size());
        ClientActor.Listener listener = new ClientActor.Listener() {
            @Override
            public void completed(ClientId client, long seq, long latencyNanos) {
                latencies.add(latencyNanos);
            }

            @Override
            public void finished(ClientId client) {
                finished.countDown();
            }
        };
        long t0 = System.nanoTime();
        if (clientSystem != null) { // an earlier run's clients are done
            clientSystem.terminate();
            clientSystem.getWhenTerminated().toCompletableFuture().join();
        }
        latencies.clear();
        clientSystem = ActorSystem.create(Behaviors.setup(context -> {
            for (ClientId id : clientIds) {
                ClientSide c = clientSide(id);
                context.spawn(ClientActor.create(id, c.transports(traffic), c.keys(),
                        seq -> KeyValueStore.put("k" + id + "/" + seq % 16, "v" + seq), firstSeq, options.updatesPerClient(),
                        clientLink(deployment, id), listener),
                        "client-" + id.site().value() + "-" + id.index());
            }
            return Behaviors.empty();
        }), "clients", actorSystemConfig());
        long deadlineNanos = t0 + deadline.toNanos();
        while (System.nanoTime() < deadlineNanos) {
            boolean clientsDone = finished.await(500, TimeUnit.MILLISECONDS);
            long everywhere = executedEverywhere();
            progress.update(everywhere, total);
            if (clientsDone && (servers.isEmpty() || everywhere >= total)) break;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<ServerActor.Status> statuses = statuses();
        List<ServerActor.Status> correct = statuses.stream().filter(st -> !options.faults().containsKey(st.id())).toList();
        boolean consistent = statuses.size() == servers.size() && correct.stream().map(ServerActor.Status::appStateDigest).distinct().count() == 1
                && correct.stream().map(ServerActor.Status::executedUpdates).distinct().count() == 1;
        return new Result(total, executedEverywhere(), consistent, seconds, List.copyOf(latencies), statuses);
    }

    /**
     * One update by client {@code id} with sequence number {@code seq} (greater than any it used
     * before), sent to the servers of its site: the reply enough of them agreed on, or empty if
     * none came before the deadline.
     */
    public Optional<Bytes> submitOne(ClientId id, Bytes operation, long seq, Duration deadline) throws InterruptedException {
        java.util.concurrent.CompletableFuture<Bytes> reply = new java.util.concurrent.CompletableFuture<>();
        ClientActor.Listener listener = new ClientActor.Listener() {
            @Override
            public void replied(ClientId client, long s, Bytes r) {
                reply.complete(r);
            }

            @Override
            public void completed(ClientId client, long s, long latencyNanos) {}

            @Override
            public void finished(ClientId client) {}
        };
        ClientSide c = clientSide(id);
        ActorSystem<ClientActor.Command> system = ActorSystem.create(ClientActor.create(id, c.transports(traffic),
                c.keys(), s -> operation, seq, 1, clientLink(deployment, id), listener),
                "client-" + id.site().value() + "-" + id.index(), actorSystemConfig());
        try {
            return Optional.of(reply.get(deadline.toMillis(), TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return Optional.empty();
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    /**
     * A local read by client {@code id}: answered by its site's servers from their own copies,
     * unordered, so possibly behind the global order. A benign site's answer comes from the
     * server the client talks to; a Byzantine site's once f+1 servers gave the same one (section
     * 4.2). Empty if not enough answers came before the deadline.
     */
    public Optional<Bytes> queryOne(ClientId id, Bytes read, Duration deadline) throws InterruptedException {
        int needed = deployment.repliesNeeded(id.site());
        List<ServerId> askees = new ArrayList<>();
        for (int i = 0; i < deployment.serversAt(id.site()); i++) askees.add(new ServerId(id.site(), i));
        if (needed == 1) askees = List.of(new ServerId(id.site(), id.index() % deployment.serversAt(id.site())));
        long nonce = System.nanoTime();
        Map<ServerId, Bytes> answers = new TreeMap<>();
        ask(id, askees, new Frame.Query(nonce, read).encode(), deadline, (from, frame) -> {
            Frame.QueryReply r = Frame.decodeQueryReply(frame);
            if (r.nonce() != nonce) return false;
            answers.putIfAbsent(from, r.reply());
            return answers.values().stream().filter(v -> v.equals(r.reply())).count() >= needed;
        });
        synchronized (answers) {
            return answers.values().stream().filter(v -> answers.values().stream().filter(v::equals).count() >= needed).findFirst();
        }
    }

    /**
     * One server's answer to a status request: its node's status, and what its host sees of the
     * site cluster (empty if that report did not come in time).
     */
    public record ServerStatus(Frame.Status status, Optional<SiteMembers.View> site) {}

    /** How every server stands, asked over the network as client {@code asking}; a server whose status does not come in time is left out. */
    public List<ServerStatus> askStatus(ClientId asking, Duration deadline) throws InterruptedException {
        long nonce = System.nanoTime();
        List<ServerId> all = deployment.servers();
        Map<ServerId, Frame.Status> statuses = new TreeMap<>();
        Map<ServerId, SiteMembers.View> sites = new TreeMap<>();
        CountDownLatch everyone = new CountDownLatch(1);
        io.redoubt.runtime.net.Inbound collect = new io.redoubt.runtime.net.Inbound() {
            @Override
            public void fromServer(ServerId from, Bytes frame) {
                synchronized (statuses) {
                    try {
                        if (Frame.tagOf(frame) == Frame.TAG_STATUS) {
                            Frame.Status st = Frame.decodeStatus(frame);
                            if (st.nonce() == nonce && st.server().equals(from)) statuses.put(from, st);
                        } else if (Frame.tagOf(frame) == Frame.TAG_SITE_MEMBERS) {
                            SiteMembers.Reported r = SiteMembers.decode(frame);
                            if (r.nonce() == nonce && r.server().equals(from)) sites.put(from, r.view());
                        }
                    } catch (io.redoubt.lm.codec.DecodeException nonsense) {
                        return; // a server that answers with nonsense is reported as silent
                    }
                    if (statuses.size() == all.size() && sites.size() == all.size()) everyone.countDown();
                }
            }

            @Override
            public void fromClient(ClientId from, Bytes ignored) {}
        };
        exchange(asking, all, new Frame.StatusRequest(nonce).encode(), deadline, collect, everyone);
        List<ServerStatus> out = new ArrayList<>();
        synchronized (statuses) {
            statuses.forEach((id, st) -> out.add(new ServerStatus(st, Optional.ofNullable(sites.get(id)))));
        }
        return out;
    }

    /**
     * Sends {@code frame} as client {@code id} to {@code servers} and collects one answer from each
     * (the last frame each sent), until {@code enough} says the latest answer settles it, every
     * server answered, or the deadline passed.
     */
    private Map<ServerId, Bytes> ask(ClientId id, List<ServerId> servers, Bytes frame, Duration deadline, Answer enough) throws InterruptedException {
        Map<ServerId, Bytes> answers = new TreeMap<>();
        CountDownLatch settled = new CountDownLatch(1);
        io.redoubt.runtime.net.Inbound collect = new io.redoubt.runtime.net.Inbound() {
            @Override
            public void fromServer(ServerId from, Bytes answer) {
                synchronized (answers) {
                    try {
                        if (!enough.settles(from, answer) && answers.size() + 1 < servers.size()) {
                            answers.put(from, answer);
                            return;
                        }
                    } catch (io.redoubt.lm.codec.DecodeException nonsense) {
                        return; // a server that answers with nonsense does not count
                    }
                    answers.put(from, answer);
                    settled.countDown();
                }
            }

            @Override
            public void fromClient(ClientId from, Bytes ignored) {}
        };
        exchange(id, servers, frame, deadline, collect, settled);
        synchronized (answers) {
            return new TreeMap<>(answers);
        }
    }

    /** Sends {@code frame} as client {@code id} to {@code servers}; what they send back goes to {@code collect} until {@code settled} or the deadline. */
    private void exchange(ClientId id, List<ServerId> servers, Bytes frame, Duration deadline, io.redoubt.runtime.net.Inbound collect,
                          CountDownLatch settled) throws InterruptedException {
        Map<ServerId, StreamTransport.Address> reachable = new TreeMap<>();
        for (ServerId s : servers) reachable.put(s, addresses.get(s));
        ClientSide c = clientSide(id);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ask-" + id.site().value() + "-" + id.index(), actorSystemConfig());
        StreamTransport transport = c.transport(system, reachable, collect);
        try {
            for (ServerId s : servers) transport.sendToServer(s, frame);
            settled.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            transport.close();
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    /** Whether an answer settles a question asked of several servers. */
    private interface Answer {
        boolean settles(ServerId from, Bytes answer) throws io.redoubt.lm.codec.DecodeException;
    }

    /** The fewest updates any correct server of this process executed (no promise holds for a faulty one). */
    private long executedEverywhere() {
        long min = Long.MAX_VALUE;
        for (ServerId id : servers.keySet()) if (!options.faults().containsKey(id)) min = Math.min(min, executed.get(id).get());
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** Every running server's status, asked of its actor; a server that does not answer in 5 s is left out (and so the replicas are not consistent). */
    public List<ServerActor.Status> statuses() {
        List<ServerActor.Status> out = new ArrayList<>();
        for (Map.Entry<ServerId, ActorSystem<ServerActor.Command>> e : servers.entrySet()) {
            ActorSystem<ServerActor.Command> system = e.getValue();
            try {
                out.add(AskPattern.<ServerActor.Command, ServerActor.Status>ask(system, ServerActor.GetStatus::new, Duration.ofSeconds(5),
                        system.scheduler()).toCompletableFuture().join());
            } catch (java.util.concurrent.CompletionException noAnswer) {
                system.log().warn("{} did not answer a status request: {}", e.getKey(), noAnswer.getCause().toString());
            }
        }
        return out;
    }

    /** How long {@link #close} waits for every actor system to terminate, in all. */
    private static final Duration TERMINATION_WAIT = Duration.ofSeconds(20);

    private static void awaitTerminated(String who, ActorSystem<?> system, long deadlineNanos) {
        try {
            system.getWhenTerminated().toCompletableFuture().get(Math.max(0, deadlineNanos - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LoggerFactory.getLogger(LocalDeployment.class).warn("actor system of {} did not terminate within {} s; leaving it\n{}", who,
                    TERMINATION_WAIT.toSeconds(), StuckSystemDump.of(system));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LoggerFactory.getLogger(LocalDeployment.class).warn("actor system of {} failed while terminating: {}", who, e.getCause().toString());
        }
    }

    @Override
    public void close() {
        if (clientSystem != null) clientSystem.terminate();
        for (ActorSystem<ServerActor.Command> s : servers.values()) SiteCluster.terminate(s);
        // Bounded: a site-cluster node's Artery shutdown has been seen to hang after a long loaded run
        // (CI, conf/bft-bft.conf; see SiteCluster#terminate); a close that never returns would hang the caller with it.
        long deadline = System.nanoTime() + TERMINATION_WAIT.toNanos();
        for (Map.Entry<ServerId, ActorSystem<ServerActor.Command>> e : servers.entrySet()) awaitTerminated(e.getKey().toString(), e.getValue(), deadline);
        if (clientSystem != null) awaitTerminated("clients", clientSystem, deadline);
        servers.clear();
        for (MetricsServer s : metricsServers.values()) s.close();
        metricsServers.clear();
    }

}
