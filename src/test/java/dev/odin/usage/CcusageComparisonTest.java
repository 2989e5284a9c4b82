package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ODIN's daily report for the transcripts in src/test/resources/transcripts, which docs/usage.md
 * compares with ccusage 18.0.11's for the same files ({@code CLAUDE_CONFIG_DIR=... ccusage daily
 * --json --offline}: inputTokens 818, outputTokens 348, cacheCreationTokens 1000, cacheReadTokens
 * 11000, totalCost 0.012724). The difference is one streaming partial ccusage keeps instead of its
 * final line (249 output tokens and 2000 1-hour cache-write tokens).
 */
class CcusageComparisonTest {

    @Test
    @SuppressWarnings("unchecked")
    void theComparedTranscriptsAsOdinReportsThem(@TempDir Path tmp) throws Exception {
        Path root = Path.of("src", "test", "resources", "transcripts", "projects");
        UsageStore store = new UsageStore(tmp.resolve("usage"), 400);
        Clock clock = Clock.systemUTC();
        TranscriptFollower f = new TranscriptFollower(root, new TranscriptOffsets(tmp.resolve("offsets.json")),
                new TranscriptParser(), new UsageLedger(1000), Pricing.builtIn(),
                new UsageRecorder(store, new SimpleMeterRegistry(), clock), "m", "u", "");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                f.read(p);
            }
        }
        Map<String, Object> report = UsageReport.build(store, UsageReport.Group.DAY, null, null, ZoneOffset.UTC,
                clock.instant());
        Map<String, Object> day = ((List<Map<String, Object>>) report.get("rows")).get(0);
        assertThat(day).containsEntry("date", "2026-11-22").containsEntry("inputTokens", 818L)
                .containsEntry("outputTokens", 597L).containsEntry("cacheCreationTokens", 3000L)
                .containsEntry("cacheReadTokens", 11000L).containsEntry("totalTokens", 15415L);
        // sonnet: msg_a 9,780 + msg_b 17,559 (2,000 1-hour writes at $6) + msg_d 120; haiku: msg_c 1,000 (per million)
        assertThat((BigDecimal) day.get("totalCost")).isEqualByComparingTo("0.028459");
    }
}
