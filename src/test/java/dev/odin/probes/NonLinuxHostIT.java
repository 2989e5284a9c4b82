package dev.odin.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Await;
import dev.odin.testing.Exposition;
import dev.odin.testing.LogCapture;
import dev.odin.testing.OdinIntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * ODIN, every probe on and running each second, on a host like a Mac as the Linux probes see it:
 * no procfs, no sysfs, no nvidia-smi. It serves; each probe is ABSENT on /health with its reason
 * and without errors, /metrics answers with everything else, and cycle after cycle nothing more is
 * logged (the one INFO line per absent probe at start: {@link AbsentProbesTest}).
 */
@TestPropertySource(properties = {"odin.probes.host.period=1s", "odin.probes.gpu.period=1s",
    "odin.probes.power.period=1s", "odin.probes.process.period=1s",
    "odin.probes.gpu.command=/nonexistent/nvidia-smi"})
class NonLinuxHostIT extends OdinIntegrationTest {

    private static final String[] PROBES = {"host", "gpu", "rapl", "battery", "process"};
    private static final Path EMPTY = emptyRoots();

    private static Path emptyRoots() {
        try {
            Path dir = Files.createTempDirectory("odin-no-procfs");
            Files.createDirectories(dir.resolve("proc"));
            Files.createDirectories(dir.resolve("sys"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void roots(DynamicPropertyRegistry registry) {
        registry.add("odin.probes.proc-root", () -> EMPTY.resolve("proc").toString());
        registry.add("odin.probes.sys-root", () -> EMPTY.resolve("sys").toString());
    }

    @Test
    void everyProbeIsAbsentWithoutErrorsAndTheRestServes() throws Exception {
        // each probe's first cycle logs its one INFO line (AbsentProbesTest counts it); the capture
        // starts after it, so it sees only the cycles that must log nothing
        Await.until("a first cycle of every probe", Duration.ofSeconds(60), () -> {
            Map<String, Integer> now = cycles();
            for (String probe : PROBES) {
                if (now.get(probe) < 1) {
                    return false;
                }
            }
            return true;
        });
        try (LogCapture log = LogCapture.root()) {
            Map<String, Integer> before = cycles();
            Await.until("3 more cycles of every probe", Duration.ofSeconds(60), () -> {
                Map<String, Integer> now = cycles();
                for (String probe : PROBES) {
                    if (now.get(probe) < before.get(probe) + 3) {
                        return false;
                    }
                }
                return true;
            });

            HttpResponse<String> health = get("/health");
            assertEquals(200, health.statusCode(), health.body());
            JsonNode body = new ObjectMapper().readTree(health.body());
            assertEquals("UP", body.get("status").asText(), "ABSENT never makes the service unhealthy: " + health.body());
            for (String probe : PROBES) {
                JsonNode c = body.get("components").get(probe);
                assertEquals("ABSENT", c.get("status").asText(), probe + ": " + c);
                assertFalse(c.get("details").get("reason").asText().isBlank(), probe + ": " + c);
                assertNull(c.get("details").get("lastErrors"), probe + ": " + c);
            }
            assertEquals("no procfs at " + EMPTY.resolve("proc") + ": the directory is empty (the host's procfs is"
                    + " not mounted there)", body.at("/components/host/details/reason").asText());
            assertEquals("no RAPL zones in " + EMPTY.resolve("sys/class/powercap"),
                    body.at("/components/rapl/details/reason").asText());
            assertEquals(200, get("/ready").statusCode());

            Exposition e = scrape();
            for (String probe : PROBES) {
                assertEquals(1.0, e.value("odin_probe_success{probe=\"" + probe + "\"}"), probe);
                assertEquals(0.0, e.value("odin_probe_errors_total{probe=\"" + probe + "\"}"), probe);
            }
            for (String family : new String[] {"node_cpu_seconds_total", "node_memory_MemTotal_bytes",
                "namedprocess_namegroup_num_procs", "node_power_supply_info", "nvidia_smi_last_collect_success"}) {
                assertTrue(e.metric(family).isEmpty(), family);
            }
            assertFalse(e.metric("camel_exchanges_total").isEmpty(), "the rest of /metrics is still there");

            List<String> probeLines = log.lines().stream().filter(l -> l.contains(ProbeRunner.class.getName()))
                    .toList();
            assertEquals(List.of(), probeLines, "nothing logged cycle after cycle");
            assertEquals(List.of(), log.lines(Level.ERROR));
        }
    }

    /** probe -> cycles run so far (the detail each probe's health carries). */
    private Map<String, Integer> cycles() throws Exception {
        JsonNode c = new ObjectMapper().readTree(get("/health").body()).path("components");
        Map<String, Integer> out = new HashMap<>();
        for (String probe : PROBES) {
            out.put(probe, c.path(probe).path("details").path("cycles").asInt(0));
        }
        return out;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
