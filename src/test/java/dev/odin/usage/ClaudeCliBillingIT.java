package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.ClaudeCli;
import dev.odin.testing.ClaudeCli.Protocol;
import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.StandInAnthropic;
import dev.odin.testing.StandInAnthropic.Billing;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Fast mode, US-only inference and web searches against the real Claude Code CLI 2.1.332: the
 * stand-in Anthropic API answers with {@code usage.speed: "fast"}, {@code inference_geo: "us"}
 * and {@code server_tool_use.web_search_requests}, Claude Code prices the answer itself (its
 * api_request cost_usd_micros) and writes the usage to its transcript, and ODIN's transcript cost
 * must equal Claude Code's exactly. Telemetry does not carry the region nor the searches (and its
 * {@code speed} is what the CLI asked for, not what was served), so ODIN's telemetry price is the
 * standard one and the cross-check shows exactly the difference.
 */
class ClaudeCliBillingIT extends OdinIntegrationTest {

    /** As ClaudeCliPricesIT: 1,200 in, 42 out, 800 5-minute and 200 1-hour cache writes, 4,000 cache reads. */
    static final StandInAnthropic.Usage TOKENS = ClaudeCliPricesIT.TOKENS;

    record Case(Billing billing, String cost, String standard) {
    }

    static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        // fast rates 30/150/37.5/60/3: 1200x30 + 42x150 + 800x37.5 + 200x60 + 4000x3
        CASES.put("claude-opus-4-6", new Case(new Billing("fast", "", 0), "0.0963", "0.01605"));
        // standard 3/15/3.75/6/0.3 = 0.00963, x1.1 for US-only, + 3 searches x 0.01
        CASES.put("claude-sonnet-4-6", new Case(new Billing("standard", "us", 3), "0.040593", "0.00963"));
        // all three: fast rates 10/50/12.5/20/1 = 0.0321, x1.1, + 2 x 0.01
        CASES.put("claude-opus-4-8", new Case(new Billing("fast", "us", 2), "0.05531", "0.01605"));
    }

    static final Path ROOT = ClaudeCliPricesIT.tempDir();
    static final Path PROJECTS = ROOT.resolve("projects");
    static final StandInAnthropic API = StandInAnthropic.start();

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.claude.transcripts-dir", PROJECTS::toString);
        r.add("odin.claude.poll-interval", () -> "200ms");
        r.add("odin.claude.machine", () -> "cli-box");
    }

    @Autowired
    UsageStore store;

    @AfterAll
    static void stop() throws java.io.IOException {
        API.close();
        try (var files = Files.walk(ROOT)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void fastUsOnlyAndWebSearchesCostWhatClaudeCodeSays() throws Exception {
        ClaudeCli.require();
        API.usage(TOKENS);
        CASES.forEach((model, c) -> API.billing(model, c.billing()));
        Await.until("ODIN's OTLP receiver", Duration.ofSeconds(60), () -> post("/v1/logs", "application/json",
                "{}".getBytes(StandardCharsets.UTF_8)).statusCode() == 200);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Map<String, Future<ClaudeCli.Result>> runs = new LinkedHashMap<>();
        try {
            for (String model : CASES.keySet()) {
                Path home = ROOT.resolve("home-" + model);
                Files.createDirectories(home.resolve(".claude"));
                Files.createDirectories(PROJECTS);
                Files.createSymbolicLink(home.resolve(".claude/projects"), PROJECTS);
                ClaudeCli cli = ClaudeCli.in(home).api(API).workDir(ROOT.resolve("work-" + model))
                        .telemetry(Protocol.HTTP_PROTOBUF, otlpHttp(""));
                runs.put(model, pool.submit(() -> cli.print("Say hello.", model)));
            }
            for (var e : runs.entrySet()) {
                ClaudeCli.Result r = e.getValue().get();
                assertThat(r.exitCode()).as(e.getKey() + ": " + r.stdout() + r.stderr()).isZero();
                assertThat(r.json().path("is_error").asBoolean(true)).as(r.stdout()).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
        Await.until("transcript and telemetry usage of every model", Duration.ofSeconds(30),
                () -> costs().values().stream().filter(c -> c[0] != null && c[1] != null).count() == CASES.size());
        Map<String, BigDecimal[]> costs = costs();
        Exposition metrics = scrape();
        for (var e : CASES.entrySet()) {
            String model = e.getKey();
            BigDecimal expected = new BigDecimal(e.getValue().cost());
            assertThat(costs.get(model)[0]).as(model + " transcript cost").isEqualByComparingTo(expected);
            assertThat(costs.get(model)[1]).as(model + " Claude Code's cost_usd_micros").isEqualByComparingTo(expected);
            assertThat(metrics.value("odin_claude_cost_crosscheck_difference_usd{model=\"" + model + "\"}"))
                    .as(model + " cross-check: what telemetry cannot say")
                    .isEqualTo(expected.subtract(new BigDecimal(e.getValue().standard())).doubleValue());
        }
        // the usage as stored: speed, region and searches kept for the request
        List<TokenUsage> opus48 = new java.util.ArrayList<>();
        store.read(null, ev -> {
            if (UsageEvent.TRANSCRIPT.equals(ev.source()) && "claude-opus-4-8".equals(ev.model())) {
                opus48.add(ev.tokens());
            }
        });
        assertThat(opus48).isNotEmpty().allSatisfy(t -> assertThat(t.fast() && t.usOnly()).isTrue());
        assertThat(opus48.stream().mapToLong(TokenUsage::webSearchRequests).sum()).isEqualTo(2);
    }

    /** Per model: ODIN's transcript cost, Claude Code's own (telemetry). */
    Map<String, BigDecimal[]> costs() throws Exception {
        Map<String, BigDecimal[]> out = new LinkedHashMap<>();
        store.read(null, e -> {
            if (e.cost() == null) {
                return;
            }
            BigDecimal[] c = out.computeIfAbsent(e.model(), k -> new BigDecimal[2]);
            int i = UsageEvent.TRANSCRIPT.equals(e.source()) ? 0 : UsageEvent.TELEMETRY.equals(e.source()) ? 1 : -1;
            if (i >= 0) {
                c[i] = c[i] == null ? e.cost() : c[i].add(e.cost());
            }
        });
        return out;
    }
}
