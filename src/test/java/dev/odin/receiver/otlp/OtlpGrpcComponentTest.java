package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.signal.ExportResult;
import dev.odin.signal.OtlpRequestException;
import dev.odin.telemetry.OdinMetrics;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The otlp-grpc component on a real gRPC server and a plain Camel context: a service is served
 * while a route consumes its endpoint and UNIMPLEMENTED otherwise; the route gets the decoded
 * request with its result and tenant, and its outcome becomes the call's answer.
 */
class OtlpGrpcComponentTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OdinMetrics telemetry = new OdinMetrics(registry);
    private final ExportResponses responses = new ExportResponses(telemetry);
    private final AdmissionControl admission = new AdmissionControl(new AdmissionProperties(4, DataSize.ofMegabytes(1),
            8, 3, 1, 1, Duration.ofSeconds(3)), new HeapWatch(), () -> 0, registry);
    private final OtlpGuard guard = new OtlpGuard(null, admission, new OtlpGuard.Limits(1000, 1000, 200));
    private final OtlpGrpcServices services = new OtlpGrpcServices(guard, new GrpcAnswers(responses));
    private final AtomicReference<Object> seen = new AtomicReference<>();
    private CamelContext camel;
    private OtlpGrpcServer server;
    private ManagedChannel channel;

    private static final ExportTraceServiceRequest TWO_SPANS = ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
                    .addSpans(Span.newBuilder().setName("a")).addSpans(Span.newBuilder().setName("b")))).build();

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.addComponent(OtlpGrpcComponent.SCHEME, new OtlpGrpcComponent(services, responses));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("otlp-grpc:traces").routeId("traces").process(e -> {
                    ExportTraceServiceRequest request = e.getMessage().getBody(ExportTraceServiceRequest.class);
                    seen.set(request);
                    ExportResult result = e.getProperty(ExportResult.PROPERTY, ExportResult.class);
                    long n = request.getResourceSpans(0).getScopeSpans(0).getSpansCount();
                    result.received(n);
                    if (request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName().equals("refuse")) {
                        throw new OtlpRequestException(503, Status.Code.UNAVAILABLE, "queue full");
                    }
                    if (request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName().equals("break")) {
                        throw new IllegalStateException("secret detail");
                    }
                    result.reject(1, "one is enough");
                });
            }
        });
        camel.start();
        server = new OtlpGrpcServer(services, "127.0.0.1", 0, guard.maxGrpcMessageBytes(), List.of(), null, 2, 10);
        server.start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        camel.close();
    }

    private ExportTraceServiceResponse export(ExportTraceServiceRequest request) {
        return ClientCalls.blockingUnaryCall(channel, TraceServiceGrpc.getExportMethod(), CallOptions.DEFAULT, request);
    }

    private double requests(String outcome) {
        var c = registry.find("odin.otlp.requests").tag("signal", "traces").tag("transport", "grpc")
                .tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void theRouteGetsTheDecodedRequestAndItsResultBecomesTheAnswer() {
        ExportTraceServiceResponse r = export(TWO_SPANS);
        assertThat(seen.get()).isEqualTo(TWO_SPANS);
        assertThat(r.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(r.getPartialSuccess().getErrorMessage()).isEqualTo("1 spans rejected: one is enough");
        assertThat(requests("partial")).isEqualTo(1.0);
    }

    @Test
    void aSignalWithoutARouteIsUnimplementedAndSoIsOneWhoseRouteWasRemoved() throws Exception {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, LogsServiceGrpc.getExportMethod(),
                CallOptions.DEFAULT, ExportLogsServiceRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(services.serves(dev.odin.signal.Signal.TRACES)).isTrue();
        camel.getRouteController().stopRoute("traces");
        camel.removeRoute("traces");
        assertThat(services.serves(dev.odin.signal.Signal.TRACES)).isFalse();
        assertThatThrownBy(() -> export(TWO_SPANS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(seen.get()).isNull();
    }

    @Test
    void failuresAreMappedAsBefore() {
        ExportTraceServiceRequest refuse = TWO_SPANS.toBuilder().setResourceSpans(0, ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("refuse")))).build();
        assertThatThrownBy(() -> export(refuse)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).isEqualTo("queue full");
        });
        ExportTraceServiceRequest broken = TWO_SPANS.toBuilder().setResourceSpans(0, ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("break")))).build();
        assertThatThrownBy(() -> export(broken)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
            assertThat(e.getStatus().getDescription()).startsWith("internal error in ODIN (error id ")
                    .doesNotContain("secret");
        });
        assertThat(requests("error")).isEqualTo(1.0);
    }

    @Test
    void theGuardRefusesBeforeTheRouteRuns() {
        MethodDescriptor<byte[], ExportTraceServiceResponse> raw = TraceServiceGrpc.getExportMethod().toBuilder(
                RawBytesMarshaller.INSTANCE, ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
                .build();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT, new byte[] {(byte) 0xff}))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("request is not a protobuf OTLP traces request");
                });
        // compressed under the limit, inflated over it: refused while inflating
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withCompression("gzip"),
                new byte[300]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("the message inflates to more than the limit"
                            + " of 200 bytes (odin.otlp.grpc.max-message-size)");
                });
        assertThat(seen.get()).isNull();
        assertThat(requests("invalid")).isEqualTo(1.0);
        assertThat(requests("too_large")).isEqualTo(1.0);
    }

    @Test
    void oneRoutePerSignal() {
        assertThatThrownBy(() -> camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("otlp-grpc:TRACES").routeId("again").log("x");
            }
        })).hasStackTraceContaining("otlp-grpc:traces is consumed by route traces already");
        assertThatThrownBy(() -> camel.getEndpoint("otlp-grpc:spans")).hasStackTraceContaining("is no OTLP signal");
    }
}
