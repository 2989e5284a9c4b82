package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinProcess;
import dev.odin.testing.RouteRecipes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route set whose metrics pipeline lost its privacy step (an operator edited it out) does not
 * start: the process exits non-zero with one line naming the route and the step, as
 * {@link StartupRefusalIT}'s refusals do.
 */
class RouteStepRefusalIT {

    @Test
    void aMetricsPipelineWithoutItsPrivacyStepStopsTheStart(@TempDir Path dir) throws Exception {
        Path routes = RouteRecipes.apply(dir.resolve("routes"));
        Path metrics = routes.resolve("otlp-metrics.yaml");
        String edited = Files.readString(metrics).replaceFirst(
                "(?s)        # ExportMetricsServiceRequest -> ExportMetricsServiceRequest[^\\n]*\\n(        #[^\\n]*\\n)*"
                        + "        - bean:\\n            ref: applyMetricPrivacy\\n            method: attachRules\\n", "");
        assertThat(edited).isNotEqualTo(Files.readString(metrics)).doesNotContain("applyMetricPrivacy");
        Files.writeString(metrics, edited);
        String include = "file:" + routes + "/*.yaml";
        try (OdinProcess odin = OdinProcess.launch(dir.resolve("data"), dir, Map.of(),
                "--odin.routes.include=" + include, "--odin.claude.transcripts-enabled=false")) {
            int exit = odin.awaitExit(Duration.ofSeconds(150));
            String output = odin.output();
            assertThat(exit).as(output).isNotIn(0, -1);
            assertThat(output.lines().filter(l -> l.contains("ODIN refuses to start"))).as(output)
                    .containsExactly("ODIN refuses to start: the routes of odin.routes.include (ODIN_ROUTES_INCLUDE) "
                            + include + ": route otlp-metrics (from direct:otlp-metrics) lacks the metric privacy step"
                            + " (bean applyMetricPrivacy) on every request's path (not only in a wireTap, a filter or"
                            + " some branches of a choice): put the step back (docs/routes.md, Start-up validation)");
            assertThat(output.lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")))
                    .as(output).isEmpty();
        }
    }
}
