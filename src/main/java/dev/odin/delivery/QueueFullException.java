package dev.odin.delivery;

import dev.odin.signal.OtlpRequestException;

/** The disk queue is at its bound and configured to refuse rather than drop: "retry later". */
public final class QueueFullException extends OtlpRequestException {

    public QueueFullException(String message) {
        super(503, io.grpc.Status.Code.UNAVAILABLE, message);
    }

    /** As the HTTP answer has always said (Retry-After: 5); gRPC now carries it as RetryInfo. */
    @Override
    public long retryAfterMillis() {
        return 5000;
    }
}
