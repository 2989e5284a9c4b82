package dev.odin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Claude Code CLI (npm @anthropic-ai/claude-code, the version in
 * src/test/claude-cli/package.json, installed there by .ci/run with {@code npm ci}) run headless
 * ({@code claude -p}) against a {@link StandInAnthropic}, exporting its telemetry over OTLP to
 * an ODIN under test. Offline: nothing goes to Anthropic (the API is the stand-in; auto-update,
 * error reporting and the other non-essential traffic are off) and HOME is a temp directory, so
 * the transcripts land under {@code home/.claude/projects}.
 *
 * <p>Not installed on a developer's machine: the test is skipped with the install command;
 * missing under CI (CI=true): it fails. {@code ODIN_CLAUDE_CLI} names another binary.
 *
 * <p>For traces: {@code .env("CLAUDE_CODE_ENHANCED_TELEMETRY_BETA", "1").env("OTEL_TRACES_EXPORTER",
 * "otlp")}.
 */
public final class ClaudeCli {

    /** Where .ci/run installs the CLI (relative to the project directory Maven runs tests in). */
    public static final Path INSTALL_DIR = Path.of("src/test/claude-cli");
    public static final String VERSION = "2.1.332";

    /** The three OTLP protocols Claude Code speaks, as OTEL_EXPORTER_OTLP_PROTOCOL names them. */
    public enum Protocol {
        GRPC("grpc"), HTTP_PROTOBUF("http/protobuf"), HTTP_JSON("http/json");

        public final String value;

        Protocol(String value) {
            this.value = value;
        }
    }

    /** What one run left: exit code, output, and the parsed {@code --output-format json} result. */
    public record Result(int exitCode, String stdout, String stderr, JsonNode json) {
        public String sessionId() {
            return json == null ? null : json.path("session_id").asText(null);
        }
    }

    private final Path binary;
    private final Path home;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> args = new ArrayList<>();
    private Path workDir;
    private Duration timeout = Duration.ofSeconds(60);

    private ClaudeCli(Path binary, Path home) {
        this.binary = binary;
        this.home = home;
        this.workDir = home;
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("ANTHROPIC_API_KEY", StandInAnthropic.API_KEY);
        env.put("DISABLE_AUTOUPDATER", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_ERROR_REPORTING", "1");
        env.put("CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY", "1");
    }

    /** The installed CLI, or the test skipped (locally) / failed (CI=true) when it is not. */
    public static Path require() {
        String own = System.getenv("ODIN_CLAUDE_CLI");
        Path p = own != null && !own.isBlank() ? Path.of(own)
                : INSTALL_DIR.resolve("node_modules/@anthropic-ai/claude-code/bin/claude.exe").toAbsolutePath();
        if (Files.isExecutable(p) && isNative(p)) {
            return p;
        }
        String message = "the Claude Code CLI is not installed at " + p + " (npm ci --prefix " + INSTALL_DIR
                + " && node " + INSTALL_DIR + "/node_modules/@anthropic-ai/claude-code/install.cjs)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + "; .ci/run must install it");
        }
        Assumptions.abort(message);
        return null;
    }

    /** The placeholder npm leaves when the postinstall did not copy the native binary is a small shell script. */
    private static boolean isNative(Path p) {
        try {
            return Files.size(p) > 1_000_000;
        } catch (IOException e) {
            return false;
        }
    }

    /** A CLI with its own HOME under {@code dir}. */
    public static ClaudeCli in(Path dir) throws IOException {
        Path binary = require();
        return new ClaudeCli(binary, Files.createDirectories(dir));
    }

    public Path home() {
        return home;
    }

    /** Where Claude Code writes this HOME's transcripts. */
    public Path projects() {
        return home.resolve(".claude/projects");
    }

    /** The Messages API the CLI calls. */
    public ClaudeCli api(StandInAnthropic api) {
        return env("ANTHROPIC_BASE_URL", api.baseUrl());
    }

    /**
     * Metrics and events (and traces when enabled) to {@code endpoint} (an OTLP/HTTP base URL or
     * the gRPC address) over {@code protocol}. The export interval is longer than a headless turn,
     * so everything goes in the flush at exit, which may wait 30 s for the receiver: Claude Code
     * caps an export's timeout at the interval, and with a short interval a periodic export to a
     * busy receiver timed out and its batch (delta metrics, events) was lost.
     */
    public ClaudeCli telemetry(Protocol protocol, String endpoint) {
        env("CLAUDE_CODE_ENABLE_TELEMETRY", "1");
        env("OTEL_METRICS_EXPORTER", "otlp");
        env("OTEL_LOGS_EXPORTER", "otlp");
        env("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.value);
        env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        env("OTEL_EXPORTER_OTLP_TIMEOUT", "30000");
        env("CLAUDE_CODE_OTEL_FLUSH_TIMEOUT_MS", "30000");
        env("CLAUDE_CODE_OTEL_SHUTDOWN_TIMEOUT_MS", "30000");
        env("CLAUDE_CODE_OTEL_DIAG_STDERR", "1"); // the exporter's own errors on stderr
        return exportInterval(Duration.ofSeconds(60));
    }

    /** How often metrics, events and spans are exported while the CLI runs (besides the flush at exit). */
    public ClaudeCli exportInterval(Duration interval) {
        String ms = Long.toString(interval.toMillis());
        env("OTEL_METRIC_EXPORT_INTERVAL", ms);
        env("OTEL_METRIC_EXPORT_TIMEOUT", ms);
        env("OTEL_LOGS_EXPORT_INTERVAL", ms);
        env("OTEL_TRACES_EXPORT_INTERVAL", ms);
        return this;
    }

    public ClaudeCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The working directory (the transcript's project); created. */
    public ClaudeCli workDir(Path dir) throws IOException {
        workDir = Files.createDirectories(dir);
        return this;
    }

    public ClaudeCli timeout(Duration t) {
        timeout = t;
        return this;
    }

    /** Extra command-line arguments, after {@code -p <prompt>}. */
    public ClaudeCli args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    /** {@code claude -p <prompt> --model <model> --output-format json}: one headless turn. */
    public Result print(String prompt, String model) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-p", prompt, "--output-format", "json"));
        if (model != null) {
            cmd.addAll(List.of("--model", model));
        }
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(home, "stdout", ".txt");
        Path err = Files.createTempFile(home, "stderr", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("claude -p did not finish in " + timeout + ": " + Files.readString(err));
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        JsonNode json = null;
        try {
            json = new ObjectMapper().readTree(stdout);
        } catch (IOException e) {
            // not JSON: the caller sees stdout and stderr
        }
        return new Result(p.exitValue(), stdout, Files.readString(err, StandardCharsets.UTF_8), json);
    }
}
