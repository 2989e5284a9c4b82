package dev.odin.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.RouteRecipes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * docs/routes.md, recipe drop-metric, applied verbatim: Claude Code's active time never becomes a
 * series, the rest of the same request does, and the dropped points are counted.
 */
class DropMetricRecipeIT extends OdinIntegrationTest {

    private static final Path DIR = RouteRecipes.apply(StaticLabelRecipeIT.tempDir(), "drop-metric");

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + DIR.toAbsolutePath() + "/*.yaml");
    }

    @Test
    void theNamedMetricIsDroppedAndTheOthersLand() throws Exception {
        // Claude Code's own request: cost, tokens and active time
        byte[] body = fixture("claude-code/http-json-chat/v1_metrics_0006.json");
        assertThat(post("/v1/metrics", "application/json", body).statusCode()).isEqualTo(200);
        Exposition e = scrape();
        assertThat(e.metric("claude_code_cost_usage_USD_total")).isNotEmpty();
        assertThat(e.metric("claude_code_token_usage_tokens_total")).hasSize(4);
        assertThat(e.text()).doesNotContain("claude_code_active_time");
        assertThat(e.metric("odin_otlp_discarded_total").entrySet()).anySatisfy(s -> {
            assertThat(s.getKey()).contains("reason=\"dropped_by_route\"").contains("signal=\"metrics\"");
            assertThat(Double.parseDouble(s.getValue())).isEqualTo(1.0);
        });
    }
}
