package dev.odin.loki;

import dev.odin.otlp.OtlpRequestException;

/** The disk queue is at its bound and configured to refuse rather than drop: "retry later". */
public final class QueueFullException extends OtlpRequestException {

    public QueueFullException(String message) {
        super(503, io.grpc.Status.Code.UNAVAILABLE, message);
    }
}
