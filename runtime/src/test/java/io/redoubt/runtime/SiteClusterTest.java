package io.redoubt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Deployment;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.runtime.cluster.SiteCluster;
import io.redoubt.runtime.cluster.SiteMembers;
import io.redoubt.runtime.keys.KeyFiles;
import io.redoubt.runtime.keys.KeyGen;
import io.redoubt.runtime.net.StreamTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The site clusters (operations only): the servers of each site, and only they, form one Pekko
 * cluster over mutual TLS with their keygen certificates; a stopped server is seen to go; a node
 * without a certificate of this deployment's site servers never gets in.
 */
@Tag("campaign")
class SiteClusterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static Set<ServerId> siteOf(Deployment d, SiteId site) {
        Set<ServerId> out = new java.util.TreeSet<>();
        for (ServerId id : d.servers()) if (id.site().equals(site)) out.add(id);
        return out;
    }

    /** The view a server has once its whole site is up: exactly its site's servers, none unreachable, no stranger. */
    private static boolean wholeSiteUp(SiteMembers.View v, Set<ServerId> site) {
        return v.clusterOn() && v.up().equals(site) && v.unreachable().isEmpty() && v.strangers() == 0;
    }

    @Test
    void eachSiteIsOneClusterOfItsServersAndSeesAStoppedServerGo(@TempDir Path tmp) throws Exception {
        Deployment d = LocalDeploymentTest.deployment("paxos/paxos", 3, 3);
        Path keys = tmp.resolve("keys");
        KeyGen.generate(d, keys, KeyGen.Options.defaults(1));
        try (LocalDeployment local = new LocalDeployment(new LocalDeployment.Options(d, 1, 1, 0, new LocalDeployment.Keys.Files(keys), Optional.empty()))) {
            local.startServers();
            for (ServerId id : d.servers()) {
                Set<ServerId> site = siteOf(d, id.site());
                assertTrue(local.awaitSiteMembers(id, v -> wholeSiteUp(v, site), DEADLINE), id + " sees " + local.siteMembers(id));
            }
            // Sites are separate clusters: no server sees a member that is not of its site (a stranger), and each site's
            // actor systems share one name that no other site's has.
            for (ServerId id : d.servers()) assertEquals(0, local.siteMembers(id).orElseThrow().strangers(), id.toString());
            assertEquals(3, d.siteIds().stream().map(SiteCluster::systemName).distinct().count());

            // What status reports over the network, as bin/redoubt status asks it.
            List<LocalDeployment.ServerStatus> answers = local.askStatus(ClientId.of(0, 0), Duration.ofSeconds(20));
            assertEquals(d.servers().size(), answers.size());
            for (LocalDeployment.ServerStatus a : answers) {
                SiteMembers.View v = a.site().orElseThrow(() -> new AssertionError(a.status().server() + " sent no site report"));
                assertEquals(siteOf(d, a.status().server().site()), v.up(), a.status().server().toString());
            }

            ServerId stopped = ServerId.of(1, 2);
            local.stopServer(stopped);
            for (ServerId peer : List.of(ServerId.of(1, 0), ServerId.of(1, 1))) {
                assertTrue(local.awaitSiteMembers(peer, v -> !v.up().contains(stopped) && v.up().size() == 2, DEADLINE),
                        peer + " still sees " + local.siteMembers(peer));
            }
            // The other sites never knew it.
            Set<ServerId> site0 = siteOf(d, SiteId.of(0));
            assertTrue(wholeSiteUp(local.siteMembers(ServerId.of(0, 0)).orElseThrow(), site0));

            local.startServer(stopped); // a new incarnation at the same address rejoins
            for (ServerId id : siteOf(d, stopped.site())) {
                Set<ServerId> site = siteOf(d, id.site());
                assertTrue(local.awaitSiteMembers(id, v -> wholeSiteUp(v, site), DEADLINE), id + " sees " + local.siteMembers(id));
            }
        }
    }

    @Test
    void aNodeWithoutASiteServersCertificateOfThisDeploymentNeverJoins(@TempDir Path tmp) throws Exception {
        Deployment d = LocalDeploymentTest.deployment("paxos/paxos", 1, 3);
        Path keys = tmp.resolve("keys");
        Path otherKeys = tmp.resolve("other-keys");
        KeyGen.generate(d, keys, KeyGen.Options.defaults(1));
        KeyGen.generate(d, otherKeys, KeyGen.Options.defaults(1));
        ServerId last = ServerId.of(0, 2);
        Set<ServerId> site = siteOf(d, SiteId.of(0));
        List<ActorSystem<?>> intruders = new ArrayList<>();
        try (LocalDeployment local = new LocalDeployment(new LocalDeployment.Options(d, 1, 1, 0, new LocalDeployment.Keys.Files(keys), Optional.empty()))) {
            local.startServer(ServerId.of(0, 0));
            local.startServer(ServerId.of(0, 1));
            Set<ServerId> firstTwo = Set.of(ServerId.of(0, 0), ServerId.of(0, 1));
            for (ServerId id : firstTwo) assertTrue(local.awaitSiteMembers(id, v -> v.up().equals(firstTwo), DEADLINE), id + " sees " + local.siteMembers(id));

            // Both claim to be server 0.2 at an address of their own: one with 0.2's certificate from another keygen run
            // (another CA), one with a certificate of this deployment that names a client, not a server of the site.
            ConcurrentLinkedQueue<SiteMembers.View> seenByIntruders = new ConcurrentLinkedQueue<>();
            for (KeyFiles.TlsStores tls : List.of(KeyFiles.loadServer(otherKeys, d, last).tls(), KeyFiles.loadClient(keys, d, ClientId.of(0, 0)).tls())) {
                Map<ServerId, StreamTransport.Address> addresses = new TreeMap<>();
                for (ServerId id : firstTwo) addresses.put(id, local.clusterAddress(id).orElseThrow());
                try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    addresses.put(last, new StreamTransport.Address("127.0.0.1", free.getLocalPort()));
                }
                Map<String, ServerId> members = new HashMap<>();
                addresses.forEach((id, a) -> members.put(SiteCluster.key(a.host(), a.port()), id));
                intruders.add(ActorSystem.create(SiteMembers.create(members, seenByIntruders::add), SiteCluster.systemName(SiteId.of(0)),
                        SiteCluster.actorSystemConfig(last, addresses, Optional.of(tls)).withFallback(LocalDeployment.actorSystemConfig())));
            }

            // The real 0.2 starts after them and joins; they had longer and did not.
            local.startServer(last);
            for (ServerId id : site) assertTrue(local.awaitSiteMembers(id, v -> wholeSiteUp(v, site), DEADLINE), id + " sees " + local.siteMembers(id));
            for (ServerId id : site) assertEquals(0, local.siteMembers(id).orElseThrow().strangers(), id + " saw a stranger");
            for (ActorSystem<?> intruder : intruders) {
                assertFalse(Cluster.get(intruder).selfMember().status() == MemberStatus.up(), intruder + " was admitted");
                assertTrue(java.util.stream.StreamSupport.stream(Cluster.get(intruder).state().getMembers().spliterator(), false)
                        .noneMatch(m -> m.status() == MemberStatus.up()), intruder + " sees members up");
            }
            assertTrue(seenByIntruders.stream().allMatch(v -> v.up().isEmpty()), "an intruder saw " + seenByIntruders);
        } finally {
            for (ActorSystem<?> intruder : intruders) intruder.terminate();
            for (ActorSystem<?> intruder : intruders) intruder.getWhenTerminated().toCompletableFuture().join();
        }
    }
}
