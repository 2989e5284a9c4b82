package dev.odin.health.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.probes.ProbeRunner;
import dev.odin.testing.OdinIntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * /health, /healthz and /ready with a GPU probe that fails (nvidia-smi answers with an error):
 * /health says DEGRADED and which component and why, while /healthz and /ready stay 200.
 */
class HealthEndpointsIT extends OdinIntegrationTest {

    @DynamicPropertySource
    static void brokenNvidiaSmi(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "test-nvidia-smi", "broken"));
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\necho 'Unable to determine the device handle for GPU0000:01:00.0:"
                + " Unknown Error'\nexit 15\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        registry.add("odin.probes.gpu.command", () -> script.toAbsolutePath().toString());
    }

    @Autowired
    @Qualifier("gpuProbe")
    ProbeRunner gpuProbe;

    @Autowired
    @Qualifier("hostProbe")
    ProbeRunner hostProbe;

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFailingProbeDegradesHealthButNotLivenessOrReadiness() throws Exception {
        gpuProbe.runCycle();
        hostProbe.runCycle();

        HttpResponse<String> healthz = get("/healthz");
        assertEquals(200, healthz.statusCode());
        assertEquals("OK", healthz.body());
        assertTrue(healthz.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));

        HttpResponse<String> ready = get("/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("READY", new ObjectMapper().readTree(ready.body()).get("status").asText());

        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode(), "DEGRADED still serves: " + health.body());
        JsonNode body = new ObjectMapper().readTree(health.body());
        assertEquals("DEGRADED", body.get("status").asText(), health.body());
        JsonNode gpu = body.get("components").get("gpu");
        assertEquals("DEGRADED", gpu.get("status").asText());
        JsonNode error = gpu.get("details").get("lastErrors").get(0);
        assertTrue(error.get("message").asText().contains("nvidia-smi exited with 15: Unable to determine"),
                gpu.toString());
        assertTrue(error.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), error.toString());
        JsonNode host = body.get("components").get("host");
        assertEquals("UP", host.get("status").asText());
        assertTrue(host.get("details").get("lastSuccess").asText().matches("\\d{4}-.*Z"), host.toString());
        assertEquals("UP", body.get("components").get("otlpGrpc").get("status").asText());
        assertEquals("UP", body.get("components").get("otlpHttp").get("status").asText());
        assertEquals("UP", body.get("components").get("eventFiles").get("status").asText());
        for (String probe : new String[] {"process", "rapl", "battery"}) {
            assertTrue(body.get("components").has(probe), probe + " is a component of /health");
        }

        assertEquals(0.0, scrape().value("odin_probe_success{probe=\"gpu\"}"));
        assertEquals(1.0, scrape().value("odin_probe_success{probe=\"host\"}"));
        assertTrue(scrape().value("odin_probe_last_success_timestamp_seconds{probe=\"host\"}") > 1.7e9);
        assertTrue(scrape().value("odin_probe_errors_total{probe=\"gpu\"}") >= 1);
    }

    @Test
    void theErrorListKeepsTheLastTen() throws Exception {
        for (int i = 0; i < 12; i++) {
            gpuProbe.runCycle();
        }
        JsonNode gpu = new ObjectMapper().readTree(get("/health").body()).get("components").get("gpu");
        assertEquals(10, gpu.get("details").get("lastErrors").size());
    }
}
