package dev.odin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import dev.odin.testing.RouteRecipes;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The accounting the routes cannot lose, in Loki's OTLP pass-through mode (odin.loki.format=OTLP)
 * with recipe drop-event-name applied: both receivers count every record as received, and what
 * is queued and sent to Loki is the records the filter kept, counted as such (the queue counts
 * the request it is given, not what the receiver received).
 */
class OtlpPassThroughFilterIT extends OdinIntegrationTest {

    private static final HttpStandIn LOKI = HttpStandIn.start();

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        Path dir;
        try {
            dir = RouteRecipes.apply(Files.createTempDirectory("odin-recipe-otlp"), "drop-event-name");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("odin.routes.include", () -> "file:" + dir.toAbsolutePath() + "/*.yaml");
        registry.add("odin.loki.url", () -> LOKI.url(""));
        registry.add("odin.loki.format", () -> "OTLP");
        registry.add("odin.loki.batch-wait", () -> "100ms");
    }

    @AfterAll
    static void stop() {
        LOKI.close();
    }

    private static ExportLogsServiceRequest request(String... namesAndBodies) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        for (int i = 0; i < namesAndBodies.length; i += 2) {
            scope.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
                    .setBody(Otlp.value(namesAndBodies[i + 1]))
                    .addAllAttributes(Otlp.attrs("event.name", namesAndBodies[i])));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "claude-code")))
                .addScopeLogs(scope)).build();
    }

    @Test
    void bothReceiversCountEveryRecordAndLokiGetsTheKeptOnes() throws Exception {
        assertThat(post("/v1/logs", "application/x-protobuf", request("tool_decision", "http-dropped",
                "api_request", "http-kept", "user_prompt", "http-kept-too").toByteArray()).statusCode())
                .isEqualTo(200);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            ExportLogsServiceResponse response = ClientCalls.blockingUnaryCall(channel,
                    LogsServiceGrpc.getExportMethod(), CallOptions.DEFAULT, request("tool_decision", "grpc-dropped",
                            "api_request", "grpc-kept"));
            assertThat(response.hasPartialSuccess()).isFalse();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        List<String> bodies = new ArrayList<>();
        Await.until("the kept records at Loki's OTLP endpoint", Duration.ofSeconds(30), () -> {
            for (HttpStandIn.Request r : LOKI.drain()) {
                assertThat(r.path()).isEqualTo("/otlp/v1/logs");
                ExportLogsServiceRequest.parseFrom(r.bytes()).getResourceLogsList().forEach(rl -> rl
                        .getScopeLogsList().forEach(sl -> sl.getLogRecordsList()
                                .forEach(rec -> bodies.add(rec.getBody().getStringValue()))));
            }
            return bodies.size() >= 3;
        });
        assertThat(bodies).containsExactlyInAnyOrder("http-kept", "http-kept-too", "grpc-kept");
        var metrics = scrape();
        assertThat(metrics.value("odin_otlp_received_total{signal=\"logs\",transport=\"http\"}")).isEqualTo(3.0);
        assertThat(metrics.value("odin_otlp_received_total{signal=\"logs\",transport=\"grpc\"}")).isEqualTo(2.0);
        assertThat(metrics.value("odin_otlp_discarded_total{reason=\"filtered\",signal=\"logs\"}")).isEqualTo(2.0);
        assertThat(metrics.value("odin_loki_records_sent_total")).isEqualTo(3.0);
    }
}
