package dev.odin.exporter.otlp;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server implementing OTLP's MetricsService, LogsService and TraceService on a
 * loopback port: records every request it accepts (and the metadata of every call), and answers
 * the scripted failures first ({@link #failNext}).
 */
final class GrpcOtlpStandIn implements AutoCloseable {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
    final List<ExportLogsServiceRequest> logs = new CopyOnWriteArrayList<>();
    final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
    final List<Metadata> calls = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<StatusRuntimeException> failures = new ConcurrentLinkedDeque<>();
    private final Server server;

    GrpcOtlpStandIn() throws IOException {
        this(0);
    }

    GrpcOtlpStandIn(int port) throws IOException {
        ServerInterceptor recordHeaders = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, Metadata headers,
                    io.grpc.ServerCallHandler<Q, R> next) {
                calls.add(headers);
                return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(ServerInterceptors.intercept(new MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(ExportMetricsServiceRequest request,
                            StreamObserver<ExportMetricsServiceResponse> observer) {
                        if (!fail(observer)) {
                            metrics.add(request);
                            observer.onNext(ExportMetricsServiceResponse.getDefaultInstance());
                            observer.onCompleted();
                        }
                    }
                }, recordHeaders))
                .addService(ServerInterceptors.intercept(new LogsServiceGrpc.LogsServiceImplBase() {
                    @Override
                    public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> observer) {
                        if (!fail(observer)) {
                            logs.add(request);
                            observer.onNext(ExportLogsServiceResponse.getDefaultInstance());
                            observer.onCompleted();
                        }
                    }
                }, recordHeaders))
                .addService(ServerInterceptors.intercept(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> observer) {
                        if (!fail(observer)) {
                            traces.add(request);
                            observer.onNext(ExportTraceServiceResponse.getDefaultInstance());
                            observer.onCompleted();
                        }
                    }
                }, recordHeaders))
                .build().start();
    }

    private boolean fail(StreamObserver<?> observer) {
        StatusRuntimeException f = failures.poll();
        if (f == null) {
            return false;
        }
        observer.onError(f);
        return true;
    }

    /** The next calls answer these (in order). */
    void failNext(io.grpc.Status.Code... codes) {
        for (io.grpc.Status.Code c : codes) {
            failures.add(c.toStatus().withDescription("scripted " + c).asRuntimeException());
        }
    }

    /** The next call answers RESOURCE_EXHAUSTED with a RetryInfo asking for this delay. */
    void failNextWithRetryInfo(long delayMillis) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(io.grpc.Status.Code.RESOURCE_EXHAUSTED.value()).setMessage("slow down")
                .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(delayMillis / 1000).setNanos((int) (delayMillis % 1000) * 1_000_000)).build()))
                .build();
        failures.add(StatusProto.toStatusRuntimeException(status));
    }

    int port() {
        return server.getPort();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    List<String> authorizations() {
        List<String> out = new ArrayList<>();
        for (Metadata m : calls) {
            out.add(m.get(AUTHORIZATION));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
