package dev.odin.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs bin/odin-statusline with a statusline JSON on stdin, as Claude Code does. */
final class StatuslineScript {

    static final Path SCRIPT = Path.of("bin", "odin-statusline");

    /** What one run printed and how it ended. */
    record Run(int exitCode, String stdout, String stderr, Duration took) {
        /** The one line printed, without its newline; fails unless exactly one line was printed. */
        String line() {
            assertThat(stdout).as("stdout").endsWith("\n");
            assertThat(stdout.split("\n", -1)).as("one line: " + stdout).hasSize(2);
            return stdout.substring(0, stdout.length() - 1);
        }
    }

    private StatuslineScript() {
    }

    static Run run(byte[] stdin, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", SCRIPT.toString());
        pb.environment().remove("ODIN_TOKEN");
        pb.environment().remove("ODIN_URL");
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
    }
}
