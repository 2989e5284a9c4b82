package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import org.apache.camel.Exchange;

/**
 * The traces pipeline's last steps (bean {@code otlpTraces}, routes/otlp-traces.yaml): the answer.
 * Spans that no earlier step kept (the trace store and the forward set exchange property
 * {@value #KEPT}) are counted as discarded (odin_otlp_discarded_total{reason="no_trace_sink"}).
 */
public final class OtlpTracesIntake {

    /** Exchange property a step sets (true) when it kept the spans: stored or forwarded. */
    public static final String KEPT = "odinTracesKept";

    private final OdinMetrics telemetry;

    public OtlpTracesIntake(OdinMetrics telemetry) {
        this.telemetry = telemetry;
    }

    /**
     * Takes the spans: the client is told they were accepted. Body in and out: the
     * ExportTraceServiceRequest (unchanged). Writes the spans' count as received into property
     * {@value ExportResult#PROPERTY}; counts them as discarded unless property {@value #KEPT} is true.
     */
    public void accept(Exchange exchange) {
        long n = spans(exchange.getMessage().getBody(ExportTraceServiceRequest.class));
        exchange.getProperty(ExportResult.PROPERTY, ExportResult.class).received(n);
        if (!Boolean.TRUE.equals(exchange.getProperty(KEPT, Boolean.class))) {
            telemetry.discarded(Signal.TRACES, "no_trace_sink", n);
        }
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
