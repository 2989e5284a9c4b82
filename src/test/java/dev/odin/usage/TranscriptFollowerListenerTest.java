package dev.odin.usage;

import static dev.odin.usage.Transcripts.assistant;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the follower tells its listener (the usage forwarder): per counted line the increment
 * recorded and the request's totals so far with their cost, also across a restart (the ledger
 * rebuilt from the history), and nothing for a repeat.
 */
class TranscriptFollowerListenerTest {

    private static final String SONNET = "claude-sonnet-4-5-20250929";

    @TempDir
    Path tmp;

    @Test
    void theListenerGetsTheIncrementAndTheRequestsTotalsWithTheirCost() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("projects"));
        Path project = Files.createDirectories(root.resolve("-home-u-proj"));
        UsageStore store = new UsageStore(tmp.resolve("data/usage"), 400);
        Pricing pricing = Pricing.builtIn();
        List<TranscriptFollower.Counted> told = new ArrayList<>();
        TranscriptFollower f = follower(root, store, pricing);
        f.listen(told::addAll);
        Path file = project.resolve("s.jsonl");
        String t = "2026-11-22T11:00:00Z";
        Files.writeString(file, assistant("s", t, "m1", "r1", SONNET, 4, 10, 100, 0, 1000, "text", false)
                + assistant("s", t, "m1", "r1", SONNET, 4, 10, 100, 0, 1000, "tool_use", false) // a repeat
                + assistant("s", t, "m1", "r1", SONNET, 4, 120, 100, 0, 1000, "text", false));
        f.read(file);
        assertThat(told).hasSize(2);
        assertThat(told.get(0).added().tokens()).isEqualTo(new TokenUsage(4, 10, 100, 0, 1000));
        assertThat(told.get(0).total()).isEqualTo(new TokenUsage(4, 10, 100, 0, 1000));
        assertThat(told.get(1).added().tokens()).isEqualTo(new TokenUsage(0, 110, 0, 0, 0));
        assertThat(told.get(1).total()).isEqualTo(new TokenUsage(4, 120, 100, 0, 1000));
        assertThat(told.get(1).totalCost()).isEqualTo(pricing.cost(SONNET, new TokenUsage(4, 120, 100, 0, 1000)));
        assertThat(told.get(0).added().cost().add(told.get(1).added().cost())).isEqualTo(told.get(1).totalCost());

        // after a restart the totals include what was counted before it
        told.clear();
        TranscriptFollower again = follower(root, store, pricing);
        again.listen(told::addAll);
        Files.writeString(file, assistant("s", t, "m1", "r1", SONNET, 4, 150, 100, 0, 1000, "text", false),
                StandardOpenOption.APPEND);
        again.read(file);
        assertThat(told).hasSize(1);
        assertThat(told.get(0).added().tokens()).isEqualTo(new TokenUsage(0, 30, 0, 0, 0));
        assertThat(told.get(0).total()).isEqualTo(new TokenUsage(4, 150, 100, 0, 1000));
        assertThat(told.get(0).totalCost()).isEqualTo(pricing.cost(SONNET, new TokenUsage(4, 150, 100, 0, 1000)));
    }

    private TranscriptFollower follower(Path root, UsageStore store, Pricing pricing) throws Exception {
        UsageLedger ledger = new UsageLedger(10_000);
        store.read(null, e -> ledger.remember(e.messageId(), e.requestId(), e.tokens()));
        return new TranscriptFollower(root, new TranscriptOffsets(tmp.resolve("data/usage/offsets.json")),
                new TranscriptParser(), ledger, pricing, new UsageRecorder(store, new SimpleMeterRegistry(),
                        Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC)), "laptop", "dev", "team-a");
    }
}
