package dev.odin.exporter.prometheus.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.series.GaugeSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.testing.MutableClock;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A label value with an unpaired surrogate (OTLP/JSON carries one as {@code \ud800}) costs a
 * protobuf scrape no more than any other value: protobuf's computeStringSize throws and catches an
 * exception (a stack trace) for each such string, once in the size pass and again per label pair
 * in the write pass, which made a family of them some ten times dearer to scrape than the same
 * family in text. Measured in bytes allocated on this thread (deterministic), not in time.
 */
class ProtobufSurrogateCostTest {

    private static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli() * 1_000_000L;
    private static final int SERIES = 2_000;

    @Test
    void unpairedSurrogatesCostAProtobufScrapeNoMoreThanOtherLabelValues() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
        SeriesStore store = new SeriesStore(new StoreLimits(1_000_000, 1_000_000, 100, Duration.ofMinutes(10), true),
                clock);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new SeriesCollector(store, Set::of));
        ScrapeWriter writer = new ScrapeWriter(new SeriesCollector(store, Set::of), registry,
                PrometheusTextFormatWriter.create(), new OpenMetricsTextFormatWriter(true, false),
                ExpositionFormats.init().getPrometheusProtobufWriter(), false);
        MetricFamily plain = store.family("plain", MetricFamily.Type.GAUGE, "h");
        MetricFamily odd = store.family("oddly", MetricFamily.Type.GAUGE, "h");
        for (int i = 0; i < SERIES; i++) {
            store.series(plain, LabelSet.of("id", "s" + i, "v", "ab"), false, GaugeSeries::create).set(i, T0);
            store.series(odd, LabelSet.of("id", "s" + i, "v", "a\ud800"), false, GaugeSeries::create).set(i, T0);
        }
        long plainBytes = Long.MAX_VALUE;
        long oddBytes = Long.MAX_VALUE;
        long plainLength = 0;
        long oddLength = 0;
        // the least of a few scrapes each, after the first (class loading, the writer's arrays)
        for (int round = 0; round < 5; round++) {
            Counting p = new Counting();
            long a = allocated(() -> writer.write(ScrapeWriter.Format.PROTOBUF, only("plain"), p));
            Counting o = new Counting();
            long b = allocated(() -> writer.write(ScrapeWriter.Format.PROTOBUF, only("oddly"), o));
            if (round > 0) {
                plainBytes = Math.min(plainBytes, a);
                oddBytes = Math.min(oddBytes, b);
            }
            plainLength = p.n;
            oddLength = o.n;
        }
        // "a?" is as long as "ab": the same bytes, so the same work
        assertEquals(plainLength, oddLength);
        assertTrue(plainLength > SERIES * 10L);
        assertTrue(oddBytes <= plainBytes + 16L * SERIES,
                "a scrape of " + SERIES + " series with an unpaired surrogate allocated " + oddBytes
                        + " bytes, the same family without it " + plainBytes);
    }

    private static Predicate<String> only(String name) {
        return name::equals;
    }

    private interface Scrape {
        void run() throws IOException;
    }

    private static long allocated(Scrape s) throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        s.run();
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    /** Counts the body's bytes and keeps none. */
    private static final class Counting extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }
}
