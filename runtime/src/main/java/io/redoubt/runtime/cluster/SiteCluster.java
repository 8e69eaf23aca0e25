package io.redoubt.runtime.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.redoubt.compose.ConfigReader;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.runtime.keys.KeyFiles;
import io.redoubt.runtime.net.Principal;
import io.redoubt.runtime.net.StreamTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.LoggerFactory;

/**
 * The servers of a site as one Pekko Cluster (the issue: "used for discovery and operations, never
 * trusted for safety"). Each server's actor system is a cluster node named after its site, so
 * servers of different sites can never be in one cluster; Artery runs over mutual TLS with the
 * server's own keygen certificate, and accepts only the site's own servers ({@link SitePeersOnly}).
 *
 * <p>Nothing the protocols decide depends on the cluster: the {@code ServerNode} never sees it,
 * protocol frames travel over {@link StreamTransport}, and the cluster can neither stop a server
 * (no downing, no shutdown when downed) nor deliver anything but Pekko's own cluster traffic
 * (untrusted mode; the host's messages have no serializer).
 */
public final class SiteCluster {
    private SiteCluster() {}

    /**
     * {@code redoubt.host.site-cluster} and {@code redoubt.topology.cluster-port-offset}: whether
     * servers form site clusters, and a server's cluster port relative to its protocol port (when
     * ports are picked free, as {@code local} does, cluster ports are picked free too).
     */
    public record Settings(boolean enabled, int portOffset) {
        public static final Settings DEFAULT = new Settings(true, 1000);
        public static final Settings OFF = new Settings(false, DEFAULT.portOffset);

        public Settings {
            if (portOffset < 1 || portOffset > 65_534) throw new IllegalArgumentException("cluster port offset must be 1..65534, was " + portOffset);
        }

        public static Settings read(ConfigReader r) {
            boolean on = r.get("host.site-cluster", () -> r.config().getBoolean("host.site-cluster"));
            int offset = r.atLeast("topology.cluster-port-offset", 1);
            if (offset > 65_534) throw r.invalid("topology.cluster-port-offset", offset, "must be 1..65534, e.g. 1000");
            return new Settings(on, offset);
        }

        /** The cluster address of a server listening at {@code protocol}; refuses a port past 65535, naming the key. */
        public StreamTransport.Address clusterAddress(ServerId id, StreamTransport.Address protocol) {
            int port = protocol.port() + portOffset;
            if (port > 65_535) {
                throw new IllegalArgumentException("server " + id + " listens on port " + protocol.port() + ", so its cluster port would be " + port
                        + "; lower redoubt.topology.cluster-port-offset (now " + portOffset + ") or its port");
            }
            return new StreamTransport.Address(protocol.host(), port);
        }
    }

    /** One actor system name per site: Pekko joins only systems of the same name into a cluster. */
    public static String systemName(SiteId site) {
        return "redoubt-site-" + site.value();
    }

    /** A member's address as {@code host:port}, the key under which {@link SiteMembers} recognizes it. */
    public static String key(String host, int port) {
        return host + ":" + port;
    }

    /**
     * The settings that make {@code self}'s actor system a node of its site's cluster, at
     * {@code site.get(self)}, with every server of the site as a seed node (the first one forms
     * the cluster; any other joins whichever is up). With {@code tls} empty, plain TCP (the
     * insecure test keys; the caller says so loudly).
     */
    public static Config actorSystemConfig(ServerId self, Map<ServerId, StreamTransport.Address> site, Optional<KeyFiles.TlsStores> tls) {
        StreamTransport.Address own = site.get(self);
        if (own == null) throw new IllegalArgumentException(self + " has no cluster address among " + site.keySet());
        String system = systemName(self.site());
        List<String> seeds = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        site.forEach((id, a) -> {
            seeds.add("pekko://" + system + "@" + a.host() + ":" + a.port());
            peers.add(new Principal.Server(id).name());
        });
        Map<String, Object> s = new HashMap<>();
        s.put("pekko.actor.provider", "cluster");
        s.put("pekko.remote.artery.transport", tls.isPresent() ? "tls-tcp" : "tcp");
        s.put("pekko.remote.artery.canonical.hostname", own.host());
        s.put("pekko.remote.artery.canonical.port", own.port());
        s.put("pekko.remote.artery.advanced.inbound-lanes", 1); // a handful of gossip messages a second
        // Peers may not stop or create actors here, nor reach any but the cluster's own (joining, gossip, heartbeats).
        s.put("pekko.remote.artery.untrusted-mode", "on");
        s.put("pekko.remote.artery.trusted-selection-paths", List.of("/system/cluster/core/daemon", "/system/cluster/heartbeatReceiver",
                "/system/cluster/core/daemon/crossDcHeartbeatReceiver"));
        s.put("pekko.remote.default-remote-dispatcher.fork-join-executor.parallelism-max", 1);
        s.put("pekko.actor.internal-dispatcher.fork-join-executor.parallelism-max", 2);
        s.put("pekko.cluster.seed-nodes", seeds);
        s.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on"); // local runs every server in one JVM
        s.put("pekko.cluster.log-info", "off"); // SiteMembers logs one line per member event instead
        // The cluster never stops a server: no member is ever downed, and being downed would not stop it anyway.
        s.put("pekko.cluster.downing-provider-class", "");
        s.put("pekko.cluster.run-coordinated-shutdown-when-down", "off");
        // Stopping a server stops it at once, without a graceful leave: peers see it unreachable until it restarts (its new
        // incarnation replaces it). A whole site leaving at once could otherwise hold a stop for many seconds, or hang it.
        s.put("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off");
        s.put(SitePeersOnly.PEERS_KEY, peers);
        tls.ifPresent(t -> {
            s.put("pekko.remote.artery.ssl.ssl-engine-provider", SitePeersOnly.class.getName());
            String engine = "pekko.remote.artery.ssl.config-ssl-engine.";
            // keygen's PKCS12 stores (the JDK's default key store type), the key under its store's password
            s.put(engine + "key-store", t.keyStore().toAbsolutePath().toString());
            s.put(engine + "key-store-password", t.keyStorePassword());
            s.put(engine + "key-password", t.keyStorePassword());
            s.put(engine + "trust-store", t.trustStore().toAbsolutePath().toString());
            s.put(engine + "trust-store-password", t.trustStorePassword());
            s.put(engine + "protocol", "TLSv1.3");
            s.put(engine + "require-mutual-authentication", "on");
        });
        return ConfigFactory.parseMap(s);
    }

    /** How long a terminating node's streams may take to end before {@link #terminate} aborts them. */
    public static final Duration STREAMS_WAIT = Duration.ofSeconds(10);

    /**
     * Terminates a node's actor system; completes when it has terminated. Pekko 1.7's Artery waits
     * without a deadline for its outbound streams to end before it lets the system terminate, and
     * over TLS an outbound control stream can wait for its peer for good. Artery aborts all its
     * streams at once; when the inbound control stream stops before an outbound control stream saw
     * the abort (a race, so the hang is intermittent), it completes that stream instead of failing
     * it, Artery's TLS ignores the completion (its closing mode is IgnoreComplete) and keeps the
     * connection open until the peer closes it, and a running peer never closes an inbound
     * connection. So after {@link #STREAMS_WAIT} the system's remaining streams are aborted, as its
     * shutdown would have done next (Pekko 2.0 bounds this wait itself, with
     * {@code pekko.remote.artery.advanced.shutdown-streams-timeout}).
     */
    public static CompletionStage<?> terminate(ActorSystem<?> system) {
        system.terminate();
        CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
        CompletableFuture.runAsync(() -> {
            if (terminated.isDone()) return;
            LoggerFactory.getLogger(SiteCluster.class).warn("actor system {} still terminating after {} s; aborting its remaining streams"
                    + " (an Artery TLS connection waiting for its peer)", system.address(), STREAMS_WAIT.toSeconds());
            // Every stream runs under a supervisor per materializer; stopping one aborts its streams (Materializer#shutdown does the same).
            system.classicSystem().actorSelection("/system/Materializers/*").tell(PoisonPill.getInstance(), ActorRef.noSender());
        }, CompletableFuture.delayedExecutor(STREAMS_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        return terminated;
    }
}
