package dev.odin.bench;

import dev.odin.config.OdinProperties;
import dev.odin.exporter.prometheus.MetricsProperties;
import dev.odin.exporter.prometheus.MetricsTranslator;
import dev.odin.exporter.prometheus.exposition.ScrapeWriter;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.telemetry.OdinMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The million-series phase (bench/run.sh million). Series: the load driver's gauges (10 metrics,
 * host.name of 500 hosts, device unique per series, direction; Claude Code's resource: service,
 * version, OS, arch, machine), so every series has 8 labels, one of them unique.
 *
 * <pre>
 *   MillionSeries heap [series]              in-process: heap per series (full GC, used heap before
 *                                            and after filling through the translator), and the
 *                                            time (wall, CPU) and allocation of a scrape streamed, of
 *                                            protobuf through per-family client_java snapshots (its
 *                                            path before it was streamed) and of client_java's
 *                                            whole-snapshot scrape (the path before issue 16)
 *   MillionSeries fill httpPort [series]     fills a running ODIN over OTLP/HTTP protobuf
 * </pre>
 */
public final class MillionSeries {

    static final int PER_REQUEST = 1000;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("fill")) {
            fill(Integer.parseInt(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000);
        } else {
            heap(args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000);
        }
    }

    static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    /** Requests of series [from, from + PER_REQUEST): 10 metrics, series i in metric i % 10. */
    static ExportMetricsServiceRequest request(int from) {
        List<Gauge.Builder> gauges = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            gauges.add(Gauge.newBuilder());
        }
        for (int i = from; i < from + PER_REQUEST; i++) {
            gauges.get(i % 10).addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(List.of(
                    kv("host.name", "host-" + (i % 500)), kv("device", "dev-" + i), kv("direction", "rx")))
                    .setTimeUnixNano(1).setAsDouble(i));
        }
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder()
                .setName("com.anthropic.claude_code").setVersion("2.1.330"));
        for (int m = 0; m < 10; m++) {
            scope.addMetrics(Metric.newBuilder().setName("bench.gauge." + m).setUnit("By").setGauge(gauges.get(m)));
        }
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code"))
                        .addAttributes(kv("service.version", "2.1.330")).addAttributes(kv("os.type", "linux"))
                        .addAttributes(kv("host.arch", "amd64")).addAttributes(kv("machine.name", "bench")))
                .addScopeMetrics(scope)).build();
    }

    private static void fill(int httpPort, int series) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long t0 = System.nanoTime();
        for (int from = 0; from < series; from += PER_REQUEST) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/v1/metrics")).header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request(from).toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("OTLP/HTTP answered " + r.statusCode() + ": " + r.body());
            }
        }
        System.out.printf("filled %d series over OTLP/HTTP in %.1f s%n", series, (System.nanoTime() - t0) / 1e9);
    }

    private static long usedHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void heap(int series) throws Exception {
        MetricsProperties m = new OdinProperties().getMetrics();
        SeriesStore store = new SeriesStore(new StoreLimits(series + 10, series + 10, 10_000, m.getSeriesExpiry(),
                m.isZeroFirst(), series + 10, m.getZeroFirstWindow()), Clock.systemUTC());
        OdinMetrics telemetry = new OdinMetrics(new SimpleMeterRegistry());
        telemetry.bindStore(store);
        MetricsTranslator translator = new MetricsTranslator(m, store, telemetry);
        // warm the translator (its caches) before the baseline
        translator.translate(request(0), new ExportResult(Signal.METRICS, Transport.HTTP));
        long before = usedHeap();
        for (int from = PER_REQUEST; from < series; from += PER_REQUEST) {
            translator.translate(request(from), new ExportResult(Signal.METRICS, Transport.HTTP));
        }
        long after = usedHeap();
        System.out.printf("live series: %d; heap per series: %.0f bytes (%.1f MB for %d series)%n", store.liveSeries(),
                (after - before) / (double) (series - PER_REQUEST), (after - before) / 1e6, series - PER_REQUEST);

        PrometheusRegistry registry = new PrometheusRegistry();
        SeriesCollector collector = new SeriesCollector(store, Set::of);
        registry.register(collector);
        ScrapeWriter writer = new ScrapeWriter(collector, registry, PrometheusTextFormatWriter.create(),
                new OpenMetricsTextFormatWriter(true, false), ExpositionFormats.init().getPrometheusProtobufWriter(), false);
        com.sun.management.ThreadMXBean thread = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (ScrapeWriter.Format f : ScrapeWriter.Format.values()) {
            long best = Long.MAX_VALUE;
            long bestCpu = Long.MAX_VALUE;
            long allocated = 0;
            long bytes = 0;
            for (int i = 0; i < 3; i++) {
                Counting out = new Counting();
                long cpu0 = thread.getCurrentThreadCpuTime();
                long alloc0 = thread.getCurrentThreadAllocatedBytes();
                long t0 = System.nanoTime();
                writer.write(f, null, out);
                best = Math.min(best, System.nanoTime() - t0);
                bestCpu = Math.min(bestCpu, thread.getCurrentThreadCpuTime() - cpu0);
                allocated = thread.getCurrentThreadAllocatedBytes() - alloc0;
                bytes = out.n;
            }
            System.out.printf("streamed %-11s best of 3: %6.0f ms (CPU %6.0f ms), %6.1f MB, allocated %7.1f MB%n", f,
                    best / 1e6, bestCpu / 1e6, bytes / 1e6, allocated / 1e6);
        }
        {
            // protobuf before it was streamed: each store family a client_java snapshot, written
            // by client_java's protobuf writer into a buffer, then to the stream
            ExpositionFormatWriter protobuf = ExpositionFormats.init().getPrometheusProtobufWriter();
            long best = Long.MAX_VALUE;
            long bestCpu = Long.MAX_VALUE;
            long allocated = 0;
            long bytes = 0;
            for (int i = 0; i < 3; i++) {
                Counting out = new Counting();
                long cpu0 = thread.getCurrentThreadCpuTime();
                long alloc0 = thread.getCurrentThreadAllocatedBytes();
                long t0 = System.nanoTime();
                ByteArrayOutputStream family = new ByteArrayOutputStream(8 * 1024);
                for (SeriesCollector.Exposed e : collector.exposed(null)) {
                    MetricSnapshot snapshot = collector.snapshot(e);
                    if (snapshot != null) {
                        family.reset();
                        protobuf.write(family, MetricSnapshots.of(snapshot));
                        family.writeTo(out);
                    }
                }
                best = Math.min(best, System.nanoTime() - t0);
                bestCpu = Math.min(bestCpu, thread.getCurrentThreadCpuTime() - cpu0);
                allocated = thread.getCurrentThreadAllocatedBytes() - alloc0;
                bytes = out.n;
            }
            System.out.printf("per-family snapshots PROTOBUF best of 3: %6.0f ms (CPU %6.0f ms), %6.1f MB, allocated %7.1f MB%n",
                    best / 1e6, bestCpu / 1e6, bytes / 1e6, allocated / 1e6);
        }
        for (ScrapeWriter.Format f : new ScrapeWriter.Format[] {ScrapeWriter.Format.TEXT, ScrapeWriter.Format.OPENMETRICS}) {
            long best = Long.MAX_VALUE;
            long bytes = 0;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                // the path before issue 16: every snapshot built (and sorted), the body in memory
                ByteArrayOutputStream out = new ByteArrayOutputStream(16);
                (f == ScrapeWriter.Format.TEXT ? PrometheusTextFormatWriter.create()
                        : new OpenMetricsTextFormatWriter(true, false)).write(out, registry.scrape());
                bytes = out.size();
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("whole-snapshot %-11s best of 3: %6.0f ms, %6.1f MB%n", f, best / 1e6, bytes / 1e6);
        }
    }

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
