package dev.odin.exporter.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.config.OdinProperties;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The embedded event sink over the real OTLP/HTTP listener: one request with events of two days
 * (and one from a clock years ahead) lands in the files of the events' own UTC days, and every
 * line of every event file is one JSON object (JSON Lines), parsed on its own with Jackson.
 */
class EventFilesIT extends OdinIntegrationTest {

    private static final String KEY = "event_files_it";

    @Autowired
    private OdinProperties properties;

    private static LogRecord event(Instant t, String marker) {
        return LogRecord.newBuilder().setTimeUnixNano(t.getEpochSecond() * 1_000_000_000L + t.getNano())
                .setBody(Otlp.value("claude_code.api_request"))
                .addAllAttributes(Otlp.attrs("event.name", "api_request", KEY, marker)).build();
    }

    @Test
    void eventsOfTwoDaysInOneRequestGoToTheirOwnDaysFilesAsJsonLines() throws Exception {
        Instant now = Instant.now();
        Instant yesterday = now.minus(Duration.ofDays(1));
        Instant ahead = now.plus(Duration.ofDays(400));
        String tooFarAhead = "odin_events_filed_by_arrival_total{reason=\"too_far_ahead\"}";
        Double before = scrape().value(tooFarAhead);
        ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs
                .newBuilder().setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name",
                        "claude-code")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(event(yesterday, "yesterday"))
                        .addLogRecords(event(now, "today")).addLogRecords(event(ahead, "ahead"))))
                .build();
        assertThat(post("/v1/logs", "application/x-protobuf", request.toByteArray()).statusCode()).isEqualTo(200);

        // a request is answered once its lines are written: no waiting
        Map<String, String> fileOf = new HashMap<>();
        int lines = 0;
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(Path.of(properties.getDataDir()).resolve("events"))) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f);
                assertThat(text).as(f.toString()).endsWith("\n");
                for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
                    assertThat(line).as(f.toString()).startsWith("{");
                    JsonNode event = json.readTree(line);
                    assertThat(event.isObject()).as(line).isTrue();
                    lines++;
                    JsonNode marker = event.path("metadata").path(KEY);
                    if (!marker.isMissingNode()) {
                        fileOf.put(marker.asText(), f.getFileName().toString());
                    }
                }
            }
        }
        assertThat(lines).isGreaterThanOrEqualTo(3);
        assertThat(fileOf.get("yesterday")).isEqualTo("events-" + day(yesterday) + ".jsonl");
        assertThat(fileOf.get("today")).isEqualTo("events-" + day(now) + ".jsonl");
        // a year ahead: the arrival day's file (today's, or tomorrow's if midnight passed meanwhile)
        assertThat(fileOf.get("ahead")).isIn(List.of("events-" + day(now) + ".jsonl",
                "events-" + day(now.plus(Duration.ofDays(1))) + ".jsonl"));
        assertThat(scrape().value(tooFarAhead)).isEqualTo((before == null ? 0 : before) + 1);
    }

    private static LocalDate day(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }
}
