package dev.odin.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
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
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver for a running ODIN (bench/run.sh starts one). Sends Claude-Code-shaped OTLP
 * metric batches (delta counters and histograms, 1,000 data points a request, pre-encoded so the
 * driver spends its CPU on sending) over gRPC and HTTP/protobuf, first as fast as it can, then at
 * half that rate, and reports data points per second, latency percentiles and ODIN's RSS. Then
 * it grows the store to 10k and 100k live series and times /metrics scrapes. Every phase is
 * bounded in time; the driver stops by itself.
 *
 * <p>Arguments: grpcPort httpPort managementPort odinPid [seconds per phase]
 */
public final class LoadDriver {

    private static final int POINTS_PER_REQUEST = 1000;

    private final int grpcPort;
    private final int httpPort;
    private final int managementPort;
    private final long pid;
    private final int seconds;
    private final StringBuilder report = new StringBuilder();

    private LoadDriver(String[] args) {
        grpcPort = Integer.parseInt(args[0]);
        httpPort = Integer.parseInt(args[1]);
        managementPort = Integer.parseInt(args[2]);
        pid = Long.parseLong(args[3]);
        seconds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
    }

    public static void main(String[] args) throws Exception {
        LoadDriver d = new LoadDriver(args);
        d.run();
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        report.append(s).append('\n');
        System.out.println(s); // the driver's output is its report
    }

    private void run() throws Exception {
        line("machine: %d cores, %s, JDK %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
        line("batches: %d data points per request (delta counters and histograms, 10k distinct series), %ds per phase",
                POINTS_PER_REQUEST, seconds);
        List<byte[]> batches = batches(10);
        line("request size: %d bytes of protobuf", batches.get(0).length);
        line("ODIN RSS at start: %d MB", Rss.megabytes(pid));

        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        MethodDescriptor<byte[], ExportMetricsServiceResponse> raw = MetricsServiceGrpc.getExportMethod()
                .toBuilder(dev.odin.receiver.otlp.RawBytesMarshaller.INSTANCE, ProtoUtils.marshaller(ExportMetricsServiceResponse.getDefaultInstance())).build();
        Sender grpc = body -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT
                .withDeadlineAfter(10, TimeUnit.SECONDS), body);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + httpPort + "/v1/metrics");
        Sender http = body -> {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type",
                    "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode());
            }
        };
        try {
            for (String[] t : new String[][] {{"gRPC", "grpc"}, {"HTTP/protobuf", "http"}}) {
                Sender s = t[1].equals("grpc") ? grpc : http;
                phase(t[0] + " warm-up", s, batches, 4, 0, Math.max(5, seconds / 4));
                Result max = phase(t[0] + " max", s, batches, 4, 0, seconds);
                phase(t[0] + " at half rate", s, batches, 4, max.pointsPerSecond / 2, seconds);
            }
            line("ODIN RSS after load: %d MB", Rss.megabytes(pid));
            scrapes(grpc);
        } finally {
            channel.shutdownNow();
        }
        Path out = Path.of("target", "bench-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
    }

    interface Sender {
        void send(byte[] body) throws Exception;
    }

    private static final class Result {
        double pointsPerSecond;
    }

    /** Runs workers for a bounded time; rate 0 means as fast as possible. */
    private Result phase(String name, Sender sender, List<byte[]> batches, int workers, double pointsPerSecond,
            int durationSeconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        AtomicLong sent = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        double requestsPerSecondPerWorker = pointsPerSecond / POINTS_PER_REQUEST / workers;
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            long[] lat = new long[2_000_000];
            latencies.add(lat);
            int worker = w;
            Thread t = new Thread(() -> {
                int n = 0;
                Pacer pacer = new Pacer(requestsPerSecondPerWorker);
                while (System.nanoTime() < end && n < lat.length) {
                    if (!pacer.await()) {
                        return;
                    }
                    long t0 = System.nanoTime();
                    try {
                        sender.send(batches.get((worker + n * workers) % batches.size()));
                        sent.addAndGet(POINTS_PER_REQUEST);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    lat[n++] = System.nanoTime() - t0;
                }
                lat[lat.length - 1] = n; // count kept in the last slot
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (long[] l : latencies) {
            total += l[l.length - 1];
        }
        long[] all = new long[(int) total];
        int k = 0;
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, k, n);
            k += n;
        }
        Arrays.sort(all);
        Result r = new Result();
        r.pointsPerSecond = sent.get() / elapsed;
        line("%-28s %9.0f points/s  %6d requests  latency ms p50 %6.2f p90 %6.2f p99 %6.2f max %7.2f  errors %d  RSS %d MB",
                name, r.pointsPerSecond, all.length, pct(all, 0.5), pct(all, 0.9), pct(all, 0.99),
                all.length == 0 ? 0 : all[all.length - 1] / 1e6, errors.get(), Rss.megabytes(pid));
        return r;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** Grows the store to 10k and then 100k live series, and times scrapes of each format. */
    private void scrapes(Sender grpc) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int target : new int[] {10_000, 100_000}) {
            // gauges, 10 metrics x target/10 series, so each series is new and stays live
            int perMetric = target / 10;
            for (int offset = 0; offset < perMetric; offset += POINTS_PER_REQUEST / 10) {
                for (byte[] b : batchesOfGauges(offset, POINTS_PER_REQUEST / 10)) {
                    grpc.send(b);
                }
            }
            for (String accept : new String[] {"text/plain;version=0.0.4", "application/openmetrics-text;version=1.0.0",
                    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}) {
                long[] times = new long[5];
                long bytes = 0;
                for (int i = 0; i < times.length; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + managementPort + "/metrics")).header("Accept", accept).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                        bytes = in.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                    times[i] = System.nanoTime() - t0;
                }
                Arrays.sort(times);
                line("scrape at %6d gauge series + the 10k load series, %-40s median %7.1f ms, max %7.1f ms, %6.1f MB",
                        target, accept.substring(0, Math.min(40, accept.indexOf(';') > 0 ? accept.indexOf(';') : accept.length())),
                        times[2] / 1e6, times[4] / 1e6, bytes / 1e6);
            }
            line("ODIN RSS with %d + 10k live series: %d MB", target, Rss.megabytes(pid));
        }
    }

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    private static ExportMetricsServiceRequest.Builder envelope(List<Metric> metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code"))
                        .addAttributes(kv("service.version", "2.1.330")).addAttributes(kv("os.type", "linux"))
                        .addAttributes(kv("host.arch", "amd64")).addAttributes(kv("machine.name", "bench")))
                .addScopeMetrics(ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder()
                        .setName("com.anthropic.claude_code").setVersion("2.1.330")).addAllMetrics(metrics)));
    }

    private static List<KeyValue> claudeAttributes(int series) {
        // user.email as Claude Code sends it: the default privacy rule hashes it, so every request
        // meets a rule (before issue 16 each was rewritten for it; now it is hashed as labels are built)
        return List.of(kv("user.id", "12dbf2941b6e8d9d83807323ad83ffa77e47c9a217714801ed53bfdf0d0eb29c"),
                kv("user.email", "dev" + (series % 7) + "@example.com"),
                kv("session.id", "session-" + (series / 4)), kv("terminal.type", "xterm"),
                kv("anthropic.provider", "firstParty"), kv("machine.name", "bench"),
                kv("model", series % 2 == 0 ? "claude-sonnet-4-5" : "claude-opus-4-1"),
                kv("type", new String[] {"input", "output", "cacheRead", "cacheCreation"}[series % 4]));
    }

    /** Successive delta windows per batch: more than ODIN remembers per series (AppliedDeltas.SIZE, 8). */
    private static final int WINDOWS = 16;

    /**
     * {@code count} requests, each in {@link #WINDOWS} successive one-minute delta windows (so a
     * resent batch is a new delta, as Claude Code's next export is, not a duplicate ODIN ignores);
     * each has 9 delta counters and 1 delta histogram with 100 points, covering 1,000 distinct
     * attribute sets per metric across the requests. Batch {@code i} is request {@code i % count}
     * in window {@code i / count}.
     */
    private static List<byte[]> batches(int count) {
        List<byte[]> out = new ArrayList<>();
        long minute = 60_000_000_000L;
        long first = System.currentTimeMillis() * 1_000_000L - WINDOWS * minute;
        for (int i = 0; i < count * WINDOWS; i++) {
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
            out.add(envelope(metrics).build().toByteArray());
        }
        return out;
    }

    /** Requests of gauges with new attribute sets, 10 metrics x {@code per} points each. */
    private static List<byte[]> batchesOfGauges(int offset, int per) {
        List<Metric> metrics = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            io.opentelemetry.proto.metrics.v1.Gauge.Builder g = io.opentelemetry.proto.metrics.v1.Gauge.newBuilder();
            for (int p = 0; p < per; p++) {
                g.addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(List.of(kv("host.name", "host-" + ((offset + p) % 500)),
                        kv("device", "dev-" + (offset + p)), kv("direction", "rx"))).setTimeUnixNano(1).setAsDouble(offset + p));
            }
            metrics.add(Metric.newBuilder().setName("bench.gauge." + m).setUnit("By").setGauge(g).build());
        }
        return List.of(envelope(metrics).build().toByteArray());
    }

}
