package dev.odin.exporter.prometheus.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.series.CounterSeries;
import dev.odin.series.ExponentialBuckets;
import dev.odin.series.ExponentialHistogramSeries;
import dev.odin.series.GaugeSeries;
import dev.odin.series.HistogramSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.testing.MutableClock;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_31_1.Metrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The streamed protobuf against client_java's writer for what a hostile or unusual sender can
 * leave in the store that ProtobufFamilyWriterTest does not: classic and native histograms in
 * one family, native histograms at the scale and index limits the OTLP translation lets
 * through, label values at the length limit in multi-byte characters (the reused string array
 * growing and then reused by shorter strings) and with an unpaired surrogate past the array's
 * first size, exemplar timestamps before 1970 and far ahead, and one writer going from family
 * type to family type in a scrape.
 */
class ProtobufFamilyWriterHostileTest {

    private static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli() * 1_000_000L;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final ExpositionFormatWriter protobuf = ExpositionFormats.init().getPrometheusProtobufWriter();
    private SeriesStore store;
    private PrometheusRegistry registry;
    private ScrapeWriter writer;

    @BeforeEach
    void setUp() {
        store = new SeriesStore(new StoreLimits(1_000_000, 1_000_000, 100, Duration.ofMinutes(10), true), clock);
        registry = new PrometheusRegistry();
        SeriesCollector collector = new SeriesCollector(store, Set::of);
        registry.register(collector);
        writer = new ScrapeWriter(collector, registry, PrometheusTextFormatWriter.create(),
                new OpenMetricsTextFormatWriter(true, false), protobuf, false);
    }

    private List<Metrics.MetricFamily> assertAsClientJava() throws IOException {
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        protobuf.write(want, registry.scrape());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        writer.write(ScrapeWriter.Format.PROTOBUF, null, got);
        List<Metrics.MetricFamily> wantMessages = ProtobufFamilyWriterTest.parse(want.toByteArray());
        List<Metrics.MetricFamily> gotMessages = ProtobufFamilyWriterTest.parse(got.toByteArray());
        assertEquals(wantMessages, gotMessages);
        assertEquals(HexFormat.of().formatHex(want.toByteArray()), HexFormat.of().formatHex(got.toByteArray()));
        assertEquals(0, store.stats().familiesDropped.sum(), "nothing refused");
        return gotMessages;
    }

    private static Exemplar exemplar(double v, Long ms, String... labels) {
        Exemplar.Builder b = Exemplar.builder().value(v).labels(Labels.of(labels));
        if (ms != null) {
            b.timestampMillis(ms);
        }
        return b.build();
    }

    private static ExponentialHistogramSeries.Reading reading(int scale, double zeroThreshold, long zeroCount,
            int posOffset, long[] pos, int negOffset, long[] neg, double sum) {
        return new ExponentialHistogramSeries.Reading(scale, zeroThreshold, zeroCount,
                new ExponentialBuckets(posOffset, pos), new ExponentialBuckets(negOffset, neg), sum);
    }

    @Test
    void classicAndNativeHistogramsInOneFamily() throws Exception {
        // OTLP can send one name as a histogram and as an exponential histogram (other labels):
        // the store keeps both kinds in one family
        MetricFamily h = store.family("mixed_seconds", MetricFamily.Type.HISTOGRAM, "both kinds");
        for (int i = 0; i < 6; i++) {
            LabelSet labels = LabelSet.of("k", "s" + i);
            if (i % 2 == 0) {
                store.series(h, labels, false, HistogramSeries::create).setCumulative(new HistogramSeries.Reading(
                        new double[] {0.1, 1}, new long[] {i, 200, 1}, i), T0, T0 + 1,
                        new Exemplar[] {exemplar(0.5, 1_700_000_000_123L, "trace_id", "c" + i)});
            } else {
                store.series(h, labels, false, ExponentialHistogramSeries::create).setCumulative(
                        reading(i, 0.001, i, -i, new long[] {1, 0, 0, 300}, 2, new long[] {7}, 2.5 * i), T0, T0 + 1,
                        new Exemplar[] {exemplar(3, 1_700_000_000_000L + i, "trace_id", "n" + i)});
            }
        }
        List<Metrics.MetricFamily> got = assertAsClientJava();
        Metrics.MetricFamily f = got.get(0);
        assertEquals(6, f.getMetricCount());
        assertEquals(3, f.getMetric(0).getHistogram().getBucketCount(), "classic");
        assertTrue(f.getMetric(1).getHistogram().hasSchema(), "native");
    }

    @Test
    void nativeHistogramsAtTheScaleAndIndexLimits() throws Exception {
        MetricFamily e = store.family("edges_bytes", MetricFamily.Type.HISTOGRAM, "");
        long big = 1L << 61;
        // the finest scale the store holds, buckets at the top and bottom of a double's range
        // (the translation refuses |index| > 1024 * 2^scale)
        store.series(e, LabelSet.of("c", "fine-top"), false, ExponentialHistogramSeries::create).setCumulative(
                reading(8, 0, 0, (1024 << 8) - 3, new long[] {big, 0, big}, -(1024 << 8), new long[] {1, 0, 0, 1},
                        Double.MAX_VALUE), T0, T0 + 1, null);
        // the coarsest scale, both sides at the index limit, a zero threshold at the top of doubles
        store.series(e, LabelSet.of("c", "coarse"), false, ExponentialHistogramSeries::create).setCumulative(
                reading(-4, Double.MAX_VALUE, big, 63, new long[] {1}, -64, new long[] {big}, Double.NEGATIVE_INFINITY),
                T0, T0 + 1, null);
        // buckets further apart than the store's span: held at a coarser scale
        store.series(e, LabelSet.of("c", "far apart"), false, ExponentialHistogramSeries::create).setCumulative(
                reading(8, 1e-300, 0, -200_000, farApart(), 0, new long[0], Double.NaN), T0, T0 + 1,
                new Exemplar[] {exemplar(1, -1L, "trace_id", "before 1970"),
                    exemplar(2, -1_500L, "trace_id", "negative nanos")});
        // gaps of exactly 2 and 3 buckets around varint boundaries of the deltas
        store.series(e, LabelSet.of("c", "gaps"), false, ExponentialHistogramSeries::create).setCumulative(
                reading(0, 0, 0, -64, new long[] {63, 0, 0, 64, 0, 0, 0, 8191, 8192}, 0, new long[0], 1), T0, T0 + 1,
                new Exemplar[] {exemplar(3, Long.MAX_VALUE / 2, "trace_id", "far ahead")});
        Metrics.MetricFamily f = assertAsClientJava().get(0);
        assertEquals(4, f.getMetricCount());
    }

    private static long[] farApart() {
        long[] counts = new long[400_001];
        counts[0] = 1;
        counts[counts.length - 1] = 2;
        return counts;
    }

    @Test
    void longMultiByteLabelValuesAndSurrogatesPastTheFirstArray() throws Exception {
        MetricFamily g = store.family("strings", MetricFamily.Type.GAUGE, "help " + "中".repeat(5000));
        // the longest first (the reused array grows), then shorter ones that must not see its bytes
        store.series(g, LabelSet.of("a", "😀".repeat(2048)), false, GaugeSeries::create).set(1, T0);
        store.series(g, LabelSet.of("a", "é".repeat(4096)), false, GaugeSeries::create).set(2, T0);
        store.series(g, LabelSet.of("a", "x".repeat(4095) + "\ud800"), false, GaugeSeries::create).set(3, T0);
        store.series(g, LabelSet.of("a", "\udc00" + "中".repeat(4095)), false, GaugeSeries::create).set(4, T0);
        store.series(g, LabelSet.of("a", "😀".repeat(2047) + "\ud83d"), false, GaugeSeries::create).set(5, T0);
        store.series(g, LabelSet.of("a", "b"), false, GaugeSeries::create).set(6, T0);
        store.series(g, LabelSet.of("a", ""), false, GaugeSeries::create).set(7, T0);
        MetricFamily c = store.family("texts_total", MetricFamily.Type.COUNTER, "");
        store.series(c, LabelSet.of("a", "é"), false, CounterSeries::create).setCumulative(1, T0, T0 + 1,
                exemplar(1, 1_700_000_000_001L, "trace_id", "中".repeat(40) + "\udbff"));
        List<Metrics.MetricFamily> got = assertAsClientJava();
        Metrics.MetricFamily f = got.get(0);
        assertEquals("b", f.getMetricList().stream().filter(m -> m.getGauge().getValue() == 6).findFirst()
                .orElseThrow().getLabel(0).getValue());
        assertEquals("x".repeat(4095) + "?", f.getMetricList().stream().filter(m -> m.getGauge().getValue() == 3)
                .findFirst().orElseThrow().getLabel(0).getValue());
    }

    @Test
    void exemplarTimestampsBefore1970AndFarAhead() throws Exception {
        MetricFamily c = store.family("stamped_total", MetricFamily.Type.COUNTER, "");
        Long[] stamps = {-1L, -999L, -1000L, -1001L, 0L, 1L, 999L, 1000L, Long.MAX_VALUE, Long.MIN_VALUE, null};
        for (int i = 0; i < stamps.length; i++) {
            store.series(c, LabelSet.of("i", "" + i), false, CounterSeries::create).setCumulative(i, T0, T0 + 1,
                    exemplar(i, stamps[i], "trace_id", "t" + i));
        }
        MetricFamily h = store.family("stamped_seconds", MetricFamily.Type.HISTOGRAM, "");
        store.series(h, LabelSet.of("i", "0"), false, HistogramSeries::create).setCumulative(new HistogramSeries.Reading(
                new double[] {1, 2}, new long[] {1, 1, 1}, 3), T0, T0 + 1,
                new Exemplar[] {exemplar(0.5, -1L), exemplar(1.5, Long.MIN_VALUE), exemplar(9, Long.MAX_VALUE)});
        assertAsClientJava();
    }

    @Test
    void oneWriterThroughFamiliesOfEveryTypeAndSizeInAScrape() throws Exception {
        // the writer's slot arrays grow on a large family and are reused by smaller ones of other types
        MetricFamily a = store.family("a_bytes", MetricFamily.Type.HISTOGRAM, "");
        for (int i = 0; i < 300; i++) {
            store.series(a, LabelSet.of("i", "" + i), false, ExponentialHistogramSeries::create).setCumulative(
                    reading(i % 9 - 4, 0, i, i - 150, new long[] {i + 1L}, 0, new long[0], i), T0, T0 + 1,
                    i % 3 == 0 ? new Exemplar[] {exemplar(i, 1_700_000_000_000L + i, "trace_id", "e" + i)} : null);
        }
        MetricFamily b = store.family("b_total", MetricFamily.Type.COUNTER, "");
        for (int i = 0; i < 5; i++) {
            store.series(b, LabelSet.of("i", "" + i), false, CounterSeries::create).setCumulative(i, T0, T0 + 1,
                    i == 4 ? exemplar(i, 1_700_000_000_000L, "trace_id", "b") : null);
        }
        MetricFamily c = store.family("c_seconds", MetricFamily.Type.HISTOGRAM, "");
        store.series(c, LabelSet.of("i", "0"), false, HistogramSeries::create).setCumulative(
                new HistogramSeries.Reading(new double[] {1}, new long[] {1, 2}, 3), T0, T0 + 1, null);
        MetricFamily d = store.family("d", MetricFamily.Type.GAUGE, "");
        store.series(d, LabelSet.of("i", "0"), false, GaugeSeries::create).set(Double.NaN, T0);
        List<Metrics.MetricFamily> got = assertAsClientJava();
        assertEquals(List.of("a_bytes", "b_total", "c_seconds", "d"), got.stream().map(Metrics.MetricFamily::getName)
                .toList());
    }
}
