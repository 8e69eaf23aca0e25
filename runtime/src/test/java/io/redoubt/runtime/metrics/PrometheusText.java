package io.redoubt.runtime.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads series out of Prometheus text, as a scraper would, for the tests' assertions. */
final class PrometheusText {
    private PrometheusText() {}

    static String render(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The value of the one series named {@code name} that carries every label in {@code labels}
     * (given as {@code key="value"}); fails unless exactly one does.
     */
    static double value(String text, String name, String... labels) {
        List<String> found = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String series = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            if (!series.equals(name)) continue;
            String labelText = brace >= 0 ? line.substring(brace, line.indexOf('}') + 1) : "";
            boolean all = true;
            for (String l : labels) all &= labelText.contains(l);
            if (all) found.add(line.substring(space + 1));
        }
        if (found.size() != 1) throw new AssertionError(found.size() + " series " + name + " with " + List.of(labels) + " in:\n" + text);
        return Double.parseDouble(found.get(0));
    }
}
