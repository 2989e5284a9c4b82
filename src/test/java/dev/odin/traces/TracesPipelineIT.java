package dev.odin.traces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Await;
import dev.odin.testing.Exposition;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.OdinIntegrationTest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import dev.odin.config.OdinProperties;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The traces pipeline end to end: the captured Claude Code spans over OTLP/HTTP (JSON) and
 * OTLP/gRPC become exact span-metric lines on /metrics, JSON lines under the data dir (read back
 * at /api/traces/{id}), and a forward to odin.traces.otlp-endpoint that survives the endpoint
 * refusing for a while; the events of the same run keep their trace and span ids.
 */
class TracesPipelineIT extends OdinIntegrationTest {

    static final HttpStandIn FORWARD = HttpStandIn.start();
    static final String TOOL_TRACE = "685e4cf31a4312b72f64c38276bacb8d";
    static final String CHAT_TRACE = "9be927d0a6e676cd14aa224ce3521975";
    /** odin.traces.otlp-headers: sent with every forward, never queued nor logged. */
    static final String FORWARD_TOKEN = "trace-forward-token-d41d8cd98f00b204";

    @DynamicPropertySource
    static void forward(DynamicPropertyRegistry r) {
        r.add("odin.traces.otlp-endpoint", () -> FORWARD.url(""));
        r.add("odin.traces.otlp-headers.Authorization", () -> "Bearer " + FORWARD_TOKEN);
        r.add("odin.loki.url", () -> "");
    }

    @AfterAll
    static void close() {
        FORWARD.close();
    }

    @Autowired
    OdinProperties props;

    static final String COMMON = "job=\"claude-code\",otel_scope_name=\"spanmetricsconnector\","
            + "service_name=\"claude-code\",span_kind=\"SPAN_KIND_INTERNAL\",";

    @Test
    void spansBecomeMetricsLinesAndAForwardThatOutlastsAnOutage() throws Exception {
        // the endpoint refuses the first three attempts: the spans wait in the queue, nothing is lost
        FORWARD.failNext(3, 503);
        dev.odin.testing.LogCapture log = dev.odin.testing.LogCapture.root();
        HttpResponse<byte[]> tool = post("/v1/traces", "application/json",
                fixture("claude-code-2.1.332-traces/http-json-tool/v1_traces_0003.json"));
        assertThat(tool.statusCode()).isEqualTo(200);
        ExportTraceServiceRequest chat = SpanMetricsTest.fixture("http-json-chat/v1_traces_0002.json");
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            ClientCalls.blockingUnaryCall(channel, TraceServiceGrpc.getExportMethod(), CallOptions.DEFAULT, chat);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        HttpResponse<byte[]> logs = post("/v1/logs", "application/json",
                fixture("claude-code-2.1.332-traces/http-json-tool/v1_logs_0004.json"));
        assertThat(logs.statusCode()).isEqualTo(200);

        Exposition e = scrape();
        String llm = "{" + COMMON.replace("otel_scope_name", "model=\"claude-sonnet-4-5\",otel_scope_name")
                + "span_name=\"claude_code.llm_request\",status_code=\"STATUS_CODE_UNSET\",success=\"true\"}";
        String blocked = "{decision=\"accept\"," + COMMON + "span_name=\"claude_code.tool.blocked_on_user\","
                + "status_code=\"STATUS_CODE_UNSET\",tool_name=\"Write\"}";
        String execution = "{" + COMMON + "span_name=\"claude_code.tool.execution\",status_code=\"STATUS_CODE_UNSET\","
                + "success=\"true\",tool_name=\"Write\"}";
        String interaction = "{" + COMMON + "span_name=\"claude_code.interaction\",status_code=\"STATUS_CODE_UNSET\"}";
        assertThat(e.value("traces_span_metrics_calls_total" + llm)).isEqualTo(3.0);
        assertThat(e.value("traces_span_metrics_calls_total" + interaction)).isEqualTo(2.0);
        assertThat(e.value("traces_span_metrics_calls_total" + blocked)).isEqualTo(1.0);
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + blocked)).isEqualTo(0.017424665);
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + execution)).isEqualTo(0.017559246);
        assertThat(e.value("traces_span_metrics_duration_seconds_bucket"
                + interaction.replace("}", ",le=\"0.4\"}"))).isEqualTo(2.0);
        assertThat(e.value("traces_span_metrics_duration_seconds_bucket"
                + interaction.replace("}", ",le=\"0.2\"}"))).isEqualTo(0.0);
        String ttft = "{job=\"claude-code\",model=\"claude-sonnet-4-5\",otel_scope_name=\"spanmetricsconnector\","
                + "service_name=\"claude-code\"}";
        assertThat(e.value("claude_code_llm_request_ttft_seconds_count" + ttft)).isEqualTo(3.0);
        assertThat(e.value("odin_traces_store_spans_total")).isEqualTo(8.0);
        assertThat(e.value("odin_otlp_discarded_total{reason=\"no_trace_sink\",signal=\"traces\"}")).isNull();

        // the store: one line per span, today's file
        Path file = Path.of(props.getDataDir(), "traces", "spans-" + LocalDate.now(ZoneOffset.UTC) + ".jsonl");
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(8);
        ObjectMapper json = new ObjectMapper();
        Set<String> traces = new HashSet<>();
        for (String l : lines) {
            JsonNode n = json.readTree(l);
            traces.add(n.get("trace_id").asText());
            // the trace privacy rules ran first: the prompt is not kept
            assertThat(n.get("attributes").has("user_prompt")).isFalse();
        }
        assertThat(traces).containsExactlyInAnyOrder(TOOL_TRACE, CHAT_TRACE);

        // read back on the management port
        JsonNode trace = json.readTree(get("/api/traces/" + TOOL_TRACE, 200));
        assertThat(trace.size()).isEqualTo(6);
        assertThat(get("/api/traces/" + TOOL_TRACE.toUpperCase(), 400)).contains("32 lowercase hex");
        assertThat(get("/api/traces/" + "1".repeat(32), 404)).contains("no span");

        // the event of the tool decision keeps its trace and span id: the jump from the event to the trace
        String decision = eventLines().stream().filter(l -> l.contains("claude_code.tool_decision")).findFirst()
                .orElseThrow();
        JsonNode metadata = json.readTree(decision).get("metadata");
        assertThat(metadata.get("trace_id").asText()).isEqualTo(TOOL_TRACE);
        assertThat(metadata.get("span_id").asText()).isEqualTo("4386719a259c8850");

        // the forward: every span arrives at <endpoint>/v1/traces once the endpoint takes them
        Set<String> forwarded = new HashSet<>();
        Await.until("both requests forwarded", Duration.ofSeconds(60), () -> {
            HttpStandIn.Request r;
            while ((r = FORWARD.next(Duration.ofMillis(200))) != null) {
                assertThat(r.path()).isEqualTo("/v1/traces");
                assertThat(r.header("Authorization")).isEqualTo("Bearer " + FORWARD_TOKEN);
                byte[] body = "gzip".equals(r.header("Content-Encoding"))
                        ? new GZIPInputStream(new ByteArrayInputStream(r.bytes())).readAllBytes() : r.bytes();
                ExportTraceServiceRequest got = ExportTraceServiceRequest.parseFrom(body);
                for (ResourceSpans rs : got.getResourceSpansList()) {
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (Span s : ss.getSpansList()) {
                            forwarded.add(SpanMetrics.hex(s.getSpanId().toByteArray()));
                            assertThat(s.getAttributesList()).noneMatch(kv -> kv.getKey().equals("user_prompt"));
                        }
                    }
                }
            }
            return forwarded.size() >= 8;
        });
        assertThat(forwarded).hasSize(8);
        assertThat(FORWARD.answered()).isGreaterThanOrEqualTo(4);
        // the forward's export requests are counted under its own sender, apart from odin.otlp-export's
        Await.until("the delivered export counted", Duration.ofSeconds(10), () -> scrape().value(
                "odin_otlp_export_requests_total{outcome=\"delivered\",sender=\"traces-export\",signal=\"traces\"}") != null);
        assertThat(scrape().value(
                "odin_otlp_export_requests_total{outcome=\"retry\",sender=\"traces-export\",signal=\"traces\"}"))
                .isGreaterThanOrEqualTo(3.0);
        assertThat(scrape().text()).doesNotContain("sender=\"otlp-export\"");
        // the header's token: in no log line (the refusals were logged) and in nothing under the data dir
        log.close();
        assertThat(log.text()).doesNotContain(FORWARD_TOKEN);
        try (Stream<Path> files = Files.walk(Path.of(props.getDataDir()))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as(f.toString()).doesNotContain(FORWARD_TOKEN);
            }
        }
    }

    private List<String> eventLines() throws Exception {
        List<String> out = new ArrayList<>();
        Path events = Path.of(props.getDataDir(), "events");
        Await.until("events written", Duration.ofSeconds(20), () -> {
            out.clear();
            try (Stream<Path> files = Files.list(events)) {
                for (Path p : files.toList()) {
                    out.addAll(Files.readAllLines(p));
                }
            }
            return out.stream().anyMatch(l -> l.contains("claude_code.tool_decision"));
        });
        return out;
    }

    private String get(String path, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
        return r.body();
    }
}
