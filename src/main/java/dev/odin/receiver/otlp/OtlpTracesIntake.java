package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * ODIN keeps no traces: SDKs that export all three signals to one endpoint get a correct answer,
 * and every span is counted as received and as discarded (reason no_trace_sink).
 */
public final class OtlpTracesIntake implements Processor {

    private final OdinMetrics telemetry;

    public OtlpTracesIntake(OdinMetrics telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public void process(Exchange exchange) {
        ExportTraceServiceRequest request = exchange.getMessage().getBody(ExportTraceServiceRequest.class);
        long n = 0;
        for (ResourceSpans rs : request.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                n += ss.getSpansCount();
            }
        }
        exchange.getProperty(ExportResult.PROPERTY, ExportResult.class).received(n);
        telemetry.discarded(Signal.TRACES, "no_trace_sink", n);
    }
}
