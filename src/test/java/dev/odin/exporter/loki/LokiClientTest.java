package dev.odin.exporter.loki;

import dev.odin.delivery.DiskQueue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.sun.net.httpserver.HttpServer;
import dev.odin.config.OdinProperties;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.LabelPairAdapter;
import dev.odin.loki.wire.PushRequest;
import dev.odin.loki.wire.StreamAdapter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The three wire formats, authentication headers and the classification of Loki's answers. */
class LokiClientTest {

    private HttpServer server;
    private final Map<String, Object> seen = new ConcurrentHashMap<>();
    private volatile int status = 204;
    private volatile String retryAfter;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", ex -> {
            seen.put("path", ex.getRequestURI().getPath());
            seen.put("contentType", String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")));
            seen.put("authorization", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            seen.put("tenant", String.valueOf(ex.getRequestHeaders().getFirst("X-Scope-OrgID")));
            seen.put("body", ex.getRequestBody().readAllBytes());
            if (retryAfter != null) {
                ex.getResponseHeaders().add("Retry-After", retryAfter);
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private LokiProperties config(LokiProperties.Format format) {
        LokiProperties c = new OdinProperties().getLoki();
        c.setUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        c.setFormat(format);
        return c;
    }

    private static DiskQueue.Record record(byte type, byte[] payload) {
        return new DiskQueue.Record(1, 0, 0, type, 1, payload);
    }

    private static byte[] push(String line) {
        return PushRequest.newBuilder().addStreams(StreamAdapter.newBuilder().setLabels("{service_name=\"svc\"}")
                .addEntries(EntryAdapter.newBuilder().setTimestamp(Timestamp.newBuilder().setSeconds(1).setNanos(5))
                        .setLine(line).addStructuredMetadata(LabelPairAdapter.newBuilder().setName("event_name")
                                .setValue("api_request")).addStructuredMetadata(LabelPairAdapter.newBuilder()
                                .setName("note").setValue("two words")))).build().toByteArray();
    }

    @Test
    void protobufWithSnappyConcatenatesQueuedRequestsAndSendsTenantAndBearer() throws Exception {
        LokiProperties c = config(LokiProperties.Format.PROTOBUF);
        c.setTenant("team-a");
        c.setBearerToken("s3cret");
        LokiClient.Outcome o = new LokiClient(c).push(List.of(record(LokiClient.PUSH_REQUEST, push("a")),
                record(LokiClient.PUSH_REQUEST, push("b"))));
        assertThat(o.kind()).isEqualTo(LokiClient.Kind.DELIVERED);
        assertThat(seen).containsEntry("path", "/loki/api/v1/push").containsEntry("contentType", "application/x-protobuf")
                .containsEntry("tenant", "team-a").containsEntry("authorization", "Bearer s3cret");
        PushRequest got = PushRequest.parseFrom(org.xerial.snappy.Snappy.uncompress((byte[]) seen.get("body")));
        assertThat(got.getStreamsList()).extracting(s -> s.getEntries(0).getLine()).containsExactly("a", "b");
    }

    @Test
    void jsonForLoki2PutsMetadataIntoTheLineAndUsesBasicAuth() throws Exception {
        LokiProperties c = config(LokiProperties.Format.JSON);
        c.setUsername("odin");
        c.setPassword("pw");
        assertThat(new LokiClient(c).push(List.of(record(LokiClient.PUSH_REQUEST, push("claude_code.api_request"))))
                .kind()).isEqualTo(LokiClient.Kind.DELIVERED);
        assertThat(seen).containsEntry("contentType", "application/json").containsEntry("authorization",
                "Basic " + java.util.Base64.getEncoder().encodeToString("odin:pw".getBytes()));
        JsonNode body = new ObjectMapper().readTree((byte[]) seen.get("body"));
        JsonNode stream = body.get("streams").get(0);
        assertThat(stream.get("stream").get("service_name").asText()).isEqualTo("svc");
        assertThat(stream.get("values").get(0).get(0).asText()).isEqualTo("1000000005");
        assertThat(stream.get("values").get(0).get(1).asText())
                .isEqualTo("claude_code.api_request event_name=api_request note=\"two words\"");
    }

    @Test
    void otlpPassThroughGoesToLokisOtlpEndpoint() throws Exception {
        byte[] otlp = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.getDefaultInstance()).build()
                .toByteArray();
        assertThat(new LokiClient(config(LokiProperties.Format.OTLP))
                .push(List.of(record(LokiClient.OTLP_REQUEST, otlp), record(LokiClient.OTLP_REQUEST, otlp))).kind())
                .isEqualTo(LokiClient.Kind.DELIVERED);
        assertThat(seen).containsEntry("path", "/otlp/v1/logs").containsEntry("contentType", "application/x-protobuf");
        assertThat(ExportLogsServiceRequest.parseFrom((byte[]) seen.get("body")).getResourceLogsCount()).isEqualTo(2);
    }

    @Test
    void answersAreClassified() {
        LokiClient client = new LokiClient(config(LokiProperties.Format.PROTOBUF));
        List<DiskQueue.Record> batch = List.of(record(LokiClient.PUSH_REQUEST, push("x")));
        status = 260; // Loki: ingestion blocked, but accepted
        assertThat(client.push(batch).kind()).isEqualTo(LokiClient.Kind.DELIVERED);
        status = 429;
        retryAfter = "7";
        LokiClient.Outcome tooMany = client.push(batch);
        assertThat(tooMany.kind()).isEqualTo(LokiClient.Kind.RETRY);
        assertThat(tooMany.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        status = 503;
        retryAfter = null;
        assertThat(client.push(batch).kind()).isEqualTo(LokiClient.Kind.RETRY);
        status = 400;
        assertThat(client.push(batch).kind()).isEqualTo(LokiClient.Kind.PERMANENT);
        server.stop(0);
        LokiClient.Outcome refused = client.push(batch);
        assertThat(refused.kind()).isEqualTo(LokiClient.Kind.RETRY);
        assertThat(refused.status()).isZero();
        assertThat(LokiClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    }
}
