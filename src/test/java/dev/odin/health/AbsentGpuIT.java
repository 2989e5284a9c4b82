package dev.odin.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.probes.ProbeRunner;
import dev.odin.testing.OdinIntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.context.TestPropertySource;

/**
 * No nvidia-smi on this machine: the GPU is ABSENT, and the service healthy and ready. The power
 * probes are switched off here, which stops their route.
 */
@TestPropertySource(properties = {"odin.probes.gpu.command=/nonexistent/nvidia-smi",
    "odin.probes.power.enabled=false"})
class AbsentGpuIT extends OdinIntegrationTest {

    @Autowired
    @Qualifier("gpuProbe")
    ProbeRunner gpuProbe;

    @Autowired
    org.apache.camel.CamelContext camel;

    @Test
    void aProbeSwitchedOffDoesNotRun() throws Exception {
        assertEquals(org.apache.camel.ServiceStatus.Stopped, camel.getRouteController().getRouteStatus("probe-power"));
        assertEquals(org.apache.camel.ServiceStatus.Started, camel.getRouteController().getRouteStatus("probe-host"));
        Thread.sleep(1500); // past the timers' first run
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/health")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode rapl = new ObjectMapper().readTree(health.body()).get("components").get("rapl");
        assertEquals("UNKNOWN", rapl.get("status").asText());
        assertNull(scrape().value("odin_probe_success{probe=\"rapl\"}"));
    }

    @Test
    void aMissingGpuIsAbsentAndHealthy() throws Exception {
        gpuProbe.runCycle();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/health")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        JsonNode body = new ObjectMapper().readTree(health.body());
        assertEquals("ABSENT", body.get("components").get("gpu").get("status").asText());
        assertEquals("UP", body.get("status").asText(), "ABSENT never makes the service unhealthy: " + health.body());
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode());
        assertEquals(1.0, scrape().value("odin_probe_success{probe=\"gpu\"}"));
        assertNull(scrape().value("nvidia_smi_last_collect_success"));
    }
}
