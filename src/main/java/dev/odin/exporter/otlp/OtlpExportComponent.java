package dev.odin.exporter.otlp;

import dev.odin.signal.RefusedStartException;
import dev.odin.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * Camel component {@code odin-otlp}: the OTLP export as a producer. {@code odin-otlp:default} is
 * the endpoint of odin.otlp-export.*; it refuses the start when odin.otlp-export.endpoint is
 * empty, naming the route that sends to it (the shipped routes send to it only when it is set).
 *
 * <p>Body in: an ExportMetricsServiceRequest, ExportLogsServiceRequest or
 * ExportTraceServiceRequest, as the pipeline has it at that step (after the privacy rules). The
 * body is left as it was. A signal not in odin.otlp-export.signals, or a request without items,
 * is passed over. The exchange returns once the request is on disk; a full queue throws
 * {@code QueueFullException}, which the receiver answers with 503 / UNAVAILABLE, retry later.
 */
public final class OtlpExportComponent extends DefaultComponent {

    private final Optional<OtlpExporter> exporter;
    private final Optional<OtlpExporter> traces;

    /** {@code exporter}: empty while odin.otlp-export.endpoint is. */
    public OtlpExportComponent(Optional<OtlpExporter> exporter) {
        this(exporter, Optional.empty());
    }

    /**
     * @param traces the forward of {@code odin-otlp:traces} (odin.traces.otlp-endpoint, sender
     *     traces-export): empty while that setting is
     */
    public OtlpExportComponent(Optional<OtlpExporter> exporter, Optional<OtlpExporter> traces) {
        this.exporter = exporter;
        this.traces = traces;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        if (!remaining.equals("default") && !remaining.equals("traces")) {
            throw new IllegalArgumentException(uri + ": the OTLP export is odin-otlp:default (odin.otlp-export.*)"
                    + " or odin-otlp:traces (odin.traces.otlp-endpoint)");
        }
        boolean forTraces = remaining.equals("traces");
        String setting = forTraces ? "odin.traces.otlp-endpoint" : "odin.otlp-export.endpoint";
        if (!parameters.isEmpty()) {
            throw new IllegalArgumentException(uri + ": odin-otlp:" + remaining + " takes its settings from "
                    + (forTraces ? setting : "odin.otlp-export.*") + ", not from the URI");
        }
        String route = getCamelContext().getCamelContextExtension().getCreateRoute();
        OtlpExporter target = (forTraces ? traces : exporter).orElseThrow(() -> new RefusedStartException("route "
                + (route == null ? "(unknown)" : route) + " sends to odin-otlp:" + remaining + ", but "
                + RefusedStartException.setting(setting) + " is empty: set it, or send only"
                + " when it is set (a choice with precondition, as routes/otlp-logs.yaml does)"));
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) throws Exception {
                        send(target, exchange.getMessage().getBody());
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new UnsupportedOperationException(uri + " is an export: send to it, do not consume from it");
            }
        };
    }

    static void send(OtlpExporter exporter, Object body) throws java.io.IOException {
        if (body instanceof ExportMetricsServiceRequest m) {
            if (exporter.exports(Signal.METRICS)) {
                exporter.enqueue(Signal.METRICS, m.toByteArray(), dataPoints(m));
            }
        } else if (body instanceof ExportLogsServiceRequest l) {
            if (exporter.exports(Signal.LOGS)) {
                exporter.enqueue(Signal.LOGS, l.toByteArray(), logRecords(l));
            }
        } else if (body instanceof ExportTraceServiceRequest t) {
            if (exporter.exports(Signal.TRACES)) {
                exporter.enqueue(Signal.TRACES, t.toByteArray(), spans(t));
            }
        } else {
            throw new IllegalArgumentException("odin-otlp:default takes an Export*ServiceRequest, not "
                    + (body == null ? "null" : body.getClass().getName()));
        }
    }

    static long dataPoints(ExportMetricsServiceRequest request) {
        long n = 0;
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                    n += switch (m.getDataCase()) {
                        case GAUGE -> m.getGauge().getDataPointsCount();
                        case SUM -> m.getSum().getDataPointsCount();
                        case HISTOGRAM -> m.getHistogram().getDataPointsCount();
                        case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
                        case SUMMARY -> m.getSummary().getDataPointsCount();
                        default -> 0;
                    };
                }
            }
        }
        return n;
    }

    static long logRecords(ExportLogsServiceRequest request) {
        long n = 0;
        for (ResourceLogs rl : request.getResourceLogsList()) {
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                n += sl.getLogRecordsCount();
            }
        }
        return n;
    }

    static long spans(ExportTraceServiceRequest request) {
        long n = 0;
        for (ResourceSpans rs : request.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                n += ss.getSpansCount();
            }
        }
        return n;
    }
}
