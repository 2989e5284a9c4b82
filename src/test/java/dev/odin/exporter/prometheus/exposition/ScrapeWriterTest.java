package dev.odin.exporter.prometheus.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.series.CounterSeries;
import dev.odin.series.ExponentialBuckets;
import dev.odin.series.ExponentialHistogramSeries;
import dev.odin.series.GaugeSeries;
import dev.odin.series.HistogramSeries;
import dev.odin.series.InfoSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.series.SummarySeries;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The streamed scrape against client_java's writers over the same content: byte for byte, in all
 * three formats, for every family type the store holds, with the registry's other meters merged
 * in name order, a name filter, and families that need (or fail) client_java's path.
 */
class ScrapeWriterTest {

    private static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli() * 1_000_000L;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private SeriesStore store;
    private PrometheusRegistry registry;
    private SeriesCollector collector;
    private ScrapeWriter writer;
    private final AtomicInteger lastGauge = new AtomicInteger(7);
    private final AtomicInteger firstGauge = new AtomicInteger(1);
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = new OpenMetricsTextFormatWriter(true, false);
    private final ExpositionFormatWriter protobuf = ExpositionFormats.init().getPrometheusProtobufWriter();

    @BeforeEach
    void setUp() {
        store = new SeriesStore(new StoreLimits(1_000_000, 1_000_000, 100, Duration.ofMinutes(10), true), clock);
        registry = new PrometheusRegistry();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, registry,
                io.micrometer.core.instrument.Clock.SYSTEM);
        Counter.builder("odin.test.requests").description("Requests \"seen\"\\n").tag("route", "a\\b")
                .register(meters).increment(3);
        // Micrometer holds a gauge's object weakly: these fields keep them from turning NaN at a GC
        meters.gauge("zzz_last_gauge", lastGauge);
        meters.gauge("aaa_first_gauge", firstGauge);
        collector = new SeriesCollector(store, Set::of);
        registry.register(collector);
        writer = new ScrapeWriter(collector, registry, text, openMetrics, protobuf, false);
    }

    private static Exemplar exemplar(double v, long ms) {
        return Exemplar.builder().value(v).labels(Labels.of("trace_id", "4bf92f3577b34da6", "span_id", "00f067aa"))
                .timestampMillis(ms).build();
    }

    private void fill() throws Exception {
        MetricFamily c = store.family("claude_code_cost_usage_USD_total", MetricFamily.Type.COUNTER,
                "Cost of the session\\ in \"USD\"\nsecond line");
        for (int i = 0; i < 50; i++) {
            CounterSeries s = store.series(c, LabelSet.of("model", i % 2 == 0 ? "sonnet" : "opus", "session_id",
                    "s-" + i, "job", "claude-code", "odd", "quote\" back\\slash new\nline ünï 😀"), false,
                    CounterSeries::create);
            s.setCumulative(i * 0.25, T0 - 10_000_000_000L, T0 + i, i % 3 == 0 ? exemplar(i, 1_700_000_000_123L) : null);
        }
        // delta-born, held at zero for the zero-first window
        MetricFamily d = store.family("delta_held_total", MetricFamily.Type.COUNTER, "");
        store.series(d, LabelSet.of("k", "v"), true, CounterSeries::create).addDelta(1, 5, T0, T0 + 1, null);
        MetricFamily u = store.family("tokens", MetricFamily.Type.COUNTER, "untyped counter");
        store.series(u, LabelSet.of("type", "input"), false, CounterSeries::create).setCumulative(12, T0, T0 + 1, null);
        store.series(u, LabelSet.EMPTY, false, CounterSeries::create).setCumulative(1e21, T0, T0 + 1, null);
        MetricFamily g = store.family("host_temperature_celsius", MetricFamily.Type.GAUGE, "temp");
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e-7, 123456789.0, 42};
        for (int i = 0; i < values.length; i++) {
            store.series(g, LabelSet.of("sensor", "s" + i, "host", "h"), false, GaugeSeries::create).set(values[i], T0);
        }
        MetricFamily info = store.family("target_info", MetricFamily.Type.INFO, "Target metadata");
        store.series(info, LabelSet.of("job", "claude-code", "instance", "i-1", "os_type", "linux"), false,
                InfoSeries::create);
        MetricFamily h = store.family("request_duration_seconds", MetricFamily.Type.HISTOGRAM, "latency");
        for (int i = 0; i < 5; i++) {
            HistogramSeries s = store.series(h, LabelSet.of("route", "r" + i), false, HistogramSeries::create);
            s.setCumulative(new HistogramSeries.Reading(new double[] {0.005, 0.1, 1, 10}, new long[] {1, 2, 3, 4, i},
                    i == 4 ? Double.NaN : 3.5 * i), T0, T0 + 1,
                    i % 2 == 0 ? new Exemplar[] {exemplar(0.05, 1_700_000_000_001L), exemplar(20, 1_700_000_000_002L)}
                            : null);
        }
        HistogramSeries held = store.series(h, LabelSet.of("route", "delta"), true, HistogramSeries::create);
        held.addDelta(1, new HistogramSeries.Reading(new double[] {0.005, 0.1, 1, 10}, new long[] {1, 1, 1, 1, 1}, 2),
                T0, T0 + 1, null);
        MetricFamily e = store.family("rpc_size_bytes", MetricFamily.Type.HISTOGRAM, "native");
        ExponentialHistogramSeries x = store.series(e, LabelSet.of("svc", "a"), false,
                ExponentialHistogramSeries::create);
        x.setCumulative(new ExponentialHistogramSeries.Reading(3, 0.001, 2, new ExponentialBuckets(-2, new long[] {1, 0, 4}),
                new ExponentialBuckets(1, new long[] {2}), 17.25), T0, T0 + 1,
                new Exemplar[] {exemplar(3, 1_700_000_000_010L), exemplar(4, 1_700_000_000_020L)});
        store.series(e, LabelSet.of("svc", "empty"), false, ExponentialHistogramSeries::create);
        MetricFamily sm = store.family("gc_pause_seconds", MetricFamily.Type.SUMMARY, "pauses");
        store.series(sm, LabelSet.of("gc", "g1"), false, SummarySeries::create)
                .set(new double[] {0.99, 0.5}, new double[] {0.2, 0.01}, 10, 1.5, T0, T0 + 1);
        store.series(sm, LabelSet.of("gc", "zgc"), false, SummarySeries::create)
                .set(new double[0], new double[0], 0, Double.NaN, 0, T0 + 1);
        store.family("no_series_yet", MetricFamily.Type.GAUGE, "empty family");
    }

    private byte[] expected(ExpositionFormatWriter w, Predicate<String> included) throws IOException {
        MetricSnapshots s = included == null ? registry.scrape() : registry.scrape(included);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out, s);
        return out.toByteArray();
    }

    private byte[] streamed(ScrapeWriter.Format f, Predicate<String> included) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(f, included, out);
        return out.toByteArray();
    }

    private void assertSame(ExpositionFormatWriter w, ScrapeWriter.Format f, Predicate<String> included)
            throws IOException {
        byte[] want = expected(w, included);
        byte[] got = streamed(f, included);
        if (f == ScrapeWriter.Format.PROTOBUF) {
            assertEquals(HexFormat.of().formatHex(want), HexFormat.of().formatHex(got));
        } else {
            assertEquals(new String(want, StandardCharsets.UTF_8), new String(got, StandardCharsets.UTF_8));
        }
        assertTrue(Arrays.equals(want, got));
    }

    @Test
    void everyTypeIsWrittenAsClientJavaWritesIt() throws Exception {
        fill();
        assertSame(text, ScrapeWriter.Format.TEXT, null);
        assertSame(openMetrics, ScrapeWriter.Format.OPENMETRICS, null);
        assertSame(protobuf, ScrapeWriter.Format.PROTOBUF, null);
        // past the zero-first window the held series show their values
        clock.advance(Duration.ofMinutes(2));
        assertSame(text, ScrapeWriter.Format.TEXT, null);
        assertSame(openMetrics, ScrapeWriter.Format.OPENMETRICS, null);
        assertSame(protobuf, ScrapeWriter.Format.PROTOBUF, null);
        assertEquals(0, store.stats().familiesDropped.sum());
    }

    @Test
    void theNameFilterSelectsStoreFamiliesAndMetersAlike() throws Exception {
        fill();
        Set<String> names = Set.of("request_duration_seconds", "odin_test_requests", "tokens", "target", "nothing");
        for (ScrapeWriter.Format f : ScrapeWriter.Format.values()) {
            ExpositionFormatWriter w = f == ScrapeWriter.Format.TEXT ? text
                    : f == ScrapeWriter.Format.OPENMETRICS ? openMetrics : protobuf;
            assertSame(w, f, names::contains);
            assertSame(w, f, n -> false);
        }
        String om = new String(streamed(ScrapeWriter.Format.OPENMETRICS, names::contains), StandardCharsets.UTF_8);
        assertTrue(om.contains("request_duration_seconds_bucket{"));
        assertTrue(om.contains("odin_test_requests_total"));
        assertFalse(om.contains("host_temperature_celsius"));
        assertTrue(om.endsWith("# EOF\n"));
    }

    @Test
    void aFamilyClientJavaRefusesIsLeftOutAndCountedTheRestIsServed() throws Exception {
        fill();
        // bucket counts that add up past 2^63 - 1: the histogram cannot be written
        MetricFamily h = store.family("overflowing_seconds", MetricFamily.Type.HISTOGRAM, "");
        store.series(h, LabelSet.of("a", "b"), false, HistogramSeries::create).setCumulative(
                new HistogramSeries.Reading(new double[] {1}, new long[] {Long.MAX_VALUE, 5}, 1), T0, T0 + 1, null);
        long before = store.stats().familiesDropped.sum();
        assertSame(text, ScrapeWriter.Format.TEXT, null);
        long afterOne = store.stats().familiesDropped.sum();
        assertEquals(before + 2, afterOne, "client_java's scrape and the streamed one each drop it once");
        byte[] got = streamed(ScrapeWriter.Format.OPENMETRICS, null);
        assertEquals(afterOne + 1, store.stats().familiesDropped.sum(), "the streamed scrape drops it and counts it");
        String om = new String(got, StandardCharsets.UTF_8);
        assertFalse(om.contains("overflowing_seconds"));
        assertTrue(om.contains("host_temperature_celsius{host=\"h\",sensor=\"s6\"} 42.0"));
        assertTrue(om.endsWith("# EOF\n"));
    }

    @Test
    void unpairedSurrogatesAndControlCharactersAreEncodedAsClientJavaEncodesThem() throws Exception {
        MetricFamily g = store.family("odd_values", MetricFamily.Type.GAUGE, "help with \ud800 and tab\t");
        store.series(g, LabelSet.of("v", "lone \ud800 high", "w", "lone \udc00 low\r\t\u0000 end"), false,
                GaugeSeries::create).set(1, T0);
        store.series(g, LabelSet.of("v", "\u00e9\u4e2d\ud83d\ude00\ud83d"), false, GaugeSeries::create).set(2, T0);
        assertSame(text, ScrapeWriter.Format.TEXT, null);
        assertSame(openMetrics, ScrapeWriter.Format.OPENMETRICS, null);
        assertSame(protobuf, ScrapeWriter.Format.PROTOBUF, null);
    }

    @Test
    void dottedLabelNamesGoThroughClientJavaAndComeOutTheSame() throws Exception {
        MetricFamily g = store.family("utf8.gauge", MetricFamily.Type.GAUGE, "dotted");
        store.series(g, LabelSet.of("service.name", "x", "service_a", "y"), false, GaugeSeries::create).set(1, T0);
        store.series(g, LabelSet.of("service.name", "z"), false, GaugeSeries::create).set(2, T0);
        assertSame(text, ScrapeWriter.Format.TEXT, null);
        assertSame(openMetrics, ScrapeWriter.Format.OPENMETRICS, null);
        assertSame(protobuf, ScrapeWriter.Format.PROTOBUF, null);
        assertTrue(new String(streamed(ScrapeWriter.Format.TEXT, null), StandardCharsets.UTF_8)
                .contains("utf8_gauge{service_a=\"y\",service_name=\"x\"} 1.0"));
    }

    @Test
    void aLargeFamilyHoldsTheSameLinesInTheStoresOrder() throws Exception {
        int n = FamilyWriter.SORTED_UP_TO + 5_000;
        MetricFamily c = store.family("big_total", MetricFamily.Type.COUNTER, "many");
        for (int i = 0; i < n; i++) {
            store.series(c, LabelSet.of("id", "series-" + i, "job", "j"), false, CounterSeries::create)
                    .setCumulative(i, T0, T0 + 1, null);
        }
        for (ExpositionFormatWriter w : new ExpositionFormatWriter[] {text, openMetrics}) {
            ScrapeWriter.Format f = w == text ? ScrapeWriter.Format.TEXT : ScrapeWriter.Format.OPENMETRICS;
            String[] want = new String(expected(w, null), StandardCharsets.UTF_8).split("\n");
            String[] got = new String(streamed(f, null), StandardCharsets.UTF_8).split("\n");
            assertEquals(want.length, got.length);
            // metadata first, then the samples in another order
            assertEquals(want[0], got[0]);
            Arrays.sort(want);
            Arrays.sort(got);
            assertTrue(Arrays.equals(want, got), "the same lines");
        }
    }
}
