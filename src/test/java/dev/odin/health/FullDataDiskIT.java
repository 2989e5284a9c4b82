package dev.odin.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.RetryInfo;
import dev.odin.testing.OdinProcess;
import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, finding 6: ODIN's data dir on a real file system that fills up, a small tmpfs
 * mounted for the test (so it runs as root; it skips elsewhere, and fails when CI=true). Requests
 * are refused with "retry later" (503 + Retry-After, UNAVAILABLE + RetryInfo) and nothing of them
 * is kept; /health and /ready say so; and once space returns ODIN takes events again, saves its
 * cursor, and neither the running process nor a restart sends Loki anything twice.
 */
class FullDataDiskIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** /health answers 200 whatever its status (the DEGRADED and ABSENT mappings replace Spring's). */
    private static final int ANY = -1;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Path> mounts = new ArrayList<>();

    /** A tmpfs of this size at dir; skips the test when it cannot be mounted here (fails under CI). */
    private Path tmpfs(Path dir, String size) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!mounted) {
            String why = "cannot mount a tmpfs (needs root): " + out.trim();
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        mounts.add(dir);
        return dir;
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            new ProcessBuilder("umount", "-l", m.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static ExportLogsServiceRequest events(int fromSeq, int n, int bodyChars) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = fromSeq; i < fromSeq + n; i++) {
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_795_360_000_000_000_000L + i)
                    .setBody(Otlp.value("event " + i + " " + "p".repeat(bodyChars)))
                    .addAllAttributes(Otlp.attrs("event.name", "disk_test", "seq", (long) i)));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "full-disk")))
                .addScopeLogs(sl)).build();
    }

    private HttpResponse<byte[]> postLogs(OdinProcess odin, ExportLogsServiceRequest request) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + odin.httpPort + "/v1/logs"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void grpcLogs(OdinProcess odin, ExportLogsServiceRequest request) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", odin.grpcPort).usePlaintext().build();
        try {
            ClientCalls.blockingUnaryCall(channel, LogsServiceGrpc.getExportMethod(),
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void assertGrpcRetryLater(OdinProcess odin, ExportLogsServiceRequest request, String message) {
        assertThatThrownBy(() -> grpcLogs(odin, request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains(message).contains("retry later");
            com.google.rpc.Status status = StatusProto.fromThrowable(e);
            assertThat(status).isNotNull();
            assertThat(status.getDetailsList()).anySatisfy(a -> assertThat(a.is(RetryInfo.class)).isTrue());
        });
    }

    private static void assertHttpRetryLater(HttpResponse<byte[]> r, String message) throws Exception {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(com.google.rpc.Status.parseFrom(r.body()).getMessage()).contains(message).contains("retry later");
    }

    private JsonNode management(OdinProcess odin, String path, int expectedStatus) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + odin.managementPort
                + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (expectedStatus > 0) {
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(expectedStatus);
        }
        return JSON.readTree(r.body());
    }

    private double metric(OdinProcess odin, String series) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + odin.managementPort
                + "/metrics")).header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Writes zeros until the file system refuses (ENOSPC), or until {@code bytes} are written. */
    private static void ballast(Path file, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            long left = bytes;
            while (left > 0) {
                b.clear().limit((int) Math.min(b.capacity(), left));
                left -= ch.write(b);
            }
        } catch (IOException e) {
            if (bytes != Long.MAX_VALUE || !String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private static Set<Long> range(long from, long to) {
        Set<Long> s = new HashSet<>();
        for (long i = from; i < to; i++) {
            s.add(i);
        }
        return s;
    }

    @Test
    void lokiQueueOnAFullDiskRefusesRetryablyRecoversAndNeverResends() throws Exception {
        Path base = Files.createDirectories(Path.of("target", "test-data", "full-disk-" + System.nanoTime()))
                .toAbsolutePath();
        Path mnt = tmpfs(base.resolve("mnt"), "4m");
        Path data = mnt.resolve("data");
        String[] args = {"--odin.loki.url=PLACEHOLDER", "--odin.data-dir-min-free=0", "--odin.loki.batch-wait=50ms",
            "--odin.loki.min-backoff=100ms", "--odin.loki.max-backoff=300ms", "--logging.level.root=WARN"};
        try (StandInLoki loki = new StandInLoki()) {
            args[0] = "--odin.loki.url=" + loki.url();
            OdinProcess odin = OdinProcess.start(data, base, List.of("-Xmx256m"), args);
            try {
                for (int r = 0; r < 5; r++) {
                    assertThat(postLogs(odin, events(r * 20, 20, 100)).statusCode()).isEqualTo(200);
                }
                await("the first 100 events in Loki", () -> loki.seqs().size() == 100);

                // Loki away: a backlog builds up on disk; then the disk fills up
                loki.answer(() -> 503, "1");
                for (int r = 0; r < 5; r++) {
                    assertThat(postLogs(odin, events(100 + r * 20, 20, 100)).statusCode()).isEqualTo(200);
                }
                ballast(mnt.resolve("ballast"), Long.MAX_VALUE);

                // larger than the page of the segment file that is still free
                assertHttpRetryLater(postLogs(odin, events(1000, 20, 1000)), "No space left on device");
                assertGrpcRetryLater(odin, events(1100, 20, 1000), "No space left on device");
                JsonNode health = management(odin, "/health", ANY);
                assertThat(health.at("/components/dataDir/status").asText()).isEqualTo("DOWN");
                assertThat(health.at("/components/dataDir/details/failing/loki_queue").asText())
                        .contains("No space left on device");
                assertThat(health.at("/components/dataDir/details/freeBytes").asLong()).isLessThan(64 * 1024);
                JsonNode ready = management(odin, "/ready", 503);
                assertThat(ready.toString()).contains("the data dir cannot take new events");
                assertThat(metric(odin, "odin_data_dir_write_failures_total{reason=\"io_error\",what=\"loki_queue\"}"))
                        .isEqualTo(2.0);
                assertThat(metric(odin, "odin_otlp_requests_total{outcome=\"disk_full\",signal=\"logs\",transport=\"grpc\"}"))
                        .isEqualTo(1.0);

                // Loki back while the disk is still full: the backlog goes out, its cursor cannot be saved
                loki.healthy();
                await("the backlog in Loki", () -> loki.seqs().containsAll(range(100, 200)));
                await("the cursor write failing", () -> {
                    try {
                        return metric(odin, "odin_data_dir_write_failures_total{reason=\"io_error\",what=\"loki_cursor\"}")
                                >= 1;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                int pushesBefore = loki.pushes();

                // space returns: ODIN recovers by itself
                Files.delete(mnt.resolve("ballast"));
                await("/ready 200 again", () -> {
                    try {
                        return management(odin, "/ready", 200) != null;
                    } catch (Exception | AssertionError e) {
                        return false;
                    }
                });
                assertThat(postLogs(odin, events(200, 20, 100)).statusCode()).isEqualTo(200);
                grpcLogs(odin, events(220, 20, 100));
                await("the events after recovery in Loki", () -> loki.seqs().containsAll(range(200, 240)));
                assertThat(loki.pushes()).isGreaterThan(pushesBefore);
                JsonNode healthy = management(odin, "/health", ANY);
                assertThat(healthy.at("/components/dataDir/status").asText()).isEqualTo("UP");
                assertThat(healthy.at("/components/dataDir/details/failing").isMissingNode()).isTrue();
                assertThat(loki.seqs()).isEqualTo(range(0, 240)); // the refused ones are not there
                assertThat(loki.entriesReceived()).as("nothing sent twice").isEqualTo(240);
            } finally {
                odin.close(); // SIGKILL: what the cursor on disk says is all a restart has
            }

            OdinProcess again = OdinProcess.start(data, base, List.of("-Xmx256m"), args);
            try {
                assertThat(postLogs(again, events(240, 1, 10)).statusCode()).isEqualTo(200);
                await("the event after the restart", () -> loki.seqs().contains(240L));
                // the queue is FIFO: anything re-sent from before the kill would have come first
                assertThat(loki.entriesReceived()).as("a restart re-sends nothing delivered").isEqualTo(241);
            } finally {
                again.close();
            }
        }
    }

    @Test
    void eventFilesBelowTheFloorOrOutOfSpaceTakeNoHalfRequestAndRecover() throws Exception {
        Path base = Files.createDirectories(Path.of("target", "test-data", "full-disk-files-" + System.nanoTime()))
                .toAbsolutePath();
        Path mnt = tmpfs(base.resolve("mnt"), "4m");
        Path data = mnt.resolve("data");
        OdinProcess odin = OdinProcess.start(data, base, List.of("-Xmx256m"), "--odin.data-dir-min-free=1MB",
                "--logging.level.root=WARN");
        try {
            assertThat(postLogs(odin, events(0, 50, 100)).statusCode()).isEqualTo(200);
            grpcLogs(odin, events(50, 50, 100));

            // below the floor: refused before anything is written
            long free = Files.getFileStore(mnt).getUsableSpace();
            ballast(mnt.resolve("ballast"), free - 900 * 1024);
            // the guard reads free space at most every FREE_CHECK_MILLIS: let its last reading age out
            Thread.sleep(3 * DataDirGuard.FREE_CHECK_MILLIS);
            assertHttpRetryLater(postLogs(odin, events(1000, 50, 100)), "odin.data-dir-min-free");
            assertGrpcRetryLater(odin, events(1100, 50, 100), "odin.data-dir-min-free");
            JsonNode health = management(odin, "/health", ANY);
            assertThat(health.at("/components/dataDir/status").asText()).isEqualTo("DOWN");
            assertThat(health.at("/components/eventFiles/status").asText()).isEqualTo("DOWN");
            assertThat(health.at("/components/dataDir/details/minFreeBytes").asLong()).isEqualTo(1024 * 1024);
            assertThat(management(odin, "/ready", 503).toString()).contains("odin.data-dir-min-free");
            assertThat(metric(odin, "odin_data_dir_write_failures_total{reason=\"min_free\",what=\"events\"}"))
                    .isEqualTo(2.0);

            // above the floor, but one request larger than what is left: ENOSPC half-way, taken back
            Files.delete(mnt.resolve("ballast"));
            free = Files.getFileStore(mnt).getUsableSpace();
            ballast(mnt.resolve("ballast"), free - 1200 * 1024);
            // again let the guard's reading (below the floor) age out, or it refuses for min-free
            Thread.sleep(3 * DataDirGuard.FREE_CHECK_MILLIS);
            long before = eventFileBytes(data);
            assertHttpRetryLater(postLogs(odin, events(2000, 4000, 400)), "No space left on device");
            assertThat(eventFileBytes(data)).as("no part of the refused request stays").isEqualTo(before);
            assertThat(metric(odin, "odin_data_dir_write_failures_total{reason=\"io_error\",what=\"events\"}"))
                    .isEqualTo(1.0);

            // space returns
            Files.delete(mnt.resolve("ballast"));
            await("/ready 200 again", () -> {
                try {
                    return management(odin, "/ready", 200) != null;
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
            assertThat(postLogs(odin, events(100, 50, 100)).statusCode()).isEqualTo(200);
            grpcLogs(odin, events(150, 50, 100));
            assertThat(management(odin, "/health", ANY).at("/components/dataDir/status").asText()).isEqualTo("UP");
            List<Long> seqs = eventFileSeqs(data);
            assertThat(seqs).hasSize(200); // every line whole, none twice
            assertThat(new HashSet<>(seqs)).isEqualTo(range(0, 200));
        } finally {
            odin.close();
        }
    }

    private static long eventFileBytes(Path data) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(data.resolve("events"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                total += Files.size(p);
            }
        }
        return total;
    }

    private static List<Long> eventFileSeqs(Path data) throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (Stream<Path> files = Files.list(data.resolve("events")).sorted()) {
            for (Path p : (Iterable<Path>) files::iterator) {
                for (String line : Files.readAllLines(p)) {
                    seqs.add(JSON.readTree(line).at("/metadata/seq").asLong()); // throws on a partial line
                }
            }
        }
        return seqs;
    }
}
