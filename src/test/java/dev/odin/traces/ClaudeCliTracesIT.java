package dev.odin.traces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.config.OdinProperties;
import dev.odin.testing.Await;
import dev.odin.testing.ClaudeCli;
import dev.odin.testing.ClaudeCli.Protocol;
import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.StandInAnthropic;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Traces from the real Claude Code CLI 2.1.332 (npm): three {@code claude -p} turns against a
 * stand-in Anthropic API with {@code CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1} and
 * {@code OTEL_TRACES_EXPORTER=otlp}, over each OTLP protocol Claude Code speaks (gRPC after one
 * export over that path, as ClaudeCliPricesIT does: at a cold ODIN the CLI's first gRPC export
 * was lost). Each turn
 * sends a {@code claude_code.interaction} span and its {@code claude_code.llm_request} child:
 * ODIN's span metrics count exactly those (with the model label on llm_request), and the trace
 * store answers {@code /api/traces/{id}} for the trace id the turn's api_request event carries
 * with exactly its two spans. Skipped without the CLI locally, failed without it under CI=true.
 */
class ClaudeCliTracesIT extends OdinIntegrationTest {

    static final StandInAnthropic API = StandInAnthropic.start();
    static final Path ROOT = tempDir();
    static final Map<String, Protocol> RUNS = new LinkedHashMap<>();

    static {
        RUNS.put("claude-sonnet-4-6", Protocol.GRPC);
        RUNS.put("claude-haiku-4-5", Protocol.HTTP_PROTOBUF);
        RUNS.put("claude-opus-4-8", Protocol.HTTP_JSON);
    }

    static final String COMMON = "job=\"claude-code\",otel_scope_name=\"spanmetricsconnector\","
            + "service_name=\"claude-code\",span_kind=\"SPAN_KIND_INTERNAL\",";

    static Path tempDir() {
        try {
            return Files.createTempDirectory("odin-claude-traces");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.loki.url", () -> ""); // events in the local files, where the test reads their trace ids
        r.add("odin.claude.transcripts-enabled", () -> "false");
    }

    @AfterAll
    static void stop() throws java.io.IOException {
        API.close();
        try (var files = Files.walk(ROOT)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Autowired
    OdinProperties props;

    final ObjectMapper json = new ObjectMapper();

    @Test
    void theRealClisSpansBecomeSpanMetricsAndAStoredTrace() throws Exception {
        ClaudeCli.require();
        Await.until("ODIN's OTLP receivers", Duration.ofSeconds(60), () -> grpcServer.running()
                && post("/v1/logs", "application/json", "{}".getBytes(StandardCharsets.UTF_8)).statusCode() == 200);
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                .forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .export(io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.getDefaultInstance());
            io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .export(io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Map<String, ClaudeCli.Result> results = new LinkedHashMap<>();
        try {
            Map<String, Future<ClaudeCli.Result>> runs = new LinkedHashMap<>();
            for (var run : RUNS.entrySet()) {
                ClaudeCli cli = ClaudeCli.in(ROOT.resolve("home-" + run.getKey())).api(API)
                        .workDir(ROOT.resolve("work-" + run.getKey()))
                        .telemetry(run.getValue(), run.getValue() == Protocol.GRPC ? grpcEndpoint() : otlpHttp(""))
                        .env("CLAUDE_CODE_ENHANCED_TELEMETRY_BETA", "1").env("OTEL_TRACES_EXPORTER", "otlp");
                runs.put(run.getKey(), pool.submit(() -> cli.print("Say hello.", run.getKey())));
            }
            for (var e : runs.entrySet()) {
                ClaudeCli.Result r = e.getValue().get();
                assertThat(r.exitCode()).as(e.getKey() + ": " + r.stdout() + r.stderr()).isZero();
                assertThat(r.json().path("is_error").asBoolean(true)).as(r.stdout()).isFalse();
                results.put(e.getKey(), r);
            }
        } finally {
            pool.shutdownNow();
        }
        // one Messages API request per turn: one llm_request span each
        assertThat(API.requests()).extracting(StandInAnthropic.Request::model)
                .containsExactlyInAnyOrderElementsOf(RUNS.keySet());

        String interaction = "{" + COMMON + "span_name=\"claude_code.interaction\",status_code=\"STATUS_CODE_UNSET\"}";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(Double.valueOf(3.0).equals(scrape().value("traces_span_metrics_calls_total" + interaction))
                && RUNS.keySet().stream().allMatch(m -> calls(m) != null)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Exposition e = scrape();
        assertThat(e.metric("traces_span_metrics_calls_total")).as("span metrics; the CLIs' stderr: "
                + results.values().stream().map(ClaudeCli.Result::stderr).toList()).hasSize(4);
        assertThat(e.value("traces_span_metrics_calls_total" + interaction)).isEqualTo(3.0);
        assertThat(e.value("traces_span_metrics_duration_seconds_count" + interaction)).isEqualTo(3.0);
        for (String model : RUNS.keySet()) {
            String llm = "{" + COMMON.replace("otel_scope_name", "model=\"" + model + "\",otel_scope_name")
                    + "span_name=\"claude_code.llm_request\",status_code=\"STATUS_CODE_UNSET\",success=\"true\"}";
            assertThat(e.value("traces_span_metrics_calls_total" + llm)).as(model).isEqualTo(1.0);
            assertThat(e.value("traces_span_metrics_duration_seconds_count" + llm)).as(model).isEqualTo(1.0);
            assertThat(e.value("claude_code_llm_request_ttft_seconds_count{job=\"claude-code\",model=\"" + model
                    + "\",otel_scope_name=\"spanmetricsconnector\",service_name=\"claude-code\"}")).as(model).isEqualTo(1.0);
        }
        assertThat(e.metric("traces_span_metrics_calls_total")).as("nothing else counted").hasSize(4);
        assertThat(e.value("odin_traces_store_spans_total")).isEqualTo(6.0);

        // each turn's api_request event names its trace: the store answers it with exactly the turn's two spans
        Map<String, JsonNode> events = apiRequestEvents(results);
        for (String model : RUNS.keySet()) {
            JsonNode event = events.get(model);
            String traceId = event.get("trace_id").asText();
            assertThat(traceId).as(model).matches("[0-9a-f]{32}");
            JsonNode trace = json.readTree(get("/api/traces/" + traceId, 200));
            assertThat(trace.size()).as(model + " " + trace).isEqualTo(2);
            JsonNode llm = null;
            JsonNode turn = null;
            for (JsonNode span : trace) {
                assertThat(span.get("trace_id").asText()).isEqualTo(traceId);
                assertThat(span.get("service_name").asText()).isEqualTo("claude-code");
                assertThat(span.get("attributes").get("session.id").asText()).isEqualTo(results.get(model).sessionId());
                if (span.get("name").asText().equals("claude_code.llm_request")) {
                    llm = span;
                } else {
                    turn = span;
                }
            }
            assertThat(turn.get("name").asText()).isEqualTo("claude_code.interaction");
            assertThat(turn.get("span_id").asText()).as("the event's span").isEqualTo(event.get("span_id").asText());
            assertThat(llm.get("parent_span_id").asText()).isEqualTo(turn.get("span_id").asText());
            assertThat(llm.get("attributes").get("model").asText()).isEqualTo(model);
            assertThat(llm.get("attributes").get("request_id").asText()).isEqualTo(event.get("request_id").asText());
            assertThat(llm.get("attributes").get("input_tokens").asLong()).isEqualTo(1200);
            assertThat(llm.get("attributes").get("output_tokens").asLong()).isEqualTo(42);
        }
    }

    private Double calls(String model) {
        try {
            return scrape().metric("traces_span_metrics_calls_total").entrySet().stream()
                    .filter(x -> x.getKey().contains("model=\"" + model + "\"")).map(x -> Double.valueOf(x.getValue()))
                    .findFirst().orElse(null);
        } catch (Exception ex) {
            return null;
        }
    }

    /** The metadata of each session's api_request event in the local event files, by model. */
    private Map<String, JsonNode> apiRequestEvents(Map<String, ClaudeCli.Result> results) throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Path dir = Path.of(props.getDataDir(), "events");
        Await.until("every api_request event written", Duration.ofSeconds(20), () -> {
            out.clear();
            List<String> lines = new ArrayList<>();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        lines.addAll(Files.readAllLines(p));
                    }
                }
            }
            for (String l : lines) {
                JsonNode n = json.readTree(l);
                JsonNode m = n.path("metadata");
                if ("claude_code.api_request".equals(n.path("line").asText())) {
                    for (var r : results.entrySet()) {
                        if (r.getValue().sessionId().equals(m.path("session_id").asText())) {
                            out.put(r.getKey(), m);
                        }
                    }
                }
            }
            return out.size() == results.size();
        });
        return out;
    }

    private String get(String path, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
        return r.body();
    }
}
