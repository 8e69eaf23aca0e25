package io.redoubt.runtime.metrics;

import static io.redoubt.runtime.metrics.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> scrape(int port) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aScrapeReturnsTheServersMetricsAsPrometheusText() throws Exception {
        NodeMetrics metrics = new NodeMetrics(ServerId.of(2, 1));
        metrics.record(new NodeMetrics.Sample(42, 50, 3, 2, true, Map.of(Rejection.MALFORMED, 5L), 1, 2, 0, 9, 0));
        try (MetricsServer server = MetricsServer.start(metrics.registry(), "127.0.0.1", 0)) {
            assertTrue(server.port() > 0);
            HttpResponse<String> r = scrape(server.port());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
            String text = r.body();
            assertEquals(42, value(text, "redoubt_executed_updates_total", "server=\"2.1\""));
            assertEquals(5, value(text, "redoubt_rejections_total", "server=\"2.1\"", "reason=\"MALFORMED\""));
            assertEquals(3, value(text, "redoubt_local_view", "server=\"2.1\""));
            assertEquals(9, value(text, "redoubt_wide_messages_sent_total", "server=\"2.1\""));
            assertEquals(0, value(text, "redoubt_client_request_seconds_count", "server=\"2.1\""));

            metrics.record(new NodeMetrics.Sample(43, 51, 3, 2, true, Map.of(Rejection.MALFORMED, 5L), 1, 2, 0, 9, 0));
            assertEquals(43, value(scrape(server.port()).body(), "redoubt_executed_updates_total", "server=\"2.1\"")); // served live, not cached
        }
    }

    @Test
    void twoServersInOneJvmEachServeOnlyTheirOwn() throws Exception {
        NodeMetrics a = new NodeMetrics(ServerId.of(1, 0));
        NodeMetrics b = new NodeMetrics(ServerId.of(1, 1));
        try (MetricsServer sa = MetricsServer.start(a.registry(), "127.0.0.1", 0); MetricsServer sb = MetricsServer.start(b.registry(), "127.0.0.1", 0)) {
            String textA = scrape(sa.port()).body();
            assertTrue(textA.contains("server=\"1.0\""), textA);
            assertFalse(textA.contains("server=\"1.1\""), textA);
            String textB = scrape(sb.port()).body();
            assertTrue(textB.contains("server=\"1.1\""), textB);
            assertFalse(textB.contains("server=\"1.0\""), textB);
        }
    }

    @Test
    void aClosedServerNoLongerAnswersAndATakenPortIsRefusedLoudly() throws Exception {
        NodeMetrics metrics = new NodeMetrics(ServerId.of(1, 0));
        MetricsServer server = MetricsServer.start(metrics.registry(), "127.0.0.1", 0);
        int port = server.port();
        UncheckedIOException taken = assertThrows(UncheckedIOException.class, () -> MetricsServer.start(metrics.registry(), "127.0.0.1", port));
        assertTrue(taken.getMessage().contains("127.0.0.1:" + port), taken.getMessage());
        server.close();
        assertThrows(IOException.class, () -> scrape(port));
    }

    @Test
    void aPortOutOfRangeIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricsServer.start(new NodeMetrics(ServerId.of(1, 0)).registry(), "127.0.0.1", 70_000));
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
    }
}
