package dev.odin.series;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Defence in depth: one family whose snapshot cannot be built is left out; the rest is served. */
class SeriesCollectorIsolationTest {

    /** A series whose snapshot fails the way client_java's validation does. */
    static final class BrokenSeries extends Series {
        BrokenSeries(LabelSet labels, long nowMillis) {
            super(labels, nowMillis);
        }

        @Override
        DataPointSnapshot snapshot(long nowMillis) {
            throw new IllegalArgumentException("-1.0: counters cannot have a negative value");
        }
    }

    private final SeriesStore store = new SeriesStore(new StoreLimits(100, 100, 10, Duration.ofMinutes(5), true),
            Clock.systemUTC());
    private final SeriesCollector collector = new SeriesCollector(store, Set::of);

    @Test
    void aFailingFamilyIsDroppedCountedAndTheRestIsServed() throws Exception {
        MetricFamily good = store.family("good", MetricFamily.Type.GAUGE, "fine");
        store.series(good, LabelSet.of("a", "1"), false, GaugeSeries::create).set(7, 1);
        MetricFamily bad = store.family("bad_total", MetricFamily.Type.COUNTER, "broken");
        store.series(bad, LabelSet.of("a", "1"), false, BrokenSeries::new);

        for (int scrape = 1; scrape <= 3; scrape++) {
            MetricSnapshots snapshots = collector.collect();
            assertThat(snapshots.size()).isEqualTo(1);
            assertThat(snapshots.get(0).getMetadata().getName()).isEqualTo("good");
            assertThat(write(new PrometheusTextFormatWriter(false), snapshots)).contains("good{a=\"1\"} 7.0")
                    .doesNotContain("bad");
            assertThat(write(new OpenMetricsTextFormatWriter(true, false), snapshots)).contains("good{a=\"1\"} 7.0")
                    .endsWith("# EOF\n");
            assertThat(write(new PrometheusProtobufWriter(), snapshots)).contains("good");
            assertThat(store.stats().familiesDropped.sum()).isEqualTo(scrape);
        }
    }

    @Test
    void exposedNamesCoverEverySampleTheWritersMake() {
        assertThat(SeriesCollector.exposedNames(MetricFamily.Type.COUNTER, "c.a.b_total"))
                .containsExactly("c_a_b", "c_a_b_total", "c_a_b_created");
        assertThat(SeriesCollector.exposedNames(MetricFamily.Type.HISTOGRAM, "h"))
                .containsExactly("h", "h_bucket", "h_count", "h_sum", "h_created");
        assertThat(SeriesCollector.exposedNames(MetricFamily.Type.INFO, "target_info"))
                .containsExactly("target", "target_info");
    }

    @Test
    void aFamilyWhoseSamplesClashIsRefusedAndItsNameFreedOnExpiry() throws Exception {
        MetricFamily h = store.family("x", MetricFamily.Type.HISTOGRAM, null, "x", "");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.family("x_count", MetricFamily.Type.GAUGE,
                null, "x_count", "")).isInstanceOfSatisfying(SeriesStore.ConflictException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SeriesStore.ConflictException.Kind.SAMPLE_NAME);
                    assertThat(e.getMessage()).isEqualTo(
                            "metric x_count (gauge) would expose x_count, which x (histogram) already exposes");
                });
        assertThat(h.size()).isZero();
        dev.odin.testing.MutableClock clock = new dev.odin.testing.MutableClock(java.time.Instant.EPOCH);
        SeriesStore expiring = new SeriesStore(new StoreLimits(100, 100, 10, Duration.ofMinutes(1), true), clock);
        expiring.family("y", MetricFamily.Type.SUMMARY, null, "y", "");
        clock.advance(Duration.ofMinutes(2));
        expiring.expire();
        assertThat(expiring.familyCount()).isZero();
        assertThat(expiring.family("y_sum", MetricFamily.Type.GAUGE, null, "y_sum", "").name()).isEqualTo("y_sum");
    }

    private static String write(io.prometheus.metrics.expositionformats.ExpositionFormatWriter w,
            MetricSnapshots s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out, s);
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
