package dev.odin.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.config.OdinProperties;
import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.StandInLoki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The edit that failed on main (issue 15): a second sink after the first in the event-sink route.
 * It used to answer HTTP 500 on every request (no such bean) after the records were already in
 * the Loki queue, so each client retry duplicated them; now both sinks take each record once and
 * the request is answered 200.
 */
class SecondEventSinkIT extends OdinIntegrationTest {

    private static final StandInLoki LOKI = StandInLoki.open();
    private static final Path ROUTES = routesWithTwoSinks();

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.routes.include", () -> "file:" + ROUTES.toAbsolutePath() + "/*.yaml");
        registry.add("odin.loki.url", LOKI::url);
        registry.add("odin.loki.batch-wait", () -> "100ms");
    }

    /** routes/ with the event-sink route's steps replaced by two sinks in a row, as an operator would write it. */
    private static Path routesWithTwoSinks() {
        try {
            Path dir = Files.createTempDirectory("odin-routes");
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String yaml = Files.readString(f);
                    if (f.getFileName().toString().equals("otlp-logs.yaml")) {
                        int at = yaml.indexOf("- route:\n    id: event-sink\n");
                        assertThat(at).as("the event-sink route in routes/otlp-logs.yaml").isPositive();
                        yaml = yaml.substring(0, at) + """
                                - route:
                                    id: event-sink
                                    errorHandler:
                                      noErrorHandler: {}
                                    from:
                                      uri: direct:event-sink
                                      steps:
                                        - to: odin-loki:default
                                        - to: odin-files:events
                                """;
                    }
                    Files.writeString(dir.resolve(f.getFileName()), yaml);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        LOKI.close();
    }

    @Autowired
    private OdinProperties properties;

    @Test
    void aSecondSinkAfterTheFirstTakesEachRecordOnceAndTheRequestSucceeds() throws Exception {
        HttpResponse<byte[]> r = post("/v1/logs", "application/x-protobuf",
                EventSinkRoutes.logs("two-sinks", "once-a", "once-b"));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        String stream = "{service_name=\"two-sinks\"}";
        Await.until("the records in Loki", Duration.ofSeconds(20),
                () -> LOKI.streams().getOrDefault(stream, List.of()).size() >= 2);
        Await.until("the queue empty", Duration.ofSeconds(10),
                () -> Double.valueOf(0.0).equals(scrape().value("odin_delivery_queue_records{sender=\"loki\"}")));
        assertThat(LOKI.streams().get(stream)).extracting(StandInLoki.Entry::line).containsExactly("once-a", "once-b");
        assertThat(EventSinkRoutes.eventFileLines(properties.getDataDir())).filteredOn(l -> l.contains("two-sinks"))
                .hasSize(2);
    }
}
