package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.config.OdinProperties;
import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 13, finding 8, the telemetry usage tap and the usage history, over the real listeners:
 * an api_request refused by a full event queue (HTTP 503, gRPC UNAVAILABLE) and retried until it
 * is taken counts its tokens once; its user.email is in no file under the data directory, only
 * its keyed hash is in the usage history; /api/usage answers bad parameters with 400.
 */
class TelemetryUsageIT extends OdinIntegrationTest {

    private static final StandInLoki LOKI = StandInLoki.open();
    private static final String EMAIL = "ana.retry@example.com";

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.loki.url", LOKI::url);
        r.add("odin.loki.queue-max-size", () -> "600KB");
        r.add("odin.loki.drop-oldest-when-full", () -> "false");
        r.add("odin.loki.batch-wait", () -> "100ms");
        r.add("odin.loki.min-backoff", () -> "100ms");
        r.add("odin.loki.max-backoff", () -> "200ms");
        // the queue's own refusal, not the admission limiter's (as QueueFullIT)
        r.add("odin.admission.queue-limit", () -> "1");
        // the stricter set of docs/privacy.md: events hash user.email too, so no file has it
        r.add("odin.privacy.events[0].attribute", () -> "prompt");
        r.add("odin.privacy.events[0].action", () -> "drop");
        r.add("odin.privacy.events[1].attribute", () -> "user.email");
        r.add("odin.privacy.events[1].action", () -> "hash");
    }

    @AfterAll
    static void stopLoki() {
        LOKI.close();
    }

    @Autowired
    private OdinProperties properties;

    private static ExportLogsServiceRequest filler(int n, int length) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = 0; i < n; i++) {
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0 + i).setBody(Otlp.value("x".repeat(length))));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "filler")))
                .addScopeLogs(sl)).build();
    }

    private static ExportLogsServiceRequest apiRequest() {
        long now = System.currentTimeMillis() * 1_000_000L;
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "claude-code",
                        "host.name", "retry-box")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(now)
                        .setBody(Otlp.value("claude_code.api_request"))
                        .addAllAttributes(Otlp.attrs("event.name", "api_request", "model", "claude-sonnet-4-5",
                                "input_tokens", 1234L, "output_tokens", 56L, "cache_read_tokens", 0L,
                                "cost_usd", 0.0045, "session.id", "retry-session", "user.email", EMAIL)))))
                .build();
    }

    private static final String INPUT = "odin_claude_usage_tokens_total{machine=\"retry-box\",model=\"claude-sonnet-4-5\","
            + "project=\"\",source=\"telemetry\",type=\"input\"}";

    @Test
    void aRefusedAndRetriedApiRequestCountsOnceAndItsEmailIsNowhereOnDisk() throws Exception {
        LOKI.answer(() -> 500, null); // Loki failing: the queue fills and may not drop
        byte[] fill = filler(100, 200).toByteArray();
        int status = 200;
        for (int i = 0; i < 100 && status == 200; i++) {
            status = post("/v1/logs", "application/x-protobuf", fill).statusCode();
        }
        assertThat(status).isEqualTo(503);
        // then smaller and smaller requests (each smaller than the api_request) fill what room is left
        for (byte[] smaller : List.of(filler(20, 1).toByteArray(), filler(1, 1).toByteArray())) {
            status = 200;
            for (int i = 0; i < 1000 && status == 200; i++) {
                status = post("/v1/logs", "application/x-protobuf", smaller).statusCode();
            }
            assertThat(status).isEqualTo(503);
        }

        byte[] usage = apiRequest().toByteArray();
        int refused = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(post("/v1/logs", "application/x-protobuf", usage).statusCode()).isEqualTo(503);
            refused++;
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, LogsServiceGrpc.getExportMethod(),
                    CallOptions.DEFAULT, apiRequest()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(scrape().value(INPUT)).as("refused %d times over HTTP, once over gRPC: nothing counted", refused)
                .isNull();

        LOKI.healthy(); // the queue drains; the client's retry is taken
        Await.until("the retried api_request taken", Duration.ofSeconds(30),
                () -> post("/v1/logs", "application/x-protobuf", usage).statusCode() == 200);
        assertThat(scrape().value(INPUT)).isEqualTo(1234.0);
        assertThat(scrape().value(INPUT.replace("type=\"input\"", "type=\"output\""))).isEqualTo(56.0);

        // the usage history has the keyed hash (computed here from the key file) and no address
        Path data = Path.of(properties.getDataDir());
        String hash = hmac(Files.readAllBytes(data.resolve("privacy").resolve("hash.key")), EMAIL);
        String history;
        try (var files = Files.list(data.resolve("usage"))) {
            history = files.filter(f -> f.toString().endsWith(".jsonl")).map(TelemetryUsageIT::read)
                    .reduce("", String::concat);
        }
        assertThat(history).contains("\"user\":\"" + hash + "\"").contains("retry-session");
        Await.until("the events delivered to the stand-in Loki", Duration.ofSeconds(30),
                () -> LOKI.streams().values().stream().flatMap(List::stream)
                        .anyMatch(e -> hash.equals(e.metadata().get("user_email"))));
        try (var files = Files.walk(data)) {
            List<Path> withAddress = files.filter(Files::isRegularFile)
                    .filter(f -> read(f).contains(EMAIL)).toList();
            assertThat(withAddress).as("files under the data directory holding the address").isEmpty();
        }
    }

    @Test
    void badUsageQueriesAre400OnTheManagementPort() throws Exception {
        for (String q : List.of("since=-999999999-01-01", "until=%2B999999999-12-31", "since=2026-02-30",
                "since=2026-11-23&until=2026-11-22", "timezone=Mars/Olympus", "group=" + "x".repeat(5000))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                    + "/api/usage?" + q)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(q + ": " + r.body()).isEqualTo(400);
            assertThat(r.body()).as(q).containsAnyOf("is a day from 2000-01-01 to 9999-12-31", "is YYYY-MM-DD",
                    "since must be on or before until", "IANA zone id", "at most 64 are accepted");
        }
    }

    private static String read(Path f) {
        try {
            return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return ""; // a segment removed while walking
        }
    }

    private static String hmac(byte[] key, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }
}
