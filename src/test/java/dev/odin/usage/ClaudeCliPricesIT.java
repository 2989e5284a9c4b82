package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.ClaudeCli;
import dev.odin.testing.ClaudeCli.Protocol;
import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.StandInAnthropic;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * The price table against the real Claude Code CLI 2.1.332 from npm: for every model it offers,
 * one {@code claude -p} turn against a stand-in Anthropic API (streamed, with cache writes of both
 * lifetimes and cache reads) exporting its telemetry to ODIN (the three OTLP protocols in turn)
 * while ODIN follows the transcript it writes. ODIN's cost of the transcript request must equal
 * Claude Code's own exactly: its api_request cost_usd_micros (the exact figure; cost_usd is a
 * binary double), its claude_code.cost.usage metric at micro-dollar precision, and the
 * cross-check difference must be exactly 0. A model not in the table is counted as unpriced,
 * its transcript cost left empty.
 */
class ClaudeCliPricesIT extends OdinIntegrationTest {

    /** 1,200 in, 42 out, 800 5-minute and 200 1-hour cache writes, 4,000 cache reads: whole micro-dollars for every model. */
    static final StandInAnthropic.Usage TOKENS = new StandInAnthropic.Usage(1200, 42, 800, 200, 4000);

    /** The models Claude Code 2.1.332 offers and their cost for TOKENS, computed by hand from the published rates. */
    static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("claude-opus-5-5", "0.01204"); // 1200x4 + 42x20 + 800x5 + 200x8 + 4000x0.2
        EXPECTED.put("claude-sonnet-5-5", "0.00602"); // x2, x10, x2.5, x4, x0.1
        EXPECTED.put("claude-haiku-5-5", "0.000321"); // x0.1, x0.5, x0.125, x0.2, x0.01
        EXPECTED.put("claude-opus-4-8", "0.01605"); // x5, x25, x6.25, x10, x0.5
        EXPECTED.put("claude-opus-4-7", "0.01605");
        EXPECTED.put("claude-opus-4-6", "0.01605");
        EXPECTED.put("claude-sonnet-4-6", "0.00963"); // x3, x15, x3.75, x6, x0.3
        EXPECTED.put("claude-opus-5", "0.01605");
        EXPECTED.put("claude-sonnet-5", "0.00642"); // x2, x10, x2.5, x4, x0.2
        EXPECTED.put("claude-opus-4-5", "0.01605");
        EXPECTED.put("claude-haiku-4-5", "0.00321"); // x1, x5, x1.25, x2, x0.1
    }

    static final String UNKNOWN = "claude-opus-9-9";
    static final Path ROOT = tempDir();
    static final Path PROJECTS = ROOT.resolve("projects");
    static final StandInAnthropic API = StandInAnthropic.start();

    static Path tempDir() {
        try {
            return Files.createTempDirectory("odin-claude-cli");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

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
        try (var files = Files.walk(ROOT)) { // the CLIs' homes (symbolic links are removed, not followed)
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** One CLI with its own HOME whose transcripts go to the one directory ODIN follows. */
    ClaudeCli cli(String name, Protocol protocol) throws Exception {
        Path home = ROOT.resolve("home-" + name);
        Files.createDirectories(home.resolve(".claude"));
        Files.createDirectories(PROJECTS);
        if (!Files.exists(home.resolve(".claude/projects"))) {
            Files.createSymbolicLink(home.resolve(".claude/projects"), PROJECTS);
        }
        return ClaudeCli.in(home).api(API).workDir(ROOT.resolve("work-" + name))
                .telemetry(protocol, protocol == Protocol.GRPC ? grpcEndpoint() : otlpHttp(""));
    }

    @Test
    void everyModelCostsWhatClaudeCodeSaysToTheMicroDollar() throws Exception {
        ClaudeCli.require();
        API.usage(TOKENS);
        // ODIN ready on both ports first: a CLI's exporter that finds no receiver drops its batch silently
        Await.until("ODIN's OTLP receivers", Duration.ofSeconds(60), () -> grpcServer.running()
                && post("/v1/logs", "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .statusCode() == 200);
        // and warm: one export over each path the CLIs use (the first ones, at a cold ODIN, were lost)
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port())
                .usePlaintext().build();
        try {
            io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .export(io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.getDefaultInstance());
            io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .export(io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
        assertThat(post("/v1/metrics", "application/x-protobuf", new byte[0]).statusCode()).isEqualTo(200);
        List<String> models = new ArrayList<>(EXPECTED.keySet());
        models.add(UNKNOWN);
        Protocol[] protocols = Protocol.values();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Map<String, Future<ClaudeCli.Result>> runs = new LinkedHashMap<>();
        Map<String, ClaudeCli.Result> results = new LinkedHashMap<>();
        try {
            for (int i = 0; i < models.size(); i++) {
                String model = models.get(i);
                ClaudeCli cli = cli(model, protocols[i % protocols.length]);
                runs.put(model, pool.submit(() -> cli.print("Say hello.", model)));
            }
            for (var e : runs.entrySet()) {
                ClaudeCli.Result r = e.getValue().get();
                results.put(e.getKey(), r);
                assertThat(r.exitCode()).as(e.getKey() + ": " + r.stdout() + r.stderr()).isZero();
                assertThat(r.json().path("is_error").asBoolean(true)).as(r.stdout()).isFalse();
                assertThat(r.stderr()).as(e.getKey() + " telemetry flush").doesNotContain("timed out");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(API.requests()).extracting(StandInAnthropic.Request::model).containsAll(models);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!missing(models, costs()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        List<String> missing = missing(models, costs());
        assertThat(missing).as("models without transcript or telemetry usage; have " + show(costs()) + "; their CLI's "
                + missing.stream().map(m -> m + " stderr: " + results.get(m).stderr()).toList()).isEmpty();
        Map<String, BigDecimal[]> costs = costs();
        Exposition metrics = scrape();
        for (var e : EXPECTED.entrySet()) {
            String model = e.getKey();
            BigDecimal transcript = costs.get(model)[0];
            BigDecimal claudeCode = costs.get(model)[1]; // api_request's cost_usd_micros
            assertThat(transcript).as(model + " transcript cost").isEqualByComparingTo(e.getValue());
            assertThat(transcript).as(model + " against Claude Code's cost_usd_micros").isEqualByComparingTo(claudeCode);
            // claude_code.cost.usage is a double (0.010924999999999999): its value at Claude Code's micro-dollar precision
            BigDecimal metric = BigDecimal.valueOf(sum(metrics, "claude_code_cost_usage_USD_total", model))
                    .setScale(6, RoundingMode.HALF_EVEN);
            assertThat(metric).as(model + " claude_code.cost.usage").isEqualByComparingTo(transcript);
            assertThat(metrics.value("odin_claude_cost_crosscheck_difference_usd{model=\"" + model + "\"}"))
                    .as(model + " cross-check difference").isEqualTo(0.0);
            assertThat(metrics.value("odin_claude_unpriced_requests_total{model=\"" + model + "\",source=\"transcript\"}"))
                    .as(model).isNull();
        }
        // the unknown model: tokens counted, no cost, counted as unpriced from both sources
        assertThat(costs.get(UNKNOWN)[0]).isNull();
        assertThat(metrics.value("odin_claude_unpriced_requests_total{model=\"" + UNKNOWN + "\",source=\"transcript\"}"))
                .isEqualTo(1.0);
        assertThat(metrics.value("odin_claude_unpriced_requests_total{model=\"" + UNKNOWN + "\",source=\"telemetry\"}"))
                .isEqualTo(1.0);
        assertThat(metrics.metric("odin_claude_cost_crosscheck_difference_usd")).doesNotContainKey(
                "odin_claude_cost_crosscheck_difference_usd{model=\"" + UNKNOWN + "\"}");
    }

    static List<String> missing(List<String> models, Map<String, BigDecimal[]> c) {
        return models.stream().filter(m -> !(c.containsKey(m) && c.get(m)[1] != null
                && (m.equals(UNKNOWN) ? c.get(m)[2] != null : c.get(m)[0] != null))).toList();
    }

    static String show(Map<String, BigDecimal[]> c) {
        StringBuilder sb = new StringBuilder();
        c.forEach((k, v) -> sb.append(k).append('=').append(java.util.Arrays.toString(v)).append(' '));
        return sb.toString();
    }

    /** Per model: ODIN's transcript cost (null: unpriced), the telemetry cost, the unpriced transcript tokens. */
    Map<String, BigDecimal[]> costs() throws Exception {
        Map<String, BigDecimal[]> out = new LinkedHashMap<>();
        store.read(null, e -> {
            BigDecimal[] c = out.computeIfAbsent(e.model(), k -> new BigDecimal[3]);
            if (UsageEvent.TRANSCRIPT.equals(e.source())) {
                if (e.cost() != null) {
                    c[0] = c[0] == null ? e.cost() : c[0].add(e.cost());
                } else {
                    c[2] = BigDecimal.valueOf(e.tokens().total());
                }
            } else if (UsageEvent.TELEMETRY.equals(e.source()) && e.cost() != null) {
                c[1] = c[1] == null ? e.cost() : c[1].add(e.cost());
            }
        });
        return out;
    }

    static double sum(Exposition metrics, String name, String model) {
        return metrics.metric(name).entrySet().stream().filter(e -> e.getKey().contains("model=\"" + model + "\""))
                .mapToDouble(e -> Double.parseDouble(e.getValue())).sum();
    }
}
