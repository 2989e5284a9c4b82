package dev.odin.probes.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.probes.ProbeRunner;
import dev.odin.testing.Exposition;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinIntegrationTest;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * The host probe on the machine the tests run on, checked against the kernel's own numbers and
 * against Debian's node_exporter scraping the same machine at the same time.
 */
class HostProbeIT extends OdinIntegrationTest {

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    @Autowired
    @Qualifier("hostProbe")
    ProbeRunner hostProbe;

    @Test
    void memTotalIsTheKernelsAndCpuSecondsLieBetweenTwoReadsOfProcStat() throws Exception {
        double before = idleSeconds(Files.readString(Path.of("/proc/stat")));
        hostProbe.runCycle();
        double after = idleSeconds(Files.readString(Path.of("/proc/stat")));
        Exposition odin = scrape();

        long memTotalKb = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:")).mapToLong(l -> Long.parseLong(l.split("\\s+")[1]))
                .findFirst().orElseThrow();
        assertEquals(memTotalKb * 1024.0, odin.value("node_memory_MemTotal_bytes"));
        double idle = odin.value("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}");
        assertTrue(idle >= before - 0.01 && idle <= after + 0.01, before + " <= " + idle + " <= " + after);
        assertEquals(Runtime.getRuntime().availableProcessors() * 8, odin.metric("node_cpu_seconds_total").size());
        assertEquals(1.0, odin.value("odin_probe_success{probe=\"host\"}"));
        Map<String, String> info = odin.metric("odin_host_info");
        assertEquals(1, info.size(), info.toString());
        assertTrue(info.keySet().iterator().next().contains("cpu_threads=\""
                + Runtime.getRuntime().availableProcessors() + "\""), info.toString());
    }

    /** cpu0's idle seconds from /proc/stat. */
    private static double idleSeconds(String stat) {
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu0 ")) {
                return Long.parseLong(line.split("\\s+")[4]) / 100.0;
            }
        }
        throw new AssertionError("no cpu0 in /proc/stat");
    }

    @Test
    void namesLabelsAndValuesAgreeWithNodeExporter() throws Exception {
        Path exporter = ExternalTool.require("prometheus-node-exporter", "prometheus-node-exporter");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("node-exporter", ".log");
        Process p = new ProcessBuilder(exporter.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Exposition node = scrapeNodeExporter(port, p, log);
            hostProbe.runCycle();
            Exposition odin = scrape();

            Map<String, Set<Set<String>>> odinLabels = labelNames(odin);
            Map<String, Set<Set<String>>> nodeLabels = labelNames(node);
            int shared = 0;
            for (Map.Entry<String, Set<Set<String>>> e : odinLabels.entrySet()) {
                if (e.getKey().startsWith("node_") && nodeLabels.containsKey(e.getKey())) {
                    assertEquals(nodeLabels.get(e.getKey()), e.getValue(), "label names of " + e.getKey());
                    shared++;
                }
            }
            assertTrue(shared >= 40, "only " + shared + " host metrics in common with node_exporter");
            for (String required : new String[] {"node_cpu_seconds_total", "node_load1", "node_boot_time_seconds",
                "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes", "node_disk_read_bytes_total",
                "node_network_receive_bytes_total"}) {
                assertTrue(nodeLabels.containsKey(required) && odinLabels.containsKey(required), required);
            }

            // exact: the kernel's fixed figures
            for (String exact : new String[] {"node_memory_MemTotal_bytes", "node_memory_SwapTotal_bytes",
                "node_boot_time_seconds"}) {
                assertEquals(node.value(exact), odin.value(exact), exact);
            }
            int filesystems = 0;
            for (Map.Entry<String, String> e : node.metric("node_filesystem_size_bytes").entrySet()) {
                assertEquals(Double.valueOf(e.getValue()), odin.value(e.getKey()), e.getKey());
                String files = e.getKey().replace("node_filesystem_size_bytes", "node_filesystem_files");
                assertEquals(node.value(files), odin.value(files), files);
                String avail = e.getKey().replace("node_filesystem_size_bytes", "node_filesystem_avail_bytes");
                assertEquals(node.value(avail), odin.value(avail), Math.max(64 << 20, node.value(avail) * 0.01), avail);
                filesystems++;
            }
            assertEquals(node.metric("node_filesystem_size_bytes").size(),
                    odin.metric("node_filesystem_size_bytes").size(), "the same filesystems");
            assertTrue(filesystems > 0);
            // moving figures, read a moment apart
            double memAvailable = node.value("node_memory_MemAvailable_bytes");
            assertEquals(memAvailable, odin.value("node_memory_MemAvailable_bytes"), memAvailable * 0.05);
            assertEquals(node.value("node_load1"), odin.value("node_load1"), 1.5);
            for (Map.Entry<String, String> e : node.metric("node_cpu_seconds_total").entrySet()) {
                Double mine = odin.value(e.getKey());
                assertNotNull(mine, e.getKey());
                assertEquals(Double.parseDouble(e.getValue()), mine, 10.0, e.getKey());
            }
            for (Map.Entry<String, String> e : node.metric("node_disk_reads_completed_total").entrySet()) {
                Double mine = odin.value(e.getKey());
                assertNotNull(mine, e.getKey());
                assertEquals(Double.parseDouble(e.getValue()), mine, Math.max(1000, mine * 0.05), e.getKey());
            }
            assertFalse(odin.metric("node_network_receive_bytes_total").isEmpty());
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Exposition scrapeNodeExporter(int port, Process p, Path log) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return new Exposition(r.body());
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("node_exporter did not answer: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    /** metric name -> the label-name sets its samples carry. */
    private static Map<String, Set<Set<String>>> labelNames(Exposition e) {
        Map<String, Set<Set<String>>> out = new TreeMap<>();
        for (String key : e.samples().keySet()) {
            int brace = key.indexOf('{');
            String name = brace < 0 ? key : key.substring(0, brace);
            Set<String> labels = new TreeSet<>();
            if (brace >= 0) {
                Matcher m = LABEL.matcher(key.substring(brace));
                while (m.find()) {
                    labels.add(m.group(1));
                }
            }
            out.computeIfAbsent(name, n -> new TreeSet<>(java.util.Comparator.comparing(Object::toString)))
                    .add(labels);
        }
        return out;
    }
}
