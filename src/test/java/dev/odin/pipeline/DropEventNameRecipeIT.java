package dev.odin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.config.OdinProperties;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import dev.odin.testing.RouteRecipes;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Recipe drop-event-name of docs/routes.md, applied verbatim: in one request, the tool_decision
 * records are dropped and the others reach the event sink (local files); the client gets a plain
 * 200 (nothing rejected), and the dropped records are counted as filtered.
 */
class DropEventNameRecipeIT extends OdinIntegrationTest {

    private static final String KEY = "drop_recipe_it";

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        Path dir;
        try {
            dir = RouteRecipes.apply(Files.createTempDirectory("odin-recipe-drop"), "drop-event-name");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("odin.routes.include", () -> "file:" + dir.toAbsolutePath() + "/*.yaml");
    }

    @Autowired
    private OdinProperties properties;

    private static LogRecord event(String name, String marker) {
        return LogRecord.newBuilder().setTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
                .setBody(Otlp.value("claude_code." + name))
                .addAllAttributes(Otlp.attrs("event.name", name, KEY, marker)).build();
    }

    private static ResourceLogs resource(LogRecord... records) {
        return ResourceLogs.newBuilder().setResource(Resource.newBuilder()
                .addAllAttributes(Otlp.attrs("service.name", "claude-code")))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))).build();
    }

    @Test
    void theEventsOfOneNameAreDroppedPerRecordAndTheOthersKept() throws Exception {
        assertThat(RouteRecipes.snippet("drop-event-name")).contains("drop(${body}, 'event.name', 'tool_decision')");
        ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(resource(event("tool_decision", "dropped-1"), event("api_request", "kept-1"),
                        event("user_prompt", "kept-2")))
                // a resource with nothing but dropped records
                .addResourceLogs(resource(event("tool_decision", "dropped-2")))
                .build();
        HttpResponse<byte[]> r = post("/v1/logs", "application/x-protobuf", request.toByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(r.body());
        assertThat(response.hasPartialSuccess()).as(response.toString()).isFalse();
        // the request is answered once its records are in the files: no waiting
        assertThat(markersInEventFiles()).containsExactlyInAnyOrder("kept-1", "kept-2");
        assertThat(scrape().value("odin_otlp_discarded_total{reason=\"filtered\",signal=\"logs\"}")).isEqualTo(2.0);
        assertThat(scrape().value("odin_otlp_received_total{signal=\"logs\",transport=\"http\"}")).isEqualTo(4.0);
        assertThat(scrape().value("odin_events_written_total")).isEqualTo(2.0);
    }

    private List<String> markersInEventFiles() throws IOException {
        List<String> markers = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        Path events = Path.of(properties.getDataDir()).resolve("events");
        try (Stream<Path> files = Files.list(events)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    JsonNode marker = json.readTree(line).path("metadata").path(KEY);
                    if (!marker.isMissingNode()) {
                        markers.add(marker.asText());
                    }
                }
            }
        }
        return markers;
    }
}
