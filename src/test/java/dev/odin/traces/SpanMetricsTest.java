package dev.odin.traces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.config.OdinProperties;
import dev.odin.exporter.prometheus.MetricsProperties;
import dev.odin.exporter.prometheus.MetricsTranslator;
import dev.odin.receiver.otlp.OtlpJson;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.telemetry.OdinMetrics;
import dev.odin.testing.Exposition;
import dev.odin.testing.Fixtures;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpanMetricsTest {

    static final Path TRACES = Fixtures.DIR.resolve("claude-code-2.1.332-traces");

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final AtomicLong nanos = new AtomicLong(1_796_143_300_000_000_000L);
    SeriesStore store;
    MetricsTranslator translator;

    static ExportTraceServiceRequest fixture(String path) throws Exception {
        ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
        new OtlpJson(OtlpJson.Limits.DEFAULTS).merge(Files.readAllBytes(TRACES.resolve(path)), b);
        return b.build();
    }

    Exposition run(int limit, ExportTraceServiceRequest... requests) throws Exception {
        MetricsProperties m = new OdinProperties().getMetrics();
        m.setZeroFirst(false);
        store = new SeriesStore(new StoreLimits(m.getMaxSeries(), m.getMaxSeriesPerMetric(), 10_000,
                m.getSeriesExpiry(), m.isZeroFirst(), m.getMaxSeries(), m.getZeroFirstWindow()), clock);
        OdinMetrics telemetry = new OdinMetrics(new SimpleMeterRegistry());
        telemetry.bindStore(store);
        translator = new MetricsTranslator(m, store, telemetry);
        SpanMetrics spanMetrics = new SpanMetrics(limit, () -> nanos.addAndGet(1_000_000));
        for (ExportTraceServiceRequest r : requests) {
            ExportResult result = new ExportResult(Signal.METRICS, Transport.HTTP);
            translator.translate(spanMetrics.metrics(r), result);
            assertThat(result.rejected()).isZero();
        }
        last = spanMetrics;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, new SeriesCollector(store, Set::of).collect());
        return new Exposition(out.toString(StandardCharsets.UTF_8));
    }

    SpanMetrics last;

    static final String TOOL = "job=\"claude-code\",otel_scope_name=\"spanmetricsconnector\",service_name=\"claude-code\","
            + "span_kind=\"SPAN_KIND_INTERNAL\",";

    @Test
    void toolFixtureGivesTheConnectorsSeriesWithClaudeCodesDimensions() throws Exception {
        Exposition e = run(1000, fixture("http-json-tool/v1_traces_0003.json"));
        String llm = "{" + TOOL.replace("otel_scope_name", "model=\"claude-sonnet-4-5\",otel_scope_name")
                + "span_name=\"claude_code.llm_request\",status_code=\"STATUS_CODE_UNSET\",success=\"true\"}";
        String tool = "{" + TOOL + "span_name=\"claude_code.tool\",status_code=\"STATUS_CODE_UNSET\",tool_name=\"Write\"}";
        String blocked = "{decision=\"accept\"," + TOOL + "span_name=\"claude_code.tool.blocked_on_user\","
                + "status_code=\"STATUS_CODE_UNSET\",tool_name=\"Write\"}";
        String execution = "{" + TOOL + "span_name=\"claude_code.tool.execution\",status_code=\"STATUS_CODE_UNSET\","
                + "success=\"true\",tool_name=\"Write\"}";
        String interaction = "{" + TOOL + "span_name=\"claude_code.interaction\",status_code=\"STATUS_CODE_UNSET\"}";
        assertThat(e.metric("traces_span_metrics_calls_total")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "traces_span_metrics_calls_total" + llm, "2.0",
                "traces_span_metrics_calls_total" + tool, "1.0",
                "traces_span_metrics_calls_total" + blocked, "1.0",
                "traces_span_metrics_calls_total" + execution, "1.0",
                "traces_span_metrics_calls_total" + interaction, "1.0"));
        // 47.204239 ms + 27.701701 ms; the connector's buckets in seconds, 0.05 the first to hold them
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + llm)).isEqualTo(0.07490594);
        assertThat(e.value("traces_span_metrics_duration_seconds_count" + llm)).isEqualTo(2.0);
        assertThat(e.value(bucket(llm, "0.01"))).isEqualTo(0.0);
        assertThat(e.value(bucket(llm, "0.05"))).isEqualTo(2.0);
        assertThat(e.value(bucket(llm, "+Inf"))).isEqualTo(2.0);
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + blocked)).isEqualTo(0.017424665);
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + execution)).isEqualTo(0.017559246);
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + tool)).isEqualTo(0.035601106);
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + interaction)).isEqualTo(0.341661306);
        assertThat(e.value(bucket(interaction, "0.2"))).isEqualTo(0.0);
        assertThat(e.value(bucket(interaction, "0.4"))).isEqualTo(1.0);
        assertThat(e.text()).contains("le=\"0.002\"", "le=\"0.004\"", "le=\"0.006\"", "le=\"0.008\"", "le=\"0.01\"",
                "le=\"0.05\"", "le=\"0.1\"", "le=\"0.2\"", "le=\"0.4\"", "le=\"0.8\"", "le=\"1.0\"", "le=\"1.4\"",
                "le=\"2.0\"", "le=\"5.0\"", "le=\"10.0\"", "le=\"15.0\"", "le=\"+Inf\"");
        assertThat(e.text()).contains("# TYPE traces_span_metrics_duration_seconds histogram");
        // ttft_ms 21 and 11
        String ttft = "{job=\"claude-code\",model=\"claude-sonnet-4-5\",otel_scope_name=\"spanmetricsconnector\","
                + "service_name=\"claude-code\"}";
        assertThat(e.value("claude_code_llm_request_ttft_seconds_sum" + ttft)).isEqualTo(0.032);
        assertThat(e.value("claude_code_llm_request_ttft_seconds_count" + ttft)).isEqualTo(2.0);
        assertThat(e.value("claude_code_llm_request_ttft_seconds_bucket" + ttft.replace("}", ",le=\"0.01\"}")))
                .isEqualTo(0.0);
        assertThat(e.value("claude_code_llm_request_ttft_seconds_bucket" + ttft.replace("}", ",le=\"0.05\"}")))
                .isEqualTo(2.0);
        assertThat(last.overflowed()).isZero();
    }

    static String bucket(String labels, String le) {
        return "traces_span_metrics_duration_seconds_bucket" + labels.replace("}", ",le=\"" + le + "\"}");
    }

    @Test
    void chatFixtureAddsUpAcrossRequests() throws Exception {
        ExportTraceServiceRequest chat = fixture("http-json-chat/v1_traces_0002.json");
        Exposition e = run(1000, chat, fixture("http-json-tool/v1_traces_0003.json"), chat);
        String llm = "{" + TOOL.replace("otel_scope_name", "model=\"claude-sonnet-4-5\",otel_scope_name")
                + "span_name=\"claude_code.llm_request\",status_code=\"STATUS_CODE_UNSET\",success=\"true\"}";
        String interaction = "{" + TOOL + "span_name=\"claude_code.interaction\",status_code=\"STATUS_CODE_UNSET\"}";
        assertThat(e.value("traces_span_metrics_calls_total" + llm)).isEqualTo(4.0);
        assertThat(e.value("traces_span_metrics_calls_total" + interaction)).isEqualTo(3.0);
        // 53.978754 ms, then 47.204239 ms + 27.701701 ms, then 53.978754 ms: one delta point each, added
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + llm))
                .isEqualTo(0.053978754 + 0.07490594 + 0.053978754);
        assertThat(e.value("traces_span_metrics_duration_seconds_sum" + interaction))
                .isEqualTo(0.325523022 + 0.341661306 + 0.325523022);
    }

    static ExportTraceServiceRequest spans(String service, String... names) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        long t = 1_796_143_266_000_000_000L;
        for (String n : names) {
            ss.addSpans(Span.newBuilder().setName(n).setKind(Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(t).setEndTimeUnixNano(t + 3_000_000));
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue(service)))).addScopeSpans(ss)).build();
    }

    @Test
    void labelSetsBeyondTheLimitGoToTheOneOverflowSeries() throws Exception {
        // limit 2: a and b admitted, c and d (and a later c) overflow; a again is still its own
        Exposition e = run(2, spans("svc", "a", "b"), spans("svc", "c", "a", "d"), spans("svc", "c"));
        String common = "job=\"svc\",otel_scope_name=\"spanmetricsconnector\",service_name=\"svc\",";
        assertThat(e.metric("traces_span_metrics_calls_total")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "traces_span_metrics_calls_total{" + common + "span_kind=\"SPAN_KIND_SERVER\",span_name=\"a\","
                        + "status_code=\"STATUS_CODE_UNSET\"}", "2.0",
                "traces_span_metrics_calls_total{" + common + "span_kind=\"SPAN_KIND_SERVER\",span_name=\"b\","
                        + "status_code=\"STATUS_CODE_UNSET\"}", "1.0",
                "traces_span_metrics_calls_total{job=\"svc\",otel_metric_overflow=\"true\","
                        + "otel_scope_name=\"spanmetricsconnector\",service_name=\"svc\"}", "3.0"));
        assertThat(e.value("traces_span_metrics_duration_seconds_count{job=\"svc\",otel_metric_overflow=\"true\","
                + "otel_scope_name=\"spanmetricsconnector\",service_name=\"svc\"}")).isEqualTo(3.0);
        // calls and duration count each: 3 spans per metric
        assertThat(last.overflowed()).isEqualTo(6);
    }

    @Test
    void statusAndKindAreTheConnectorsNames() {
        assertThat(SpanMetrics.kind(Span.SpanKind.SPAN_KIND_CLIENT)).isEqualTo("SPAN_KIND_CLIENT");
        assertThat(SpanMetrics.status(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR))
                .isEqualTo("STATUS_CODE_ERROR");
        assertThat(SpanMetrics.bucket(0.002)).isEqualTo(0);
        assertThat(SpanMetrics.bucket(0.0021)).isEqualTo(1);
        assertThat(SpanMetrics.bucket(15)).isEqualTo(15);
        assertThat(SpanMetrics.bucket(15.001)).isEqualTo(16);
    }
}
