package io.opentelemetry.exporter.otlp.http.metrics;

/**
 * The SDK can export OTLP/JSON (Claude Code's http/json protocol) but keeps the switch
 * package-private; tests reach it from here.
 */
public final class JsonExporters {

    private JsonExporters() {
    }

    public static OtlpHttpMetricExporterBuilder asJson(OtlpHttpMetricExporterBuilder builder) {
        return builder.exportAsJson();
    }
}
