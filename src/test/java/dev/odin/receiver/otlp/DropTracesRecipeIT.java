package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.RouteRecipes;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * docs/routes.md recipe drop-traces, applied verbatim: traces are refused on both transports with
 * the same answer, a partial_success the OpenTelemetry SDK's exporters take as a completed export.
 */
class DropTracesRecipeIT extends OdinIntegrationTest {

    private static final Path DIR = routes();

    private static Path routes() {
        try {
            return RouteRecipes.apply(Files.createTempDirectory("odin-drop-traces"), "drop-traces");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void include(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + DIR.toAbsolutePath() + "/*.yaml");
    }

    @Autowired
    private CamelContext camel;

    private static final ExportTraceServiceRequest TWO_SPANS = ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
                    .addSpans(Span.newBuilder().setName("a")).addSpans(Span.newBuilder().setName("b")))).build();

    private double requests(String transport) throws Exception {
        Double v = scrape().value("odin_otlp_requests_total{outcome=\"partial\",signal=\"traces\",transport=\""
                + transport + "\"}");
        return v == null ? 0 : v;
    }

    @Test
    void theRecipeReplacedTheTracesPipelineOnly() throws Exception {
        assertThat(Files.readString(DIR.resolve("otlp-traces.yaml"))).contains("reject(*, 'traces are not kept here')");
        assertThat(camel.getRoute("otlp-traces")).isNotNull();
        assertThat(camel.getRoute("otlp-http-traces")).isNotNull();
        assertThat(camel.getRoute("otlp-grpc-traces")).isNotNull();
    }

    @Test
    void bothTransportsAnswerTheSamePartialSuccess() throws Exception {
        double httpBefore = requests("http");
        double grpcBefore = requests("grpc");
        HttpResponse<byte[]> r = post("/v1/traces", "application/x-protobuf", TWO_SPANS.toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        ExportTraceServiceResponse overHttp = ExportTraceServiceResponse.parseFrom(r.body());
        ExportTraceServiceResponse overGrpc;
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            overGrpc = ClientCalls.blockingUnaryCall(channel, TraceServiceGrpc.getExportMethod(), CallOptions.DEFAULT,
                    TWO_SPANS);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(overHttp.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
        assertThat(overHttp.getPartialSuccess().getErrorMessage()).isEqualTo("2 spans rejected: traces are not kept here");
        assertThat(overGrpc).isEqualTo(overHttp);
        assertThat(requests("http")).isEqualTo(httpBefore + 1);
        assertThat(requests("grpc")).isEqualTo(grpcBefore + 1);
    }

    @Test
    void theSdkExportersCompleteTheirExportsOnBothTransports() throws Exception {
        for (SpanExporter exporter : new SpanExporter[] {
                OtlpHttpSpanExporter.builder().setEndpoint(otlpHttp("/v1/traces")).build(),
                OtlpGrpcSpanExporter.builder().setEndpoint(grpcEndpoint()).build()}) {
            String transport = exporter instanceof OtlpHttpSpanExporter ? "http" : "grpc";
            double before = requests(transport);
            SdkTracerProvider provider = SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
            try {
                provider.get("drop-traces-recipe").spanBuilder("dropped").startSpan().end();
                assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).as(transport).isTrue();
            } finally {
                provider.shutdown().join(10, TimeUnit.SECONDS);
            }
            assertThat(requests(transport)).as(transport).isEqualTo(before + 1);
        }
    }
}
