package dev.odin.traces;

import dev.odin.exporter.prometheus.MetricsTranslator;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import org.apache.camel.Exchange;

/**
 * The traces pipeline's steps (bean {@code traces}, routes/otlp-traces.yaml): span metrics into
 * the series store, and spans into the trace store. Both take the ExportTraceServiceRequest as
 * the body and leave it as it was. A step that keeps the spans (the store, or the forward in the
 * route) sets property {@value #KEPT}, so the last step (otlpTraces.accept) counts them as
 * received, not as discarded.
 */
public final class TraceSteps {

    /** Exchange property: some step kept the spans (stored or forwarded); the receiver's. */
    public static final String KEPT = dev.odin.receiver.otlp.OtlpTracesIntake.KEPT;

    private final SpanMetrics spanMetrics;
    private final MetricsTranslator translator;
    private final TraceStore store;

    /** @param store null: no trace store (odin.traces.store.enabled=false) */
    public TraceSteps(SpanMetrics spanMetrics, MetricsTranslator translator, TraceStore store, MeterRegistry registry) {
        this.spanMetrics = spanMetrics;
        this.translator = translator;
        this.store = store;
        if (registry != null) {
            FunctionCounter.builder("odin.traces.span.metrics.overflow", spanMetrics, SpanMetrics::overflowed)
                    .description("Span observations counted in the overflow series (odin.traces.metrics-cardinality-limit"
                            + " label sets per metric reached)")
                    .register(registry);
        }
    }

    /**
     * Route step (method toMetrics): the spans' calls, durations and ttft as series
     * (traces_span_metrics_*, claude_code_llm_request_ttft_seconds), made by the OTLP metrics
     * translation as the metrics pipeline's are. Reads property {@value ExportResult#PROPERTY} (the tenant).
     */
    public void toMetrics(Exchange exchange) {
        ExportTraceServiceRequest request = exchange.getMessage().getBody(ExportTraceServiceRequest.class);
        ExportMetricsServiceRequest metrics = spanMetrics.metrics(request);
        if (metrics.getResourceMetricsCount() == 0) {
            return;
        }
        ExportResult traces = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
        ExportResult result = new ExportResult(Signal.METRICS,
                traces == null ? dev.odin.signal.Transport.HTTP : traces.transport());
        if (traces != null) {
            result.tenant(traces.tenant());
        }
        // what the translation refuses (caps, conflicts) is counted by it; the spans are not refused for it
        translator.translate(metrics, result);
    }

    /** Route step (method store): the spans into the trace store; sets {@value #KEPT} when written. */
    public void store(Exchange exchange) {
        if (store == null) {
            return;
        }
        if (store.write(exchange.getMessage().getBody(ExportTraceServiceRequest.class)) > 0) {
            exchange.setProperty(KEPT, true);
        }
    }
}
