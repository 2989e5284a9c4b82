package dev.odin.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Privacy rules as configured, in both sinks: series labels on /metrics and Loki's entries. */
class PrivacyIT extends OdinIntegrationTest {

    private static final byte[] KEY = "privacy-it-key-0123456789abcdef!".getBytes(StandardCharsets.US_ASCII);
    private static final StandInLoki LOKI = StandInLoki.open();
    private static final Path KEY_FILE = keyFile();


    private static Path keyFile() {
        try {
            return Files.write(Files.createTempFile("odin-privacy", ".key"), KEY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.loki.url", LOKI::url);
        r.add("odin.loki.batch-wait", () -> "100ms");
        r.add("odin.privacy.hash-key-file", KEY_FILE::toString);
        r.add("odin.privacy.metrics[0].attribute", () -> "user.email");
        r.add("odin.privacy.metrics[0].action", () -> "hash");
        r.add("odin.privacy.metrics[1].pattern", () -> ".*\\.secret");
        r.add("odin.privacy.metrics[1].action", () -> "drop");
        r.add("odin.privacy.metrics[2].attribute", () -> "session.id");
        r.add("odin.privacy.metrics[2].action", () -> "redact");
        r.add("odin.privacy.events[0].attribute", () -> "prompt");
        r.add("odin.privacy.events[0].action", () -> "drop");
        r.add("odin.privacy.events[1].attribute", () -> "user.email");
        r.add("odin.privacy.events[1].action", () -> "hash");
        r.add("odin.privacy.events[2].attribute", () -> "terminal.type");
        r.add("odin.privacy.events[2].action", () -> "redact");
    }

    @AfterAll
    static void stop() throws IOException {
        LOKI.close();
        Files.deleteIfExists(KEY_FILE);
    }

    @Test
    void metricLabelsAreHashedDroppedAndRedacted() throws Exception {
        byte[] body = Otlp.request(Otlp.attrs("service.name", "privacy-it", "deploy.secret", "hunter2"),
                Otlp.sum("privacy.cost", "USD", true, Otlp.CUMULATIVE, Otlp.point(Otlp.attrs("user.email",
                        "dev@example.com", "session.id", "5f1c", "api.secret", "s3cr3t", "model", "claude-sonnet-4-5"),
                        Otlp.T0, Otlp.T0 + Otlp.SECOND, 0.25))).toByteArray();
        assertThat(post("/v1/metrics", "application/x-protobuf", body).statusCode()).isEqualTo(200);
        String hash = AttributeRulesTest.hmac(KEY, "dev@example.com");
        assertThat(scrape().metric("privacy_cost_USD_total")).containsOnlyKeys("privacy_cost_USD_total{job=\"privacy-it\","
                + "model=\"claude-sonnet-4-5\",otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\","
                + "session_id=\"REDACTED\",user_email=\"" + hash + "\"}");
        assertThat(scrape().text()).doesNotContain("dev@example.com").doesNotContain("hunter2").doesNotContain("s3cr3t");
        assertThat(scrape().value("odin_privacy_attributes_total{action=\"drop\",signal=\"metrics\"}")).isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void claudeCodePromptsAreDroppedAndEventAttributesHashedAndRedacted() throws Exception {
        // the captured user_prompt event carries a prompt attribute
        assertThat(post("/v1/logs", "application/json", fixture("claude-code/http-json-chat/v1_logs_0004.json"))
                .statusCode()).isEqualTo(200);
        ExportLogsServiceRequest mine = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "privacy-events")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0)
                        .setBody(AnyValue.newBuilder().setStringValue("claude_code.user_prompt"))
                        .addAllAttributes(Otlp.attrs("user.email", "dev@example.com", "prompt", "my secret plan",
                                "terminal.type", "vscode", "prompt_length", "14"))))).build();
        assertThat(post("/v1/logs", "application/x-protobuf", mine.toByteArray()).statusCode()).isEqualTo(200);
        String selector = "{service_name=\"privacy-events\"}";
        // the stand-in may list a stream before its entries are in: wait for an entry
        Await.until("the event in Loki", Duration.ofSeconds(20), () -> LOKI.streams().containsKey(selector)
                && !LOKI.streams().get(selector).isEmpty());
        Map<String, String> md = LOKI.streams().get(selector).get(0).metadata();
        assertThat(md).containsEntry("user_email", AttributeRulesTest.hmac(KEY, "dev@example.com"))
                .containsEntry("terminal_type", "REDACTED").containsEntry("prompt_length", "14")
                .doesNotContainKey("prompt");
        Await.until("the captured events in Loki", Duration.ofSeconds(20), () -> LOKI.streams().keySet().stream()
                .anyMatch(k -> k.contains("claude-code")));
        List<StandInLoki.Entry> claude = LOKI.streams().entrySet().stream().filter(e -> e.getKey().contains("claude-code"))
                .flatMap(e -> e.getValue().stream()).toList();
        assertThat(claude).isNotEmpty().allSatisfy(e -> assertThat(e.metadata()).doesNotContainKey("prompt")
                .containsEntry("terminal_type", "REDACTED"));
        assertThat(claude).anySatisfy(e -> assertThat(e.line()).isEqualTo("claude_code.user_prompt"));
    }
}
