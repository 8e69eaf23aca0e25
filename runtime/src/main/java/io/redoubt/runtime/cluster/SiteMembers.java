package io.redoubt.runtime.cluster;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.server.Frame;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;

/**
 * Watches the site cluster for the host: which servers of the site this one sees Up, and which
 * Unreachable. Operations only: what it reports goes to status, metrics and the log, never to
 * the protocols.
 */
public final class SiteMembers {
    private SiteMembers() {}

    /**
     * What one server sees of its site's cluster: servers Up (or WeaklyUp) and reachable, servers unreachable
     * (whatever their status), and members whose address is no server of the site's topology.
     */
    public record View(boolean clusterOn, Set<ServerId> up, Set<ServerId> unreachable, int strangers) {
        public static final View OFF = new View(false, Set.of(), Set.of(), 0);
        /** Before the first cluster event. */
        public static final View JOINING = new View(true, Set.of(), Set.of(), 0);

        public View {
            up = Set.copyOf(up);
            unreachable = Set.copyOf(unreachable);
        }

        /** The host's answer to a status request, after the node's own ({@link Frame#TAG_SITE_MEMBERS}); it proves nothing. */
        public Bytes encode(long nonce, ServerId server) {
            CanonicalWriter w = new CanonicalWriter();
            w.u8(Frame.TAG_SITE_MEMBERS).i64(nonce).server(server).bool(clusterOn);
            w.list(List.copyOf(new TreeSet<>(up)), CanonicalWriter::server).list(List.copyOf(new TreeSet<>(unreachable)), CanonicalWriter::server);
            return w.i32(strangers).toBytes();
        }
    }

    /** A server's {@link View} as it came over the network, for the status request {@code nonce}. */
    public record Reported(long nonce, ServerId server, View view) {}

    /** Most members a report may list: a site has far fewer servers. */
    static final int MEMBERS_MAX = 1024;

    /** Decodes a {@link View#encode} frame, and nothing else. */
    public static Reported decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        if (r.u8() != Frame.TAG_SITE_MEMBERS) throw new DecodeException("not a site members report");
        long nonce = r.i64();
        ServerId server = r.server();
        boolean on = r.bool();
        List<ServerId> up = r.list(MEMBERS_MAX, CanonicalReader::server);
        List<ServerId> unreachable = r.list(MEMBERS_MAX, CanonicalReader::server);
        int strangers = r.i32();
        r.expectEnd();
        if (strangers < 0) throw new DecodeException("negative stranger count");
        return new Reported(nonce, server, new View(on, new HashSet<>(up), new HashSet<>(unreachable), strangers));
    }

    /**
     * Subscribes to the cluster of its actor system and tells {@code changed} the new view after
     * every member or reachability event. {@code site} maps the site's cluster addresses
     * ({@link SiteCluster#key}) to its servers.
     */
    public static Behavior<ClusterEvent.ClusterDomainEvent> create(Map<String, ServerId> site, Consumer<View> changed) {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.ReachabilityEvent.class));
            Tracker t = new Tracker(site, context.getLog(), changed);
            return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class).onAnyMessage(e -> {
                t.on(e);
                return Behaviors.same();
            }).build();
        });
    }

    /** The members' states as the events tell them. */
    private static final class Tracker {
        private final Map<String, ServerId> site;
        private final Logger log;
        private final Consumer<View> changed;
        private final Map<Address, MemberStatus> status = new HashMap<>();
        private final Set<Address> unreachable = new HashSet<>();

        Tracker(Map<String, ServerId> site, Logger log, Consumer<View> changed) {
            this.site = site;
            this.log = log;
            this.changed = changed;
        }

        void on(ClusterEvent.ClusterDomainEvent e) {
            if (e instanceof ClusterEvent.MemberRemoved m) {
                Address a = m.member().address();
                status.remove(a);
                unreachable.remove(a);
                log.info("site cluster: {} removed (was {})", name(a), m.previousStatus());
            } else if (e instanceof ClusterEvent.MemberEvent m) {
                Address a = m.member().address();
                status.put(a, m.member().status());
                if (e instanceof ClusterEvent.MemberUp) log.info("site cluster: {} up", name(a));
                else log.info("site cluster: {} {}", name(a), m.member().status());
            } else if (e instanceof ClusterEvent.UnreachableMember m) {
                unreachable.add(m.member().address());
                log.warn("site cluster: {} unreachable", name(m.member().address()));
            } else if (e instanceof ClusterEvent.ReachableMember m) {
                unreachable.remove(m.member().address());
                log.info("site cluster: {} reachable again", name(m.member().address()));
            } else {
                return;
            }
            changed.accept(view());
        }

        private View view() {
            Set<ServerId> up = new HashSet<>();
            Set<ServerId> down = new HashSet<>();
            int strangers = 0;
            Set<Address> all = new HashSet<>(status.keySet());
            all.addAll(unreachable);
            for (Address a : all) {
                ServerId id = server(a);
                if (id == null) strangers++;
                else if (unreachable.contains(a)) down.add(id);
                else if (status.get(a) == MemberStatus.up() || status.get(a) == MemberStatus.weaklyUp()) up.add(id); // weakly up: joined while a peer is unreachable
            }
            return new View(true, up, down, strangers);
        }

        private ServerId server(Address a) {
            if (a.host().isEmpty() || a.port().isEmpty()) return null;
            return site.get(SiteCluster.key(a.host().get(), (Integer) a.port().get()));
        }

        private String name(Address a) {
            ServerId id = server(a);
            return id != null ? "server " + id : "stranger " + a;
        }
    }
}
