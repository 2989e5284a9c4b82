package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts the log records of a decoded OTLP logs request and records them as received. The
 * request goes on, unchanged, to the event-sink route.
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
}
