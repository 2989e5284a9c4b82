package dev.odin.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.OdinApplication;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.series.SeriesStore;
import dev.odin.testing.ExternalTool;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_31_1.Metrics;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 13's property: whatever OTLP metrics arrive (random and mutated requests of every point
 * type: gauges, monotonic and non-monotonic cumulative and delta sums, histograms, exponential
 * histograms, summaries; odd names and labels: le, quantile, empty, unicode, very long, names that
 * collide once translated), /metrics then answers 200 in text, OpenMetrics and protobuf, the text
 * parses with `promtool check metrics`, the protobuf parses as delimited MetricFamily messages and
 * no sample appears twice. Runs in well under a minute (bounded tries); a failure names its seed.
 */
class ExpositionPropertyIT {

    private static final String PROTOBUF_ACCEPT =
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
    private static final String[] NAMES = {"a.b", "a_b", "a.b.c", "a_b_c", ":foo::bar", "x", "x_count", "x_sum",
        "x_bucket", "x_created", "x_total", "x_info", "target", "target_info", "up", "le", "quantile", "", " ", "9lives",
        "été.ms", "δ", "日本", "http.server.duration", "odin.series.live", "jvm.threads.live", "c.a.b", "c.a_b", "__x__",
        "s.q", "s_q_count", "h.e", "h_e_bucket", "n.long"};
    private static final String[] KEYS = {"le", "quantile", "", "_", "__name__", "job", "instance", "tenant", "a.b",
        "a_b", "δ", "日本", "service.name", "otel_scope_name", "k", "k2", "9x", "__y__"};
    private static final String[] UNITS = {"", "s", "ms", "By", "1", "{req}", "%", "m/s", "日"};

    private static ConfigurableApplicationContext odin;
    private static HttpClient http;
    private static ManagedChannel channel;
    private static int httpPort;
    private static int managementPort;
    private static Path promtool;

    @BeforeContainer
    static void start() throws Exception {
        promtool = ExternalTool.require("promtool", "prometheus");
        Path data = Files.createTempDirectory("odin-expo-prop");
        odin = new SpringApplicationBuilder(OdinApplication.class).run("--server.port=0", "--management.server.port=0",
                "--odin.otlp.grpc.port=0", "--odin.data-dir=" + data, "--odin.metrics.max-series=5000",
                "--odin.probes.host.enabled=false", "--odin.probes.gpu.enabled=false",
                "--odin.probes.power.enabled=false", "--odin.probes.process.enabled=false",
                "--odin.claude.transcripts-dir=" + data.resolve("no-transcripts"),
                "--logging.level.root=WARN", "--logging.level.dev.odin=ERROR");
        httpPort = ((WebServerApplicationContext) odin).getWebServer().getPort();
        managementPort = Integer.parseInt(odin.getEnvironment().getProperty("local.management.port"));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", odin.getBean(OtlpGrpcServer.class).port()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
    }

    @AfterContainer
    static void stop() throws Exception {
        if (odin == null) {
            return;
        }
        try {
            assertThat(odin.getBean(SeriesStore.class).stats().familiesDropped.sum())
                    .as("families the collector had to drop: everything should be refused at ingest").isZero();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            odin.close();
        }
    }

    @Property(tries = 100, shrinking = ShrinkingMode.OFF)
    void anyMetricsKeepTheScrapeWhole(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        ExportMetricsServiceRequest req = request(r);
        if (r.nextInt(3) == 0) {
            req = ProtoMutations.mutate(req, r);
        }
        if (r.nextBoolean()) {
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/v1/metrics")).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(req.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(resp.statusCode()).as("seed %d: OTLP/HTTP", seed).isIn(200, 400);
        } else {
            try {
                MetricsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).export(req);
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).as("seed %d: OTLP/gRPC %s", seed, e.getStatus())
                        .isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
            }
        }
        String text = new String(scrape(seed, "text/plain;version=0.0.4"), StandardCharsets.UTF_8);
        String openMetrics = new String(scrape(seed, "application/openmetrics-text;version=1.0.0"),
                StandardCharsets.UTF_8);
        assertThat(openMetrics).as("seed %d", seed).endsWith("# EOF\n");
        byte[] protobuf = scrape(seed, PROTOBUF_ACCEPT);
        ByteArrayInputStream in = new ByteArrayInputStream(protobuf);
        Set<String> families = new HashSet<>();
        while (in.available() > 0) {
            Metrics.MetricFamily f = Metrics.MetricFamily.parseDelimitedFrom(in);
            assertThat(families.add(f.getName())).as("seed %d: family %s twice in protobuf", seed, f.getName()).isTrue();
        }
        Set<String> samples = new HashSet<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                String key = line.substring(0, line.lastIndexOf(' '));
                assertThat(samples.add(key)).as("seed %d: sample %s twice", seed, key).isTrue();
            }
        }
        promtoolParses(seed, text);
    }

    private static byte[] scrape(long seed, String accept) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/metrics")).timeout(Duration.ofSeconds(30))
                .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("seed %d: /metrics as %s: %s", seed, accept,
                new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return r.body();
    }

    /** promtool exits 0 (clean) or 3 (lint remarks such as missing help); 1 is a parse error. */
    private static void promtoolParses(long seed, String text) throws Exception {
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("seed %d: promtool", seed).doesNotContain("error while linting");
        assertThat(p.exitValue()).as("seed %d: promtool said %s", seed, out).isIn(0, 3);
    }

    // ---- generators ----

    private static String pick(String[] a, Random r) {
        return a[r.nextInt(a.length)];
    }

    private static String name(Random r) {
        switch (r.nextInt(10)) {
            case 0:
                return "n".repeat(200 + r.nextInt(400)); // around the 255 limit
            case 1:
                return pick(NAMES, r) + "." + pick(NAMES, r);
            default:
                return pick(NAMES, r);
        }
    }

    private static String value(Random r) {
        switch (r.nextInt(8)) {
            case 0:
                return "";
            case 1:
                return "v".repeat(4000 + r.nextInt(200)); // around the 4096 limit
            case 2:
                return "ü\"\\\n日本\uD83D\uDE00";
            default:
                return "v" + r.nextInt(4);
        }
    }

    private static List<KeyValue> attributes(Random r) {
        List<KeyValue> out = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            String key = r.nextInt(15) == 0 ? "k".repeat(120 + r.nextInt(20)) : pick(KEYS, r);
            out.add(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value(r))).build());
        }
        return out;
    }

    private static double number(Random r) {
        switch (r.nextInt(12)) {
            case 0: return Double.NaN;
            case 1: return Double.POSITIVE_INFINITY;
            case 2: return Double.NEGATIVE_INFINITY;
            case 3: return -r.nextInt(100);
            case 4: return -0.0;
            default: return r.nextInt(1000) / 4.0;
        }
    }

    private static long count(Random r) {
        switch (r.nextInt(12)) {
            case 0: return Long.MIN_VALUE; // 2^63 as uint64
            case 1: return -1; // 2^64 - 1
            case 2: return Long.MAX_VALUE;
            default: return r.nextInt(50);
        }
    }

    private static long time(Random r, long base) {
        return r.nextInt(20) == 0 ? -1 : base + r.nextInt(5) * 1_000_000_000L;
    }

    private static final long T0 = 1_795_358_400_000_000_000L;

    private static AggregationTemporality temporality(Random r) {
        int t = r.nextInt(10);
        return t == 0 ? AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED
                : t < 5 ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
    }

    private static Exemplar exemplar(Random r) {
        return Exemplar.newBuilder().setAsDouble(number(r)).setTimeUnixNano(time(r, T0))
                .addAllFilteredAttributes(attributes(r)).build();
    }

    private static NumberDataPoint numberPoint(Random r) {
        NumberDataPoint.Builder b = NumberDataPoint.newBuilder().addAllAttributes(attributes(r))
                .setStartTimeUnixNano(time(r, T0)).setTimeUnixNano(time(r, T0 + 10_000_000_000L));
        if (r.nextBoolean()) {
            b.setAsDouble(number(r));
        } else {
            b.setAsInt(r.nextInt(7) == 0 ? Long.MIN_VALUE : r.nextInt(100) - 10);
        }
        if (r.nextInt(4) == 0) {
            b.addExemplars(exemplar(r));
        }
        return b.build();
    }

    private static HistogramDataPoint histogramPoint(Random r) {
        HistogramDataPoint.Builder b = HistogramDataPoint.newBuilder().addAllAttributes(attributes(r))
                .setStartTimeUnixNano(time(r, T0)).setTimeUnixNano(time(r, T0 + 10_000_000_000L)).setSum(number(r));
        int nb = r.nextInt(4);
        double bound = -1;
        long total = 0;
        for (int i = 0; i < nb; i++) {
            bound += r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(3);
            b.addExplicitBounds(r.nextInt(20) == 0 ? Double.NaN : bound);
        }
        if (nb > 0 || r.nextBoolean()) {
            for (int i = 0; i <= nb; i++) {
                long c = count(r);
                b.addBucketCounts(c);
                total += c;
            }
        } else {
            total = count(r);
        }
        b.setCount(r.nextInt(8) == 0 ? count(r) : total);
        if (r.nextInt(4) == 0) {
            b.addExemplars(exemplar(r));
        }
        return b.build();
    }

    private static ExponentialHistogramDataPoint.Buckets buckets(Random r, long[] total) {
        ExponentialHistogramDataPoint.Buckets.Builder b = ExponentialHistogramDataPoint.Buckets.newBuilder();
        int offset = r.nextInt(10) == 0 ? (r.nextBoolean() ? Integer.MAX_VALUE - 1 : Integer.MIN_VALUE)
                : r.nextInt(10) == 0 ? r.nextInt(2_000_000) - 1_000_000 : r.nextInt(20) - 10;
        b.setOffset(offset);
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            long c = count(r);
            b.addBucketCounts(c);
            total[0] += c;
        }
        return b.build();
    }

    private static ExponentialHistogramDataPoint exponentialPoint(Random r) {
        long[] total = {0};
        long zero = count(r);
        total[0] += zero;
        ExponentialHistogramDataPoint.Builder b = ExponentialHistogramDataPoint.newBuilder()
                .addAllAttributes(attributes(r)).setStartTimeUnixNano(time(r, T0))
                .setTimeUnixNano(time(r, T0 + 10_000_000_000L)).setScale(r.nextInt(30) - 6)
                .setZeroCount(zero).setZeroThreshold(r.nextInt(6) == 0 ? number(r) : 0)
                .setPositive(buckets(r, total)).setNegative(buckets(r, total)).setSum(number(r));
        return b.setCount(r.nextInt(8) == 0 ? count(r) : total[0]).build();
    }

    private static SummaryDataPoint summaryPoint(Random r) {
        SummaryDataPoint.Builder b = SummaryDataPoint.newBuilder().addAllAttributes(attributes(r))
                .setStartTimeUnixNano(time(r, T0)).setTimeUnixNano(time(r, T0 + 10_000_000_000L))
                .setCount(count(r)).setSum(number(r));
        int n = r.nextInt(4);
        double[] qs = {0.0, -0.0, 0.5, 0.99, 1.0, 1.5, Double.NaN};
        for (int i = 0; i < n; i++) {
            b.addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(qs[r.nextInt(qs.length)])
                    .setValue(number(r)));
        }
        return b.build();
    }

    private static Metric metric(Random r) {
        Metric.Builder m = Metric.newBuilder().setName(name(r)).setUnit(pick(UNITS, r))
                .setDescription(r.nextInt(10) == 0 ? "d".repeat(2000) : "help " + r.nextInt(3));
        int points = 1 + r.nextInt(3);
        switch (r.nextInt(6)) {
            case 0: {
                Gauge.Builder g = Gauge.newBuilder();
                for (int i = 0; i < points; i++) {
                    g.addDataPoints(numberPoint(r));
                }
                return m.setGauge(g).build();
            }
            case 1:
            case 2: {
                Sum.Builder s = Sum.newBuilder().setIsMonotonic(r.nextInt(3) > 0).setAggregationTemporality(temporality(r));
                for (int i = 0; i < points; i++) {
                    s.addDataPoints(numberPoint(r));
                }
                return m.setSum(s).build();
            }
            case 3: {
                Histogram.Builder h = Histogram.newBuilder().setAggregationTemporality(temporality(r));
                for (int i = 0; i < points; i++) {
                    h.addDataPoints(histogramPoint(r));
                }
                return m.setHistogram(h).build();
            }
            case 4: {
                ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder()
                        .setAggregationTemporality(temporality(r));
                for (int i = 0; i < points; i++) {
                    h.addDataPoints(exponentialPoint(r));
                }
                return m.setExponentialHistogram(h).build();
            }
            default: {
                Summary.Builder s = Summary.newBuilder();
                for (int i = 0; i < points; i++) {
                    s.addDataPoints(summaryPoint(r));
                }
                return m.setSummary(s).build();
            }
        }
    }

    private static ExportMetricsServiceRequest request(Random r) {
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder()
                .setName(r.nextInt(10) == 0 ? "s".repeat(5000) : "scope").setVersion(value(r))
                .addAllAttributes(attributes(r)));
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            scope.addMetrics(metric(r));
        }
        List<KeyValue> resource = new ArrayList<>(attributes(r));
        resource.add(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue(r.nextInt(10) == 0 ? "" : "svc" + r.nextInt(3))).build());
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(resource)).addScopeMetrics(scope)).build();
    }
}
