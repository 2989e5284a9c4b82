package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Usage by repository and branch end to end: transcripts whose cwd is inside a git checkout (a
 * .git/config with a remote carrying a token) and one that is not, followed by the transcript
 * route into the repository metrics and /api/usage group=project|branch; telemetry of one of the
 * sessions for half its cost, joined to its repository and compared with the transcript's cost.
 */
class RepositoryUsageIT extends OdinIntegrationTest {

    private static final Path TRANSCRIPTS = Transcripts.tempProject("-work-app");
    private static final String SONNET = "claude-sonnet-4-5";

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.claude.transcripts-dir", () -> TRANSCRIPTS.getParent().toString());
        r.add("odin.claude.poll-interval", () -> "200ms");
        r.add("odin.claude.machine", () -> "repo-box");
    }

    private static String line(String session, String cwd, String branch, String msg, long in, long out) {
        String l = Transcripts.assistant(session, Instant.now().toString(), msg, "req-" + msg, SONNET, in, out, 0, 0, 0,
                "text", false).replace("\"cwd\":\"/home/u/proj\"", "\"cwd\":\"" + cwd + "\"");
        return branch == null ? l.replace("\"gitBranch\":\"main\",", "")
                : l.replace("\"gitBranch\":\"main\"", "\"gitBranch\":\"" + branch + "\"");
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    private static ExportLogsServiceRequest apiRequest(String session, long in, long out, double cost) {
        long now = Instant.now().toEpochMilli() * 1_000_000L;
        LogRecord r = LogRecord.newBuilder().setTimeUnixNano(now).setBody(Otlp.value("claude_code.api_request"))
                .addAllAttributes(Otlp.attrs("event.name", "api_request", "session.id", session, "model", SONNET,
                        "input_tokens", in, "output_tokens", out, "cost_usd", cost))
                .build();
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "claude-code",
                        "host.name", "laptop.local")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(r))).build();
    }

    @Test
    void transcriptsInAGitCheckoutCountByRepositoryAndBranchAndTelemetryJoinsThem() throws Exception {
        Path checkout = Files.createTempDirectory("odin-checkout");
        Files.createDirectories(checkout.resolve(".git"));
        Files.writeString(checkout.resolve(".git/config"), "[core]\n\tbare = false\n[remote \"origin\"]\n"
                + "\turl = https://ci-bot:ghp_SECRETTOKEN@github.com/Org/App.git\n"
                + "\tfetch = +refs/heads/*:refs/remotes/origin/*\n");
        Path sub = Files.createDirectories(checkout.resolve("src"));
        Path scratch = Files.createTempDirectory("odin-scratch");

        Pricing pricing = Pricing.builtIn();
        BigDecimal r1 = pricing.cost(SONNET, new TokenUsage(100_000, 10_000, 0, 0, 0));
        BigDecimal r2 = pricing.cost(SONNET, new TokenUsage(50_000, 0, 0, 0, 0));
        Files.writeString(TRANSCRIPTS.resolve("sess-r1.jsonl"), line("sess-r1", sub.toString(), "feature/x", "m1",
                100_000, 10_000));
        Files.writeString(TRANSCRIPTS.resolve("sess-r2.jsonl"), line("sess-r2", scratch.toString(), null, "m2",
                50_000, 0));

        String app = "branch=\"feature/x\",machine=\"repo-box\",repository=\"github.com/Org/App\"";
        String plain = "branch=\"\",machine=\"repo-box\",repository=\"" + scratch + "\"";
        try {
            Await.until("both transcripts on /metrics", Duration.ofSeconds(20), () -> {
                var m = scrape();
                return m.value("odin_claude_repository_cost_usd_total{" + app + ",source=\"transcript\"}") != null
                        && m.value("odin_claude_repository_cost_usd_total{" + plain + ",source=\"transcript\"}") != null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the repository series: " + scrape().text().lines()
                    .filter(l -> l.contains("repositor") || l.contains("odin_claude_usage_cost")).toList(), e);
        }
        var metrics = scrape();
        assertThat(metrics.value("odin_claude_repository_cost_usd_total{" + app + ",source=\"transcript\"}"))
                .isEqualTo(r1.doubleValue());
        assertThat(metrics.value("odin_claude_repository_tokens_total{" + app + ",source=\"transcript\",type=\"input\"}"))
                .isEqualTo(100_000.0);
        assertThat(metrics.value("odin_claude_repository_tokens_total{" + app + ",source=\"transcript\",type=\"output\"}"))
                .isEqualTo(10_000.0);
        assertThat(metrics.value("odin_claude_repository_cost_usd_total{" + plain + ",source=\"transcript\"}"))
                .isEqualTo(r2.doubleValue());
        assertThat(metrics.value("odin_claude_session_repository_info{" + app + ",session_id=\"sess-r1\"}"))
                .isEqualTo(1.0);
        assertThat(metrics.value("odin_claude_telemetry_coverage_transcript_usd_total{machine=\"repo-box\"}"))
                .isEqualTo(r1.doubleValue() + r2.doubleValue());
        assertThat(metrics.value("odin_claude_sessions_without_telemetry{machine=\"repo-box\"}")).isEqualTo(2.0);
        assertThat(metrics.text()).doesNotContain("SECRETTOKEN").doesNotContain("ci-bot");

        // telemetry of sess-r1 for half its cost (from the same machine under its own host name)
        double half = r1.doubleValue() / 2;
        assertThat(post("/v1/logs", "application/x-protobuf", apiRequest("sess-r1", 50_000, 5_000, half).toByteArray())
                .statusCode()).isEqualTo(200);
        metrics = scrape();
        assertThat(metrics.value("odin_claude_telemetry_coverage_telemetry_usd_total{machine=\"repo-box\"}"))
                .isEqualTo(half);
        assertThat(metrics.value("odin_claude_sessions_without_telemetry{machine=\"repo-box\"}")).isEqualTo(1.0);
        assertThat(metrics.value("odin_claude_repository_cost_usd_total{branch=\"feature/x\",machine=\"laptop.local\","
                + "repository=\"github.com/Org/App\",source=\"telemetry\"}")).isEqualTo(half);

        // the report: telemetry of sess-r1 is counted by its transcript, not twice
        JsonNode project = get("/api/usage?group=project&timezone=UTC");
        assertThat(project.get("group").asText()).isEqualTo("project");
        assertThat(project.get("rows")).hasSize(2);
        JsonNode first = project.get("rows").get(0);
        assertThat(first.get("repository").asText()).isEqualTo("github.com/Org/App");
        assertThat(first.get("sessions").asInt()).isEqualTo(1);
        assertThat(first.get("inputTokens").asLong()).isEqualTo(100_000);
        assertThat(first.get("totalCost").decimalValue()).isEqualByComparingTo(r1);
        assertThat(project.get("rows").get(1).get("repository").asText()).isEqualTo(scratch.toString());
        assertThat(project.get("totals").get("totalCost").decimalValue()).isEqualByComparingTo(r1.add(r2));
        JsonNode branch = get("/api/usage?group=branch&timezone=UTC").get("rows");
        assertThat(branch.get(0).get("repository").asText()).isEqualTo("github.com/Org/App");
        assertThat(branch.get(0).get("branch").asText()).isEqualTo("feature/x");
        assertThat(branch.get(1).get("branch").asText()).isEmpty();
    }
}
