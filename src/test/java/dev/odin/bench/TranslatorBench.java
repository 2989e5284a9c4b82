package dev.odin.bench;

import dev.odin.config.OdinProperties;
import dev.odin.exporter.prometheus.MetricsProperties;
import dev.odin.exporter.prometheus.MetricsTranslator;
import dev.odin.privacy.AttributeRules;
import dev.odin.privacy.MetricsPrivacy;
import dev.odin.privacy.PrivacyProperties;
import dev.odin.privacy.PrivacyProperties.Action;
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
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The metrics hot path alone, in process, on one thread: the privacy rules and the translation of
 * OTLP requests into the series store, in points per second, with no network, receiver or route in
 * between (the most stable figure on a shared machine). Two workloads: the Claude Code fixture
 * (http-protobuf-tool/v1_metrics_0005.pb, in successive delta windows) and LoadDriver-shaped
 * batches (1,000 points of 8 Claude Code attributes, 9 delta counters and 1 delta histogram), each
 * without rules, with the default rule (user.email hashed) and with a mixed set (drop, hash,
 * redact, a pattern). A round translates every prepared request once into a new store; the
 * figures: points per second of wall time (best and median round), points per second of the
 * process's CPU time (GC and JIT included: the steadiest figure on a shared machine) and bytes
 * allocated per point by the translating thread. After a warm-up of every case, the cases take
 * rounds in turn (round-robin), so each sees the same load of a shared machine.
 *
 * <pre>
 * ./mvnw -o -q test-compile
 * ./mvnw -o -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -XX:+UseParallelGC -Xmx1g -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.odin.bench.TranslatorBench [seconds, after a warm-up; default 60]
 * </pre>
 */
public final class TranslatorBench {

    private TranslatorBench() {
    }

    /** How a request reaches the store. */
    interface Path {
        void run(MetricsTranslator translator, MetricsPrivacy privacy, ExportMetricsServiceRequest request,
                ExportResult result);
    }

    /** Before issue 16: the request rewritten with the rules applied, then translated. */
    static final Path REWRITE = (t, p, r, result) -> t.translate(p.applyRules(r), result, null);

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 60;
        System.out.printf("%s, %d cores, %s, load %.2f%n", System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getRuntimeMXBean().getInputArguments(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        List<ExportMetricsServiceRequest> fixture = fixtureWindows(2_000);
        List<ExportMetricsServiceRequest> load = loadBatches(5, 8);
        List<PrivacyProperties.Rule> none = List.of();
        List<PrivacyProperties.Rule> defaults = List.of(new PrivacyProperties.Rule("user.email", null, Action.HASH));
        List<PrivacyProperties.Rule> mixed = List.of(new PrivacyProperties.Rule("user.email", null, Action.HASH),
                new PrivacyProperties.Rule("session.id", null, Action.DROP),
                new PrivacyProperties.Rule("terminal.type", null, Action.REDACT),
                new PrivacyProperties.Rule(null, "machine\\..*", Action.HASH));
        List<Case> cases = new ArrayList<>();
        for (String path : paths()) {
            for (Object[] c : new Object[][] {{"fixture", fixture}, {"load", load}}) {
                for (Object[] rules : new Object[][] {{"no rules", none}, {"default rule", defaults},
                        {"mixed rules", mixed}}) {
                    @SuppressWarnings("unchecked")
                    List<ExportMetricsServiceRequest> requests = (List<ExportMetricsServiceRequest>) c[1];
                    @SuppressWarnings("unchecked")
                    List<PrivacyProperties.Rule> list = (List<PrivacyProperties.Rule>) rules[1];
                    cases.add(new Case(path, (String) c[0], (String) rules[0], requests, list));
                }
            }
        }
        // warm-up: every case a few rounds, so no case runs on colder code than another
        for (int i = 0; i < 3; i++) {
            for (Case c : cases) {
                c.round(false);
            }
        }
        // then round-robin until the time is up: every case sees the same machine load
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (Case c : cases) {
                c.round(true);
            }
        }
        for (Case c : cases) {
            c.report();
        }
    }

    private static List<String> paths() {
        List<String> out = new ArrayList<>(List.of("rewrite"));
        out.addAll(AfterPaths.NAMES);
        return out;
    }

    /** One path, workload and rule set, measured round by round. */
    private static final class Case {
        static final com.sun.management.ThreadMXBean THREAD =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        final String pathName;
        final String workload;
        final String rulesName;
        final List<ExportMetricsServiceRequest> requests;
        final Path path;
        final MetricsPrivacy privacy;
        final long points;
        final List<Double> rates = new ArrayList<>();
        long cpu;
        long allocated;
        long measured;
        long rejected;

        Case(String pathName, String workload, String rulesName, List<ExportMetricsServiceRequest> requests,
                List<PrivacyProperties.Rule> rules) {
            this.pathName = pathName;
            this.workload = workload;
            this.rulesName = rulesName;
            this.requests = requests;
            this.path = pathName.equals("rewrite") ? REWRITE : AfterPaths.path(pathName);
            this.privacy = new MetricsPrivacy(new AttributeRules(rules, new byte[32], "bench"));
            long n = 0;
            for (ExportMetricsServiceRequest r : requests) {
                for (ResourceMetrics rm : r.getResourceMetricsList()) {
                    for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                        for (Metric m : sm.getMetricsList()) {
                            n += m.hasSum() ? m.getSum().getDataPointsCount() : m.hasHistogram()
                                    ? m.getHistogram().getDataPointsCount()
                                    : m.hasGauge() ? m.getGauge().getDataPointsCount() : 0;
                        }
                    }
                }
            }
            this.points = n;
        }

        void round(boolean measure) {
            MetricsTranslator translator = translator();
            long c0 = OS.getProcessCpuTime();
            long a0 = THREAD.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            long refused = 0;
            for (ExportMetricsServiceRequest r : requests) {
                ExportResult result = new ExportResult(Signal.METRICS, Transport.GRPC);
                path.run(translator, privacy, r, result);
                refused += result.rejected();
            }
            long t1 = System.nanoTime();
            if (measure) {
                rates.add(points / ((t1 - t0) / 1e9));
                cpu += OS.getProcessCpuTime() - c0;
                allocated += THREAD.getCurrentThreadAllocatedBytes() - a0;
                measured += points;
                rejected += refused;
            }
        }

        void report() {
            double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("%-8s %-8s %-13s %9.0f points/s best, %9.0f median, %9.0f points/CPU-s, %6.0f B/point"
                    + " (%d rounds of %,d points)%s%n",
                    pathName, workload, rulesName, sorted.length == 0 ? 0 : sorted[sorted.length - 1],
                    sorted.length == 0 ? 0 : sorted[sorted.length / 2], measured / (cpu / 1e9),
                    allocated / (double) Math.max(1, measured), sorted.length, points,
                    rejected == 0 ? "" : ", " + rejected + " points refused");
        }
    }

    private static MetricsTranslator translator() {
        MetricsProperties m = new OdinProperties().getMetrics();
        SeriesStore store = new SeriesStore(new StoreLimits(m.getMaxSeries(), m.getMaxSeriesPerMetric(), 10_000,
                m.getSeriesExpiry(), m.isZeroFirst(), m.getMaxSeries(), m.getZeroFirstWindow()), Clock.systemUTC());
        OdinMetrics telemetry = new OdinMetrics(new SimpleMeterRegistry());
        telemetry.bindStore(store);
        return new MetricsTranslator(m, store, telemetry);
    }

    /** The Claude Code request, in {@code windows} successive one-minute windows (each a new delta). */
    static List<ExportMetricsServiceRequest> fixtureWindows(int windows) throws Exception {
        ExportMetricsServiceRequest base;
        try (InputStream in = TranslatorBench.class.getResourceAsStream(
                "/fixtures/claude-code/http-protobuf-tool/v1_metrics_0005.pb")) {
            base = ExportMetricsServiceRequest.parseFrom(in);
        }
        long minute = 60_000_000_000L;
        long first = System.currentTimeMillis() * 1_000_000L - (windows + 1) * minute;
        List<ExportMetricsServiceRequest> out = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            long now = first + (w + 1) * minute;
            ExportMetricsServiceRequest.Builder b = base.toBuilder();
            for (ResourceMetrics.Builder rm : b.getResourceMetricsBuilderList()) {
                for (ScopeMetrics.Builder sm : rm.getScopeMetricsBuilderList()) {
                    for (Metric.Builder m : sm.getMetricsBuilderList()) {
                        if (m.hasSum()) {
                            for (NumberDataPoint.Builder p : m.getSumBuilder().getDataPointsBuilderList()) {
                                p.setStartTimeUnixNano(now - minute).setTimeUnixNano(now);
                            }
                        } else if (m.hasGauge()) {
                            for (NumberDataPoint.Builder p : m.getGaugeBuilder().getDataPointsBuilderList()) {
                                p.setTimeUnixNano(now);
                            }
                        } else if (m.hasHistogram()) {
                            for (HistogramDataPoint.Builder p : m.getHistogramBuilder().getDataPointsBuilderList()) {
                                p.setStartTimeUnixNano(now - minute).setTimeUnixNano(now);
                            }
                        }
                    }
                }
            }
            out.add(b.build());
        }
        return out;
    }

    /** LoadDriver's batches: {@code count} requests of 1,000 points in {@code windows} delta windows. */
    static List<ExportMetricsServiceRequest> loadBatches(int count, int windows) {
        List<ExportMetricsServiceRequest> out = new ArrayList<>();
        long minute = 60_000_000_000L;
        long first = System.currentTimeMillis() * 1_000_000L - windows * minute;
        for (int i = 0; i < count * windows; i++) {
            int r = i % count;
            long now = first + (i / count + 1) * minute;
            List<Metric> metrics = new ArrayList<>();
            for (int m = 0; m < 10; m++) {
                boolean histogram = m == 9;
                Metric.Builder metric = Metric.newBuilder().setName("bench.metric." + m)
                        .setUnit(histogram ? "ms" : "tokens").setDescription("bench metric " + m);
                Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
                Histogram.Builder hist = Histogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
                for (int p = 0; p < 100; p++) {
                    int series = r * 100 + p;
                    if (histogram) {
                        hist.addDataPoints(HistogramDataPoint.newBuilder().addAllAttributes(claudeAttributes(series))
                                .setStartTimeUnixNano(now - minute).setTimeUnixNano(now).setCount(6).setSum(1234)
                                .addAllExplicitBounds(List.of(10.0, 50.0, 100.0, 500.0, 1000.0))
                                .addAllBucketCounts(List.of(1L, 1L, 1L, 1L, 1L, 1L)));
                    } else {
                        sum.addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(claudeAttributes(series))
                                .setStartTimeUnixNano(now - minute).setTimeUnixNano(now).setAsDouble(42.5 + p));
                    }
                }
                metrics.add(histogram ? metric.setHistogram(hist).build() : metric.setSum(sum).build());
            }
            out.add(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                    .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code"))
                            .addAttributes(kv("service.version", "2.1.330")).addAttributes(kv("os.type", "linux"))
                            .addAttributes(kv("host.arch", "amd64")).addAttributes(kv("machine.name", "bench")))
                    .addScopeMetrics(ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder()
                            .setName("com.anthropic.claude_code").setVersion("2.1.330")).addAllMetrics(metrics)))
                    .build());
        }
        return out;
    }

    private static List<KeyValue> claudeAttributes(int series) {
        return Arrays.asList(kv("user.id", "12dbf2941b6e8d9d83807323ad83ffa77e47c9a217714801ed53bfdf0d0eb29c"),
                kv("user.email", "dev" + (series % 7) + "@example.com"),
                kv("session.id", "session-" + (series / 4)), kv("terminal.type", "xterm"),
                kv("anthropic.provider", "firstParty"), kv("machine.name", "bench"),
                kv("model", series % 2 == 0 ? "claude-sonnet-4-5" : "claude-opus-4-1"),
                kv("type", new String[] {"input", "output", "cacheRead", "cacheCreation"}[series % 4]));
    }

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }
}
