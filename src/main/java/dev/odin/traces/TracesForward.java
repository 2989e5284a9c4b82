package dev.odin.traces;

import dev.odin.exporter.otlp.OtlpExporter;
import java.io.IOException;
import org.springframework.context.SmartLifecycle;

/**
 * The forward of the spans to odin.traces.otlp-endpoint: an {@link OtlpExporter} of its own
 * (sender {@code traces-export}, queue {@code <data dir>/traces-export-queue}), which the
 * component {@code odin-otlp:traces} sends to. Held here rather than as an OtlpExporter bean so
 * that the OTLP export's own (odin.otlp-export.*) stays the only one of that type; its lifecycle
 * is the exporter's.
 */
public final class TracesForward implements SmartLifecycle, AutoCloseable {

    private final OtlpExporter exporter;

    public TracesForward(OtlpExporter exporter) {
        this.exporter = exporter;
    }

    /**
     * Refuses the start, naming odin.traces.otlp-endpoint, unless it is an OTLP/HTTP base URL
     * (http or https, with a host); the exporter's own check would name odin.otlp-export.endpoint.
     */
    public static void checkEndpoint(String endpoint) {
        String problem = null;
        try {
            java.net.URI u = java.net.URI.create(endpoint.replaceAll("/+$", ""));
            if (u.getScheme() == null || !u.getScheme().matches("(?i)https?") || u.getHost() == null) {
                problem = "an OTLP/HTTP base URL is http://host:port or https://host:port";
            } else if (u.getRawQuery() != null || u.getRawFragment() != null) {
                problem = "an OTLP/HTTP base URL has no query or fragment (/v1/traces is appended)";
            }
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            throw new dev.odin.signal.RefusedStartException(
                    dev.odin.signal.RefusedStartException.setting("odin.traces.otlp-endpoint") + " " + endpoint + ": "
                            + problem);
        }
    }

    public OtlpExporter exporter() {
        return exporter;
    }

    @Override
    public void start() {
        exporter.start();
    }

    @Override
    public void stop() {
        exporter.stop();
    }

    @Override
    public boolean isRunning() {
        return exporter.isRunning();
    }

    @Override
    public int getPhase() {
        return exporter.getPhase();
    }

    @Override
    public void close() throws IOException {
        exporter.close();
    }
}
