package dev.odin.traces;

import dev.odin.settings.SettingChecks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.util.unit.DataSize;

/**
 * The traces pipeline ({@code odin.traces.*}, routes/otlp-traces.yaml): span metrics, the trace
 * store under the data dir, and the forward to another OTLP endpoint.
 */
public class TracesProperties {

    /**
     * Where spans are forwarded, unchanged after the trace privacy rules, through the durable
     * sender {@code traces-export}: an OTLP/HTTP base URL as in OTEL_EXPORTER_OTLP_ENDPOINT
     * ({@code http://tempo:4318}; {@code /v1/traces} is appended). Empty: not forwarded.
     */
    private String otlpEndpoint = "";

    /**
     * Headers of every forward request to {@link #otlpEndpoint}, e.g. the receiver's token
     * ({@code odin.traces.otlp-headers.Authorization=Bearer ...}), as odin.otlp-export.headers
     * are for the OTLP export: read at send time (never queued with the spans), never logged.
     */
    private Map<String, String> otlpHeaders = new LinkedHashMap<>();

    /**
     * Label sets per span metric (traces_span_metrics_calls_total, _duration_seconds,
     * claude_code_llm_request_ttft_seconds): a span with a new set beyond this goes into the
     * one overflow series {@code otel_metric_overflow="true"}, as the spanmetrics connector's
     * aggregation_cardinality_limit does, counted in odin_traces_span_metrics_overflow_total.
     */
    private int metricsCardinalityLimit = 1000;

    private final Store store = new Store();

    public String getOtlpEndpoint() { return otlpEndpoint; }
    public void setOtlpEndpoint(String otlpEndpoint) { this.otlpEndpoint = otlpEndpoint == null ? "" : otlpEndpoint.trim(); }
    public Map<String, String> getOtlpHeaders() { return otlpHeaders; }
    public void setOtlpHeaders(Map<String, String> otlpHeaders) { this.otlpHeaders = otlpHeaders == null ? new LinkedHashMap<>() : otlpHeaders; }
    public int getMetricsCardinalityLimit() { return metricsCardinalityLimit; }
    public void setMetricsCardinalityLimit(int metricsCardinalityLimit) { this.metricsCardinalityLimit = metricsCardinalityLimit; }
    public Store getStore() { return store; }

    /** The embedded trace store: one span per JSON line in {@code <data dir>/traces/spans-DATE.jsonl}. */
    public static class Store {
        /** Keep spans on disk (the embedded default). Off: spans are only counted, turned into metrics and forwarded. */
        private boolean enabled = true;

        /** Daily files older than this are deleted (checked at start and every hour). */
        private Duration retention = Duration.ofDays(7);

        /**
         * Bound of all trace files together: the oldest files are deleted beyond it, and a span
         * that would take the current day's file past it is not written (counted, reason size_limit).
         */
        private DataSize maxSize = DataSize.ofMegabytes(512);

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public Duration getRetention() { return retention; }
        public void setRetention(Duration retention) { this.retention = retention; }
        public DataSize getMaxSize() { return maxSize; }
        public void setMaxSize(DataSize maxSize) { this.maxSize = maxSize; }

        void check(SettingChecks c) {
            c.notNull("retention", retention).notNull("maxSize", maxSize);
        }
    }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.notNull("otlpEndpoint", otlpEndpoint).notNull("otlpHeaders", otlpHeaders)
                .min("metricsCardinalityLimit", metricsCardinalityLimit, 1);
        store.check(c.in("store"));
    }
}
