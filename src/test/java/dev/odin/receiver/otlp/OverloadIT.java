package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import dev.odin.testing.Await;
import dev.odin.testing.OdinProcess;
import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Overload: ODIN as the gateway runs it (-Xmx256m, its container limit 512 MiB), Loki down, 16
 * senders as fast as they can over HTTP and gRPC for 15 s. Refused requests must carry retryable
 * answers (HTTP 503 + Retry-After, gRPC RESOURCE_EXHAUSTED + RetryInfo), the peak RSS must stay
 * under the container limit, and once Loki is back every acknowledged event and every
 * acknowledged counter increment must be in the sinks.
 */
class OverloadIT {

    private static final long CONTAINER_LIMIT = 512L * 1024 * 1024;
    private static final int SENDERS = 16;
    private static final int RECORDS_PER_REQUEST = 50;

    private final Set<Long> ackedSeqs = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> wrongAnswers = new ConcurrentLinkedQueue<>();
    private final AtomicLong nextSeq = new AtomicLong();

    private static byte[] events(long firstSeq) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = 0; i < RECORDS_PER_REQUEST; i++) {
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0 + firstSeq + i)
                    .setBody(Otlp.value("claude_code.api_request"))
                    .addAllAttributes(Otlp.attrs("seq", firstSeq + i, "model", "claude-sonnet-4-5",
                            "padding", "x".repeat(300))));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "overload")))
                .addScopeLogs(sl)).build().toByteArray();
    }

    private static byte[] counter(int sender, long value) {
        return Otlp.request(Otlp.attrs("service.name", "overload"), Otlp.sum("overload.requests", "1", true,
                Otlp.CUMULATIVE, Otlp.point(Otlp.attrs("sender", (long) sender), Otlp.T0, Otlp.T0 + value, value)))
                .toByteArray();
    }

    private void refused(String what) {
        refusals.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private boolean postHttp(HttpClient http, int port, String path, byte[] body) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Content-Type", "application/x-protobuf").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200) {
                return true;
            }
            if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
                refused("http 503");
            } else {
                wrongAnswers.add("HTTP " + r.statusCode() + " " + r.headers().map() + " " + new String(r.body()));
            }
        } catch (Exception e) {
            wrongAnswers.add("HTTP " + e);
        }
        return false;
    }

    private boolean sendGrpc(LogsServiceGrpc.LogsServiceBlockingStub stub, byte[] body) {
        try {
            stub.withDeadlineAfter(30, TimeUnit.SECONDS).export(ExportLogsServiceRequest.parseFrom(body));
            return true;
        } catch (StatusRuntimeException e) {
            com.google.rpc.Status s = StatusProto.fromThrowable(e);
            boolean retryInfo = s != null && s.getDetailsList().stream().anyMatch(d -> d.is(RetryInfo.class));
            if (e.getStatus().getCode() == io.grpc.Status.Code.RESOURCE_EXHAUSTED && retryInfo) {
                refused("grpc RESOURCE_EXHAUSTED+RetryInfo");
            } else if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
                refused("grpc UNAVAILABLE");
            } else {
                wrongAnswers.add("gRPC " + e.getStatus() + " retryInfo=" + retryInfo);
            }
        } catch (Exception e) {
            wrongAnswers.add("gRPC " + e);
        }
        return false;
    }

    private void sender(int id, OdinProcess odin, long until, long[] ackedIncrements) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", odin.grpcPort).usePlaintext().build();
        try {
            LogsServiceGrpc.LogsServiceBlockingStub stub = LogsServiceGrpc.newBlockingStub(channel);
            for (int round = 0; System.nanoTime() < until; round++) {
                long first = nextSeq.getAndAdd(RECORDS_PER_REQUEST);
                byte[] body = events(first);
                boolean ok = (round + id) % 2 == 0 ? postHttp(http, odin.httpPort, "/v1/logs", body) : sendGrpc(stub, body);
                if (ok) {
                    for (long s = first; s < first + RECORDS_PER_REQUEST; s++) {
                        ackedSeqs.add(s);
                    }
                }
                // a cumulative counter: the value ODIN must end up with is the last one it acknowledged
                if (postHttp(http, odin.httpPort, "/v1/metrics", counter(id, ackedIncrements[id] + 1))) {
                    ackedIncrements[id]++;
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void refusesRetryablyStaysUnderItsMemoryLimitAndLosesNothingAcknowledged() throws Exception {
        Path data = Files.createDirectories(Path.of("target", "test-data", "overload-" + System.nanoTime()));
        try (StandInLoki loki = new StandInLoki()) {
            loki.answer(() -> 503, "1"); // Loki down: the queue fills up to its soft limit
            try (OdinProcess odin = OdinProcess.start(data, List.of("-XX:+UseParallelGC", "-Xms64m", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
                    "--odin.loki.url=" + loki.url(), "--odin.loki.queue-max-size=16MB", "--odin.loki.batch-size=256KB",
                    "--odin.loki.min-backoff=100ms", "--odin.loki.max-backoff=500ms",
                    "--odin.admission.queue-limit=0.25", "--odin.admission.max-in-flight-requests=6",
                    "--odin.admission.retry-after=1s", "--logging.level.root=WARN")) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                long[] ackedIncrements = new long[SENDERS];
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = new ArrayList<>();
                for (int i = 0; i < SENDERS; i++) {
                    int id = i;
                    Thread t = new Thread(() -> {
                        try {
                            sender(id, odin, until, ackedIncrements);
                        } catch (Throwable e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    }, "overload-sender-" + i);
                    t.start();
                    threads.add(t);
                }
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(90));
                }
                assertThat(failures).isEmpty();
                long peakRss = odin.peakRssBytes();
                assertThat(wrongAnswers).as("answers that are neither success nor a retryable refusal").isEmpty();
                assertThat(refusals.getOrDefault("http 503", new AtomicLong()).get()).isPositive();
                assertThat(refusals.getOrDefault("grpc RESOURCE_EXHAUSTED+RetryInfo", new AtomicLong()).get()).isPositive();
                assertThat(ackedSeqs).isNotEmpty();
                assertThat(peakRss).as("peak RSS").isLessThan(CONTAINER_LIMIT);

                loki.healthy();
                Await.until("every acknowledged event in Loki", Duration.ofSeconds(90), () -> loki.seqs()
                        .containsAll(ackedSeqs));
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + odin.managementPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                for (int i = 0; i < SENDERS; i++) {
                    if (ackedIncrements[i] > 0) {
                        assertThat(metrics.body()).contains("overload_requests_total{job=\"overload\",otel_scope_name="
                                + "\"test.scope\",otel_scope_version=\"1.0\",sender=\"" + i + "\"} " + ackedIncrements[i] + ".0");
                    }
                }
                assertThat(metrics.body()).doesNotContain("odin_loki_dropped_total{");
                System.out.printf("overload: %d events acknowledged, refusals %s, peak RSS %d MiB%n", ackedSeqs.size(),
                        refusals, peakRss >> 20);
            }
        }
    }

}
