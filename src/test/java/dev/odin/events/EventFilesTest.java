package dev.odin.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.config.OdinProperties;
import dev.odin.loki.LokiMapper;
import dev.odin.loki.MappedLogs;
import dev.odin.testing.MutableClock;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFilesTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T23:59:00Z"));

    private MappedLogs events(int n) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = 0; i < n; i++) {
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_795_358_434_617_000_000L + i)
                    .setBody(Otlp.value("claude_code.api_request"))
                    .addAllAttributes(Otlp.attrs("event.name", "api_request", "cost_usd", 0.25, "seq", (long) i)));
        }
        return new LokiMapper(new OdinProperties().getLoki(), clock).map(ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().setResource(Resource.newBuilder()
                        .addAllAttributes(Otlp.attrs("service.name", "claude-code"))).addScopeLogs(sl)).build());
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void jsonLinesWithLabelsLineAndMetadata() throws Exception {
        try (EventFiles f = new EventFiles(dir, 1 << 20, 7, clock)) {
            assertThat(f.write(events(2))).isEqualTo(2);
        }
        List<String> lines = Files.readAllLines(dir.resolve("events-2026-11-20.jsonl"));
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("timestamp").asText()).isEqualTo("1795358434617000000");
        assertThat(first.get("labels").get("service_name").asText()).isEqualTo("claude-code");
        assertThat(first.get("line").asText()).isEqualTo("claude_code.api_request");
        assertThat(first.get("metadata").get("event_name").asText()).isEqualTo("api_request");
        assertThat(first.get("metadata").get("cost_usd").asText()).isEqualTo("0.25");
    }

    @Test
    void rotatesDailyAndBySizeAndKeepsOnlyTheRetention() throws Exception {
        try (EventFiles f = new EventFiles(dir, 2000, 3, clock)) {
            f.write(events(1));
            clock.advance(Duration.ofMinutes(2)); // past midnight: a new day, a new file
            f.write(events(1));
            assertThat(files()).containsExactly("events-2026-11-20.jsonl", "events-2026-11-21.jsonl");
            f.write(events(20)); // past 2000 bytes: the next write goes to a numbered file
            f.write(events(1));
            assertThat(files()).contains("events-2026-11-21.1.jsonl");
            clock.advance(Duration.ofDays(2));
            f.write(events(1)); // 2026-11-23: 11-20 is more than 3 days old now
            assertThat(files()).doesNotContain("events-2026-11-20.jsonl").contains("events-2026-11-21.jsonl",
                    "events-2026-11-23.jsonl");
        }
        // a restart keeps appending to the day's newest file
        try (EventFiles f = new EventFiles(dir, 2000, 3, clock)) {
            long before = Files.size(dir.resolve("events-2026-11-23.jsonl"));
            f.write(events(1));
            assertThat(Files.size(dir.resolve("events-2026-11-23.jsonl"))).isGreaterThan(before);
        }
    }
}
