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
