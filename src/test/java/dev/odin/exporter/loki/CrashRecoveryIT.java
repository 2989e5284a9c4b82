package dev.odin.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ODIN runs as a process of its own, takes 10,000 events while a slow Loki is draining its queue,
 * is killed with SIGKILL mid-delivery, and is started again on the same data directory: every
 * event it acknowledged reaches Loki afterwards.
 */
class CrashRecoveryIT {

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process startOdin(Path dataDir, String lokiUrl, int http, int mgmt, int grpc, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath(),
                "dev.odin.OdinApplication", "--server.port=" + http, "--management.server.port=" + mgmt,
                "--odin.otlp.grpc.port=" + grpc, "--odin.data-dir=" + dataDir, "--odin.loki.url=" + lokiUrl,
                "--odin.loki.batch-size=16KB", "--odin.loki.batch-wait=50ms", "--logging.level.root=WARN");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    private static String classpath() throws Exception {
        return dev.odin.testing.OdinProcess.classpath();
    }

    /** Up means the OTLP route answers: an empty export request gets 200. */
    private static void awaitHealthy(HttpClient http, int httpPort, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("ODIN exited: " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/logs"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("ODIN did not start: " + Files.readString(log));
    }


    @Test
    void everyAcknowledgedEventSurvivesSigkill() throws Exception {
        Path dataDir = Files.createDirectories(Path.of("target", "test-data", "crash-" + System.nanoTime()));
        Path log = dataDir.resolve("odin.log");
        HttpClient http = HttpClient.newHttpClient();
        try (StandInLoki loki = new StandInLoki()) {
            loki.delay(100); // a slow Loki: delivery is still running when the kill comes
            int httpPort = freePort();
            int mgmt = freePort();
            int grpc = freePort();
            Process odin = startOdin(dataDir, loki.url(), httpPort, mgmt, grpc, log);
            try {
                awaitHealthy(http, httpPort, odin, log);
                int total = 0;
                for (int r = 0; r < 100; r++) {
                    ScopeLogs.Builder sl = ScopeLogs.newBuilder();
                    for (int i = 0; i < 100; i++, total++) {
                        sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_795_360_000_000_000_000L + total)
                                .setBody(Otlp.value("claude_code.api_request"))
                                .addAllAttributes(Otlp.attrs("event.name", "api_request", "seq", (long) total,
                                        "session.id", "s-" + r, "cost_usd", 0.01)));
                    }
                    byte[] body = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                            .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "claude-code")))
                            .addScopeLogs(sl)).build().toByteArray();
                    HttpResponse<Void> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                            + "/v1/logs")).header("Content-Type", "application/x-protobuf")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
                    assertThat(resp.statusCode()).isEqualTo(200);
                }
                assertThat(total).isEqualTo(10_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (loki.entriesReceived() < 300 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                int before = loki.seqs().size();
                assertThat(before).as("delivery under way before the kill").isPositive().isLessThan(10_000);
            } finally {
                odin.destroyForcibly(); // SIGKILL
                odin.waitFor(30, TimeUnit.SECONDS);
            }
            loki.delay(0);
            int httpPort2 = freePort();
            int mgmt2 = freePort();
            Process again = startOdin(dataDir, loki.url(), httpPort2, mgmt2, freePort(), log);
            try {
                awaitHealthy(http, httpPort2, again, log);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (loki.seqs().size() < 10_000 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Set<Long> seqs = loki.seqs();
                Set<Long> missing = new HashSet<>();
                for (long i = 0; i < 10_000; i++) {
                    if (!seqs.contains(i)) {
                        missing.add(i);
                    }
                }
                assertThat(missing).as("events acknowledged but never delivered").isEmpty();
            } finally {
                again.destroy();
                again.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
