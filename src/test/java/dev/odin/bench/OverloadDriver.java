package dev.odin.bench;

import dev.odin.testing.Otlp;
import com.sun.net.httpserver.HttpServer;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.LabelPairAdapter;
import dev.odin.loki.wire.PushRequest;
import dev.odin.loki.wire.StreamAdapter;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import org.xerial.snappy.Snappy;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Overload driver (bench/run.sh overload): measures the rate ODIN sustains for Claude Code
 * events over gRPC (closed loop, 10 s), then offers ten times that rate (open loop) for the given
 * time, with metric senders running as fast as they can beside it, against a stand-in Loki that
 * is slower than the intake. Reports what was offered, accepted, refused (and how), and lost
 * (acknowledged but never delivered to Loki, or a counter that does not add up: must be zero),
 * and ODIN's peak RSS. Bounded in time; stops by itself.
 *
 * <p>Arguments: grpcPort managementPort odinPid lokiPort seconds
 */
public final class OverloadDriver {

    private static final int RECORDS = 100;
    private static final int MAX_OUTSTANDING = 2_000;
    private static final int METRIC_SENDERS = 4;

    private final StringBuilder report = new StringBuilder();
    private final BitSet acked = new BitSet();
    private final AtomicLong nextRequest = new AtomicLong();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    /**
     * A Loki that decodes each push (snappy + push.proto, as Loki does) and keeps only which
     * sequence numbers arrived: millions of entries fit in a bit set, not in a store.
     */
    private static final class CountingLoki implements AutoCloseable {
        final BitSet delivered = new BitSet();
        volatile long delayMillis;
        final HttpServer server;

        CountingLoki(int port) throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            server.setExecutor(Executors.newFixedThreadPool(2));
            server.createContext("/loki/api/v1/push", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    PushRequest push = PushRequest.parseFrom(Snappy.uncompress(in.readAllBytes()));
                    if (delayMillis > 0) {
                        Thread.sleep(delayMillis);
                    }
                    synchronized (delivered) {
                        for (StreamAdapter st : push.getStreamsList()) {
                            for (EntryAdapter e : st.getEntriesList()) {
                                for (LabelPairAdapter p : e.getStructuredMetadataList()) {
                                    if (p.getName().equals("seq")) {
                                        delivered.set(Integer.parseInt(p.getValue()));
                                    }
                                }
                            }
                        }
                    }
                    exchange.sendResponseHeaders(204, -1);
                } catch (Exception e) {
                    exchange.sendResponseHeaders(500, -1);
                } finally {
                    exchange.close();
                }
            });
            server.start();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    public static void main(String[] args) throws Exception {
        new OverloadDriver().run(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2]),
                Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        System.exit(0);
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        report.append(s).append('\n');
        System.out.println(s);
    }

    private static ExportLogsServiceRequest events(long request) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = 0; i < RECORDS; i++) {
            long seq = request * RECORDS + i;
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0 + seq)
                    .setBody(Otlp.value("claude_code.api_request"))
                    .addAllAttributes(Otlp.attrs("seq", seq, "event.name", "api_request", "model",
                            "claude-sonnet-4-5-20250929", "input_tokens", 1200L, "output_tokens", 340L,
                            "cache_read_tokens", 15000L, "cost_usd", 0.0123, "duration_ms", 5400L,
                            "session.id", "5f1c0e2a-" + (request % 50))));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "claude-code")))
                .addScopeLogs(sl)).build();
    }

    private void refusedAs(Throwable t) {
        String what;
        if (t instanceof StatusRuntimeException e) {
            com.google.rpc.Status s = io.grpc.protobuf.StatusProto.fromThrowable(e);
            boolean retryInfo = s != null && s.getDetailsList().stream()
                    .anyMatch(d -> d.is(com.google.rpc.RetryInfo.class));
            what = e.getStatus().getCode() + (retryInfo ? "+RetryInfo" : "");
        } else {
            what = t.getClass().getSimpleName();
        }
        refused.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private void run(int grpcPort, int mgmt, long pid, int lokiPort, int seconds) throws Exception {
        CountingLoki loki = new CountingLoki(lokiPort);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        LogsServiceGrpc.LogsServiceBlockingStub blocking = LogsServiceGrpc.newBlockingStub(channel);
        line("ODIN overload run: %d s at 10x the sustainable event rate; %d cores, JVM %s",
                seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        // 1. the sustainable rate: 16 closed-loop senders, Loki answering at once
        long calibrateUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        AtomicLong calibrated = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 16; w++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < calibrateUntil) {
                    long r = nextRequest.getAndIncrement();
                    try {
                        blocking.withDeadlineAfter(30, TimeUnit.SECONDS).export(events(r));
                        ack(r);
                        calibrated.incrementAndGet();
                    } catch (StatusRuntimeException e) {
                        refusedAs(e);
                    }
                }
            });
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            t.join();
        }
        double sustainable = calibrated.get() / 10.0;
        double target = sustainable * 10;
        line("sustainable: %.0f requests/s (%.0f events/s); offering %.0f requests/s (%.0f events/s)", sustainable,
                sustainable * RECORDS, target, target * RECORDS);

        // 2. overload: open loop at 10x over 4 connections (4 clients), a slower Loki, metric
        // senders beside it on a connection of their own
        loki.delayMillis = 20;
        List<ManagedChannel> clients = new ArrayList<>();
        List<LogsServiceGrpc.LogsServiceStub> stubs = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
            clients.add(ch);
            stubs.add(LogsServiceGrpc.newStub(ch));
        }
        ManagedChannel metricsChannel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        clients.add(metricsChannel);
        Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[] metricAcked = new long[METRIC_SENDERS];
        List<Thread> metricThreads = new ArrayList<>();
        MetricsServiceGrpc.MetricsServiceBlockingStub metrics = MetricsServiceGrpc.newBlockingStub(metricsChannel);
        for (int m = 0; m < METRIC_SENDERS; m++) {
            int id = m;
            Thread t = new Thread(() -> {
                while (System.nanoTime() < until) {
                    ExportMetricsServiceRequest req = Otlp.request(Otlp.attrs("service.name", "overload-bench"),
                            Otlp.sum("bench.requests", "1", true, Otlp.CUMULATIVE, Otlp.point(Otlp.attrs("sender",
                                    (long) id), Otlp.T0, Otlp.T0 + metricAcked[id] + 1, metricAcked[id] + 1)));
                    try {
                        metrics.withDeadlineAfter(30, TimeUnit.SECONDS).export(req);
                        metricAcked[id]++;
                    } catch (StatusRuntimeException e) {
                        refusedAs(e);
                    }
                }
            });
            t.start();
            metricThreads.add(t);
        }
        Pacer pacer = new Pacer(target);
        long peakRssMb = 0;
        long lastReport = System.nanoTime();
        while (System.nanoTime() < until && pacer.await()) {
            offered.incrementAndGet();
            if (!outstanding.tryAcquire()) {
                skipped.incrementAndGet();
                continue;
            }
            long r = nextRequest.getAndIncrement();
            stubs.get((int) (r % stubs.size())).withDeadlineAfter(60, TimeUnit.SECONDS).export(events(r),
                    new StreamObserver<>() {
                @Override
                public void onNext(ExportLogsServiceResponse value) {
                }

                @Override
                public void onError(Throwable t) {
                    outstanding.release();
                    refusedAs(t);
                }

                @Override
                public void onCompleted() {
                    outstanding.release();
                    accepted.incrementAndGet();
                    ack(r);
                }
            });
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(15)) {
                lastReport = System.nanoTime();
                peakRssMb = Math.max(peakRssMb, Rss.megabytes(pid));
                line("  t+%3ds offered %d, accepted %d, refused %s, RSS %d MB", seconds
                        - TimeUnit.NANOSECONDS.toSeconds(until - System.nanoTime()), offered.get(), accepted.get(),
                        refused, Rss.megabytes(pid));
            }
        }
        for (Thread t : metricThreads) {
            t.join();
        }
        outstanding.acquire(MAX_OUTSTANDING);
        long hwm = peakRss(pid);
        line("offered %d requests at the target rate: accepted %d, refused %s, held back on the client (%d calls"
                + " outstanding: HTTP/2 flow control and ODIN's per-connection call limit) %d", offered.get(),
                accepted.get(), refused, MAX_OUTSTANDING, skipped.get());

        // 3. lost: everything acknowledged must reach Loki; every counter must add up
        loki.delayMillis = 0;
        long ackedEvents;
        synchronized (acked) {
            ackedEvents = acked.cardinality();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        long lost = ackedEvents;
        while (System.nanoTime() < deadline) {
            lost = missing(loki);
            if (lost == 0) {
                break;
            }
            Thread.sleep(500);
        }
        String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmt
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        long metricMismatch = 0;
        long metricAckedTotal = 0;
        for (int m = 0; m < METRIC_SENDERS; m++) {
            metricAckedTotal += metricAcked[m];
            if (metricAcked[m] > 0 && !exposition.contains("sender=\"" + m + "\"} " + metricAcked[m] + ".0")) {
                metricMismatch++;
            }
        }
        line("events acknowledged %d, delivered to Loki %d, lost %d", ackedEvents, ackedEvents - lost, lost);
        line("counter increments acknowledged %d over %d series, series that do not add up %d", metricAckedTotal,
                METRIC_SENDERS, metricMismatch);
        line("peak RSS (VmHWM) %d MB", hwm >> 20);
        for (String l : exposition.split("\n")) {
            if (l.startsWith("odin_admission_refused_total") || l.startsWith("odin_loki_dropped_total")) {
                line("  %s", l);
            }
        }
        line(lost == 0 && metricMismatch == 0 ? "RESULT: nothing acknowledged was lost" : "RESULT: DATA LOST");
        Files.writeString(Path.of("target/bench-overload-report.txt"), report);
        channel.shutdownNow();
        clients.forEach(ManagedChannel::shutdownNow);
        loki.close();
        if (lost != 0 || metricMismatch != 0) {
            System.exit(1);
        }
    }

    private void ack(long request) {
        synchronized (acked) {
            acked.set((int) (request * RECORDS), (int) (request * RECORDS + RECORDS));
        }
    }

    private long missing(CountingLoki loki) {
        BitSet missing;
        synchronized (acked) {
            missing = (BitSet) acked.clone();
        }
        synchronized (loki.delivered) {
            missing.andNot(loki.delivered);
        }
        return missing.cardinality();
    }

    private static long peakRss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
