package dev.odin.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.config.OdinProperties;
import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.RouteRecipes;
import dev.odin.testing.StandInLoki;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** docs/routes.md recipe events-to-loki-and-files, applied verbatim: each event in Loki and in the files. */
class EventsToLokiAndFilesRecipeIT extends OdinIntegrationTest {

    private static final StandInLoki LOKI = StandInLoki.open();
    private static final Path ROUTES = RouteRecipes.apply(EventSinkRoutes.tempDir("odin-recipe"),
            "events-to-loki-and-files");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + ROUTES.toAbsolutePath() + "/*.yaml");
        registry.add("odin.loki.url", LOKI::url);
        registry.add("odin.loki.batch-wait", () -> "100ms");
    }

    @AfterAll
    static void stop() {
        LOKI.close();
    }

    @Autowired
    private OdinProperties properties;

    @Test
    void eachEventReachesLokiAndTheFilesOnce() throws Exception {
        assertThat(post("/v1/logs", "application/x-protobuf",
                EventSinkRoutes.logs("both-sinks", "first-of-two", "second-of-two")).statusCode()).isEqualTo(200);
        String stream = "{service_name=\"both-sinks\"}";
        Await.until("both records in Loki", Duration.ofSeconds(20),
                () -> LOKI.streams().getOrDefault(stream, java.util.List.of()).size() >= 2);
        assertThat(LOKI.streams().get(stream)).extracting(StandInLoki.Entry::line)
                .containsExactly("first-of-two", "second-of-two");
        assertThat(EventSinkRoutes.eventFileLines(properties.getDataDir()))
                .filteredOn(l -> l.contains("both-sinks")).hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("first-of-two"))
                .anySatisfy(l -> assertThat(l).contains("second-of-two"));
    }
}
