package dev.odin.receiver.otlp;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * What an OTLP/gRPC client is told when its request fails, and the count of it
 * (odin_otlp_requests_total{transport="grpc",outcome}): a refusal of ODIN's
 * ({@link OtlpRequestException}) keeps its code (INVALID_ARGUMENT, UNAVAILABLE with RetryInfo for
 * "retry later", ...); anything else is INTERNAL with an error id, the detail in the log.
 */
public final class GrpcAnswers {

    private final ExportResponses responses;
    private final InternalErrors internalErrors = new InternalErrors();

    public GrpcAnswers(ExportResponses responses) {
        this.responses = responses;
    }

    /** The status for a failed request, counted. */
    public StatusRuntimeException failure(Signal signal, Throwable failure) {
        if (failure instanceof OtlpRequestException e) {
            responses.failure(signal, Transport.GRPC, e.outcome());
            return e.retryAfterMillis() > 0 ? retryLater(e.grpcCode(), e.getMessage(), e.retryAfterMillis())
                    : Status.fromCode(e.grpcCode()).withDescription(e.getMessage()).asRuntimeException();
        }
        responses.failure(signal, Transport.GRPC, "error");
        return Status.INTERNAL.withDescription(internalErrors.report("OTLP/gRPC " + signal.tag() + " request", failure))
                .asRuntimeException();
    }

    /** A refusal before the request reached a route, counted under {@code outcome}. */
    public StatusRuntimeException refused(Signal signal, String outcome, StatusRuntimeException status) {
        responses.failure(signal, Transport.GRPC, outcome);
        return status;
    }

    /**
     * A retryable refusal with RetryInfo: the OTLP exporters retry it after the given delay
     * (without RetryInfo they would drop the data).
     */
    public static StatusRuntimeException retryLater(Status.Code code, String message, long millis) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.value()).setMessage(message)
                .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000)).build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }
}
