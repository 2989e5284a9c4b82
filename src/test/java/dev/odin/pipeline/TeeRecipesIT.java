package dev.odin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Await;
import dev.odin.testing.Fixtures;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import dev.odin.testing.RouteRecipes;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Recipes tee-events-http and tee-alerts-http of docs/routes.md, applied verbatim: the events
 * reach the extra HTTP endpoint as valid OTLP/HTTP protobuf, the Alertmanager notifications as
 * their JSON, without the client's headers; a failing tee endpoint leaves the requests answered
 * 200 and is counted.
 */
class TeeRecipesIT extends OdinIntegrationTest {

    private static final HttpStandIn EVENTS = HttpStandIn.start();
    private static final HttpStandIn ALERTS = HttpStandIn.start();

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        Path dir;
        try {
            dir = RouteRecipes.apply(Files.createTempDirectory("odin-recipe-tee"), "tee-events-http",
                    "tee-alerts-http");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("odin.routes.include", () -> "file:" + dir.toAbsolutePath() + "/*.yaml");
        registry.add("tee.events.url", () -> EVENTS.url("/v1/logs"));
        registry.add("tee.alerts.url", () -> ALERTS.url("/alerts"));
        registry.add("odin.tee.threads", () -> "1");
        registry.add("odin.tee.queue-size", () -> "2");
    }

    @AfterAll
    static void stop() {
        EVENTS.release();
        EVENTS.close();
        ALERTS.close();
    }

    private static ExportLogsServiceRequest logs(String marker) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", "claude-code")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
                        .setTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
                        .setBody(Otlp.value("claude_code.user_prompt"))
                        .addAllAttributes(Otlp.attrs("event.name", "user_prompt", "tee_recipe_it", marker)))))
                .build();
    }

    @Test
    void eventsAreTeedAsOtlpProtobufAndAFailingTeeOnlyCounts() throws Exception {
        assertThat(RouteRecipes.snippet("tee-events-http")).contains("wireTap");
        ExportLogsServiceRequest request = logs("first");
        assertThat(post("/v1/logs", "application/x-protobuf", request.toByteArray(), "X-Client-Secret", "s3cret")
                .statusCode()).isEqualTo(200);

        HttpStandIn.Request teed = EVENTS.next(Duration.ofSeconds(20));
        assertThat(teed).as("the tee's request").isNotNull();
        assertThat(teed.method()).isEqualTo("POST");
        assertThat(teed.path()).isEqualTo("/v1/logs");
        assertThat(teed.header("Content-Type")).startsWith("application/x-protobuf");
        assertThat(teed.header("X-Client-Secret")).as("the client's headers stay home").isNull();
        assertThat(ExportLogsServiceRequest.parseFrom(teed.bytes())).isEqualTo(request);

        String failures = "odin_tee_failures_total{route=\"tee-events\"}";
        EVENTS.failNext(1);
        int answered = EVENTS.answered();
        assertThat(post("/v1/logs", "application/x-protobuf", logs("refused").toByteArray()).statusCode())
                .isEqualTo(200);
        Await.until("the failed tee counted", Duration.ofSeconds(20), () -> Double.valueOf(1.0)
                .equals(scrape().value(failures)));
        assertThat(EVENTS.answered()).isEqualTo(answered + 1);
        assertThat(EVENTS.drain()).isEmpty();
    }

    @Test
    void aStalledTeeEndpointCostsAFewQueuedCopiesAndDropsTheRestNotTheRequests() throws Exception {
        // odin.tee.threads=1, queue-size=2: one copy in flight, two waiting, the others dropped
        assertThat(RouteRecipes.snippet("tee-events-http")).contains("executorService: teeExecutor");
        EVENTS.drain();
        double droppedBefore = scrape().value("odin_tee_dropped_total");
        java.util.List<ExportLogsServiceRequest> sent = new java.util.ArrayList<>();
        EVENTS.hold();
        try {
            for (int i = 0; i < 6; i++) {
                sent.add(logs("stalled-" + i));
                assertThat(post("/v1/logs", "application/x-protobuf", sent.get(i).toByteArray())
                        .statusCode()).as("request " + i + " while the tee endpoint stalls").isEqualTo(200);
            }
            Await.until("the copies past the queue dropped", Duration.ofSeconds(20),
                    () -> Double.valueOf(droppedBefore + 3).equals(scrape().value("odin_tee_dropped_total")));
        } finally {
            EVENTS.release();
        }
        for (int i = 0; i < 3; i++) {
            HttpStandIn.Request teed = EVENTS.next(Duration.ofSeconds(20));
            assertThat(teed).as("queued copy " + i).isNotNull();
            assertThat(ExportLogsServiceRequest.parseFrom(teed.bytes())).isEqualTo(sent.get(i));
        }
        assertThat(EVENTS.next(Duration.ofSeconds(2))).as("a dropped copy").isNull();
        assertThat(scrape().value("odin_tee_dropped_total")).isEqualTo(droppedBefore + 3);
    }

    @Test
    void alertmanagerNotificationsAreTeedAsTheirJson() throws Exception {
        assertThat(RouteRecipes.snippet("tee-alerts-http")).contains("wireTap");
        String firing = Files.readString(Fixtures.DIR.resolve("alertmanager").resolve("firing.json"));
        var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                otlpHttp("/alertmanager/webhook"))).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(firing)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        HttpStandIn.Request teed = ALERTS.next(Duration.ofSeconds(20));
        assertThat(teed).as("the tee's request").isNotNull();
        assertThat(teed.path()).isEqualTo("/alerts");
        assertThat(teed.header("Content-Type")).startsWith("application/json");
        ObjectMapper json = new ObjectMapper();
        JsonNode sent = json.readTree(firing);
        JsonNode got = json.readTree(teed.body());
        assertThat(got.path("version").asText()).isEqualTo("4");
        assertThat(got.path("receiver")).isEqualTo(sent.path("receiver"));
        assertThat(got.path("groupKey")).isEqualTo(sent.path("groupKey"));
        assertThat(got.path("alerts").size()).isEqualTo(sent.path("alerts").size()).isPositive();
        for (int i = 0; i < sent.path("alerts").size(); i++) {
            assertThat(got.path("alerts").get(i).path("labels")).isEqualTo(sent.path("alerts").get(i).path("labels"));
            assertThat(got.path("alerts").get(i).path("status")).isEqualTo(sent.path("alerts").get(i).path("status"));
        }
    }
}
