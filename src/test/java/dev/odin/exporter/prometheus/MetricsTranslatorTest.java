package dev.odin.exporter.prometheus;

import static dev.odin.testing.Otlp.CUMULATIVE;
import static dev.odin.testing.Otlp.DELTA;
import static dev.odin.testing.Otlp.SECOND;
import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.exemplar;
import static dev.odin.testing.Otlp.expHistogram;
import static dev.odin.testing.Otlp.expPoint;
import static dev.odin.testing.Otlp.gauge;
import static dev.odin.testing.Otlp.histogram;
import static dev.odin.testing.Otlp.histogramPoint;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static dev.odin.testing.Otlp.summary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.signal.ExportResult;
import dev.odin.testing.Exposition;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTranslatorTest {

    private static final List<KeyValue> CLAUDE = attrs("service.name", "claude-code", "service.version", "2.1.330",
            "machine.name", "testbox");
    private static final String SCOPE = "otel_scope_name=\"test.scope\",otel_scope_version=\"1.0\"";

    private final TranslatorHarness h = new TranslatorHarness();

    private static NumberDataPoint cost(String session, long start, long time, double v) {
        return point(attrs("session.id", session, "model", "opus"), start, time, v);
    }

    @Test
    void deltaCounterAccumulatesAndIsExposedAtZeroForItsZeroFirstWindow() {
        h.send(request(CLAUDE, sum("claude_code.cost.usage", "USD", true, DELTA, cost("s1", T0, T0 + SECOND, 0.25))));
        h.send(request(CLAUDE, sum("claude_code.cost.usage", "USD", true, DELTA,
                cost("s1", T0 + SECOND, T0 + 2 * SECOND, 0.5))));
        String key = "claude_code_cost_usage_USD_total{job=\"claude-code\",model=\"opus\"," + SCOPE
                + ",session_id=\"s1\"}";
        // any number of scrapes (any scraper) within the window sees 0; none takes it from another
        for (int i = 0; i < 5; i++) {
            assertThat(h.scrape().samples()).containsEntry(key, "0.0");
            assertThat(h.scrapeOpenMetrics()).contains(key + " 0.0");
        }
        h.clock.advance(h.store.limits().zeroFirstWindow().minusMillis(1));
        assertThat(h.scrape().samples()).containsEntry(key, "0.0");
        h.clock.advance(java.time.Duration.ofMillis(1));
        assertThat(h.scrape().samples()).containsEntry(key, "0.75");
        h.send(request(CLAUDE, sum("claude_code.cost.usage", "USD", true, DELTA,
                cost("s1", T0 + 2 * SECOND, T0 + 3 * SECOND, 0.125))));
        assertThat(h.scrape().value(key)).isEqualTo(0.875);
    }

    @Test
    void zeroFirstCanBeTurnedOff() {
        TranslatorHarness off = new TranslatorHarness(m -> m.setZeroFirst(false));
        off.send(request(CLAUDE, sum("c", "", true, DELTA, point(attrs(), T0, T0 + SECOND, 3))));
        assertThat(off.scrape().metric("c_total").values()).containsExactly("3.0");
    }

    @Test
    void cumulativeCounterNewestPointWinsAndIsNotHeldAtZero() {
        h.send(request(CLAUDE, sum("requests", "", true, CUMULATIVE, point(attrs(), T0, T0 + 10 * SECOND, 10))));
        h.send(request(CLAUDE, sum("requests", "", true, CUMULATIVE, point(attrs(), T0, T0 + 20 * SECOND, 25))));
        ExportResult late = h.send(request(CLAUDE, sum("requests", "", true, CUMULATIVE,
                point(attrs(), T0, T0 + 15 * SECOND, 17))));
        assertThat(late.rejected()).isEqualTo(1);
        assertThat(late.message()).contains("older");
        assertThat(h.scrape().metric("requests_total"))
                .containsExactly(Map.entry("requests_total{job=\"claude-code\"," + SCOPE + "}", "25.0"));
    }

    @Test
    void createdTimestampIsTheStartTime() {
        h.send(request(CLAUDE, sum("requests", "", true, CUMULATIVE, point(attrs(), T0, T0 + 10 * SECOND, 10))));
        String om = h.scrapeOpenMetrics();
        assertThat(om).contains("requests_created{job=\"claude-code\"," + SCOPE + "} " + (T0 / 1_000_000_000L) + ".0");
    }

    @Test
    void gaugeNewestTimestampWins() {
        h.send(request(CLAUDE, gauge("temp", "Cel", point(attrs("zone", "a"), 0, T0 + 20 * SECOND, 40))));
        h.send(request(CLAUDE, gauge("temp", "Cel", point(attrs("zone", "a"), 0, T0 + 10 * SECOND, 99))));
        assertThat(h.scrape().metric("temp_celsius").values()).containsExactly("40.0");
    }

    @Test
    void gaugesCarryNaNAndInfinities() {
        h.send(request(CLAUDE, gauge("g", "", point(attrs("k", "nan"), 0, T0, Double.NaN),
                point(attrs("k", "inf"), 0, T0, Double.POSITIVE_INFINITY),
                point(attrs("k", "-inf"), 0, T0, Double.NEGATIVE_INFINITY))));
        assertThat(h.scrape().metric("g").values()).containsExactlyInAnyOrder("NaN", "+Inf", "-Inf");
    }

    @Test
    void nonFiniteOrNegativeDeltasAreRefusedWithoutTouchingTheTotal() {
        h.send(request(CLAUDE, sum("c", "", true, DELTA, point(attrs(), T0, T0 + SECOND, 2))));
        ExportResult r = h.send(request(CLAUDE, sum("c", "", true, DELTA,
                point(attrs(), T0, T0 + 2 * SECOND, Double.NaN), point(attrs(), T0, T0 + 2 * SECOND, -1),
                point(attrs(), T0, T0 + 2 * SECOND, Double.POSITIVE_INFINITY), point(attrs(), T0, T0 + 3 * SECOND, 1))));
        assertThat(r.rejected()).isEqualTo(3);
        assertThat(r.message()).startsWith("3 data points rejected: metric 'c': delta NaN");
        h.pastZeroFirstWindow();
        assertThat(h.scrape().metric("c_total").values()).containsExactly("3.0");
        assertThat(h.counter("odin.otlp.rejected", "reason", "invalid_point")).isEqualTo(3);
    }

    @Test
    void nonMonotonicSums() {
        h.send(request(CLAUDE, sum("queue.size", "{items}", false, CUMULATIVE, point(attrs(), T0, T0 + SECOND, 7))));
        assertThat(h.scrape().text()).contains("# TYPE queue_size gauge")
                .contains("queue_size{job=\"claude-code\"," + SCOPE + "} 7.0");
        ExportResult r = h.send(request(CLAUDE, sum("queue.delta", "", false, DELTA, point(attrs(), T0, T0, 1))));
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.message()).contains("non-monotonic sum with temporality 1 has no Prometheus form");
        ExportResult u = h.send(request(CLAUDE, sum("unspec", "", true,
                AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED, point(attrs(), T0, T0, 1))));
        assertThat(u.rejected()).isEqualTo(1);
        // a temporality number from a future OTLP (found by ReceiverFuzzIT): refused, not a crash
        var future = request(CLAUDE, sum("future", "", true, CUMULATIVE, point(attrs(), T0, T0, 1))).toBuilder();
        future.getResourceMetricsBuilder(0).getScopeMetricsBuilder(0).getMetricsBuilder(0).getSumBuilder()
                .setAggregationTemporalityValue(7);
        ExportResult f = h.send(future.build());
        assertThat(f.rejected()).isEqualTo(1);
        assertThat(f.message()).contains("sum with temporality 7 has no Prometheus form");
        assertThat(h.scrape().text()).doesNotContain("queue_delta").doesNotContain("unspec").doesNotContain("future");
        assertThat(h.counter("odin.otlp.rejected", "reason", "unsupported_temporality")).isEqualTo(3);
    }

    @Test
    void ratioForUnitOneGaugesOnly() {
        h.send(request(CLAUDE, gauge("system.cpu.utilization", "1", point(attrs(), 0, T0, 0.5)),
                sum("system.cpu.load", "1", false, CUMULATIVE, point(attrs(), T0, T0, 0.25))));
        assertThat(h.scrape().samples().keySet()).anyMatch(k -> k.startsWith("system_cpu_utilization_ratio{"))
                .anyMatch(k -> k.startsWith("system_cpu_load{"));
    }

    @Test
    void deltaHistogramsMergeWhileBoundsHoldAndRestartWhenTheyChange() {
        double[] b = {0.1, 1};
        h.send(request(CLAUDE, histogram("http.server.request.duration", "s", DELTA,
                histogramPoint(attrs("route", "/a"), T0, T0 + SECOND, 1.5, b, 1, 2, 0))));
        Exposition zero = h.scrape();
        assertThat(zero.metric("http_server_request_duration_seconds_count").values()).containsExactly("0");
        h.pastZeroFirstWindow();
        h.send(request(CLAUDE, histogram("http.server.request.duration", "s", DELTA,
                histogramPoint(attrs("route", "/a"), T0 + SECOND, T0 + 2 * SECOND, 3.0, b, 0, 1, 1))));
        Exposition e = h.scrape();
        String labels = "job=\"claude-code\"," + SCOPE + ",route=\"/a\"";
        assertThat(e.samples()).containsEntry("http_server_request_duration_seconds_bucket{" + labels + ",le=\"0.1\"}", "1")
                .containsEntry("http_server_request_duration_seconds_bucket{" + labels + ",le=\"1.0\"}", "4")
                .containsEntry("http_server_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}", "5")
                .containsEntry("http_server_request_duration_seconds_count{" + labels + "}", "5")
                .containsEntry("http_server_request_duration_seconds_sum{" + labels + "}", "4.5");
        h.send(request(CLAUDE, histogram("http.server.request.duration", "s", DELTA,
                histogramPoint(attrs("route", "/a"), T0 + 2 * SECOND, T0 + 3 * SECOND, 7, new double[] {5}, 0, 2))));
        Exposition restarted = h.scrape();
        assertThat(restarted.samples())
                .containsEntry("http_server_request_duration_seconds_bucket{" + labels + ",le=\"5.0\"}", "0")
                .containsEntry("http_server_request_duration_seconds_count{" + labels + "}", "2")
                .doesNotContainKey("http_server_request_duration_seconds_bucket{" + labels + ",le=\"0.1\"}");
    }

    @Test
    void cumulativeHistogramReplacesAndBadHistogramsAreRefused() {
        double[] b = {1, 2};
        h.send(request(CLAUDE, histogram("h", "ms", CUMULATIVE, histogramPoint(attrs(), T0, T0 + SECOND, 3, b, 1, 1, 0))));
        h.send(request(CLAUDE, histogram("h", "ms", CUMULATIVE, histogramPoint(attrs(), T0, T0 + 2 * SECOND, 9, b, 2, 2, 1))));
        assertThat(h.scrape().metric("h_milliseconds_count").values()).containsExactly("5");
        var bad = histogramPoint(attrs(), T0, T0 + 3 * SECOND, 1, b, 1, 1, 1).toBuilder().setCount(7).build();
        var shape = histogramPoint(attrs(), T0, T0 + 3 * SECOND, 1, b, 1, 1);
        var order = histogramPoint(attrs(), T0, T0 + 3 * SECOND, 1, new double[] {2, 1}, 1, 1, 1);
        ExportResult r = h.send(request(CLAUDE, histogram("h", "ms", CUMULATIVE, bad, shape, order)));
        assertThat(r.rejected()).isEqualTo(3);
        assertThat(r.message()).contains("count 7 differs from the bucket total 3").contains("2 bucket counts for 2 bounds")
                .contains("increasing");
        assertThat(h.scrape().metric("h_milliseconds_count").values()).containsExactly("5");
    }

    @Test
    void histogramWithoutBucketsIsCountAndSum() {
        var p = io.opentelemetry.proto.metrics.v1.HistogramDataPoint.newBuilder().setStartTimeUnixNano(T0)
                .setTimeUnixNano(T0 + SECOND).setCount(4).setSum(10).build();
        h.send(request(CLAUDE, histogram("plain", "", CUMULATIVE, p)));
        Exposition e = h.scrape();
        assertThat(e.metric("plain_bucket").values()).containsExactly("4");
        assertThat(e.metric("plain_sum").values()).containsExactly("10.0");
    }

    @Test
    void exponentialHistogramsBecomeNativeHistogramsMergedAtTheCoarserScale() {
        // scale 1: base sqrt(2); OTLP buckets 0,1 cover (1, 1.41], (1.41, 2]
        h.send(request(CLAUDE, expHistogram("latency", "s", DELTA, expPoint(attrs(), T0, T0 + SECOND, 1, 1, 3.0, 0, 1, 1))));
        h.pastZeroFirstWindow();
        // scale 0: base 2; OTLP bucket 1 covers (2, 4]
        h.send(request(CLAUDE, expHistogram("latency", "s", DELTA, expPoint(attrs(), T0 + SECOND, T0 + 2 * SECOND, 0, 0, 3.0, 1, 2))));
        HistogramSnapshot.HistogramDataPointSnapshot p = nativePoint("latency_seconds");
        assertThat(p.getNativeSchema()).isEqualTo(0);
        assertThat(p.getNativeZeroCount()).isEqualTo(1);
        assertThat(p.getCount()).isEqualTo(5);
        assertThat(p.getSum()).isEqualTo(6.0);
        // OTLP buckets 0 and 1 at scale 1 both fold into OTLP bucket 0 at scale 0 = native index 1
        assertThat(p.getNativeBucketsForPositiveValues().getBucketIndex(0)).isEqualTo(1);
        assertThat(p.getNativeBucketsForPositiveValues().getCount(0)).isEqualTo(2);
        assertThat(p.getNativeBucketsForPositiveValues().getBucketIndex(1)).isEqualTo(2);
        assertThat(p.getNativeBucketsForPositiveValues().getCount(1)).isEqualTo(2);
        // text scrapes get the documented fallback: count, sum and the +Inf bucket
        Exposition text = h.scrape();
        assertThat(text.metric("latency_seconds_bucket").values()).containsExactly("5");
        assertThat(text.metric("latency_seconds_count").values()).containsExactly("5");
    }

    @Test
    void exponentialScalesAboveEightAreReducedAndBelowMinusFourRefused() {
        h.send(request(CLAUDE, expHistogram("fine", "", CUMULATIVE, expPoint(attrs(), T0, T0 + SECOND, 10, 0, 1, 0, 1, 1, 1, 1, 1))));
        HistogramSnapshot.HistogramDataPointSnapshot p = nativePoint("fine");
        assertThat(p.getNativeSchema()).isEqualTo(8);
        assertThat(p.getCount()).isEqualTo(5);
        assertThat(p.getNativeBucketsForPositiveValues().getCount(0) + p.getNativeBucketsForPositiveValues().getCount(1))
                .isEqualTo(5);
        ExportResult r = h.send(request(CLAUDE, expHistogram("coarse", "", CUMULATIVE, expPoint(attrs(), T0, T0, -5, 0, 1, 0, 1))));
        assertThat(r.rejected()).isEqualTo(1);
    }

    private HistogramSnapshot.HistogramDataPointSnapshot nativePoint(String name) {
        for (MetricSnapshot s : h.collect()) {
            if (s.getMetadata().getName().equals(name)) {
                return ((HistogramSnapshot) s).getDataPoints().get(0);
            }
        }
        throw new AssertionError(name + " not exposed");
    }

    @Test
    void summaries() {
        SummaryDataPoint p = SummaryDataPoint.newBuilder().setStartTimeUnixNano(T0).setTimeUnixNano(T0 + SECOND)
                .setCount(10).setSum(55)
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(5))
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(9.9))
                .build();
        h.send(request(CLAUDE, summary("rpc.duration", "ms", p)));
        Exposition e = h.scrape();
        String labels = "job=\"claude-code\"," + SCOPE;
        assertThat(e.samples()).containsEntry("rpc_duration_milliseconds{" + labels + ",quantile=\"0.5\"}", "5.0")
                .containsEntry("rpc_duration_milliseconds{" + labels + ",quantile=\"0.99\"}", "9.9")
                .containsEntry("rpc_duration_milliseconds_count{" + labels + "}", "10")
                .containsEntry("rpc_duration_milliseconds_sum{" + labels + "}", "55.0");
    }

    @Test
    void noRecordedValueFlagRemovesTheSeries() {
        h.send(request(CLAUDE, sum("up.time", "s", true, CUMULATIVE, point(attrs("k", "v"), T0, T0 + SECOND, 5))));
        assertThat(h.scrape().metric("up_time_seconds_total")).hasSize(1);
        NumberDataPoint stale = point(attrs("k", "v"), T0, T0 + 2 * SECOND, 0).toBuilder().setFlags(1).build();
        h.send(request(CLAUDE, sum("up.time", "s", true, CUMULATIVE, stale)));
        assertThat(h.scrape().metric("up_time_seconds_total")).isEmpty();
        assertThat(h.counter("odin.series.dropped", "reason", "stale")).isEqualTo(1);
    }

    @Test
    void idleSeriesExpire() {
        TranslatorHarness e = new TranslatorHarness(m -> m.setSeriesExpiry(Duration.ofMinutes(10)));
        e.send(request(CLAUDE, gauge("a", "", point(attrs("k", "1"), 0, T0, 1))));
        e.clock.advance(Duration.ofMinutes(6));
        e.send(request(CLAUDE, gauge("a", "", point(attrs("k", "2"), 0, T0, 2))));
        e.clock.advance(Duration.ofMinutes(5));
        assertThat(e.store.expire()).isEqualTo(1); // k=1; target_info was refreshed at minute 6
        assertThat(e.scrape().metric("a").values()).containsExactly("2.0");
        e.clock.advance(Duration.ofMinutes(6));
        assertThat(e.store.expire()).isEqualTo(2); // k=2 and target_info
        assertThat(e.store.liveSeries()).isZero();
        assertThat(e.scrape().samples()).isEmpty();
        assertThat(e.counter("odin.series.dropped", "reason", "expired")).isEqualTo(3);
        e.clock.advance(Duration.ofMinutes(11));
        e.store.expire();
        assertThat(e.store.familyCount()).isZero(); // empty families go too, so names cannot pile up
        e.send(request(CLAUDE, gauge("a", "", point(attrs("k", "3"), 0, T0, 3))));
        assertThat(e.scrape().metric("a").values()).containsExactly("3.0");
    }

    @Test
    void firstTypeWinsAndTheConflictIsCounted() {
        h.send(request(CLAUDE, gauge("dual", "", point(attrs(), 0, T0, 1))));
        ExportResult r = h.send(request(CLAUDE, sum("dual", "", false, CUMULATIVE, point(attrs(), T0, T0, 2)),
                histogram("dual", "", CUMULATIVE, histogramPoint(attrs(), T0, T0, 1, new double[0], 1))));
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.message()).contains("dual is already a gauge, not a histogram");
        assertThat(h.scrape().metric("dual").values()).containsExactly("2.0");
        assertThat(h.counter("odin.metric.conflicts", "kind", "type")).isEqualTo(1);
    }

    @Test
    void attributesThatCollideAreJoinedInKeyOrder() {
        h.send(request(CLAUDE, gauge("c", "", point(attrs("a_b", "second", "a.b", "first", "x", "1"), 0, T0, 1))));
        assertThat(h.scrape().metric("c").keySet()).containsExactly(
                "c{a_b=\"first;second\",job=\"claude-code\"," + SCOPE + ",x=\"1\"}");
    }

    @Test
    void resourceGivesJobInstanceAndTargetInfo() {
        List<KeyValue> res = attrs("service.name", "api", "service.namespace", "shop", "service.instance.id", "pod-1",
                "host.name", "node-a", "k8s.pod.uid", "123");
        h.send(request(res, gauge("g", "", point(attrs("host.name", "point"), 0, T0, 1))));
        Exposition e = h.scrape();
        assertThat(e.metric("g").keySet()).containsExactly(
                "g{host_name=\"point\",instance=\"pod-1\",job=\"shop/api\"," + SCOPE + "}");
        assertThat(e.metric("target_info").keySet()).containsExactly(
                "target_info{host_name=\"node-a\",instance=\"pod-1\",job=\"shop/api\",k8s_pod_uid=\"123\"}");
    }

    @Test
    void resourceAttributesOnEverySeriesWinOverPointAttributes() {
        TranslatorHarness r = new TranslatorHarness(m -> m.setResourceToLabels(true));
        r.send(request(attrs("service.name", "api", "host.name", "node-a"),
                gauge("g", "", point(attrs("host.name", "point", "k", "v"), 0, T0, 1))));
        assertThat(r.scrape().metric("g").keySet()).containsExactly(
                "g{host_name=\"node-a\",job=\"api\",k=\"v\"," + SCOPE + ",service_name=\"api\"}");
    }

    @Test
    void scopeLabelsIncludeSchemaAndAttributesAndCanBeTurnedOff() {
        InstrumentationScope scope = InstrumentationScope.newBuilder().setName("lib").setVersion("2")
                .addAllAttributes(attrs("lib.mode", "fast")).build();
        var req = request(attrs("service.name", "svc"), scope, gauge("g", "", point(attrs(), 0, T0, 1)));
        req = req.toBuilder().setResourceMetrics(0, req.getResourceMetrics(0).toBuilder()
                .setScopeMetrics(0, req.getResourceMetrics(0).getScopeMetrics(0).toBuilder()
                        .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0"))).build();
        h.send(req);
        assertThat(h.scrape().metric("g").keySet()).containsExactly("g{job=\"svc\",otel_scope_lib_mode=\"fast\","
                + "otel_scope_name=\"lib\",otel_scope_schema_url=\"https://opentelemetry.io/schemas/1.24.0\","
                + "otel_scope_version=\"2\"}");
        TranslatorHarness off = new TranslatorHarness(m -> m.setScopeLabels(false));
        off.send(req);
        assertThat(off.scrape().metric("g").keySet()).containsExactly("g{job=\"svc\"}");
    }

    @Test
    void underscoreRunsKeptInCompatibilityMode() {
        TranslatorHarness keep = new TranslatorHarness(m -> m.setKeepUnderscoreRuns(true));
        keep.send(request(attrs("service.name", "s"), gauge("g", "", point(attrs("a..b", "1"), 0, T0, 1))));
        h.send(request(attrs("service.name", "s"), gauge("g", "", point(attrs("a..b", "1"), 0, T0, 1))));
        assertThat(keep.scrape().metric("g").keySet()).allMatch(k -> k.contains("a__b=\"1\""));
        assertThat(h.scrape().metric("g").keySet()).allMatch(k -> k.contains("a_b=\"1\""));
    }

    @Test
    void attributeValuesOfEveryType() {
        h.send(request(attrs("service.name", "s"), gauge("g", "", point(attrs("b", true, "i", 42L, "d", 0.1,
                "big", 1e-7), 0, T0, 1))));
        assertThat(h.scrape().metric("g").keySet()).containsExactly(
                "g{b=\"true\",big=\"1e-7\",d=\"0.1\",i=\"42\",job=\"s\"," + SCOPE + "}");
    }

    @Test
    void droppedAttributesMergeDeltaSeries() {
        TranslatorHarness d = dropping();
        d.send(request(CLAUDE, sum("claude_code.cost.usage", "USD", true, DELTA, cost("s1", T0, T0 + SECOND, 1.25),
                cost("s2", T0, T0 + SECOND, 2.5))));
        d.send(request(CLAUDE, sum("claude_code.cost.usage", "USD", true, DELTA, cost("s3", T0, T0 + SECOND, 0.25))));
        d.pastZeroFirstWindow();
        assertThat(d.scrape().metric("claude_code_cost_usage_USD_total")).containsExactly(Map.entry(
                "claude_code_cost_usage_USD_total{job=\"claude-code\",model=\"opus\"," + SCOPE + "}", "4.0"));
    }

    @Test
    void droppedAttributesMergeCumulativeSeriesByIncrementsWithResets() {
        TranslatorHarness d = dropping();
        String name = "claude_code.cost.usage";
        d.send(request(CLAUDE, sum(name, "USD", true, CUMULATIVE, cost("s1", T0, T0 + SECOND, 1),
                cost("s2", T0, T0 + SECOND, 10))));
        d.send(request(CLAUDE, sum(name, "USD", true, CUMULATIVE, cost("s1", T0, T0 + 2 * SECOND, 3),
                cost("s2", T0, T0 + 2 * SECOND, 10))));
        // s1 restarts (new start time, lower value): its new value counts in full
        d.send(request(CLAUDE, sum(name, "USD", true, CUMULATIVE, cost("s1", T0 + 5 * SECOND, T0 + 6 * SECOND, 2))));
        // a repeat of an old reading adds nothing
        ExportResult dup = d.send(request(CLAUDE, sum(name, "USD", true, CUMULATIVE, cost("s2", T0, T0 + 2 * SECOND, 10))));
        assertThat(dup.rejected()).isEqualTo(1);
        assertThat(d.scrape().metric("claude_code_cost_usage_USD_total").values()).containsExactly("15.0");
    }

    private static TranslatorHarness dropping() {
        return new TranslatorHarness(m -> {
            dev.odin.exporter.prometheus.MetricsProperties.DropRule rule = new dev.odin.exporter.prometheus.MetricsProperties.DropRule();
            rule.setMetric("claude_code.*");
            rule.setAttributes(List.of("session.id"));
            m.setDropAttributes(List.of(rule));
        });
    }

    @Test
    void seriesCapsHoldAndDropsAreCounted() {
        TranslatorHarness capped = new TranslatorHarness(m -> {
            m.setMaxSeriesPerMetric(1000);
            m.setMaxSeries(1500);
        });
        int n = 100_000;
        NumberDataPoint[] points = new NumberDataPoint[n];
        for (int i = 0; i < n; i++) {
            points[i] = point(attrs("id", "v" + i), 0, T0, i);
        }
        ExportResult r = capped.send(request(CLAUDE, gauge("wide", "", points)));
        assertThat(r.rejected()).isEqualTo(n - 1000);
        assertThat(r.message()).contains("metric wide already has 1000 series, its limit"
                + " (odin.metrics.max-series-per-metric = 1000)");
        assertThat(capped.store.liveSeries()).isEqualTo(1001); // + target_info
        ExportResult more = capped.send(request(CLAUDE, gauge("other", "", java.util.Arrays.copyOf(points, 1000))));
        assertThat(more.rejected()).isEqualTo(501);
        assertThat(more.message()).contains("the store already holds 1500 series, the total limit"
                + " (odin.metrics.max-series)");
        assertThat(capped.store.liveSeries()).isEqualTo(1500);
        assertThat(capped.counter("odin.series.dropped", "reason", "metric_limit")).isEqualTo(n - 1000);
        assertThat(capped.counter("odin.series.dropped", "reason", "total_limit")).isEqualTo(501);
        assertThat(capped.scrape().metric("wide")).hasSize(1000);
    }

    @Test
    void oversizedLabelValuesAreRefused() {
        String huge = "x".repeat(1_000_000);
        ExportResult r = h.send(request(CLAUDE, gauge("g", "", point(attrs("big", huge), 0, T0, 1),
                point(attrs("small", "ok"), 0, T0, 2))));
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.message()).contains("attribute 'big' is 1000000 characters, over the limit of 4096");
        assertThat(h.scrape().metric("g").values()).containsExactly("2.0");
    }

    @Test
    void aSeriesOfMoreLabelsThanTheLimitIsRefusedAndOneOnItKept() {
        TranslatorHarness capped = new TranslatorHarness(m -> m.setMaxLabelsPerSeries(10));
        // what ODIN adds to every series of this request (job, instance, otel_scope_*): the rest is the attributes'
        capped.send(request(CLAUDE, gauge("base", "", point(attrs(), 0, T0, 1))));
        String base = capped.scrape().metric("base").keySet().iterator().next();
        int added = base.split("=\"", -1).length - 1;
        assertThat(added).isBetween(1, 9);
        List<KeyValue> onTheLimit = new java.util.ArrayList<>();
        for (int i = 0; i < 10 - added; i++) {
            onTheLimit.addAll(attrs("a" + i, "v"));
        }
        List<KeyValue> over = new java.util.ArrayList<>(onTheLimit);
        over.addAll(attrs("one_more", "v"));
        List<KeyValue> thousands = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            thousands.addAll(attrs("k" + i, "x".repeat(4096)));
        }
        ExportResult r = capped.send(request(CLAUDE, gauge("g", "", point(onTheLimit, 0, T0, 1), point(over, 0, T0, 2),
                point(thousands, 0, T0, 3))));
        assertThat(r.rejected()).isEqualTo(2);
        assertThat(r.message()).contains("a series of more than 10 labels, over the limit"
                + " (odin.metrics.max-labels-per-series)");
        assertThat(capped.scrape().metric("g").values()).containsExactly("1.0");
        assertThat(capped.scrape().metric("g").keySet().iterator().next().split("=\"", -1).length - 1).isEqualTo(10);
        assertThat(capped.counter("odin.otlp.rejected", "reason", "too_many_labels")).isEqualTo(2);
    }

    @Test
    void untranslatableNamesAreRefused() {
        ExportResult r = h.send(request(CLAUDE, gauge("...", "", point(attrs(), 0, T0, 1)),
                gauge("gauge.total", "", point(attrs(), 0, T0, 1)), gauge("fine", "", point(attrs(), 0, T0, 1))));
        assertThat(r.rejected()).isEqualTo(2);
        assertThat(r.message()).contains("translates to an empty name").contains("'gauge_total'");
        assertThat(h.scrape().metric("fine")).hasSize(1);
        assertThat(h.counter("odin.translation.errors", "reason", "invalid_name")).isEqualTo(2);
    }

    @Test
    void exemplarsReachOpenMetrics() {
        NumberDataPoint p = point(attrs(), T0, T0 + SECOND, 1).toBuilder()
                .addExemplars(exemplar(1, "0102030405060708090a0b0c0d0e0f10", "1112131415161718")).build();
        h.send(request(CLAUDE, sum("ex", "", true, CUMULATIVE, p)));
        assertThat(h.scrapeOpenMetrics()).contains(
                "# {span_id=\"1112131415161718\",trace_id=\"0102030405060708090a0b0c0d0e0f10\"} 1.0");
    }

    @Test
    void withoutSuffixesCountersKeepTheirExactName() {
        TranslatorHarness plain = new TranslatorHarness(m -> m.setNaming(NamingStrategy.UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES));
        plain.send(request(CLAUDE, sum("claude_code.cost.usage", "USD", true, CUMULATIVE, point(attrs(), T0, T0, 2))));
        assertThat(plain.scrape().metric("claude_code_cost_usage").values()).containsExactly("2.0");
    }

    @Test
    void intValuesAndEmptyMetricsAreFine() {
        NumberDataPoint p = NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsInt(7).build();
        ExportResult r = h.send(request(CLAUDE, gauge("i", "", p), Metric.newBuilder().setName("empty").build()));
        assertThat(r.rejected()).isZero();
        assertThat(r.received()).isEqualTo(1);
        assertThat(h.scrape().metric("i").values()).containsExactly("7.0");
    }
}
