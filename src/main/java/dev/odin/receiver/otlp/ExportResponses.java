package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import com.google.protobuf.Message;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/** Turns an {@link ExportResult} into the OTLP response of its signal, and counts the request. */
public final class ExportResponses {

    private final OdinMetrics telemetry;

    public ExportResponses(OdinMetrics telemetry) {
        this.telemetry = telemetry;
    }

    public Message success(ExportResult result) {
        telemetry.request(result.signal(), result.transport(), result.rejected() > 0 ? "partial" : "ok");
        telemetry.received(result.signal(), result.transport(), result.received());
        long rejected = result.rejected();
        switch (result.signal()) {
            case METRICS: {
                ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
                if (rejected > 0) {
                    b.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                            .setRejectedDataPoints(rejected).setErrorMessage(result.message()));
                }
                return b.build();
            }
            case LOGS: {
                ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
                // nothing rejected but a message: a warning (records trimmed to a limit)
                if (rejected > 0 || !result.message().isEmpty()) {
                    b.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                            .setRejectedLogRecords(rejected).setErrorMessage(result.message()));
                }
                return b.build();
            }
            default: {
                ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
                if (rejected > 0) {
                    b.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                            .setRejectedSpans(rejected).setErrorMessage(result.message()));
                }
                return b.build();
            }
        }
    }

    public void failure(Signal signal, Transport transport, String outcome) {
        telemetry.request(signal, transport, outcome);
    }
}
