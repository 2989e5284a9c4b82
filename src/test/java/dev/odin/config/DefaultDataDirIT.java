package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start without odin.data-dir, from a working directory whose ./data holds an earlier start's
 * data: ODIN uses $XDG_DATA_HOME/odin, leaves ./data alone, and says how to keep using it.
 */
class DefaultDataDirIT {

    @Test
    void withoutTheSettingTheDataGoesToTheXdgDataDirAndAnOldDotDataIsNamed(@TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path old = Files.createDirectories(work.resolve("data/privacy"));
        Files.writeString(old.resolve("hash.key"), "an earlier key");
        Path xdg = tmp.resolve("xdg");
        int http = OdinProcess.freePort();
        int mgmt = OdinProcess.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the client compiler only, as bin/jvm.options runs ODIN: a third less CPU to /ready
                "-XX:TieredStopAtLevel=1", "-cp", OdinProcess.classpath(), "dev.odin.OdinApplication", "--server.port=" + http,
                "--management.server.port=" + mgmt, "--odin.otlp.grpc.port=" + OdinProcess.freePort(),
                "--odin.probes.host.enabled=false", "--odin.probes.gpu.enabled=false",
                "--odin.probes.power.enabled=false", "--odin.probes.process.enabled=false",
                "--odin.claude.transcripts-dir=" + tmp.resolve("no-transcripts")));
        Path log = tmp.resolve("odin.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ODIN_"));
        pb.environment().put("XDG_DATA_HOME", xdg.toString());
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        Process odin = pb.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                assertThat(odin.isAlive()).as(Files.readString(log)).isTrue();
                try {
                    status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmt + "/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(status).as(Files.readString(log)).isEqualTo(200);
            Path platform = xdg.resolve("odin");
            try (Stream<Path> written = Files.list(platform)) {
                assertThat(written.map(p -> p.getFileName().toString())).as("ODIN's state in " + platform)
                        .isNotEmpty();
            }
            Path legacy = work.resolve("data");
            assertThat(Files.readString(log)).contains("odin.data-dir (ODIN_DATADIR) is not set, so ODIN keeps its"
                    + " data in " + platform + " (empty so far), no longer in ./data of the working directory; "
                    + legacy + " holds the data of an earlier start").contains("--odin.data-dir=" + legacy);
            try (Stream<Path> untouched = Files.list(legacy)) {
                assertThat(untouched.map(p -> p.getFileName().toString())).containsExactly("privacy");
            }
        } finally {
            odin.destroy();
            if (!odin.waitFor(60, TimeUnit.SECONDS)) {
                odin.destroyForcibly();
            }
        }
    }
}
