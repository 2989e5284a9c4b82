package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The receiver routes' steps (bean {@code otlpReceiver}, routes/otlp-receivers.yaml): decoding an
 * OTLP/HTTP body, and answering a request on either transport. Between a decode step (or the
 * {@code otlp-grpc:} consumer) and the answer, the signal's pipeline ({@code direct:otlp-<signal>})
 * fills in the request's {@link ExportResult}.
 */
public final class OtlpReceiverSteps {

    private final Processor metrics;
    private final Processor logs;
    private final Processor traces;
    private final Processor success;
    private final Processor failure;
    private final ExportResponses responses;
    private final GrpcAnswers grpc;

    public OtlpReceiverSteps(OtlpGuard guard, dev.odin.receiver.otlp.OtlpJson json, OtlpHttpResponder responder,
            ExportResponses responses, GrpcAnswers grpc) {
        long wire = guard.limits().maxRequestBytes();
        long decoded = guard.limits().maxDecompressedBytes();
        this.metrics = new OtlpHttpDecoder(Signal.METRICS, wire, decoded, json);
        this.logs = new OtlpHttpDecoder(Signal.LOGS, wire, decoded, json);
        this.traces = new OtlpHttpDecoder(Signal.TRACES, wire, decoded, json);
        this.success = responder.success();
        this.failure = responder.failure();
        this.responses = responses;
        this.grpc = grpc;
    }

    /**
     * OTLP/HTTP metrics. Body in: the request body as BodyIntake read and inflated it (protobuf or
     * JSON, by Content-Type); body out: the ExportMetricsServiceRequest. Reads header
     * {@code Odin-Tenant} (the authenticated tenant) into the new {@link ExportResult}, set as
     * property {@value ExportResult#PROPERTY}; sets property {@code odinOtlpJson} (answer in JSON).
     * Throws an OtlpRequestException (400, 405, 413, 415) for a request it refuses.
     */
    public void decodeMetrics(Exchange exchange) throws Exception {
        metrics.process(exchange);
    }

    /** As {@link #decodeMetrics}, body out the ExportLogsServiceRequest. */
    public void decodeLogs(Exchange exchange) throws Exception {
        logs.process(exchange);
    }

    /** As {@link #decodeMetrics}, body out the ExportTraceServiceRequest. */
    public void decodeTraces(Exchange exchange) throws Exception {
        traces.process(exchange);
    }

    /**
     * The answer to a request its pipeline took. Reads property {@value ExportResult#PROPERTY}.
     * OTLP/HTTP: body out the Export*ServiceResponse (with partial_success when items were rejected)
     * encoded as the request was, status 200, every other header removed. OTLP/gRPC: body out the
     * Export*ServiceResponse message. Counts the request (odin_otlp_requests_total).
     */
    public void respond(Exchange exchange) throws Exception {
        ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
        if (result != null && result.transport() == Transport.GRPC) {
            exchange.getMessage().setBody(responses.success(result));
        } else {
            success.process(exchange);
        }
    }

    /**
     * The answer to a request that failed (the step of routeConfiguration {@code otlp-errors}).
     * Reads property {@code CamelExceptionCaught} and {@value ExportResult#PROPERTY}. OTLP/HTTP: body
     * out a google.rpc.Status with the failure's status code (400, 413, 503 with Retry-After, ...; 500
     * with an error id for a failure inside ODIN). OTLP/gRPC: body out the io.grpc.StatusRuntimeException
     * the call is closed with (INVALID_ARGUMENT, UNAVAILABLE with RetryInfo, ...; INTERNAL with an
     * error id). Counts the request under its outcome.
     */
    public void failure(Exchange exchange) throws Exception {
        ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
        if (result != null && result.transport() == Transport.GRPC) {
            Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            exchange.getMessage().setBody(grpc.failure(result.signal(), cause));
        } else {
            failure.process(exchange);
        }
    }
}
