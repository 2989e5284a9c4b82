package dev.odin.signal;

/**
 * A request ODIN refuses as a whole, with the HTTP status and gRPC status it maps to. No part of
 * such a request has been applied.
 */
public class OtlpRequestException extends RuntimeException {

    private final int httpStatus;
    private final io.grpc.Status.Code grpcCode;
    private final String outcome;

    public OtlpRequestException(int httpStatus, io.grpc.Status.Code grpcCode, String message) {
        this(httpStatus, grpcCode, message, null);
    }

    /** @param outcome the outcome tag for request metrics; null: the one of the HTTP status */
    public OtlpRequestException(int httpStatus, io.grpc.Status.Code grpcCode, String message, String outcome) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
        this.outcome = outcome;
    }

    public static OtlpRequestException badRequest(String message) {
        return new OtlpRequestException(400, io.grpc.Status.Code.INVALID_ARGUMENT, message);
    }

    public static OtlpRequestException tooLarge(String message) {
        return new OtlpRequestException(413, io.grpc.Status.Code.RESOURCE_EXHAUSTED, message);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public io.grpc.Status.Code grpcCode() {
        return grpcCode;
    }

    /**
     * The delay to suggest to the client (HTTP Retry-After, gRPC RetryInfo) when this is a
     * "retry later" refusal; 0 when the refusal says nothing about when.
     */
    public long retryAfterMillis() {
        return 0;
    }

    /** The outcome tag for request metrics. */
    public String outcome() {
        if (outcome != null) {
            return outcome;
        }
        switch (httpStatus) {
            case 400: return "invalid";
            case 405: return "method_not_allowed";
            case 413: return "too_large";
            case 415: return "unsupported_media_type";
            default: return "refused";
        }
    }
}
