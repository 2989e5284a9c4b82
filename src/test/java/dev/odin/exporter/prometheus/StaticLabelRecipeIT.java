package dev.odin.exporter.prometheus;

import static dev.odin.testing.Otlp.CUMULATIVE;
import static dev.odin.testing.Otlp.SECOND;
import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.RouteRecipes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** docs/routes.md, recipe static-label, applied verbatim: every series of service checkout gets team="payments". */
class StaticLabelRecipeIT extends OdinIntegrationTest {

    private static final Path DIR = RouteRecipes.apply(tempDir(), "static-label");

    static Path tempDir() {
        try {
            return Files.createTempDirectory("odin-recipe");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + DIR.toAbsolutePath() + "/*.yaml");
    }

    private static List<String> series(Exposition e, String metric, String job) {
        return e.metric(metric).keySet().stream().filter(k -> k.contains("job=\"" + job + "\"")).toList();
    }

    @Test
    void everySeriesOfTheServiceAndOnlyItsGetsTheLabel() throws Exception {
        for (String service : List.of("checkout", "recipe-other")) {
            var request = request(attrs("service.name", service, "deployment.environment", "prod"),
                    sum("recipe.static.requests", "", true, CUMULATIVE, point(attrs("route", "/a"), T0, T0 + SECOND, 2),
                            point(attrs("route", "/b"), T0, T0 + SECOND, 3)));
            assertThat(post("/v1/metrics", "application/x-protobuf", request.toByteArray()).statusCode())
                    .isEqualTo(200);
        }
        Exposition e = scrape();
        assertThat(series(e, "recipe_static_requests_total", "checkout")).hasSize(2)
                .allSatisfy(k -> assertThat(k).contains("team=\"payments\""));
        assertThat(series(e, "recipe_static_requests_total", "recipe-other")).hasSize(2)
                .allSatisfy(k -> assertThat(k).doesNotContain("team="));
        assertThat(series(e, "target_info", "checkout")).singleElement().asString().contains("team=\"payments\"");
    }
}
