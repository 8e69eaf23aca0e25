package io.redoubt.runtime.metrics;

import static io.redoubt.runtime.metrics.MetricsServerTest.scrape;
import static io.redoubt.runtime.metrics.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.ServerId;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.runtime.LocalDeployment;
import io.redoubt.runtime.host.ServerActor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every server of a local deployment serves its own metrics, fed by its actor as it runs. */
@Tag("campaign")
class LocalDeploymentMetricsTest {
    @Test
    void eachServerServesWhatItExecutedOnItsOwnPortAndKeepsItAcrossARestart(@TempDir Path data) throws Exception {
        Deployment d = Deployment.defaults(Composition.parse("paxos/paxos"), 3, 3).toBuilder().wanLatencyMicros(5_000)
                .localPaxos(PaxosConfig.localDefaults().withTimeouts(400, 4_000, 100)).build();
        int updatesPerClient = 4;
        LocalDeployment.Options options = new LocalDeployment.Options(d, 1, updatesPerClient, 0, new LocalDeployment.Keys.InsecureDerived("ed25519", 3),
                Optional.of(data)).withMetricsBasePort(0);
        try (LocalDeployment local = new LocalDeployment(options)) {
            local.startServers();
            LocalDeployment.Result r = local.runWorkload(Duration.ofSeconds(120), (done, total) -> {});
            assertEquals(r.updates(), r.executedByEveryServer(), r.statuses().toString());
            // The status answers came after each server's last step, so its metrics already show that step.
            Set<Integer> ports = new HashSet<>();
            for (ServerActor.Status status : r.statuses()) {
                ServerId id = status.id();
                int port = local.metricsPort(id).orElseThrow();
                assertTrue(ports.add(port), "one port per server");
                String text = scrape(port).body();
                String label = "server=\"" + id + "\"";
                assertFalse(text.contains("server=\"" + (id.index() == 0 ? ServerId.of(id.site().value(), 1) : ServerId.of(id.site().value(), 0)) + "\""),
                        "only its own series: " + text);
                assertEquals(r.updates(), value(text, "redoubt_executed_updates_total", label), text);
                assertEquals(status.localView(), value(text, "redoubt_local_view", label), text);
                assertEquals(status.wideView(), value(text, "redoubt_wide_view", label), text);
            }
            // Each site's one client sends to its site's first server, which answers it (section 4.5).
            ServerId first = ServerId.of(1, 0);
            double timed = value(scrape(local.metricsPort(first).orElseThrow()).body(), "redoubt_client_request_seconds_count", "server=\"1.0\"");
            assertTrue(timed >= 1 && timed <= updatesPerClient, "timed requests at 1.0: " + timed);
            double forwarded = 0;
            for (ServerId id : d.servers()) forwarded += value(scrape(local.metricsPort(id).orElseThrow()).body(), "redoubt_wide_messages_sent_total");
            assertNotEquals(0.0, forwarded, "updates crossed sites, so some server forwarded wide-area messages");

            ServerId restarted = ServerId.of(2, 2);
            int port = local.metricsPort(restarted).orElseThrow();
            local.stopServer(restarted);
            local.startServer(restarted); // on its own log
            ServerActor.Status after = local.statuses().stream().filter(s -> s.id().equals(restarted)).findFirst().orElseThrow();
            assertEquals(port, local.metricsPort(restarted).orElseThrow(), "the same endpoint");
            assertEquals(r.updates(), after.executedUpdates(), "replayed every update from its log: " + after);
            assertEquals(after.executedUpdates(), value(scrape(port).body(), "redoubt_executed_updates_total", "server=\"2.2\""),
                    "the new incarnation's counts, replayed from its log");
        }
    }
}
