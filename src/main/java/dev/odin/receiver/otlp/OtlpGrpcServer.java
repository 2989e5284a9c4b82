package dev.odin.receiver.otlp;

import dev.odin.signal.ExportResult;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC on one port for all three services (camel-grpc cannot share a port between them).
 * Each request becomes an exchange sent to the signal's direct: route; the route decides what
 * happens to it, this class only maps the outcome to a gRPC response or status. grpc-java
 * handles gzip and enforces the maximum message size while inflating.
 *
 * <p>Started once Camel has started its routes (so that no request meets a route that is not
 * there yet), closed before Camel stops.
 */
public final class OtlpGrpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OtlpGrpcServer.class);

    private final CamelContext camel;
    private final ExportResponses responses;
    private final String host;
    private final int port;
    private final int maxMessageBytes;
    private final List<ServerInterceptor> interceptors;
    private final SslContext tls;
    private final AdmissionControl admission;
    private final int threads;
    private final int maxCallsPerConnection;
    private final InternalErrors internalErrors = new InternalErrors();
    private ExecutorService executor;
    private ProducerTemplate producer;
    private volatile Server server;
    private java.util.function.Supplier<String> http1Hint = () -> "OTLP/HTTP is on the OTLP/HTTP port (4318 by default)";
    private Runnable http1Counted = () -> { };

    /**
     * What an HTTP/1 request on the (plaintext) gRPC port is told, after "this is the OTLP/gRPC
     * port; ", and what counts it. Set before {@link #start()}.
     */
    public void http1Answer(java.util.function.Supplier<String> hint, Runnable counted) {
        this.http1Hint = hint;
        this.http1Counted = counted;
    }

    /**
     * @param interceptors run on every call, first to last (authentication)
     * @param tls the server's TLS context, null for plaintext
     */
    public OtlpGrpcServer(CamelContext camel, ExportResponses responses, String host, int port, int maxMessageBytes,
            List<ServerInterceptor> interceptors, SslContext tls, AdmissionControl admission, int threads,
            int maxCallsPerConnection) {
        this.camel = camel;
        this.threads = threads;
        this.maxCallsPerConnection = maxCallsPerConnection;
        this.admission = admission;
        this.interceptors = List.copyOf(interceptors);
        this.tls = tls;
        this.responses = responses;
        this.host = host;
        this.port = port;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    public int port() {
        Server s = server;
        return s == null ? -1 : s.getPort();
    }

    /** Bound and serving. */
    public boolean running() {
        Server s = server;
        return s != null && !s.isShutdown();
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        producer = camel.createProducerTemplate();
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "otlp-grpc-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        InetSocketAddress address = new InetSocketAddress(host, port);
        // plaintext: grpc-java's own negotiator behind one that answers HTTP/1 with a 400
        NettyServerBuilder builder = (tls == null ? NettyServerBuilder.forAddress(address,
                InternalNettyServerCredentials.create(new Http1OnGrpcPort(http1Hint, http1Counted)))
                : NettyServerBuilder.forAddress(address))
                .maxInboundMessageSize(maxMessageBytes).executor(executor)
                .maxConcurrentCallsPerConnection(maxCallsPerConnection);
        if (tls != null) {
            builder.sslContext(tls);
        }
        // intercept() wraps: the last one added runs first, so add them in reverse
        for (int i = interceptors.size() - 1; i >= 0; i--) {
            builder.intercept(interceptors.get(i));
        }
        Server s = builder
                .addService(service(MetricsServiceGrpc.SERVICE_NAME, MetricsServiceGrpc.getExportMethod(),
                        ExportMetricsServiceResponse.getDefaultInstance(), Signal.METRICS, "direct:otlp-metrics",
                        ExportMetricsServiceRequest::parseFrom))
                .addService(service(LogsServiceGrpc.SERVICE_NAME, LogsServiceGrpc.getExportMethod(),
                        ExportLogsServiceResponse.getDefaultInstance(), Signal.LOGS, "direct:otlp-logs",
                        ExportLogsServiceRequest::parseFrom))
                .addService(service(TraceServiceGrpc.SERVICE_NAME, TraceServiceGrpc.getExportMethod(),
                        ExportTraceServiceResponse.getDefaultInstance(), Signal.TRACES, "direct:otlp-traces",
                        ExportTraceServiceRequest::parseFrom))
                .build();
        try {
            s.start();
        } catch (IOException e) {
            throw new IllegalStateException("OTLP/gRPC cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        server = s;
        log.info("OTLP/gRPC listening on {}:{}{}", host, s.getPort(), tls == null ? "" : " (TLS)");
    }

    /** Parses a request body; an undecodable one is INVALID_ARGUMENT, not grpc-java's INTERNAL. */
    private interface Parser {
        Message parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private <Q, R extends Message> ServerServiceDefinition service(String serviceName, MethodDescriptor<Q, R> export,
            R responseType, Signal signal, String uri, Parser parser) {
        Endpoint endpoint = camel.getEndpoint(uri); // resolved once, not per request
        MethodDescriptor<byte[], R> method = export.toBuilder(RawBytesMarshaller.INSTANCE, ProtoUtils.marshaller(responseType)).build();
        return ServerServiceDefinition.builder(serviceName)
                .addMethod(method, ServerCalls.asyncUnaryCall((byte[] bytes, StreamObserver<R> observer) -> {
                    if (bytes == RawBytesMarshaller.TOO_LARGE) {
                        responses.failure(signal, Transport.GRPC, "too_large");
                        observer.onError(Status.RESOURCE_EXHAUSTED.withDescription("the message inflates to more than"
                                + " the limit of " + maxMessageBytes + " bytes (odin.otlp.grpc.max-message-size)")
                                .asRuntimeException());
                        return;
                    }
                    AdmissionControl.Decision d = admission.admit(signal.tag(), "grpc", admission.cost(bytes.length, false));
                    if (!d.admitted()) {
                        responses.failure(signal, Transport.GRPC, "overloaded");
                        observer.onError(retryLater(d.message()));
                        return;
                    }
                    try (AdmissionControl.Ticket ticket = d.ticket()) {
                        parseAndHandle(signal, endpoint, parser, bytes, observer);
                    }
                }))
                .build();
    }

    /**
     * RESOURCE_EXHAUSTED with RetryInfo: the OTLP exporters retry it after the given delay
     * (without RetryInfo they would drop the data).
     */
    private StatusRuntimeException retryLater(String message) {
        return retryLater(Status.Code.RESOURCE_EXHAUSTED, message, admission.retryAfterMillis());
    }

    /** A retryable refusal with RetryInfo (for UNAVAILABLE, a full data dir, it says when). */
    private static StatusRuntimeException retryLater(Status.Code code, String message, long millis) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.value()).setMessage(message)
                .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000)).build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    private <R> void parseAndHandle(Signal signal, Endpoint endpoint, Parser parser, byte[] bytes,
            StreamObserver<R> observer) {
        Message request;
        try {
            request = parser.parse(bytes);
        } catch (InvalidProtocolBufferException e) {
            responses.failure(signal, Transport.GRPC, "invalid");
            observer.onError(Status.INVALID_ARGUMENT.withDescription("request is not a protobuf OTLP "
                    + signal.tag() + " request: " + e.getMessage()).asRuntimeException());
            return;
        }
        handle(signal, endpoint, request, observer);
    }

    @SuppressWarnings("unchecked")
    private <R> void handle(Signal signal, Endpoint endpoint, Message request, StreamObserver<R> observer) {
        Exchange exchange = endpoint.createExchange();
        ExportResult result = new ExportResult(signal, Transport.GRPC);
        result.tenant(GrpcBearerInterceptor.TENANT.get());
        result.receivedRequest(request);
        exchange.setProperty(ExportResult.PROPERTY, result);
        exchange.getMessage().setBody(request);
        producer.send(endpoint, exchange);
        Exception failure = exchange.getException();
        if (failure == null) {
            observer.onNext((R) responses.success(result));
            observer.onCompleted();
            return;
        }
        if (failure instanceof OtlpRequestException) {
            OtlpRequestException e = (OtlpRequestException) failure;
            responses.failure(signal, Transport.GRPC, e.outcome());
            observer.onError(e.retryAfterMillis() > 0 ? retryLater(e.grpcCode(), e.getMessage(), e.retryAfterMillis())
                    : Status.fromCode(e.grpcCode()).withDescription(e.getMessage()).asRuntimeException());
        } else {
            responses.failure(signal, Transport.GRPC, "error");
            observer.onError(Status.INTERNAL.withDescription(internalErrors.report("OTLP/gRPC " + signal.tag()
                    + " request", failure)).asRuntimeException());
        }
    }

    /**
     * Stops taking calls; new ones get UNAVAILABLE, which clients retry. Calls already running
     * go on: the caller waits for them through the admission limiter's count, since waiting for
     * the server's termination would also wait for idle client connections to go away.
     */
    public void stopAccepting() {
        Server s = server;
        if (s != null) {
            s.shutdown();
        }
    }

    @Override
    public synchronized void close() {
        Server s = server;
        if (s != null) {
            s.shutdown();
            try {
                if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.shutdownNow();
            }
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
