package dev.odin.usage;

import static dev.odin.usage.Transcripts.assistant;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model the price table does not know: tokens counted, cost null (not 0, not guessed), the
 * request counted once in odin_claude_unpriced_requests_total{source,model} however often its
 * line grows, the model label capped, and /api/usage's totals naming the requests and models.
 */
class UnpricedRequestsTest {

    @TempDir
    Path tmp;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    double counter(String source, String model) {
        Counter c = registry.find("odin.claude.unpriced.requests").tag("source", source).tag("model", model).counter();
        return c == null ? -1 : c.count();
    }

    @Test
    void aTranscriptRequestOfAnUnknownModelIsCountedOnceAndLeftWithoutCost() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("projects"));
        Path file = Files.createDirectories(root.resolve("-home-u-proj")).resolve("s1.jsonl");
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);
        UsageStore store = new UsageStore(tmp.resolve("data/usage"), 400);
        UnpricedRequests unpriced = new UnpricedRequests(registry);
        TranscriptFollower f = new TranscriptFollower(root, new TranscriptOffsets(tmp.resolve("offsets.json")),
                new TranscriptParser(), new UsageLedger(1000), Pricing.builtIn(),
                new UsageRecorder(store, new SimpleMeterRegistry(), clock), "laptop", "dev", "", unpriced);
        // a streaming partial, then the same request grown; a known model beside it
        Files.writeString(file, assistant("s1", "2026-11-22T10:00:00Z", "msg_a", "req_a", "claude-opus-9-9", 10, 1, 0, 0, 0,
                "text", false) + assistant("s1", "2026-11-22T10:00:01Z", "msg_a", "req_a", "claude-opus-9-9", 10, 50, 0, 0,
                0, "text", false) + assistant("s1", "2026-11-22T10:01:00Z", "msg_b", "req_b", "claude-opus-4-8", 1000, 100, 0,
                0, 0, "text", false), StandardCharsets.UTF_8);
        f.read(file);

        assertThat(counter("transcript", "claude-opus-9-9")).isEqualTo(1.0);
        assertThat(counter("transcript", "claude-opus-4-8")).isEqualTo(-1); // priced: no series
        List<UsageEvent> events = new ArrayList<>();
        store.read(null, events::add);
        assertThat(events).filteredOn(e -> e.model().equals("claude-opus-9-9")).extracting(UsageEvent::cost)
                .containsOnlyNulls().hasSize(2);
        Map<String, Object> report = UsageReport.build(store, UsageReport.Group.DAY, LocalDate.parse("2026-11-22"), null,
                ZoneOffset.UTC, clock.instant());
        @SuppressWarnings("unchecked")
        Map<String, Object> totals = (Map<String, Object>) report.get("totals");
        assertThat(totals.get("unpricedRequests")).isEqualTo(1L);
        assertThat(totals.get("unpricedModels")).isEqualTo(List.of("claude-opus-9-9"));
        // only the known model's request is in the cost: 1,000 x $5 + 100 x $25 per million
        assertThat(new java.math.BigDecimal(totals.get("totalCost").toString())).isEqualByComparingTo("0.0075");
        assertThat(totals.get("totalTokens")).isEqualTo(1000L + 100 + 10 + 50);
    }

    @Test
    void theModelLabelIsCappedAndTheRestCountedAsOther() {
        UnpricedRequests unpriced = new UnpricedRequests(registry);
        for (int i = 0; i < UnpricedRequests.MAX_MODELS + 25; i++) {
            unpriced.count("telemetry", "model-" + i);
        }
        unpriced.count("telemetry", "model-0"); // a model named before the cap keeps its own series
        unpriced.count("transcript", "model-1"); // the cap is on models, either source
        unpriced.count("transcript", "model-999");
        unpriced.count("telemetry", null);
        assertThat(counter("telemetry", "model-0")).isEqualTo(2.0);
        assertThat(counter("transcript", "model-1")).isEqualTo(1.0);
        assertThat(counter("telemetry", "other")).isEqualTo(25.0 + 1); // the null model arrived past the cap
        assertThat(counter("transcript", "other")).isEqualTo(1.0);
        assertThat(registry.find("odin.claude.unpriced.requests").counters()).hasSize(UnpricedRequests.MAX_MODELS + 3);
        assertThat(unpriced.counted("telemetry", "other")).isEqualTo(26.0);
    }
}
