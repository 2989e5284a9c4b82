package dev.odin.exporter.prometheus;

import dev.odin.config.OdinProperties;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.telemetry.OdinMetrics;
import dev.odin.testing.Exposition;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;

/** Translator + store + collector wired as in the application, with a clock the test moves. */
final class TranslatorHarness {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final SeriesStore store;
    final MetricsTranslator translator;
    final SeriesCollector collector;

    TranslatorHarness() {
        this(m -> { });
    }

    TranslatorHarness(Consumer<MetricsProperties> config) {
        MetricsProperties m = new OdinProperties().getMetrics();
        config.accept(m);
        store = new SeriesStore(new StoreLimits(m.getMaxSeries(), m.getMaxSeriesPerMetric(), 10_000,
                m.getSeriesExpiry(), m.isZeroFirst(), m.getMaxSeries(), m.getZeroFirstWindow()), clock);
        OdinMetrics telemetry = new OdinMetrics(meters);
        telemetry.bindStore(store);
        translator = new MetricsTranslator(m, store, telemetry);
        collector = new SeriesCollector(store, Set::of);
    }

    ExportResult send(ExportMetricsServiceRequest request) {
        ExportResult result = new ExportResult(Signal.METRICS, Transport.HTTP);
        translator.translate(request, result);
        return result;
    }

    /** Moves the clock past the zero-first window of series created until now. */
    void pastZeroFirstWindow() {
        clock.advance(store.limits().zeroFirstWindow().plusMillis(1));
    }

    MetricSnapshots collect() {
        return collector.collect();
    }

    Exposition scrape() {
        return new Exposition(write(new PrometheusTextFormatWriter(false), collect()));
    }

    String scrapeOpenMetrics() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new OpenMetricsTextFormatWriter(true, false).write(out, collect());
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(PrometheusTextFormatWriter writer, MetricSnapshots snapshots) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.write(out, snapshots);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        if (c != null) {
            return c.count();
        }
        var f = meters.find(name).tags(tags).functionCounter();
        return f == null ? 0 : f.count();
    }
}
