package dev.odin.home;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.health.ComponentHealth;
import dev.odin.health.ComponentStatus;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.DefaultHealthContributorRegistry;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The report from meters, health indicators and probes, without a running application. */
class StatusReportTest {

    @Test
    void countsProbesComponentsAndTheLastErrorsNewestFirst() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:00:00Z"));
        DefaultHealthContributorRegistry health = new DefaultHealthContributorRegistry();
        ComponentHealth gpu = new ComponentHealth("gpu");
        gpu.absent("no nvidia-smi");
        ComponentHealth host = new ComponentHealth("host");
        host.failure(Instant.parse("2026-01-02T02:58:00Z"), ComponentStatus.DEGRADED, "cannot read /proc/stat");
        host.failure(Instant.parse("2026-01-02T02:59:30.5Z"), ComponentStatus.DEGRADED, "cannot read /proc/meminfo");
        health.registerContributor("gpu", gpu);
        health.registerContributor("host", host);
        health.registerContributor("loki", (HealthIndicator) () -> Health.status("DEGRADED")
                .withDetail("lastErrors", List.of("2026-01-02T02:59:00Z Loki 503: busy (retrying)")).build());
        health.registerContributor("broken", (HealthIndicator) () -> {
            throw new IllegalStateException("indicator failed");
        });
        StatusReport report = new StatusReport(registry, clock, health, () -> List.of(gpu, host), List::of);
        Counter.builder("odin.otlp.requests").tag("signal", "logs").tag("transport", "grpc").tag("outcome", "ok")
                .register(registry).increment(4);
        Counter.builder("odin.otlp.received").tag("signal", "logs").tag("transport", "grpc")
                .register(registry).increment(40);
        clock.advance(Duration.ofSeconds(5));

        Map<String, Object> r = report.build();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> receiving = (List<Map<String, Object>>) r.get("receiving");
        Map<String, Object> logs = receiving.stream().filter(x -> x.get("receiver").equals("OTLP logs")
                && x.get("protocol").equals("gRPC")).findFirst().orElseThrow();
        assertThat(logs).containsEntry("requests", 4L).containsEntry("requestsRecent", 4L).containsEntry("items", 40L)
                .containsEntry("lastReceived", "2026-01-02T03:00:05Z");
        assertThat(receiving).noneMatch(x -> x.get("receiver").equals("Alertmanager webhook")); // no meter of it
        assertThat(r.get("probes").toString()).contains("probe=gpu, status=ABSENT, reason=no nvidia-smi")
                .contains("probe=host, status=DEGRADED, reason=cannot read /proc/meminfo");
        assertThat(r.get("components").toString()).contains("component=broken, status=DOWN")
                .contains("component=loki, status=DEGRADED").doesNotContain("component=gpu");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> errors = (List<Map<String, Object>>) r.get("lastErrors");
        assertThat(errors).extracting(e -> e.get("time")).containsExactly("2026-01-02T02:59:30.500Z",
                "2026-01-02T02:59:00Z", "2026-01-02T02:58:00Z");
        assertThat(errors.get(1)).containsEntry("source", "loki").containsEntry("message", "Loki 503: busy (retrying)");
        assertThat(r.get("sending")).isEqualTo(List.of());
    }
}
