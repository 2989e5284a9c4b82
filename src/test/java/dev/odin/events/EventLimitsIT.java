package dev.odin.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.config.OdinProperties;
import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
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
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 13, finding 5 for events, over the real listeners with the default limits: a 1 MB body,
 * a 1 MB attribute value, a 1 MB service.name (a stream label) and a 2 KB attribute key reach
 * the event files trimmed (body to 64 KB, values to 4 KB, the label to Loki's 2048 bytes) or
 * dropped (the key), counted, and the client is told in partial_success with nothing rejected.
 */
class EventLimitsIT extends OdinIntegrationTest {

    private static final String MB = "m".repeat(1 << 20);

    @Autowired
    private OdinProperties properties;

    private static ExportLogsServiceRequest hostile(String marker) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", marker + MB,
                        "service.namespace", marker)))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0)
                        .setBody(Otlp.value(marker + MB))
                        .addAllAttributes(Otlp.attrs("tool_parameters", marker + MB, "k".repeat(2048), "v",
                                "marker", marker)))))
                .build();
    }

    private JsonNode written(String marker) throws Exception {
        Path dir = Path.of(properties.getDataDir()).resolve("events");
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> found = new ArrayList<>();
        Await.until("the event " + marker + " in the event files", Duration.ofSeconds(20), () -> {
            if (!Files.isDirectory(dir)) {
                return false;
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (line.contains("\"marker\":\"" + marker + "\"")) {
                            found.add(json.readTree(line));
                            return true;
                        }
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        });
        return found.get(0);
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private void assertTrimmed(JsonNode e, String marker) {
        String line = e.get("line").asText();
        assertThat(utf8(line)).isLessThanOrEqualTo(64 * 1024).isGreaterThan(64 * 1024 - 64);
        assertThat(line).startsWith(marker + "mmm").endsWith("…[trimmed from " + (utf8(marker) + (1 << 20))
                + " bytes]");
        String tool = e.get("metadata").get("tool_parameters").asText();
        assertThat(utf8(tool)).isLessThanOrEqualTo(4096).isGreaterThan(4096 - 64);
        assertThat(tool).endsWith(" bytes]");
        String service = e.get("labels").get("service_name").asText();
        assertThat(utf8(service)).isLessThanOrEqualTo(2048).isGreaterThan(2048 - 64);
        assertThat(e.get("labels").get("service_namespace").asText()).isEqualTo(marker);
        assertThat(e.get("metadata").has("k".repeat(2048))).isFalse();
    }

    private static final String MESSAGE = "accepted with changes: 1 log record bodies over odin.events.max-body-size"
            + " (65536 bytes) trimmed; 2 attribute values over odin.events.max-attribute-value-size (4096 bytes)"
            + " trimmed, the first of key service.name; 1 attributes with a key over"
            + " odin.events.max-attribute-key-size (1024 bytes) dropped";

    @Test
    void overHttp() throws Exception {
        double bodies = trimmed("body");
        HttpResponse<byte[]> r = post("/v1/logs", "application/x-protobuf", hostile("http-1").toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(r.body());
        assertThat(response.getPartialSuccess().getRejectedLogRecords()).isZero();
        assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo(MESSAGE);
        assertTrimmed(written("http-1"), "http-1");
        assertThat(trimmed("body")).isGreaterThanOrEqualTo(bodies + 1);
        assertThat(trimmed("attribute_value")).isGreaterThanOrEqualTo(2);
        assertThat(trimmed("attribute_key")).isGreaterThanOrEqualTo(1);
        assertThat(scrape().value("odin_loki_trimmed_total{cap=\"label_value_size\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void overGrpc() throws Exception {
        double bodies = trimmed("body");
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        try {
            ExportLogsServiceResponse response = ClientCalls.blockingUnaryCall(channel,
                    LogsServiceGrpc.getExportMethod(), CallOptions.DEFAULT, hostile("grpc-1"));
            assertThat(response.getPartialSuccess().getRejectedLogRecords()).isZero();
            assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo(MESSAGE);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertTrimmed(written("grpc-1"), "grpc-1");
        assertThat(trimmed("body")).isGreaterThanOrEqualTo(bodies + 1);
    }

    @Test
    void anOrdinaryEventGetsNoMessage() throws Exception {
        ExportLogsServiceRequest ok = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "claude-code")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0)
                        .setBody(Otlp.value("claude_code.api_request")).addAllAttributes(Otlp.attrs("marker", "ok-1")))))
                .build();
        HttpResponse<byte[]> r = post("/v1/logs", "application/x-protobuf", ok.toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ExportLogsServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
        assertThat(written("ok-1").get("line").asText()).isEqualTo("claude_code.api_request");
    }

    private double trimmed(String what) throws Exception {
        Double v = scrape().value("odin_events_trimmed_total{what=\"" + what + "\"}");
        return v == null ? 0 : v;
    }
}
