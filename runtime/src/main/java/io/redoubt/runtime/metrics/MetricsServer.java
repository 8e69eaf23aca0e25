package io.redoubt.runtime.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Serves one registry as Prometheus text at {@code http://host:port/metrics} until closed. */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer http;

    private MetricsServer(HTTPServer http) {
        this.http = http;
    }

    /**
     * Binds and starts serving.
     *
     * @param host the address to listen on ({@code 127.0.0.1} for this machine only, {@code 0.0.0.0} for every interface)
     * @param port the port; 0 for any free one ({@link #port()} tells which)
     */
    public static MetricsServer start(PrometheusRegistry registry, String host, int port) {
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("metrics port must be 0 (any free port) to 65535, was " + port);
        try {
            return new MetricsServer(HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The port actually bound. */
    public int port() {
        return http.getPort();
    }

    @Override
    public void close() {
        http.close();
    }
}
