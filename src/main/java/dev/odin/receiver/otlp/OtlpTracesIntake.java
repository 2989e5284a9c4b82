package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import org.apache.camel.Exchange;

/**
 * The traces pipeline's steps (bean {@code otlpTraces}, routes/otlp-traces.yaml). ODIN keeps no
 * traces: SDKs that export all three signals to one endpoint get a correct answer, and every span
 * is counted as received and as discarded (odin_otlp_discarded_total{reason="no_trace_sink"}).
 */
public final class OtlpTracesIntake {

    private final OdinMetrics telemetry;

    public OtlpTracesIntake(OdinMetrics telemetry) {
        this.telemetry = telemetry;
    }

    /**
     * Takes the spans without keeping them: the client is told they were accepted. Body in and out:
     * the ExportTraceServiceRequest (unchanged). Writes the spans' count as received into property
     * {@value ExportResult#PROPERTY}.
     */
    public void accept(Exchange exchange) {
        long n = spans(exchange.getMessage().getBody(ExportTraceServiceRequest.class));
        exchange.getProperty(ExportResult.PROPERTY, ExportResult.class).received(n);
        telemetry.discarded(Signal.TRACES, "no_trace_sink", n);
    }

    /**
     * Refuses every span, telling the client so: the answer is a partial_success with all spans
     * rejected and "N spans rejected: {@code message}" (OTLP exporters log it; they do not retry).
     * Called as {@code method: "reject(*, 'traces are not kept here')"}. Body in and out: the
     * ExportTraceServiceRequest (unchanged). Writes received and rejected spans into property
     * {@value ExportResult#PROPERTY}.
     */
    public void reject(Exchange exchange, String message) {
        long n = spans(exchange.getMessage().getBody(ExportTraceServiceRequest.class));
        ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
        result.received(n);
        if (n > 0) {
            result.reject(n, message);
        }
        telemetry.discarded(Signal.TRACES, "no_trace_sink", n);
    }

    private static long spans(ExportTraceServiceRequest request) {
        long n = 0;
        for (ResourceSpans rs : request.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                n += ss.getSpansCount();
            }
        }
        return n;
    }
}
