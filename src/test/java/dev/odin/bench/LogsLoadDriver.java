package dev.odin.bench;

import dev.odin.receiver.otlp.RawBytesMarshaller;
import dev.odin.testing.StandInLoki;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver for the event path (bench/run.sh logs): ODIN with a Loki URL pointing at a stand-in
 * Loki that this driver runs (decoding snappy + protobuf like Loki). Sends Claude Code api_request
 * events (20 attributes each, 500 a request) over gRPC and reports records per second acknowledged
 * (on disk in the queue) and delivered to Loki, then takes Loki away for a while, keeps sending at
 * a steady rate and reports ODIN's RSS and the queue as the disk fills, then brings Loki back and
 * times the drain. Bounded in time; stops by itself.
 *
 * <p>Arguments: grpcPort managementPort odinPid lokiPort seconds outageSeconds
 */
public final class LogsLoadDriver {

    private static final int RECORDS_PER_REQUEST = 500;
    private final StringBuilder report = new StringBuilder();

    public static void main(String[] args) throws Exception {
        new LogsLoadDriver().run(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2]),
                Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        report.append(s).append('\n');
        System.out.println(s); // the driver's output is its report
    }

    private void run(int grpcPort, int mgmt, long pid, int lokiPort, int seconds, int outageSeconds) throws Exception {
        mgmtPort = mgmt;
        StandInLoki loki = new StandInLoki(lokiPort);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        MethodDescriptor<byte[], ExportLogsServiceResponse> raw = LogsServiceGrpc.getExportMethod()
                .toBuilder(RawBytesMarshaller.INSTANCE, ProtoUtils.marshaller(ExportLogsServiceResponse.getDefaultInstance()))
                .build();
        List<byte[]> requests = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            requests.add(request(r));
        }
        line("machine: %d cores, JDK %s; %d events a request, 20 attributes each, %d bytes a request",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), RECORDS_PER_REQUEST,
                requests.get(0).length);
        line("ODIN RSS at start: %d MB", Rss.megabytes(pid));
        try {
            phase("warm-up", channel, raw, requests, loki, Math.max(5, seconds / 4), 0, pid);
            phase("end to end, as fast as possible", channel, raw, requests, loki, seconds, 0, pid);
            drain(loki, pid);
            loki.stop();
            line("Loki down:");
            phase("into the queue, as fast as possible", channel, raw, requests, loki, seconds, 0, pid);
            loki.reopen();
            drain(loki, pid);
            if (outageSeconds > 0) {
                loki.stop();
                line("Loki down for %d s; sending 5,000 events/s", outageSeconds);
                phase("during the outage", channel, raw, requests, loki, outageSeconds, 5000, pid);
                loki.reopen();
                drain(loki, pid);
            }
        } finally {
            channel.shutdownNow();
            loki.close();
        }
        Path out = Path.of("target", "bench-logs-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
    }

    private void phase(String name, ManagedChannel channel, MethodDescriptor<byte[], ExportLogsServiceResponse> raw,
            List<byte[]> requests, StandInLoki loki, int seconds, double perSecond, long pid) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong acked = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        int workers = 4;
        long lokiBefore = loki.entriesReceived();
        long start = System.nanoTime();
        long maxRss = 0;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Thread t = new Thread(() -> {
                Pacer pacer = new Pacer(perSecond / RECORDS_PER_REQUEST / workers);
                int n = 0;
                while (System.nanoTime() < end) {
                    if (!pacer.await()) {
                        return;
                    }
                    try {
                        ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                                requests.get((worker + n++ * workers) % requests.size()));
                        acked.addAndGet(RECORDS_PER_REQUEST);
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long lastSample = System.nanoTime();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(200);
            maxRss = Math.max(maxRss, Rss.megabytes(pid));
            if (perSecond > 0 && System.nanoTime() - lastSample > TimeUnit.SECONDS.toNanos(60)) {
                lastSample = System.nanoTime();
                line("  %4.0f s: RSS %d MB, queue %s", (System.nanoTime() - start) / 1e9, Rss.megabytes(pid), queue());
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        line("%-34s acknowledged %8.0f events/s, delivered to Loki %8.0f events/s, errors %d, max RSS %d MB",
                name, acked.get() / elapsed, (loki.entriesReceived() - lokiBefore) / elapsed, errors.get(), maxRss);
    }

    private void drain(StandInLoki loki, long pid) throws Exception {
        long start = System.nanoTime();
        long before = loki.entriesReceived();
        while (System.nanoTime() - start < TimeUnit.MINUTES.toNanos(10)) {
            String q = queue();
            if (q.startsWith("0 ")) {
                break;
            }
            Thread.sleep(200);
        }
        double s = (System.nanoTime() - start) / 1e9;
        line("queue drained in %.1f s (%d events, %.0f events/s), RSS %d MB", s, loki.entriesReceived() - before,
                (loki.entriesReceived() - before) / Math.max(s, 0.001), Rss.megabytes(pid));
    }

    private static int mgmtPort;

    private static String queue() {
        try {
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + mgmtPort + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            String records = "?";
            String disk = "?";
            for (String l : r.body().split("\n")) {
                if (l.startsWith("odin_loki_queue_records ")) {
                    records = l.substring(l.indexOf(' ') + 1).replace(".0", "");
                } else if (l.startsWith("odin_loki_queue_disk_bytes ")) {
                    disk = String.format(Locale.ROOT, "%.0f MB", Double.parseDouble(l.substring(l.indexOf(' ') + 1)) / 1e6);
                }
            }
            return records + " events, " + disk + " on disk";
        } catch (Exception e) {
            return "? (" + e + ")";
        }
    }

    private static KeyValue kv(String k, Object v) {
        AnyValue.Builder b = AnyValue.newBuilder();
        if (v instanceof String) {
            b.setStringValue((String) v);
        } else if (v instanceof Double) {
            b.setDoubleValue((Double) v);
        } else {
            b.setIntValue(((Number) v).longValue());
        }
        return KeyValue.newBuilder().setKey(k).setValue(b).build();
    }

    /** 500 api_request events as Claude Code sends them: 20 attributes each. */
    private static byte[] request(int r) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder()
                .setName("com.anthropic.claude_code.events").setVersion("2.1.330"));
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < RECORDS_PER_REQUEST; i++) {
            int seq = r * RECORDS_PER_REQUEST + i;
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(now + seq).setObservedTimeUnixNano(now + seq)
                    .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
                    .addAttributes(kv("machine.name", "bench")).addAttributes(kv("user.id", "12dbf2941b6e8d9d83807323ad83ffa77e47c9a217714801ed53bfdf0d0eb29c"))
                    .addAttributes(kv("session.id", "session-" + (seq % 50))).addAttributes(kv("anthropic.provider", "firstParty"))
                    .addAttributes(kv("terminal.type", "xterm")).addAttributes(kv("event.name", "api_request"))
                    .addAttributes(kv("event.timestamp", "2026-11-22T14:40:34.617Z")).addAttributes(kv("event.sequence", (long) seq))
                    .addAttributes(kv("model", "claude-sonnet-4-5")).addAttributes(kv("cost_usd", 0.006554999999999999))
                    .addAttributes(kv("duration_ms", "538")).addAttributes(kv("ttft_ms", "493"))
                    .addAttributes(kv("input_tokens", "1200")).addAttributes(kv("output_tokens", "42"))
                    .addAttributes(kv("cache_read_tokens", "4000")).addAttributes(kv("cache_creation_tokens", "300"))
                    .addAttributes(kv("request_id", "req_011CV" + seq)).addAttributes(kv("speed", "normal"))
                    .addAttributes(kv("query_source", "main")).addAttributes(kv("effort", "medium")));
        }
        return io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.newBuilder().addResourceLogs(
                ResourceLogs.newBuilder().setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code"))
                        .addAttributes(kv("service.version", "2.1.330")).addAttributes(kv("machine.name", "bench")))
                        .addScopeLogs(sl)).build().toByteArray();
    }
}
