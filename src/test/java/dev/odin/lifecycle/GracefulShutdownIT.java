package dev.odin.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.OdinProcess;
import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while clients are sending and a slow Loki is behind: /ready turns 503 first while the
 * receivers still take requests for the drain delay, then they close, the queue is flushed within
 * its deadline, the rest stays on disk, and after a restart every acknowledged record is in Loki.
 */
class GracefulShutdownIT {

    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicLong ackedAfterSigterm = new AtomicLong();
    private final AtomicBoolean sigtermSent = new AtomicBoolean();

    private static byte[] events(long first, int n) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = 0; i < n; i++) {
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0 + first + i)
                    .setBody(Otlp.value("claude_code.tool_result")).addAllAttributes(Otlp.attrs("seq", first + i)));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "shutdown")))
                .addScopeLogs(sl)).build().toByteArray();
    }

    private void send(OdinProcess odin, int id, AtomicBoolean stop) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", odin.grpcPort).usePlaintext().build();
        try {
            LogsServiceGrpc.LogsServiceBlockingStub stub = LogsServiceGrpc.newBlockingStub(channel);
            for (int round = 0; !stop.get(); round++) {
                long first = nextSeq.getAndAdd(20);
                byte[] body = events(first, 20);
                boolean ok;
                try {
                    if ((round + id) % 2 == 0) {
                        ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + odin.httpPort + "/v1/logs"))
                                .header("Content-Type", "application/x-protobuf").timeout(Duration.ofSeconds(20))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } else {
                        stub.withDeadlineAfter(20, TimeUnit.SECONDS).export(ExportLogsServiceRequest.parseFrom(body));
                        ok = true;
                    }
                } catch (Exception e) {
                    ok = false; // refused or closed: not acknowledged, so the client still owns it
                    Thread.sleep(20);
                }
                if (ok) {
                    for (long s = first; s < first + 20; s++) {
                        acked.add(s);
                    }
                    if (sigtermSent.get()) {
                        ackedAfterSigterm.incrementAndGet();
                    }
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void noAcknowledgedRecordIsLostAcrossSigterm() throws Exception {
        Path data = Files.createDirectories(Path.of("target", "test-data", "shutdown-" + System.nanoTime()));
        try (StandInLoki loki = new StandInLoki()) {
            loki.delay(150); // slow: the queue cannot be emptied within the flush deadline
            ConcurrentLinkedQueue<Integer> readiness = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            OdinProcess odin = OdinProcess.start(data, List.of("-Xmx256m"), "--odin.loki.url=" + loki.url(),
                    "--odin.loki.batch-size=4KB", "--odin.loki.batch-wait=50ms", "--odin.shutdown.drain-delay=2s",
                    "--odin.shutdown.flush-timeout=2s", "--logging.level.dev.odin=INFO", "--logging.level.root=WARN");
            try {
                for (int i = 0; i < 4; i++) {
                    int id = i;
                    Thread t = new Thread(() -> {
                        try {
                            send(odin, id, stop);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    t.start();
                    threads.add(t);
                }
                Thread.sleep(3000);
                Thread poller = new Thread(() -> {
                    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
                    while (!stop.get()) {
                        try {
                            readiness.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                    + odin.managementPort + "/ready")).timeout(Duration.ofSeconds(1)).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode());
                        } catch (Exception e) {
                            readiness.add(-1); // closed
                        }
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                poller.start();
                threads.add(poller);
                int before = loki.entriesReceived();
                sigtermSent.set(true);
                odin.terminate();
                int exit = odin.awaitExit(Duration.ofSeconds(40));
                assertThat(exit).as("exit code after SIGTERM; output:\n" + odin.output()).isNotEqualTo(-1);
                stop.set(true);
                for (Thread t : threads) {
                    t.join(30_000);
                }
                String out = odin.output();
                assertThat(out).contains("Shutting down: /ready answers 503, receivers stay open for PT2S")
                        .contains("Shutting down: event queue");
                List<Integer> seen = new ArrayList<>(readiness);
                assertThat(seen).as("/ready after SIGTERM").contains(503);
                assertThat(seen.indexOf(503)).as("503 comes before the port closes").isLessThan(
                        seen.indexOf(-1) < 0 ? Integer.MAX_VALUE : seen.indexOf(-1));
                assertThat(ackedAfterSigterm.get()).as("requests taken during the drain delay").isPositive();
                assertThat(loki.entriesReceived()).as("the flush sent some of the queue").isGreaterThan(before);
            } finally {
                stop.set(true);
                odin.close();
            }
            assertThat(acked).isNotEmpty();
            loki.healthy();
            try (OdinProcess again = OdinProcess.start(data, List.of("-Xmx256m"), "--odin.loki.url=" + loki.url(),
                    "--logging.level.root=WARN")) {
                Await.until("every acknowledged record in Loki after the restart", Duration.ofSeconds(60),
                        () -> loki.seqs().containsAll(acked));
            }
            System.out.printf("shutdown: %d records acknowledged (%d requests during the drain delay), all delivered%n",
                    acked.size(), ackedAfterSigterm.get());
        }
    }

}
