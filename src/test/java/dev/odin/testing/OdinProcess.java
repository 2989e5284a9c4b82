package dev.odin.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * ODIN as a process of its own (for what needs one: a signal, a peak RSS, a restart on the same
 * data directory), on free loopback ports, started from the test class path, its output in a
 * log file in the data directory.
 */
public final class OdinProcess implements AutoCloseable {

    public final int httpPort;
    public final int managementPort;
    public final int grpcPort;
    public final Path log;
    private final Process process;

    private OdinProcess(Process process, int http, int mgmt, int grpc, Path log) {
        this.process = process;
        this.httpPort = http;
        this.managementPort = mgmt;
        this.grpcPort = grpc;
        this.log = log;
    }

    public static OdinProcess start(Path dataDir, List<String> jvmOptions, String... odinArgs) throws Exception {
        return start(dataDir, dataDir, jvmOptions, odinArgs);
    }

    /** With the log file in {@code logDir}: for a data directory that is made to fill up. */
    public static OdinProcess start(Path dataDir, Path logDir, List<String> jvmOptions, String... odinArgs)
            throws Exception {
        OdinProcess p = launch(dataDir, logDir, jvmOptions, java.util.Map.of(), odinArgs);
        p.awaitReady();
        return p;
    }

    /**
     * Started without waiting for it to get ready, with {@code environment} added to the
     * process's environment: for a start that is meant to be refused. {@code dataDir} is created
     * when missing (a file stays a file); the log goes to {@code logDir}. An {@code odinArgs}
     * entry {@code --key=value} replaces the default for that key (ports, data dir, probes).
     */
    public static OdinProcess launch(Path dataDir, Path logDir, java.util.Map<String, String> environment,
            String... odinArgs) throws Exception {
        return launch(dataDir, logDir, List.of(), environment, odinArgs);
    }

    private static OdinProcess launch(Path dataDir, Path logDir, List<String> jvmOptions,
            java.util.Map<String, String> environment, String... odinArgs) throws Exception {
        if (!Files.exists(dataDir)) {
            Files.createDirectories(dataDir);
        }
        Files.createDirectories(logDir);
        int http = freePort();
        int mgmt = freePort();
        int grpc = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (jvmOptions.isEmpty()) {
            // the client compiler only, as bin/jvm.options runs ODIN: a third less CPU to /ready.
            // Tests that choose their JVM (heap, collector, under load) keep exactly their choice
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add("dev.odin.OdinApplication");
        List<String> defaults = List.of("--server.port=" + http, "--management.server.port=" + mgmt,
                "--odin.otlp.grpc.port=" + grpc, "--odin.data-dir=" + dataDir, "--odin.probes.host.enabled=false",
                "--odin.probes.gpu.enabled=false", "--odin.probes.power.enabled=false",
                "--odin.probes.process.enabled=false");
        for (String d : defaults) {
            String key = d.substring(0, d.indexOf('=') + 1);
            if (java.util.Arrays.stream(odinArgs).noneMatch(a -> a.startsWith(key))) {
                cmd.add(d);
            }
        }
        cmd.addAll(List.of(odinArgs));
        Path log = logDir.resolve("odin-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        pb.environment().putAll(environment);
        return new OdinProcess(pb.start(), http, mgmt, grpc, log);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The test JVM's class path, unpacked from surefire's manifest-only jar and without repeats (a
     * directory listed twice would load every route twice).
     */
    public static String classpath() throws IOException {
        LinkedHashSet<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    String cp = jar.getManifest() == null ? null
                            : jar.getManifest().getMainAttributes().getValue("Class-Path");
                    if (cp != null && !cp.isBlank()) {
                        for (String u : cp.trim().split("\\s+")) {
                            entries.add(Path.of(p.getParent().toUri().resolve(u)).toAbsolutePath().normalize().toString());
                        }
                        continue;
                    }
                }
            }
            entries.add(p.toAbsolutePath().normalize().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("ODIN exited: " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("ODIN did not get ready: " + Files.readString(log));
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The process's peak resident set (VmHWM), in bytes. */
    public long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmHWM in /proc/" + process.pid() + "/status");
    }

    /** SIGTERM, as Kubernetes sends it. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the exit; the exit code, or -1 on timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
