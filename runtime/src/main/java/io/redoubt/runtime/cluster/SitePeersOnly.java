package io.redoubt.runtime.cluster;

import io.redoubt.runtime.net.Principal;
import io.redoubt.runtime.net.StreamTransport;
import java.util.List;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider;
import scala.Option;

/**
 * Artery's TLS for a site cluster: Pekko's own key and trust store handling (the deployment CA,
 * mutual authentication), and one more check after each handshake: the peer's certificate must
 * name a server of this site. The CA also signs clients' and other sites' servers' certificates;
 * without this any of them could join (and then gossip about) a site's cluster.
 */
public final class SitePeersOnly extends ConfigSSLEngineProvider {
    /** Where the site's server names are in the actor system's settings ({@link SiteCluster#actorSystemConfig}). */
    static final String PEERS_KEY = "redoubt-site-cluster.peers";

    private final List<String> peers;

    /** Made by Artery, reflectively, from {@code pekko.remote.artery.ssl.ssl-engine-provider}. */
    public SitePeersOnly(ActorSystem system) {
        super(system);
        this.peers = List.copyOf(system.settings().config().getStringList(PEERS_KEY));
    }

    @Override
    public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
        Option<Throwable> pekko = super.verifyClientSession(hostname, session);
        return pekko.isDefined() ? pekko : sitePeer(session);
    }

    @Override
    public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
        Option<Throwable> pekko = super.verifyServerSession(hostname, session);
        return pekko.isDefined() ? pekko : sitePeer(session);
    }

    private Option<Throwable> sitePeer(SSLSession session) {
        try {
            Principal peer = StreamTransport.principalOf(session);
            if (peers.contains(peer.name())) return Option.empty();
            return Option.apply(new SecurityException(peer.name() + " is not a server of this site; site cluster peers are " + peers));
        } catch (RuntimeException e) {
            return Option.apply(new SecurityException("site cluster peer not identified: " + e.getMessage(), e));
        }
    }
}
