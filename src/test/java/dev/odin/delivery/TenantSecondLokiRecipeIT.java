package dev.odin.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.RouteRecipes;
import dev.odin.testing.StandInLoki;
import dev.odin.testing.TokensFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * docs/routes.md recipe tenant-second-loki, applied verbatim: team-b's events reach the second
 * Loki (under its tenant), team-a's the configured one, and neither the other.
 */
class TenantSecondLokiRecipeIT extends OdinIntegrationTest {

    static final String TEAM_A = "a-token-0123456789abcdef";
    static final String TEAM_B = "b-token-0123456789abcdef";

    private static final StandInLoki LOKI_A = StandInLoki.open();
    private static final StandInLoki LOKI_B = StandInLoki.open();
    private static final Path TOKENS = TokensFile.create(TEAM_A + " team-a", TEAM_B + " team-b");
    private static final Path ROUTES = RouteRecipes.apply(EventSinkRoutes.tempDir("odin-recipe"),
            "tenant-second-loki");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + ROUTES.toAbsolutePath() + "/*.yaml");
        registry.add("odin.auth.tokens-file", TOKENS::toString);
        registry.add("odin.auth.tenant-label", () -> "tenant");
        registry.add("odin.loki.url", LOKI_A::url);
        registry.add("odin.loki.batch-wait", () -> "100ms");
        registry.add("loki-b.url", LOKI_B::url);
    }

    @AfterAll
    static void stop() {
        LOKI_A.close();
        LOKI_B.close();
    }

    @Test
    void oneTenantsEventsGoToTheSecondLoki() throws Exception {
        assertThat(post("/v1/logs", "application/x-protobuf", EventSinkRoutes.logs("per-tenant", "event-of-a"),
                "Authorization", "Bearer " + TEAM_A).statusCode()).isEqualTo(200);
        assertThat(post("/v1/logs", "application/x-protobuf", EventSinkRoutes.logs("per-tenant", "event-of-b"),
                "Authorization", "Bearer " + TEAM_B).statusCode()).isEqualTo(200);
        Await.until("each tenant's event in its Loki", Duration.ofSeconds(20),
                () -> LOKI_A.entriesReceived() >= 1 && LOKI_B.entriesReceived() >= 1);
        assertThat(LOKI_A.linesByTenant()).containsOnlyKeys("team-a");
        assertThat(LOKI_A.linesByTenant().get("team-a"))
                .containsExactly("{service_name=\"per-tenant\", tenant=\"team-a\"} event-of-a");
        assertThat(LOKI_B.linesByTenant()).containsOnlyKeys("team-b");
        assertThat(LOKI_B.linesByTenant().get("team-b"))
                .containsExactly("{service_name=\"per-tenant\", tenant=\"team-b\"} event-of-b");
        // the second Loki's backlog is visible too (counted once the push has returned)
        Await.until("the second Loki's delivery counted", Duration.ofSeconds(10),
                () -> Double.valueOf(1.0).equals(scrape().value("odin_delivery_sent_total{sender=\"loki-team-b\"}")));
        assertThat(scrape().value("odin_delivery_queue_records{sender=\"loki-team-b\"}")).isEqualTo(0.0);
        assertThat(health()).contains("\"loki-team-b\"").contains("\"loki\"");
        assertThat(List.of(LOKI_A.entriesReceived(), LOKI_B.entriesReceived())).containsExactly(1, 1);
    }

    private String health() throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort
                + "/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
