package dev.odin.bench;

import dev.odin.probes.ProbeProperties;
import dev.odin.probes.Probe;
import dev.odin.probes.ProbeReadings;
import dev.odin.probes.gpu.GpuBenchSupport;
import dev.odin.probes.host.FilesystemStats;
import dev.odin.probes.host.HostProbe;
import dev.odin.probes.process.ProcessProbe;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CPU time per probe cycle, over many cycles, beside node_exporter's own scrape of the same
 * machine: the host probe, the process probe with a few hundred processes running (some of
 * them "claude"), the GPU probe with the nvidia-smi stand-in (its child process counted too).
 *
 * <p>Usage: ProbeBench [cycles] [processes] [report file]. Stops every process it starts.
 */
public final class ProbeBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ProbeBench() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int processes = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Path report = Path.of(args.length > 2 ? args[2] : "target/bench-probes-report.txt");
        StringBuilder out = new StringBuilder();
        line(out, "machine: %d cores, %s %s, Java %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
        SeriesStore store = new SeriesStore(new StoreLimits(200_000, 50_000, 100, Duration.ofMinutes(30), true),
                Clock.systemUTC());
        Path tmp = Files.createTempDirectory("odin-probe-bench");
        List<Process> started = new ArrayList<>();
        ServerSocket server = null;
        try {
            // a few hundred processes: one in fifteen started through a link named claude, two of
            // those JVMs that listen and hold a connection (so the TCP tables are read, as with
            // a real Claude Code talking to its API)
            Path sleepClaude = Files.createDirectories(tmp.resolve("s")).resolve("claude");
            Files.createSymbolicLink(sleepClaude, Path.of("/bin/sleep"));
            Path javaClaude = Files.createDirectories(tmp.resolve("j")).resolve("claude");
            Files.createSymbolicLink(javaClaude, Path.of(System.getProperty("java.home"), "bin", "java"));
            server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptForever(server);
            String classes = Path.of(dev.odin.probes.process.ClaudeStandIn.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
            int claudes = 0;
            for (int i = 0; i < processes; i++) {
                ProcessBuilder pb;
                if (i < 2) {
                    pb = new ProcessBuilder(javaClaude.toString(), "-Xmx16m", "-XX:TieredStopAtLevel=1", "-cp", classes,
                            dev.odin.probes.process.ClaudeStandIn.class.getName(),
                            Integer.toString(server.getLocalPort()), "none");
                } else {
                    pb = new ProcessBuilder(i % 15 == 0 ? sleepClaude.toString() : "sleep", "600");
                }
                claudes += i < 2 || i % 15 == 0 ? 1 : 0;
                Process p = pb.redirectErrorStream(true).start();
                started.add(p);
                if (i < 2) {
                    new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
                }
            }
            int running = countProcesses();
            line(out, "processes on the machine during the run: %d (%d started by the benchmark, %d named claude,"
                    + " 2 of them with TCP sockets)", running, processes, claudes);

            HostProbe host = new HostProbe(Path.of("/proc"), Path.of("/sys"), "/", Clock.systemUTC(),
                    FilesystemStats.statvfs());
                ProcessProbe proc = new ProcessProbe(Path.of("/proc"), new ProbeProperties().getProcess().getGroups());
            Probe gpu = GpuBenchSupport.h100StandIn(tmp.resolve("gpu"));

            line(out, "%-36s %10s %12s %12s", "probe", "cycles", "CPU ms/cycle", "wall ms/cycle");
            measure(out, "host", host, store, cycles);
            measure(out, "process (" + running + " processes)", proc, store, cycles);
            measure(out, "gpu (nvidia-smi stand-in)", gpu, store, Math.max(20, cycles / 10));
            nodeExporter(out, cycles);
        } finally {
            if (server != null) {
                server.close();
            }
            for (Process p : started) {
                p.destroyForcibly();
            }
            for (Process p : started) {
                p.waitFor();
            }
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, out);
        System.out.print(out);
    }

    private static void measure(StringBuilder out, String name, Probe probe, SeriesStore store, int cycles)
            throws Exception {
        ProbeReadings r = new ProbeReadings(store);
        for (int i = 0; i < 20; i++) { // warm-up: class loading and JIT are not a cycle's cost
            cycle(probe, r);
        }
        long childBefore = childCpuTicks();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            cycle(probe, r);
        }
        double cpuMs = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6 / cycles;
        double wallMs = (System.nanoTime() - wall0) / 1e6 / cycles;
        double childMs = (childCpuTicks() - childBefore) * 10.0 / cycles;
        line(out, "%-36s %10d %12.2f %12.2f%s", name, cycles, cpuMs + childMs, wallMs,
                childMs > 0 ? String.format(Locale.ROOT, "  (of which nvidia-smi stand-in %.2f)", childMs) : "");
    }

    private static void acceptForever(ServerSocket server) {
        Thread t = new Thread(() -> {
            List<java.net.Socket> open = new ArrayList<>();
            try {
                while (true) {
                    open.add(server.accept());
                }
            } catch (java.io.IOException e) {
                // closed at the end
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static void cycle(Probe probe, ProbeReadings r) throws Exception {
        r.begin(System.currentTimeMillis());
        probe.collect(r);
        r.commit();
    }

    private static void nodeExporter(StringBuilder out, int scrapes) throws Exception {
        Path exe = Path.of("/usr/bin/prometheus-node-exporter");
        if (!Files.isExecutable(exe)) {
            line(out, "node_exporter: not installed (apt-get install prometheus-node-exporter)");
            return;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(exe.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
            for (int i = 0; i < 200; i++) {
                try {
                    http.send(req, HttpResponse.BodyHandlers.discarding());
                    break;
                } catch (java.io.IOException e) {
                    Thread.sleep(50);
                }
            }
            for (int i = 0; i < 20; i++) {
                http.send(req, HttpResponse.BodyHandlers.discarding());
            }
            long before = cpuTicks(p.pid());
            long wall0 = System.nanoTime();
            for (int i = 0; i < scrapes; i++) {
                http.send(req, HttpResponse.BodyHandlers.discarding());
            }
            double cpuMs = (cpuTicks(p.pid()) - before) * 10.0 / scrapes;
            double wallMs = (System.nanoTime() - wall0) / 1e6 / scrapes;
            line(out, "%-36s %10d %12.2f %12.2f", "node_exporter 1.5 scrape (defaults)", scrapes, cpuMs, wallMs);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    /** utime + stime of a process, in USER_HZ ticks (10 ms). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** cutime + cstime of this JVM: CPU of the children it has waited for (nvidia-smi runs). */
    private static long childCpuTicks() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    private static int countProcesses() throws Exception {
        try (var s = Files.list(Path.of("/proc"))) {
            return (int) s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        }
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
