package dev.odin.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.delivery.QueuedSender;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceStoreTest {

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    void at(Instant t) {
        clock.advance(Duration.between(clock.instant(), t));
    }

    TraceStore store(Duration retention, long maxBytes, QueuedSender.Guard guard) {
        return new TraceStore(dir.resolve("traces"), retention, maxBytes, clock, guard, registry);
    }

    double dropped(String reason) {
        return registry.get("odin.traces.store.dropped.spans").tag("reason", reason).counter().count();
    }

    static ExportTraceServiceRequest tool() throws Exception {
        return SpanMetricsTest.fixture("http-json-tool/v1_traces_0003.json");
    }

    static long bytes(ExportTraceServiceRequest r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TraceStore.lines(r, out);
        return out.size();
    }

    @Test
    void oneSpanPerLineWithIdsTimesAndTypedAttributes() throws Exception {
        TraceStore s = store(Duration.ofDays(7), 1 << 20, QueuedSender.Guard.NONE);
        assertThat(s.write(tool())).isEqualTo(6);
        Path file = dir.resolve("traces/spans-2026-12-01.jsonl");
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(6).allMatch(l -> l.startsWith("{\"trace_id\":\"685e4cf31a4312b72f64c38276bacb8d\""));
        JsonNode llm = new ObjectMapper().readTree(lines.get(0));
        assertThat(llm.get("trace_id").asText()).isEqualTo("685e4cf31a4312b72f64c38276bacb8d");
        assertThat(llm.get("span_id").asText()).isEqualTo("06d97de67e896a7a");
        assertThat(llm.get("parent_span_id").asText()).isEqualTo("23eb68cea6db5869");
        assertThat(llm.get("name").asText()).isEqualTo("claude_code.llm_request");
        assertThat(llm.get("kind").asText()).isEqualTo("SPAN_KIND_INTERNAL");
        assertThat(llm.get("start_time_unix_nano").asText()).isEqualTo("1796143266022000000");
        assertThat(llm.get("end_time_unix_nano").asText()).isEqualTo("1796143266069204239");
        assertThat(llm.get("duration_ms").decimalValue()).isEqualByComparingTo("47.204239");
        assertThat(llm.get("status_code").asText()).isEqualTo("STATUS_CODE_UNSET");
        assertThat(llm.get("service_name").asText()).isEqualTo("claude-code");
        assertThat(llm.get("scope").get("name").asText()).isEqualTo("com.anthropic.claude_code.tracing");
        assertThat(llm.get("resource").get("service.version").asText()).isEqualTo("2.1.332");
        assertThat(llm.get("attributes").get("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(llm.get("attributes").get("ttft_ms").isIntegralNumber()).isTrue();
        assertThat(llm.get("attributes").get("ttft_ms").asLong()).isEqualTo(21);
        assertThat(llm.get("attributes").get("success").isBoolean()).isTrue();
        assertThat(llm.get("events").get(0).get("name").asText()).isEqualTo("gen_ai.request.attempt");
        assertThat(llm.get("events").get(0).get("time_unix_nano").asText()).isEqualTo("1796143266033179055");
        assertThat(registry.get("odin.traces.store.spans").counter().count()).isEqualTo(6.0);

        assertThat(s.read("685e4cf31a4312b72f64c38276bacb8d")).hasSize(6);
        assertThat(s.read("9be927d0a6e676cd14aa224ce3521975")).isEmpty();
        assertThatThrownBy(() -> s.read("685E4CF31A4312B72F64C38276BACB8D")).isInstanceOf(IllegalArgumentException.class);
        assertThat(TraceStore.isTraceId("0".repeat(32))).isFalse();
        assertThat(TraceStore.isTraceId("685e4cf31a4312b72f64c38276bacb8")).isFalse();
        assertThat(TraceStore.isTraceId("../../etc/passwd")).isFalse();
    }

    @Test
    void dailyFilesGoAfterTheRetention() throws Exception {
        TraceStore s = store(Duration.ofDays(2), 1 << 20, QueuedSender.Guard.NONE);
        s.write(tool()); // 2026-12-01
        at(Instant.parse("2026-12-02T10:00:00Z"));
        s.write(tool());
        // 12-01 ended at 12-02T00:00; + 2 days = 12-04T00:00: kept until then, deleted after
        at(Instant.parse("2026-12-04T00:00:00Z"));
        assertThat(s.clean()).isZero();
        assertThat(dir.resolve("traces/spans-2026-12-01.jsonl")).exists();
        at(Instant.parse("2026-12-04T00:00:00.001Z"));
        assertThat(s.clean()).isEqualTo(1);
        assertThat(dir.resolve("traces/spans-2026-12-01.jsonl")).doesNotExist();
        assertThat(dir.resolve("traces/spans-2026-12-02.jsonl")).exists();
        // a file that is not the store's is left alone
        Files.writeString(dir.resolve("traces/notes.txt"), "mine");
        Files.writeString(dir.resolve("traces/spans-2020-13-45.jsonl"), "not a date");
        at(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(s.clean()).isEqualTo(1);
        assertThat(dir.resolve("traces/notes.txt")).exists();
        assertThat(dir.resolve("traces/spans-2020-13-45.jsonl")).exists();
    }

    @Test
    void theSizeBoundHoldsAtItsEdge() throws Exception {
        long one = bytes(tool());
        // room for exactly two requests
        TraceStore s = store(Duration.ofDays(30), 2 * one, QueuedSender.Guard.NONE);
        assertThat(s.write(tool())).isEqualTo(6);
        assertThat(s.write(tool())).isEqualTo(6);
        assertThat(Files.size(dir.resolve("traces/spans-2026-12-01.jsonl"))).isEqualTo(2 * one);
        // one byte over: not written, counted; today's file is never deleted for room
        assertThat(s.write(tool())).isZero();
        assertThat(dropped("size_limit")).isEqualTo(6.0);
        assertThat(Files.size(dir.resolve("traces/spans-2026-12-01.jsonl"))).isEqualTo(2 * one);
        // the next day: the oldest day goes to make room
        at(Instant.parse("2026-12-02T10:00:00Z"));
        assertThat(s.write(tool())).isEqualTo(6);
        assertThat(dir.resolve("traces/spans-2026-12-01.jsonl")).doesNotExist();
        assertThat(Files.size(dir.resolve("traces/spans-2026-12-02.jsonl"))).isEqualTo(one);
    }

    @Test
    void aFailedWriteIsCountedNotThrown() throws Exception {
        TraceStore s = store(Duration.ofDays(7), 1 << 20, (what, action) -> {
            assertThat(what).isEqualTo(TraceStore.WRITE);
            throw new IOException("disk full");
        });
        assertThat(s.write(tool())).isZero();
        assertThat(dropped("write_failed")).isEqualTo(6.0);
        assertThat(s.write(ExportTraceServiceRequest.getDefaultInstance())).isZero();
        assertThat(dropped("write_failed")).isEqualTo(6.0);
    }
}
