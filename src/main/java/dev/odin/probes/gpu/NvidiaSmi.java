package dev.odin.probes.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs nvidia-smi with a time limit: output (stdout and stderr together) goes to a file, so a
 * hung nvidia-smi (a wedged driver does that) is killed at the timeout instead of blocking a read.
 */
final class NvidiaSmi {

    static final long MAX_OUTPUT = 1 << 20;

    record Result(int exitCode, String output) {
    }

    /** The binary could not be started: it is not installed. */
    static final class NotInstalledException extends IOException {
        NotInstalledException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Duration timeout;

    NvidiaSmi(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    Result run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(args.size() + 1);
        cmd.add(command);
        cmd.addAll(args);
        Path out = Files.createTempFile("odin-nvidia-smi", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                throw new NotInstalledException(command + " cannot be run: " + e.getMessage());
            }
            // nothing to read on its input (no /dev/null to redirect from on Windows: close it)
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish within " + timeout.toMillis() + " ms; killed");
            }
            if (Files.size(out) > MAX_OUTPUT) {
                throw new IOException(command + " wrote more than " + MAX_OUTPUT + " bytes");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
