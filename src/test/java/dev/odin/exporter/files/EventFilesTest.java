package dev.odin.exporter.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.config.OdinProperties;
import dev.odin.exporter.loki.LokiMapper;
import dev.odin.exporter.loki.MappedLogs;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFilesTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T23:59:00Z"));

    /** n events at the clock's time (each 1 ns apart). */
    private MappedLogs events(int n) {
        long now = nanos(clock.instant());
        LogRecord[] records = new LogRecord[n];
        for (int i = 0; i < n; i++) {
            records[i] = record(now + i, 0, i);
        }
        return events(records);
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static LogRecord record(long timeNanos, long observedNanos, long seq) {
        return LogRecord.newBuilder().setTimeUnixNano(timeNanos).setObservedTimeUnixNano(observedNanos)
                .setBody(Otlp.value("claude_code.api_request"))
                .addAllAttributes(Otlp.attrs("event.name", "api_request", "cost_usd", 0.25, "seq", seq)).build();
    }

    private MappedLogs events(LogRecord... records) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (LogRecord r : records) {
            sl.addLogRecords(r);
        }
        return new LokiMapper(new OdinProperties().getLoki(), clock).map(ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().setResource(Resource.newBuilder()
                        .addAllAttributes(Otlp.attrs("service.name", "claude-code"))).addScopeLogs(sl)).build());
    }

    /** Every line of every file, each parsed on its own as one JSON object (JSON Lines), by file name. */
    private Map<String, List<JsonNode>> jsonLines() throws Exception {
        Map<String, List<JsonNode>> out = new TreeMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String name : files()) {
            String text = Files.readString(dir.resolve(name));
            assertThat(text).as(name).endsWith("\n");
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
                assertThat(line).as(name).startsWith("{").endsWith("}");
                JsonNode node = mapper.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                nodes.add(node);
            }
            out.put(name, nodes);
        }
        return out;
    }

    private static List<Long> seqs(List<JsonNode> lines) {
        return lines.stream().map(l -> l.get("metadata").get("seq").asLong()).toList();
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
        List<JsonNode> lines = jsonLines().get("events-2026-11-20.jsonl");
        assertThat(lines).hasSize(2);
        JsonNode first = lines.get(0);
        assertThat(first.get("timestamp").asText()).isEqualTo(Long.toString(nanos(clock.instant())));
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

    /** Several requests, several files: no line starts with the space Jackson puts between root values. */
    @Test
    void everyLineOfEveryFileIsOneJsonObject() throws Exception {
        try (EventFiles f = new EventFiles(dir, 2000, 7, clock)) {
            for (int i = 0; i < 5; i++) {
                f.write(events(7));
            }
        }
        Map<String, List<JsonNode>> lines = jsonLines();
        assertThat(lines.keySet()).contains("events-2026-11-20.jsonl", "events-2026-11-20.1.jsonl");
        assertThat(lines.values().stream().mapToInt(List::size).sum()).isEqualTo(35);
    }

    /** Claude Code sends a batch every few seconds: the one just after midnight holds yesterday's events too. */
    @Test
    void eachEventGoesToTheFileOfItsOwnUtcDay() throws Exception {
        clock.advance(Duration.ofMinutes(1).plusSeconds(5)); // arrival 2026-11-21T00:00:05Z
        long beforeMidnight = nanos(Instant.parse("2026-11-20T23:59:58Z"));
        long afterMidnight = nanos(Instant.parse("2026-11-21T00:00:01Z"));
        try (EventFiles f = new EventFiles(dir, 1 << 20, 7, clock)) {
            assertThat(f.write(events(record(beforeMidnight, 0, 1), record(afterMidnight, 0, 2),
                    record(beforeMidnight + 1, 0, 3),
                    // no event time: the observed time names the day
                    record(0, nanos(Instant.parse("2026-11-19T12:00:00Z")), 4),
                    // neither: the arrival
                    record(0, 0, 5)))).isEqualTo(5);
            assertThat(f.currentFile().getFileName().toString()).isEqualTo("events-2026-11-21.jsonl");
            assertThat(f.filedByArrival().tooOld.sum() + f.filedByArrival().tooFarAhead.sum()).isZero();
        }
        Map<String, List<JsonNode>> lines = jsonLines();
        assertThat(lines.keySet()).containsExactly("events-2026-11-19.jsonl", "events-2026-11-20.jsonl",
                "events-2026-11-21.jsonl");
        assertThat(seqs(lines.get("events-2026-11-19.jsonl"))).containsExactly(4L);
        assertThat(seqs(lines.get("events-2026-11-20.jsonl"))).containsExactly(1L, 3L);
        assertThat(seqs(lines.get("events-2026-11-21.jsonl"))).containsExactly(2L, 5L);
        assertThat(lines.get("events-2026-11-20.jsonl").get(0).get("timestamp").asText())
                .isEqualTo(Long.toString(beforeMidnight));
    }

    /** A day the retention would delete at once, or far ahead (a wrong clock): the arrival day's file. */
    @Test
    void eventsFarInThePastOrFutureGoToTheArrivalDaysFileAndAreCounted() throws Exception {
        long year2001 = nanos(Instant.parse("2001-09-09T01:46:40Z"));
        long year2099 = nanos(Instant.parse("2099-01-01T00:00:00Z"));
        try (EventFiles f = new EventFiles(dir, 1 << 20, 3, clock)) {
            f.write(events(record(year2001, 0, 1), record(year2099, 0, 2),
                    record(nanos(Instant.parse("2026-11-18T00:00:00Z")), 0, 3), // the oldest day kept (3 days)
                    record(nanos(Instant.parse("2026-11-21T23:00:00Z")), 0, 4), // tomorrow: a clock a little ahead
                    record(nanos(Instant.parse("2026-11-17T23:59:59Z")), 0, 5), // a day too old
                    record(nanos(Instant.parse("2026-11-22T00:00:00Z")), 0, 6))); // two days ahead
            assertThat(f.filedByArrival().tooOld.sum()).isEqualTo(2);
            assertThat(f.filedByArrival().tooFarAhead.sum()).isEqualTo(2);
        }
        Map<String, List<JsonNode>> lines = jsonLines();
        assertThat(lines.keySet()).containsExactly("events-2026-11-18.jsonl", "events-2026-11-20.jsonl",
                "events-2026-11-21.jsonl");
        assertThat(seqs(lines.get("events-2026-11-20.jsonl"))).containsExactly(1L, 2L, 5L, 6L);
        assertThat(lines.get("events-2026-11-20.jsonl").get(1).get("timestamp").asText())
                .isEqualTo(Long.toString(year2099)); // the line keeps the event's own time
    }

    /** A request spanning two days that fails in the second file leaves the first as it was. */
    @Test
    void aFailedWriteAcrossTwoDaysIsTakenBackFromBoth() throws Exception {
        clock.advance(Duration.ofMinutes(2)); // arrival 2026-11-21T00:01Z
        long yesterday = nanos(Instant.parse("2026-11-20T23:59:59Z"));
        try (EventFiles f = new EventFiles(dir, 1 << 20, 7, clock)) {
            f.write(events(record(yesterday, 0, 1)));
            long before = Files.size(dir.resolve("events-2026-11-20.jsonl"));
            Files.createDirectory(dir.resolve("events-2026-11-21.jsonl")); // cannot be opened as a file
            assertThatThrownBy(() -> f.write(events(record(yesterday, 0, 2), record(yesterday, 0, 3),
                    record(nanos(clock.instant()), 0, 4)))).isInstanceOf(java.io.IOException.class);
            assertThat(Files.size(dir.resolve("events-2026-11-20.jsonl"))).isEqualTo(before);
            Files.delete(dir.resolve("events-2026-11-21.jsonl"));
            // the retry is written whole
            assertThat(f.write(events(record(yesterday, 0, 2), record(yesterday, 0, 3),
                    record(nanos(clock.instant()), 0, 4)))).isEqualTo(3);
        }
        Map<String, List<JsonNode>> lines = jsonLines();
        assertThat(seqs(lines.get("events-2026-11-20.jsonl"))).containsExactly(1L, 2L, 3L);
        assertThat(seqs(lines.get("events-2026-11-21.jsonl"))).containsExactly(4L);
    }
}
