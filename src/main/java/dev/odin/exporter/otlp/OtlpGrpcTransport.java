package dev.odin.exporter.otlp;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import dev.odin.signal.RefusedStartException;
import dev.odin.signal.Signal;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/gRPC: the Export call of MetricsService, LogsService or TraceService. OK: delivered (its
 * partial_success read). Retried, as the OTLP specification says: UNAVAILABLE, CANCELLED,
 * DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, DATA_LOSS, and RESOURCE_EXHAUSTED only when the
 * server sent RetryInfo (then waiting at least its retry_delay); every other code is refused for
 * good. The outcome's status is the code's HTTP equivalent (UNAVAILABLE 503, RESOURCE_EXHAUSTED
 * 429, INVALID_ARGUMENT 400, ...), so the delivery metrics read alike for both protocols.
 */
final class OtlpGrpcTransport implements ExportTransport {

    /** Leaves requests and responses as bytes: the queue holds them serialized already. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final OtlpExportProperties config;
    private final ManagedChannel channel;
    private final io.grpc.Channel calls;
    private final Map<Signal, MethodDescriptor<byte[], byte[]>> methods;

    OtlpGrpcTransport(OtlpExportProperties config) {
        this.config = config;
        URI uri;
        try {
            uri = URI.create(config.getEndpoint());
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw refused("a gRPC endpoint is http://host:port (plaintext) or https://host:port (TLS)");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        ChannelCredentials credentials = scheme.equals("http") ? InsecureChannelCredentials.create()
                : config.isInsecureSkipVerify() || !config.getCaFile().isEmpty()
                        ? TlsChannelCredentials.newBuilder().trustManager(Tls.trustManagers(config)).build()
                        : TlsChannelCredentials.create();
        this.channel = Grpc.newChannelBuilderForAddress(uri.getHost(), port, credentials)
                .userAgent("odin").build();
        Metadata headers = new Metadata();
        try {
            for (Map.Entry<String, String> h : config.getHeaders().entrySet()) {
                headers.put(Metadata.Key.of(h.getKey().toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER),
                        h.getValue());
            }
        } catch (IllegalArgumentException e) {
            channel.shutdownNow();
            throw new RefusedStartException(RefusedStartException.setting("odin.otlp-export.headers")
                    + " cannot be sent as gRPC metadata: " + e.getMessage());
        }
        this.calls = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        this.methods = Map.of(
                Signal.METRICS, MetricsServiceGrpc.getExportMethod().toBuilder(BYTES, BYTES).build(),
                Signal.LOGS, LogsServiceGrpc.getExportMethod().toBuilder(BYTES, BYTES).build(),
                Signal.TRACES, TraceServiceGrpc.getExportMethod().toBuilder(BYTES, BYTES).build());
    }

    private RefusedStartException refused(String why) {
        return new RefusedStartException(RefusedStartException.setting("odin.otlp-export.endpoint") + " "
                + config.getEndpoint() + ": " + why);
    }

    @Override
    public ExportAnswer export(Signal signal, byte[] request) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(config.getTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        if (config.getCompression() == OtlpExportProperties.Compression.GZIP) {
            options = options.withCompression("gzip");
        }
        try {
            byte[] response = ClientCalls.blockingUnaryCall(calls, methods.get(signal), options, request);
            return ExportAnswer.accepted(signal, response);
        } catch (StatusRuntimeException e) {
            return answer(e);
        } catch (RuntimeException e) {
            return ExportAnswer.retry(0, "gRPC call failed: " + e, null);
        }
    }

    static ExportAnswer answer(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        String message = "gRPC " + code + ": " + (e.getStatus().getDescription() == null ? ""
                : e.getStatus().getDescription());
        Duration retryInfo = retryInfo(e);
        boolean retryable = switch (code) {
            case UNAVAILABLE, CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, DATA_LOSS -> true;
            case RESOURCE_EXHAUSTED -> retryInfo != null;
            default -> false;
        };
        int status = httpEquivalent(code);
        return retryable ? ExportAnswer.retry(status, message, retryInfo) : ExportAnswer.permanent(status, message);
    }

    /** The retry_delay of a google.rpc.RetryInfo in the status details, or null. */
    static Duration retryInfo(StatusRuntimeException e) {
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details == null) {
            return null;
        }
        for (Any any : details.getDetailsList()) {
            if (any.is(RetryInfo.class)) {
                try {
                    com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
                    return Duration.ofSeconds(Math.max(0, d.getSeconds()), Math.max(0, d.getNanos()));
                } catch (InvalidProtocolBufferException ignored) {
                    return null;
                }
            }
        }
        return null;
    }

    /** As grpc-gateway maps them. */
    static int httpEquivalent(Status.Code code) {
        return switch (code) {
            case OK -> 200;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case CANCELLED -> 499;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
