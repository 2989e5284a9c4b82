package dev.odin.exporter.prometheus.exposition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
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
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_31_1.Metrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The protobuf family writer against client_java's protobuf writer over the same store: both
 * outputs parsed with client_java's own generated classes and compared message by message (and
 * byte for byte where the order is the same), for every series type, exemplars, odd labels,
 * special values, the families that go through client_java or are refused, the sorted size
 * boundary, the name filter, and series that change between the size pass and the write pass.
 */
class ProtobufFamilyWriterTest {

    private static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli() * 1_000_000L;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final ExpositionFormatWriter protobuf = ExpositionFormats.init().getPrometheusProtobufWriter();
    private SeriesStore store;
    private PrometheusRegistry registry;
    private SeriesCollector collector;
    private ScrapeWriter writer;

    @BeforeEach
    void setUp() {
        store = new SeriesStore(new StoreLimits(1_000_000, 1_000_000, 100, Duration.ofMinutes(10), true), clock);
        registry = new PrometheusRegistry();
        collector = new SeriesCollector(store, Set::of);
        registry.register(collector);
        writer = new ScrapeWriter(collector, registry, PrometheusTextFormatWriter.create(),
                new OpenMetricsTextFormatWriter(true, false), protobuf, false);
    }

    static List<Metrics.MetricFamily> parse(byte[] body) throws IOException {
        List<Metrics.MetricFamily> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(body);
        Metrics.MetricFamily f;
        while ((f = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            out.add(f);
        }
        return out;
    }

    private byte[] clientJava(Predicate<String> included) throws IOException {
        MetricSnapshots s = included == null ? registry.scrape() : registry.scrape(included);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        protobuf.write(out, s);
        return out.toByteArray();
    }

    private byte[] streamed(Predicate<String> included) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(ScrapeWriter.Format.PROTOBUF, included, out);
        return out.toByteArray();
    }

    /** Message by message (what a parser sees), then byte for byte. */
    private List<Metrics.MetricFamily> assertAsClientJava(Predicate<String> included) throws IOException {
        byte[] want = clientJava(included);
        byte[] got = streamed(included);
        List<Metrics.MetricFamily> wantMessages = parse(want);
        List<Metrics.MetricFamily> gotMessages = parse(got);
        assertEquals(wantMessages.stream().map(Metrics.MetricFamily::getName).toList(),
                gotMessages.stream().map(Metrics.MetricFamily::getName).toList(), "families");
        for (int i = 0; i < wantMessages.size(); i++) {
            assertEquals(wantMessages.get(i), gotMessages.get(i), "family " + wantMessages.get(i).getName());
        }
        assertEquals(HexFormat.of().formatHex(want), HexFormat.of().formatHex(got));
        return gotMessages;
    }

    private static Exemplar exemplar(double v, long ms, String... labels) {
        Exemplar.Builder b = Exemplar.builder().value(v).labels(Labels.of(labels));
        if (ms != 0) {
            b.timestampMillis(ms);
        }
        return b.build();
    }

    private static Metrics.MetricFamily family(List<Metrics.MetricFamily> all, String name) {
        return all.stream().filter(f -> f.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no family " + name));
    }

    private static ExponentialHistogramSeries.Reading nativeReading(int scale, long zeroCount, int posOffset,
            long[] pos, int negOffset, long[] neg, double sum) {
        return new ExponentialHistogramSeries.Reading(scale, 0.001, zeroCount, new ExponentialBuckets(posOffset, pos),
                new ExponentialBuckets(negOffset, neg), sum);
    }

    private void fillEveryType() throws Exception {
        MetricFamily c = store.family("requests_total", MetricFamily.Type.COUNTER, "Requests \"seen\" ünï\nline");
        for (int i = 0; i < 20; i++) {
            Exemplar ex = switch (i % 5) {
                case 0 -> exemplar(i, 1_700_000_000_123L, "trace_id", "4bf92f3577b34da6", "span_id", "00f067aa");
                case 1 -> exemplar(i, 0, "trace_id", "no-timestamp");
                case 2 -> exemplar(i, 1_700_000_000_000L, "trace_id", "whole-second", "empty", "");
                case 3 -> exemplar(-i, 999, "utf8", "ünï 😀 \"q\"");
                default -> null;
            };
            store.series(c, LabelSet.of("route", "/r/" + i, "job", "j"), false, CounterSeries::create)
                    .setCumulative(i * 1.5, T0 - 10_000_000_000L, T0 + i, ex);
        }
        // delta-born: held at zero (without its exemplar) for the zero-first window
        MetricFamily held = store.family("held_total", MetricFamily.Type.COUNTER, "");
        store.series(held, LabelSet.of("k", "v"), true, CounterSeries::create)
                .addDelta(1, 5, T0, T0 + 1, exemplar(5, 1_700_000_000_001L, "trace_id", "t"));
        MetricFamily u = store.family("tokens", MetricFamily.Type.COUNTER, "an untyped counter");
        double[] untyped = {12, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e21};
        for (int i = 0; i < untyped.length; i++) {
            store.series(u, LabelSet.of("type", "t" + i), false, CounterSeries::create)
                    .setCumulative(untyped[i], T0, T0 + 1, exemplar(1, 1_700_000_000_001L, "trace_id", "dropped"));
        }
        MetricFamily g = store.family("temperature_celsius", MetricFamily.Type.GAUGE, null);
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0, Double.MIN_VALUE,
            Double.MAX_VALUE, 123456789.0};
        for (int i = 0; i < values.length; i++) {
            store.series(g, LabelSet.of("sensor", "s" + i), false, GaugeSeries::create).set(values[i], T0);
        }
        store.series(g, LabelSet.EMPTY, false, GaugeSeries::create).set(1, T0);
        MetricFamily info = store.family("target_info", MetricFamily.Type.INFO, "Target metadata");
        store.series(info, LabelSet.of("job", "claude-code", "instance", "i-1"), false, InfoSeries::create);
        MetricFamily h = store.family("duration_seconds", MetricFamily.Type.HISTOGRAM, "latency");
        long big = 1L << 40;
        for (int i = 0; i < 6; i++) {
            HistogramSeries s = store.series(h, LabelSet.of("route", "r" + i), false, HistogramSeries::create);
            s.setCumulative(new HistogramSeries.Reading(new double[] {-1, 0.005, 0.1, 1, 10},
                    new long[] {0, 1, 127, 128, i == 5 ? big : 3, i}, i == 4 ? Double.NaN : i == 3
                            ? Double.NEGATIVE_INFINITY : 3.5 * i), T0, T0 + 1,
                    i % 2 == 0 ? new Exemplar[] {exemplar(0.05, 1_700_000_000_001L, "trace_id", "a"),
                        exemplar(0.07, 1_700_000_000_009L, "trace_id", "newer in the same bucket"),
                        exemplar(0.06, 1_700_000_000_005L, "trace_id", "older"),
                        exemplar(20, 0, "trace_id", "+Inf bucket")} : null);
        }
        HistogramSeries heldHistogram = store.series(h, LabelSet.of("route", "delta"), true, HistogramSeries::create);
        heldHistogram.addDelta(1, new HistogramSeries.Reading(new double[] {-1, 0.005, 0.1, 1, 10},
                new long[] {1, 1, 1, 1, 1, 1}, 2), T0, T0 + 1, null);
        MetricFamily e = store.family("size_bytes", MetricFamily.Type.HISTOGRAM, "native");
        // gaps of 1, 2, 3 and 4 empty buckets (client_java fills gaps up to 2 and starts a new span
        // after more), a zero count inside the run, counts past a one-byte varint, negative buckets
        store.series(e, LabelSet.of("svc", "gaps"), false, ExponentialHistogramSeries::create).setCumulative(
                nativeReading(3, 2, -3, new long[] {1, 0, 4, 0, 0, 300, 0, 0, 0, 2, 0, 0, 0, 0, 7, 1}, 5,
                        new long[] {2, 0, 0, 0, 0, 9}, 17.25), T0, T0 + 1,
                new Exemplar[] {exemplar(3, 1_700_000_000_010L, "trace_id", "x"),
                    exemplar(4, 1_700_000_000_020L, "trace_id", "newest"), exemplar(5, 0, "trace_id", "no ts")});
        store.series(e, LabelSet.of("svc", "coarse"), false, ExponentialHistogramSeries::create).setCumulative(
                nativeReading(-4, 0, 0, new long[] {5}, 0, new long[0], Double.NaN), T0, T0 + 1,
                new Exemplar[] {exemplar(1, 0, "trace_id", "first, no ts"), exemplar(2, 0, "trace_id", "last, no ts")});
        store.series(e, LabelSet.of("svc", "zero only"), false, ExponentialHistogramSeries::create).setCumulative(
                nativeReading(0, 9, 0, new long[0], 0, new long[0], 0), T0, T0 + 1, null);
        store.series(e, LabelSet.of("svc", "no point yet"), false, ExponentialHistogramSeries::create);
        store.series(e, LabelSet.of("svc", "held"), true, ExponentialHistogramSeries::create).addDelta(1,
                nativeReading(2, 1, 1, new long[] {1, 2}, 0, new long[0], 4), T0, T0 + 1,
                new Exemplar[] {exemplar(3, 1_700_000_000_010L, "trace_id", "x")});
        MetricFamily sm = store.family("pause_seconds", MetricFamily.Type.SUMMARY, "pauses");
        store.series(sm, LabelSet.of("gc", "g1"), false, SummarySeries::create).set(new double[] {0.5, 0.99},
                new double[] {0.01, Double.NaN}, 300, 1.5, T0, T0 + 1);
        store.series(sm, LabelSet.of("gc", "zgc"), false, SummarySeries::create)
                .set(new double[0], new double[0], 0, Double.NaN, 0, T0 + 1);
        store.family("no_series_yet", MetricFamily.Type.GAUGE, "empty family");
        MetricFamily onlyEmpty = store.family("no_point_yet", MetricFamily.Type.HISTOGRAM, "");
        store.series(onlyEmpty, LabelSet.of("a", "b"), false, ExponentialHistogramSeries::create);
    }

    @Test
    void everySeriesTypeParsesToWhatClientJavaWrites() throws Exception {
        fillEveryType();
        List<Metrics.MetricFamily> got = assertAsClientJava(null);
        assertEquals(List.of("duration_seconds", "held_total", "pause_seconds", "requests_total", "size_bytes",
                "target_info", "temperature_celsius", "tokens"), got.stream().map(Metrics.MetricFamily::getName).toList(),
                "families without a point are left out, counters and info carry their suffix");

        Metrics.MetricFamily counters = family(got, "requests_total");
        assertEquals(Metrics.MetricType.COUNTER, counters.getType());
        assertEquals("Requests \"seen\" ünï\nline", counters.getHelp());
        Metrics.Metric first = counters.getMetric(0);
        assertEquals("job", first.getLabel(0).getName());
        assertEquals("/r/0", first.getLabel(1).getValue());
        assertTrue(first.getCounter().hasExemplar());
        assertEquals(1_700_000_000L, first.getCounter().getExemplar().getTimestamp().getSeconds());
        assertEquals(123_000_000, first.getCounter().getExemplar().getTimestamp().getNanos());
        // client_java 1.3's protobuf writer sets no created timestamp; neither does the stream
        assertFalse(first.getCounter().hasCreatedTimestamp());
        assertFalse(family(got, "held_total").getMetric(0).getCounter().hasExemplar());
        assertEquals(0, family(got, "held_total").getMetric(0).getCounter().getValue());

        assertEquals(Metrics.MetricType.UNTYPED, family(got, "tokens").getType());
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(family(got, "tokens").getMetric(1).getUntyped().getValue()));
        assertTrue(Double.isNaN(family(got, "tokens").getMetric(2).getUntyped().getValue()));
        assertFalse(family(got, "temperature_celsius").hasHelp());
        assertEquals(1, family(got, "target_info").getMetric(0).getGauge().getValue());

        Metrics.MetricFamily histograms = family(got, "duration_seconds");
        assertEquals("delta", histograms.getMetric(0).getLabel(0).getValue(), "sorted by label value");
        Metrics.Histogram classic = histograms.getMetric(1).getHistogram();
        assertEquals(6, classic.getBucketCount());
        assertEquals(259, classic.getSampleCount());
        assertEquals(128 + 127 + 1, classic.getBucket(3).getCumulativeCount());
        // the store keeps one exemplar a bucket, the last sent
        assertEquals("older", classic.getBucket(2).getExemplar().getLabel(0).getValue());
        assertEquals("+Inf bucket", classic.getBucket(5).getExemplar().getLabel(0).getValue());
        assertFalse(classic.getBucket(5).getExemplar().hasTimestamp());
        assertEquals(Double.POSITIVE_INFINITY, classic.getBucket(5).getUpperBound());
        assertEquals(0, histograms.getMetric(0).getHistogram().getSampleCount(), "held at zero");

        Metrics.Histogram gaps = family(got, "size_bytes").getMetricList().stream()
                .filter(m -> m.getLabel(0).getValue().equals("gaps")).findFirst().orElseThrow().getHistogram();
        assertEquals(3, gaps.getSchema());
        assertEquals(2 + 1 + 4 + 300 + 2 + 7 + 1 + 2 + 9, gaps.getSampleCount());
        // OTLP offset -3 is Prometheus index -2: buckets -2, 0, 3, 7, 12, 13; gaps of 1 and 2 are
        // filled, the gaps of 3 and 4 start new spans
        assertEquals(List.of(-2, 3, 4), gaps.getPositiveSpanList().stream().map(Metrics.BucketSpan::getOffset).toList());
        assertEquals(List.of(6, 1, 2), gaps.getPositiveSpanList().stream().map(Metrics.BucketSpan::getLength).toList());
        assertEquals(List.of(1L, -1L, 4L, -4L, 0L, 300L, -298L, 5L, -6L),
                gaps.getPositiveDeltaList());
        assertEquals("newest", gaps.getBucket(0).getExemplar().getLabel(0).getValue());
        assertEquals(gaps.getSampleCount(), gaps.getBucket(0).getCumulativeCount());
        Metrics.Histogram coarse = family(got, "size_bytes").getMetricList().stream()
                .filter(m -> m.getLabel(0).getValue().equals("coarse")).findFirst().orElseThrow().getHistogram();
        assertEquals(-4, coarse.getSchema());
        assertFalse(coarse.hasSampleSum());
        assertEquals("last, no ts", coarse.getBucket(0).getExemplar().getLabel(0).getValue());

        Metrics.Summary g1 = family(got, "pause_seconds").getMetric(0).getSummary();
        assertEquals(300, g1.getSampleCount());
        assertTrue(Double.isNaN(g1.getQuantile(1).getValue()));
        assertFalse(family(got, "pause_seconds").getMetric(1).getSummary().hasSampleSum());

        // past the zero-first window the held series show their values and exemplars
        clock.advance(Duration.ofMinutes(2));
        got = assertAsClientJava(null);
        assertTrue(family(got, "held_total").getMetric(0).getCounter().hasExemplar());
        assertEquals(0, store.stats().familiesDropped.sum());
    }

    @Test
    void oddNamesAndLabelValuesAreEncodedAsClientJavaEncodesThem() throws Exception {
        MetricFamily g = store.family("ns:sub:odd_values", MetricFamily.Type.GAUGE, "help é 中 😀 \ud800 \"q\" \\ \n");
        store.series(g, LabelSet.of("_", "quote\" back\\slash new\nline", "x__y", "é中😀", "a_b_c", "lone \ud800 high"),
                false, GaugeSeries::create).set(1, T0);
        store.series(g, LabelSet.of("v", "lone \udc00 low\r\t\u0000 end", "w", "x".repeat(200)), false,
                GaugeSeries::create).set(2, T0);
        store.series(g, LabelSet.of("v", "\ud83d\ude00\ud83d"), false, GaugeSeries::create).set(3, T0);
        List<Metrics.MetricFamily> got = assertAsClientJava(null);
        Metrics.MetricFamily f = got.get(0);
        assertEquals("ns:sub:odd_values", f.getName());
        assertEquals(3, f.getMetricCount());
        assertEquals("x__y", f.getMetric(0).getLabel(2).getName());
        assertEquals("é中😀", f.getMetric(0).getLabel(2).getValue());
        assertEquals("lone ? high", f.getMetric(0).getLabel(1).getValue(), "an unpaired surrogate is sent as '?'");
    }

    @Test
    void familiesThatFailTheChecksGoThroughClientJavaOrAreLeftOut() throws Exception {
        fillEveryType();
        // dotted label names: client_java exposes them with '_' and sorts by that; its path
        MetricFamily dotted = store.family("dotted_gauge", MetricFamily.Type.GAUGE, "dotted");
        store.series(dotted, LabelSet.of("service.name", "x", "service_a", "y"), false, GaugeSeries::create).set(1, T0);
        store.series(dotted, LabelSet.of("service.name", "z"), false, GaugeSeries::create).set(2, T0);
        // bucket counts past 2^63 - 1, and a native bucket count gone negative: refused by both
        MetricFamily h = store.family("overflowing_seconds", MetricFamily.Type.HISTOGRAM, "");
        store.series(h, LabelSet.of("a", "b"), false, HistogramSeries::create).setCumulative(
                new HistogramSeries.Reading(new double[] {1}, new long[] {Long.MAX_VALUE, 5}, 1), T0, T0 + 1, null);
        MetricFamily n = store.family("negative_native", MetricFamily.Type.HISTOGRAM, "");
        store.series(n, LabelSet.of("a", "b"), false, ExponentialHistogramSeries::create).setCumulative(
                nativeReading(0, 0, 0, new long[] {-1}, 0, new long[0], 1), T0, T0 + 1, null);
        long before = store.stats().familiesDropped.sum();
        byte[] want = clientJava(null);
        long clientJavaDropped = store.stats().familiesDropped.sum() - before;
        assertEquals(2, clientJavaDropped);
        List<Metrics.MetricFamily> got = assertAsClientJava(null);
        // counted once by each client_java scrape (two) and once by the streamed one
        assertEquals(3 * clientJavaDropped, store.stats().familiesDropped.sum() - before,
                "the streamed scrape leaves out and counts the same two");
        assertEquals(parse(want), got);
        Metrics.MetricFamily d = family(got, "dotted_gauge");
        assertEquals("service_a", d.getMetric(0).getLabel(0).getName());
        assertFalse(got.stream().anyMatch(f -> f.getName().equals("overflowing_seconds")));
        assertTrue(got.stream().anyMatch(f -> f.getName().equals("temperature_celsius")));
    }

    @Test
    void familiesUpToTheSortedSizeAreInLabelOrderLargerOnesHoldTheSameMetrics() throws Exception {
        int sorted = FamilyWriter.SORTED_UP_TO;
        MetricFamily a = store.family("at_the_boundary_total", MetricFamily.Type.COUNTER, "sorted");
        MetricFamily b = store.family("past_the_boundary_total", MetricFamily.Type.COUNTER, "store order");
        for (int i = 0; i < sorted + 1; i++) {
            if (i < sorted) {
                store.series(a, LabelSet.of("id", "s-" + i), false, CounterSeries::create)
                        .setCumulative(i, T0, T0 + 1, i % 100 == 0 ? exemplar(i, 1_700_000_000_001L, "t", "x") : null);
            }
            store.series(b, LabelSet.of("id", "s-" + i), false, CounterSeries::create)
                    .setCumulative(i, T0, T0 + 1, null);
        }
        byte[] got = streamed(null);
        List<Metrics.MetricFamily> want = parse(clientJava(null));
        List<Metrics.MetricFamily> messages = parse(got);
        assertEquals(2, messages.size());
        assertEquals(want.get(0), messages.get(0), "the family at the boundary is sorted as client_java sorts");
        Metrics.MetricFamily unsorted = messages.get(1);
        assertEquals(sorted + 1, unsorted.getMetricCount());
        assertNotEquals(want.get(1), unsorted, "the larger one is in the store's order");
        Comparator<Metrics.Metric> byId = Comparator.comparing(m -> m.getLabel(0).getValue());
        List<Metrics.Metric> wantMetrics = new ArrayList<>(want.get(1).getMetricList());
        List<Metrics.Metric> gotMetrics = new ArrayList<>(unsorted.getMetricList());
        wantMetrics.sort(byId);
        gotMetrics.sort(byId);
        assertEquals(wantMetrics, gotMetrics);
        assertEquals(want.get(1).toBuilder().clearMetric().build(), unsorted.toBuilder().clearMetric().build());
        assertEquals(clientJava(null).length, got.length);
    }

    @Test
    void theNameFilterSelectsFamilies() throws Exception {
        fillEveryType();
        Set<String> names = Set.of("duration_seconds", "requests", "target", "tokens", "nothing");
        List<Metrics.MetricFamily> got = assertAsClientJava(names::contains);
        assertEquals(List.of("duration_seconds", "requests_total", "target_info", "tokens"),
                got.stream().map(Metrics.MetricFamily::getName).toList());
        assertEquals(0, streamed(n -> false).length);
    }

    /**
     * Between the passes of each family its series change: an exemplar appears, counts cross a
     * varint boundary, buckets and quantiles are added, a series is removed and another added.
     * The family is written as the size pass saw it (the length announced holds), the next scrape
     * shows the change.
     */
    @Test
    void aSeriesThatChangesBetweenThePassesIsWrittenAsTheSizePassSawIt() throws Exception {
        MetricFamily c = store.family("changing_total", MetricFamily.Type.COUNTER, "");
        CounterSeries counter = store.series(c, LabelSet.of("k", "a"), false, CounterSeries::create);
        counter.setCumulative(1, T0, T0 + 1, null);
        MetricFamily h = store.family("changing_seconds", MetricFamily.Type.HISTOGRAM, "");
        HistogramSeries histogram = store.series(h, LabelSet.of("k", "a"), false, HistogramSeries::create);
        histogram.setCumulative(new HistogramSeries.Reading(new double[] {1}, new long[] {100, 27}, 1), T0, T0 + 1,
                null);
        MetricFamily e = store.family("changing_bytes", MetricFamily.Type.HISTOGRAM, "");
        ExponentialHistogramSeries exponential = store.series(e, LabelSet.of("k", "a"), false,
                ExponentialHistogramSeries::create);
        exponential.setCumulative(nativeReading(2, 0, 0, new long[] {1}, 0, new long[0], 1), T0, T0 + 1, null);
        MetricFamily s = store.family("changing_summary", MetricFamily.Type.SUMMARY, "");
        SummarySeries summary = store.series(s, LabelSet.of("k", "a"), false, SummarySeries::create);
        summary.set(new double[0], new double[0], 127, 1, T0, T0 + 1);
        MetricFamily g = store.family("changing_gauge", MetricFamily.Type.GAUGE, "");
        for (String k : new String[] {"a", "b"}) {
            store.series(g, LabelSet.of("k", k), false, GaugeSeries::create).set(1, T0);
        }
        List<Metrics.MetricFamily> before = parse(clientJava(null));

        Consumer<SeriesCollector.Exposed> change = x -> {
            try {
                switch (x.family().name()) {
                    case "changing_total" -> counter.setCumulative(2, T0, T0 + 2,
                            exemplar(2, 1_700_000_000_001L, "trace_id", "appeared between the passes"));
                    case "changing_seconds" -> histogram.setCumulative(new HistogramSeries.Reading(new double[] {1, 2},
                            new long[] {100_000, 27, 1}, 2), T0, T0 + 2, null);
                    case "changing_bytes" -> exponential.setCumulative(nativeReading(2, 5, -9,
                            new long[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}, 4, new long[] {8}, 2), T0, T0 + 2, null);
                    case "changing_summary" -> summary.set(new double[] {0.5, 0.9}, new double[] {1, 2}, 128, 2, T0,
                            T0 + 2);
                    case "changing_gauge" -> {
                        store.remove(g, LabelSet.of("k", "a"));
                        store.series(g, LabelSet.of("k", "c"), false, GaugeSeries::create).set(3, T0);
                    }
                    default -> throw new AssertionError(x.family().name());
                }
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        };
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        ProtobufFamilyWriter w = new ProtobufFamilyWriter(change);
        for (SeriesCollector.Exposed x : collector.exposed(null)) {
            assertEquals(ProtobufFamilyWriter.Outcome.WRITTEN, w.write(x, out, store.nowMillis()));
        }
        out.flush();
        List<Metrics.MetricFamily> got = parse(bytes.toByteArray());
        assertEquals(before, got, "each family as it was before the change");
        assertArrayEquals(HexFormat.of().formatHex(clientJava(null)).toCharArray(),
                HexFormat.of().formatHex(streamed(null)).toCharArray(), "the next scrape has the change");
        assertNotEquals(before, parse(streamed(null)));
    }

    /**
     * Scrapes while another thread changes every kind of series (exemplars come and go, counts
     * grow past varint boundaries, native buckets move, series are removed and added): every
     * scrape parses whole, and each series' message is consistent in itself (a histogram's count
     * is its last bucket's, a native histogram's the sum of its buckets).
     */
    @Test
    void scrapesWhileSeriesChangeAlwaysParse() throws Exception {
        MetricFamily c = store.family("hammer_total", MetricFamily.Type.COUNTER, "");
        MetricFamily h = store.family("hammer_seconds", MetricFamily.Type.HISTOGRAM, "");
        MetricFamily e = store.family("hammer_bytes", MetricFamily.Type.HISTOGRAM, "");
        MetricFamily g = store.family("hammer_gauge", MetricFamily.Type.GAUGE, "");
        List<CounterSeries> counters = new ArrayList<>();
        List<HistogramSeries> histograms = new ArrayList<>();
        List<ExponentialHistogramSeries> natives = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            counters.add(store.series(c, LabelSet.of("i", "" + i), false, CounterSeries::create));
            histograms.add(store.series(h, LabelSet.of("i", "" + i), false, HistogramSeries::create));
            natives.add(store.series(e, LabelSet.of("i", "" + i), false, ExponentialHistogramSeries::create));
            store.series(g, LabelSet.of("i", "" + i), false, GaugeSeries::create).set(i, T0);
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CompletableFuture<Void> changer = java.util.concurrent.CompletableFuture.runAsync(() -> {
            java.util.Random random = new java.util.Random(16);
            long t = T0 + 1;
            try {
                while (!stop.get()) {
                    int i = random.nextInt(40);
                    long n = 1L << random.nextInt(40);
                    t++;
                    counters.get(i).setCumulative(n, T0, t, random.nextBoolean()
                            ? exemplar(n, 1_700_000_000_000L + random.nextInt(100_000), "trace_id", "t" + n) : null);
                    histograms.get(i).setCumulative(new HistogramSeries.Reading(new double[] {1, 10},
                            new long[] {n, random.nextInt(200), 1}, n), T0, t, null);
                    long[] buckets = new long[1 + random.nextInt(12)];
                    buckets[0] = n;
                    buckets[buckets.length - 1] = 1 + random.nextInt(300);
                    natives.get(i).setCumulative(nativeReading(random.nextInt(9) - 4, random.nextInt(3),
                            random.nextInt(20) - 10, buckets, 0, new long[] {random.nextInt(2)}, n), T0, t, null);
                    LabelSet extra = LabelSet.of("i", "extra-" + random.nextInt(20));
                    if (random.nextBoolean()) {
                        store.series(g, extra, false, GaugeSeries::create).set(n, T0);
                    } else {
                        store.remove(g, extra);
                    }
                    changes.incrementAndGet();
                }
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        try {
            for (int scrape = 0; scrape < 300; scrape++) {
                List<Metrics.MetricFamily> got = parse(streamed(null));
                for (Metrics.MetricFamily f : got) {
                    for (Metrics.Metric m : f.getMetricList()) {
                        if (f.getName().equals("hammer_seconds")) {
                            Metrics.Histogram x = m.getHistogram();
                            assertEquals(x.getSampleCount(), x.getBucket(x.getBucketCount() - 1).getCumulativeCount());
                        } else if (f.getName().equals("hammer_bytes")) {
                            Metrics.Histogram x = m.getHistogram();
                            long count = x.getZeroCount();
                            for (List<Long> deltas : List.of(x.getPositiveDeltaList(), x.getNegativeDeltaList())) {
                                long bucket = 0;
                                for (long d : deltas) {
                                    bucket += d;
                                    count += bucket;
                                }
                            }
                            assertEquals(x.getSampleCount(), count);
                        }
                    }
                }
                assertTrue(family(got, "hammer_gauge").getMetricCount() >= 40);
            }
        } finally {
            stop.set(true);
        }
        changer.get();
        assertTrue(changes.get() > 0);
        assertEquals(0, store.stats().familiesDropped.sum());
    }
}
