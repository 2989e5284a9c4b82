package dev.odin.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.RouteRecipes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * docs/routes.md, recipe probe-period, applied verbatim: the host probe runs every second, where
 * its default period (15 s) would give one cycle in the first 15 seconds.
 */
@TestPropertySource(properties = {"odin.probes.gpu.enabled=false", "odin.probes.power.enabled=false",
    "odin.probes.process.enabled=false"})
class ProbePeriodRecipeIT extends OdinIntegrationTest {

    private static final Path DIR = apply();

    private static Path apply() {
        try {
            return RouteRecipes.apply(Files.createTempDirectory("odin-recipe"), "probe-period");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + DIR.toAbsolutePath() + "/*.yaml");
    }

    private double hostCycles() throws Exception {
        return scrape().metric("camel_exchanges_total").entrySet().stream()
                .filter(s -> s.getKey().contains("routeId=\"probe-host\""))
                .mapToDouble(s -> Double.parseDouble(s.getValue())).sum();
    }

    @Test
    void theHostProbeRunsOnTheRecipesPeriod() throws Exception {
        // 4 cycles within 12 s of the start: every second, not every 15 s
        Await.until("4 cycles of probe-host", Duration.ofSeconds(12), () -> hostCycles() >= 4);
        assertThat(scrape().metric("node_load1")).isNotEmpty();
    }
}
