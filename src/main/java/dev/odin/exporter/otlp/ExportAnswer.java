package dev.odin.exporter.otlp;

import dev.odin.delivery.RetryAfter;
import dev.odin.delivery.Outcome;
import dev.odin.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.time.Duration;

/**
 * What the endpoint made of one export: the sender's {@link Outcome} and, for an accepted one,
 * the partial_success it answered (items rejected and why), which is logged and counted, never
 * retried (the OTLP specification: the server will not take them on a retry either).
 */
record ExportAnswer(Outcome outcome, long rejected, String rejectionMessage) {

    static ExportAnswer delivered() {
        return new ExportAnswer(Outcome.delivered(), 0, "");
    }

    static ExportAnswer retry(int status, String message, Duration retryAfter) {
        return new ExportAnswer(Outcome.retryLater(status, message, retryAfter), 0, "");
    }

    static ExportAnswer permanent(int status, String message) {
        return new ExportAnswer(Outcome.dropPermanently(status, null, message), 0, "");
    }

    /** An accepted export, with the partial_success of its response (bytes of Export*ServiceResponse; empty: none). */
    static ExportAnswer accepted(Signal signal, byte[] response) {
        if (response == null || response.length == 0) {
            return delivered();
        }
        try {
            return switch (signal) {
                case METRICS -> {
                    var p = ExportMetricsServiceResponse.parseFrom(response).getPartialSuccess();
                    yield partial(p.getRejectedDataPoints(), p.getErrorMessage());
                }
                case LOGS -> {
                    var p = ExportLogsServiceResponse.parseFrom(response).getPartialSuccess();
                    yield partial(p.getRejectedLogRecords(), p.getErrorMessage());
                }
                case TRACES -> {
                    var p = ExportTraceServiceResponse.parseFrom(response).getPartialSuccess();
                    yield partial(p.getRejectedSpans(), p.getErrorMessage());
                }
            };
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return delivered(); // a 2xx with a body that is no response: the export was taken
        }
    }

    static ExportAnswer partial(long rejected, String message) {
        return new ExportAnswer(Outcome.delivered(), Math.max(0, rejected), message == null ? "" : message);
    }

    boolean partial() {
        return rejected > 0 || !rejectionMessage.isEmpty();
    }

    /** The label of odin_otlp_export_requests_total{outcome}. */
    String label() {
        return switch (outcome.kind()) {
            case DELIVERED -> partial() ? "partial_success" : "delivered";
            case RETRY_LATER -> "retry";
            case DROP_PERMANENTLY -> "permanent";
        };
    }

    static Duration retryAfter(String header) {
        return RetryAfter.parse(header);
    }
}
