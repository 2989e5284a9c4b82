package dev.odin.usage;

import static dev.odin.usage.Transcripts.assistant;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Usage accounting end to end: a transcript written under the transcripts directory is followed
 * by the claude-transcripts route into the usage metrics and the usage API; Claude Code's
 * api_request events (the captured session) count as telemetry usage with the cost cross-check.
 */
class UsageIT extends OdinIntegrationTest {

    @org.springframework.beans.factory.annotation.Autowired
    private dev.odin.config.OdinProperties properties;

    private static final Path TRANSCRIPTS = Transcripts.tempProject("-home-u-odin");
    private static final String TODAY = LocalDate.now(ZoneOffset.UTC).toString();


    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.claude.transcripts-dir", () -> TRANSCRIPTS.getParent().toString());
        r.add("odin.claude.poll-interval", () -> "200ms");
        r.add("odin.claude.machine", () -> "it-box");
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void aTranscriptBecomesUsageMetricsAndAReport() throws Exception {
        String now = TODAY + "T00:00:01Z";
        Files.writeString(TRANSCRIPTS.resolve("5e55.jsonl"),
                assistant("5e55", now, "msg_1", "req_1", "claude-sonnet-4-5-20250929", 4, 120, 6502, 100, 11150, "text", false)
                + assistant("5e55", now, "msg_1", "req_1", "claude-sonnet-4-5-20250929", 4, 120, 6502, 100, 11150, "tool_use", false)
                + "{broken\n");
        String key = "odin_claude_usage_tokens_total{machine=\"it-box\",model=\"claude-sonnet-4-5-20250929\","
                + "project=\"-home-u-odin\",source=\"transcript\",type=\"%s\"}";
        Await.until("transcript usage on /metrics", Duration.ofSeconds(20), () -> scrape().value(String.format(key,
                "output")) != null);
        var metrics = scrape();
        assertThat(metrics.value(String.format(key, "input"))).isEqualTo(4.0);
        assertThat(metrics.value(String.format(key, "output"))).isEqualTo(120.0);
        assertThat(metrics.value(String.format(key, "cacheCreation5m"))).isEqualTo(6502.0);
        assertThat(metrics.value(String.format(key, "cacheCreation1h"))).isEqualTo(100.0);
        assertThat(metrics.value(String.format(key, "cacheRead"))).isEqualTo(11150.0);
        // 4 x 3 + 120 x 15 + 6502 x 3.75 + 100 x 6 + 11150 x 0.30 = 30139.5 USD per million tokens
        assertThat(metrics.value("odin_claude_usage_cost_usd_total{machine=\"it-box\",model=\"claude-sonnet-4-5-20250929\","
                + "project=\"-home-u-odin\",source=\"transcript\"}")).isCloseTo(0.0301395, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(metrics.value("odin_claude_transcript_malformed_total")).isEqualTo(1.0);
        assertThat(metrics.value("odin_claude_sessions{window=\"24h\"}")).isGreaterThanOrEqualTo(1.0);

        JsonNode day = get("/api/usage?group=day&timezone=UTC&since=" + TODAY.replace("-", ""));
        JsonNode row = day.get("rows").get(0);
        assertThat(row.get("date").asText()).isEqualTo(TODAY);
        assertThat(row.get("inputTokens").asLong()).isEqualTo(4);
        assertThat(row.get("outputTokens").asLong()).isEqualTo(120);
        assertThat(row.get("cacheCreationTokens").asLong()).isEqualTo(6602);
        assertThat(row.get("cacheReadTokens").asLong()).isEqualTo(11150);
        assertThat(row.get("totalTokens").asLong()).isEqualTo(17876);
        assertThat(row.get("totalCost").decimalValue()).isEqualByComparingTo("0.0301395");
        assertThat(day.get("totals").get("totalTokens").asLong()).isEqualTo(17876);

        // and as an event beside Claude Code's own (the local event files: no Loki configured)
        Path events = Path.of(properties.getDataDir()).resolve("events");
        Await.until("the transcript_usage event in the event files", Duration.ofSeconds(20), () -> {
            if (!Files.isDirectory(events)) {
                return false;
            }
            try (var files = Files.walk(events)) {
                return files.filter(Files::isRegularFile).anyMatch(f -> {
                    try {
                        String text = Files.readString(f);
                        return text.contains("claude_code.transcript_usage") && text.contains("msg_1");
                    } catch (IOException e) {
                        return false;
                    }
                });
            }
        });
    }

    @Test
    void apiRequestEventsAreTelemetryUsageWithACostCrossCheck() throws Exception {
        assertThat(post("/v1/logs", "application/json", fixture("claude-code/http-json-chat/v1_logs_0005.json"))
                .statusCode()).isEqualTo(200);
        var metrics = scrape();
        String key = "odin_claude_usage_tokens_total{machine=\"testbox\",model=\"claude-sonnet-4-5\",project=\"\","
                + "source=\"telemetry\",type=\"%s\"}";
        assertThat(metrics.value(String.format(key, "input"))).isEqualTo(1200.0);
        assertThat(metrics.value(String.format(key, "output"))).isEqualTo(42.0);
        assertThat(metrics.value(String.format(key, "cacheCreation5m"))).isEqualTo(300.0);
        assertThat(metrics.value(String.format(key, "cacheRead"))).isEqualTo(4000.0);
        assertThat(metrics.value("odin_claude_cost_crosscheck_reported_usd_total{model=\"claude-sonnet-4-5\"}"))
                .isCloseTo(0.006555, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(metrics.value("odin_claude_cost_crosscheck_priced_usd_total{model=\"claude-sonnet-4-5\"}"))
                .isCloseTo(0.006555, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(metrics.value("odin_claude_cost_crosscheck_difference_usd{model=\"claude-sonnet-4-5\"}"))
                .isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void thePageAndBadRequests() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/usage")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<title>Claude Code usage").contains("api/usage?");
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/api/usage?group=fortnight")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("group is day, week, month, session or block");
    }
}
