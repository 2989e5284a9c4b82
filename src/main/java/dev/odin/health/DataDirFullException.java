package dev.odin.health;

import dev.odin.signal.OtlpRequestException;

/**
 * A write under {@code odin.data-dir} failed (the disk is full, or below {@code
 * odin.data-dir-min-free}, or any other I/O error): the request is refused as a whole with "retry
 * later" (HTTP 503 with Retry-After, gRPC UNAVAILABLE with RetryInfo). Nothing of it was kept.
 */
public final class DataDirFullException extends OtlpRequestException {

    private final long retryAfterMillis;

    public DataDirFullException(String message, long retryAfterMillis) {
        super(503, io.grpc.Status.Code.UNAVAILABLE, message);
        this.retryAfterMillis = retryAfterMillis;
    }

    @Override
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    @Override
    public String outcome() {
        return "disk_full";
    }
}
