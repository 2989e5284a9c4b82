package dev.odin.exporter.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.remotewrite.wire.v1.Histogram;
import dev.odin.remotewrite.wire.v1.Label;
import dev.odin.remotewrite.wire.v1.MetricMetadata;
import dev.odin.remotewrite.wire.v1.TimeSeries;
import dev.odin.remotewrite.wire.v1.WriteRequest;
import dev.odin.remotewrite.wire.v2.Metadata;
import dev.odin.remotewrite.wire.v2.Request;
import dev.odin.series.CounterSeries;
import dev.odin.series.ExponentialBuckets;
import dev.odin.series.ExponentialHistogramSeries;
import dev.odin.series.GaugeSeries;
import dev.odin.series.HistogramSeries;
import dev.odin.series.InfoSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.series.SummarySeries;
import dev.odin.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotEncoderTest {

    static final long NOW = 1_795_358_400_000L;
    final MutableClock clock = new MutableClock(Instant.ofEpochMilli(NOW));
    final SeriesStore store = new SeriesStore(new StoreLimits(1000, 1000, 10, Duration.ofMinutes(5), false), clock);

    /** One of each type, with known values. */
    void fill() throws Exception {
        MetricFamily c = store.family("http_requests_total", MetricFamily.Type.COUNTER, "Requests served");
        store.series(c, LabelSet.of("job", "api", "code", "200"), false, CounterSeries::create)
                .setCumulative(1234, 1, 2, null);
        MetricFamily g = store.family("system.cpu.utilization", MetricFamily.Type.GAUGE, "");
        store.series(g, LabelSet.of("job", "api", "cpu", "0"), false, GaugeSeries::create).set(0.375, 2);
        MetricFamily h = store.family("duration_seconds", MetricFamily.Type.HISTOGRAM, "Durations");
        store.series(h, LabelSet.of("job", "api"), false, HistogramSeries::create).setCumulative(
                new HistogramSeries.Reading(new double[] {0.1, 1}, new long[] {10, 20, 5}, 12.5), 1, 2, null);
        MetricFamily e = store.family("payload_bytes", MetricFamily.Type.HISTOGRAM, "");
        store.series(e, LabelSet.of("job", "api"), false, ExponentialHistogramSeries::create).setCumulative(
                new ExponentialHistogramSeries.Reading(1, 0, 1, new ExponentialBuckets(-2, new long[] {3, 0, 4}),
                        new ExponentialBuckets(0, new long[] {2}), 900), 1, 2, null);
        MetricFamily s = store.family("latency", MetricFamily.Type.SUMMARY, "");
        store.series(s, LabelSet.of("job", "api"), false, SummarySeries::create)
                .set(new double[] {0.5, 0.99}, new double[] {1.5, 9}, 40, 100, 1, 2);
        MetricFamily i = store.family("target_info", MetricFamily.Type.INFO, "");
        store.series(i, LabelSet.of("job", "api", "Zone", "eu"), false, InfoSeries::create);
    }

    static List<WriteRequest> run(SnapshotEncoder enc, SeriesStore store, long ts, List<Integer> counts)
            throws Exception {
        List<WriteRequest> out = new ArrayList<>();
        enc.snapshot(store, ts, (bytes, n) -> {
            out.add(WriteRequest.parseFrom(bytes));
            counts.add(n);
        });
        return out;
    }

    /** name{labels} -> value (histograms: their sum), over all requests. */
    static Map<String, Double> samples(List<WriteRequest> requests) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (WriteRequest r : requests) {
            for (TimeSeries ts : r.getTimeseriesList()) {
                double v = ts.getSamplesCount() > 0 ? ts.getSamples(0).getValue() : ts.getHistograms(0).getSum();
                out.put(key(ts.getLabelsList()), v);
            }
        }
        return out;
    }

    static String key(List<Label> labels) {
        StringBuilder sb = new StringBuilder();
        for (Label l : labels) {
            sb.append(sb.length() == 0 ? "" : ",").append(l.getName()).append('=').append(l.getValue());
        }
        return sb.toString();
    }

    /**
     * A UTF-8 naming strategy keeps dots in label names; a classic scrape shows them as '_', and a
     * receiver before Prometheus 3 refuses a whole request holding one such name.
     */
    @Test
    void labelNamesAsAClassicScrapeShowsThem() throws Exception {
        MetricFamily g = store.family("queue_depth", MetricFamily.Type.GAUGE, "");
        store.series(g, LabelSet.of("service.name", "api", "job", "x", "k8s.zone", "eu"), false, GaugeSeries::create)
                .set(3, 2);
        Map<String, Double> s = samples(run(new SnapshotEncoder(2000, false), store, NOW, new ArrayList<>()));
        assertThat(s).containsOnlyKeys("__name__=queue_depth,job=x,k8s_zone=eu,service_name=api");
    }

    @Test
    void everyTypeAsAScrapeShowsIt() throws Exception {
        fill();
        List<Integer> counts = new ArrayList<>();
        List<WriteRequest> requests = run(new SnapshotEncoder(2000, true), store, NOW, counts);
        assertThat(requests).hasSize(1);
        Map<String, Double> s = samples(requests);
        assertThat(s).containsEntry("__name__=http_requests_total,code=200,job=api", 1234.0)
                .containsEntry("__name__=system_cpu_utilization,cpu=0,job=api", 0.375)
                // cumulative buckets
                .containsEntry("__name__=duration_seconds_bucket,job=api,le=0.1", 10.0)
                .containsEntry("__name__=duration_seconds_bucket,job=api,le=1.0", 30.0)
                .containsEntry("__name__=duration_seconds_bucket,job=api,le=+Inf", 35.0)
                .containsEntry("__name__=duration_seconds_sum,job=api", 12.5)
                .containsEntry("__name__=duration_seconds_count,job=api", 35.0)
                .containsEntry("__name__=latency,job=api,quantile=0.5", 1.5)
                .containsEntry("__name__=latency,job=api,quantile=0.99", 9.0)
                .containsEntry("__name__=latency_sum,job=api", 100.0)
                .containsEntry("__name__=latency_count,job=api", 40.0)
                // upper case sorts before "__name__"
                .containsEntry("Zone=eu,__name__=target_info,job=api", 1.0)
                .containsEntry("__name__=payload_bytes,job=api", 900.0);
        assertThat(s).hasSize(13);
        assertThat(counts).containsExactly(13);
        for (TimeSeries ts : requests.get(0).getTimeseriesList()) {
            for (var sample : ts.getSamplesList()) {
                assertThat(sample.getTimestamp()).isEqualTo(NOW);
            }
        }

        Histogram h = requests.get(0).getTimeseriesList().stream().filter(t -> t.getHistogramsCount() > 0)
                .findFirst().orElseThrow().getHistograms(0);
        // OTLP buckets -2..0 at scale 1 are native buckets -1..1: two spans (the zero bucket skipped)
        assertThat(h.getSchema()).isEqualTo(1);
        assertThat(h.getCountInt()).isEqualTo(10); // 1 zero + 7 positive + 2 negative
        assertThat(h.getZeroCountInt()).isEqualTo(1);
        assertThat(h.getPositiveSpansList()).extracting(sp -> sp.getOffset() + "/" + sp.getLength())
                .containsExactly("-1/1", "1/1");
        assertThat(h.getPositiveDeltasList()).containsExactly(3L, 1L);
        assertThat(h.getNegativeSpansList()).extracting(sp -> sp.getOffset() + "/" + sp.getLength())
                .containsExactly("1/1");
        assertThat(h.getNegativeDeltasList()).containsExactly(2L);
        assertThat(h.getTimestamp()).isEqualTo(NOW);

        assertThat(requests.get(0).getMetadataList()).extracting(MetricMetadata::getMetricFamilyName,
                MetricMetadata::getType, MetricMetadata::getHelp).contains(
                        org.assertj.core.groups.Tuple.tuple("http_requests", MetricMetadata.MetricType.COUNTER,
                                "Requests served"),
                        org.assertj.core.groups.Tuple.tuple("duration_seconds", MetricMetadata.MetricType.HISTOGRAM,
                                "Durations"),
                        org.assertj.core.groups.Tuple.tuple("target", MetricMetadata.MetricType.INFO, ""));
    }

    @Test
    void aSeriesTheExpositionWouldRefuseIsLeftOutAndCountedTheRestGoes() throws Exception {
        fill();
        MetricFamily h = store.family("duration_seconds", MetricFamily.Type.HISTOGRAM, "Durations");
        store.series(h, LabelSet.of("job", "bad", "le", "x"), false, HistogramSeries::create).setCumulative(
                new HistogramSeries.Reading(new double[] {1}, new long[] {1, 1}, 1), 1, 2, null);
        List<WriteRequest> out = new ArrayList<>();
        SnapshotEncoder.Result r = new SnapshotEncoder(2000, true).snapshot(store, NOW,
                (bytes, n) -> out.add(WriteRequest.parseFrom(bytes)));
        assertThat(r.unreadable()).isEqualTo(1);
        assertThat(r.firstUnreadable()).contains("duration_seconds").contains("le");
        assertThat(samples(out)).hasSize(13).doesNotContainKey("__name__=duration_seconds_count,job=bad");
    }

    @Test
    void theStoresOwnLeOrNameLabelGivesWayToTheSamplesOwn() {
        TimeSeries t = SnapshotEncoder.series("x_bucket", LabelSet.of("le", "bogus", "__name__", "y", "a", "1"),
                "le", "0.5").build();
        assertThat(key(t.getLabelsList())).isEqualTo("__name__=x_bucket,a=1,le=0.5");
    }

    @Test
    void aSnapshotIsSplitAtMaxSamplesEachPartWithItsMetadata() throws Exception {
        MetricFamily g = store.family("temp", MetricFamily.Type.GAUGE, "Temperature");
        for (int i = 0; i < 25; i++) {
            store.series(g, LabelSet.of("n", Integer.toString(i)), false, GaugeSeries::create).set(i, 1);
        }
        List<Integer> counts = new ArrayList<>();
        List<WriteRequest> requests = run(new SnapshotEncoder(10, false), store, NOW, counts);
        assertThat(counts).containsExactly(10, 10, 5);
        assertThat(samples(requests)).hasSize(25);
        for (WriteRequest r : requests) {
            assertThat(r.getTimeseriesCount()).isLessThanOrEqualTo(10);
            assertThat(r.getMetadataList()).extracting(MetricMetadata::getMetricFamilyName).containsExactly("temp");
        }
    }

    @Test
    void aSeriesGoneFromTheStoreGetsOneStaleMarker() throws Exception {
        MetricFamily g = store.family("temp", MetricFamily.Type.GAUGE, "");
        store.series(g, LabelSet.of("n", "kept"), false, GaugeSeries::create).set(1, 1);
        store.series(g, LabelSet.of("n", "gone"), false, GaugeSeries::create).set(2, 1);
        MetricFamily h = store.family("d", MetricFamily.Type.HISTOGRAM, "");
        store.series(h, LabelSet.of("n", "gone"), false, HistogramSeries::create).setCumulative(
                new HistogramSeries.Reading(new double[] {1}, new long[] {1, 2}, 3), 1, 2, null);
        SnapshotEncoder enc = new SnapshotEncoder(2000, true);
        run(enc, store, NOW, new ArrayList<>());

        store.remove(g, LabelSet.of("n", "gone"));
        store.remove(h, LabelSet.of("n", "gone"));
        List<Integer> counts = new ArrayList<>();
        List<WriteRequest> second = run(enc, store, NOW + 30_000, counts);
        // the live series first, the markers in a request of their own
        assertThat(counts).containsExactly(1, 5);
        Map<String, Double> markers = samples(second.subList(1, 2));
        assertThat(markers.keySet()).containsExactlyInAnyOrder("__name__=temp,n=gone", "__name__=d_bucket,le=1.0,n=gone",
                "__name__=d_bucket,le=+Inf,n=gone", "__name__=d_sum,n=gone", "__name__=d_count,n=gone");
        for (double v : markers.values()) {
            assertThat(Double.doubleToRawLongBits(v)).isEqualTo(0x7ff0000000000002L);
        }
        // once: the third snapshot has no marker
        List<Integer> third = new ArrayList<>();
        run(enc, store, NOW + 60_000, third);
        assertThat(third).containsExactly(1);
    }

    @Test
    void aSeriesRemovedAndRecreatedGetsNoMarkerBesideItsValue() throws Exception {
        MetricFamily g = store.family("temp", MetricFamily.Type.GAUGE, "");
        store.series(g, LabelSet.of("n", "a"), false, GaugeSeries::create).set(1, 1);
        SnapshotEncoder enc = new SnapshotEncoder(2000, true);
        run(enc, store, NOW, new ArrayList<>());
        store.remove(g, LabelSet.of("n", "a"));
        store.series(g, LabelSet.of("n", "a"), false, GaugeSeries::create).set(7, 2);
        List<Integer> counts = new ArrayList<>();
        List<WriteRequest> r = run(enc, store, NOW + 30_000, counts);
        assertThat(counts).containsExactly(1);
        assertThat(samples(r)).containsExactly(Map.entry("__name__=temp,n=a", 7.0));
    }

    @Test
    void version2CarriesTheSameSeriesThroughTheSymbolsTable() throws Exception {
        fill();
        List<WriteRequest> v1 = run(new SnapshotEncoder(2000, false), store, NOW, new ArrayList<>());
        Request v2 = WireV2.fromV1(v1.get(0));
        assertThat(v2.getSymbols(0)).isEmpty();
        assertThat(v2.getSymbolsList()).doesNotHaveDuplicates();
        assertThat(v2.getTimeseriesCount()).isEqualTo(v1.get(0).getTimeseriesCount());
        for (int i = 0; i < v2.getTimeseriesCount(); i++) {
            var s2 = v2.getTimeseries(i);
            TimeSeries s1 = v1.get(0).getTimeseries(i);
            assertThat(s2.getLabelsRefsCount()).isEqualTo(s1.getLabelsCount() * 2);
            List<Label> decoded = new ArrayList<>();
            for (int j = 0; j < s2.getLabelsRefsCount(); j += 2) {
                decoded.add(Label.newBuilder().setName(v2.getSymbols(s2.getLabelsRefs(j)))
                        .setValue(v2.getSymbols(s2.getLabelsRefs(j + 1))).build());
            }
            assertThat(decoded).isEqualTo(s1.getLabelsList());
            assertThat(s2.getSamplesCount()).isEqualTo(s1.getSamplesCount());
            if (s1.getSamplesCount() > 0) {
                assertThat(s2.getSamples(0).getValue()).isEqualTo(s1.getSamples(0).getValue());
                assertThat(s2.getSamples(0).getTimestamp()).isEqualTo(NOW);
            }
            if (s1.getHistogramsCount() > 0) {
                assertThat(s2.getHistograms(0).getPositiveDeltasList())
                        .isEqualTo(s1.getHistograms(0).getPositiveDeltasList());
                assertThat(s2.getHistograms(0).getSchema()).isEqualTo(1);
                assertThat(s2.getHistograms(0).getCountInt()).isEqualTo(10);
            }
            String name = key(s1.getLabelsList());
            Metadata m = s2.getMetadata();
            if (name.contains("__name__=http_requests_total")) {
                assertThat(m.getType()).isEqualTo(Metadata.MetricType.METRIC_TYPE_COUNTER);
                assertThat(v2.getSymbols(m.getHelpRef())).isEqualTo("Requests served");
                assertThat(m.getUnitRef()).isZero();
            } else if (name.contains("__name__=duration_seconds_")) {
                assertThat(m.getType()).isEqualTo(Metadata.MetricType.METRIC_TYPE_HISTOGRAM);
                assertThat(v2.getSymbols(m.getHelpRef())).isEqualTo("Durations");
            } else if (name.contains("__name__=latency")) {
                assertThat(m.getType()).isEqualTo(Metadata.MetricType.METRIC_TYPE_SUMMARY);
            } else if (name.contains("__name__=target_info")) {
                assertThat(m.getType()).isEqualTo(Metadata.MetricType.METRIC_TYPE_INFO);
            } else if (name.contains("__name__=system_cpu")) {
                assertThat(m.getType()).isEqualTo(Metadata.MetricType.METRIC_TYPE_GAUGE);
            }
        }
    }
}
