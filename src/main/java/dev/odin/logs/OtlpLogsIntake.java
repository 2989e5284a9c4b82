package dev.odin.logs;

import dev.odin.otlp.ExportResult;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts the log records of a decoded OTLP logs request and records them as received. The
 * records go on, unchanged, to the event sink route.
 */
public final class OtlpLogsIntake implements Processor {

    @Override
    public void process(Exchange exchange) {
        ExportLogsServiceRequest request = exchange.getMessage().getBody(ExportLogsServiceRequest.class);
        exchange.getProperty(ExportResult.PROPERTY, ExportResult.class).received(count(request));
    }

    public static long count(ExportLogsServiceRequest request) {
        long n = 0;
        for (ResourceLogs rl : request.getResourceLogsList()) {
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                n += sl.getLogRecordsCount();
            }
        }
        return n;
    }

    /**
     * Stand-in event sink until a Loki or file sink is wired in: every record is counted as
     * discarded (odin_otlp_discarded_total{signal="logs",reason="no_event_sink"}), never silently.
     */
    public static Processor discardingSink(OdinMetrics telemetry) {
        return exchange -> {
            ExportLogsServiceRequest request = exchange.getMessage().getBody(ExportLogsServiceRequest.class);
            telemetry.discarded(dev.odin.otlp.Signal.LOGS, "no_event_sink", count(request));
        };
    }
}
