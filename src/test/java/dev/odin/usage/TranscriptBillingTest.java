package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
 * What else a transcript line's price depends on besides its tokens, as Claude Code 2.1.332
 * computes its own cost: {@code usage.speed} "fast" (the model's fast rates; any speed but
 * "standard" is billed as fast), {@code usage.inference_geo} "us" (tokens times 1.1) and
 * {@code usage.server_tool_use.web_search_requests} ($0.01 each, not multiplied). Exact decimals,
 * from the line through the ledger (partials, repeats, a restart) to the stored event.
 */
class TranscriptBillingTest {

    final Pricing pricing = Pricing.builtIn();

    @TempDir
    Path tmp;

    /** An assistant line whose usage carries {@code extra} (JSON members, or ""). */
    static String line(String msg, String req, String model, int in, int out, String extra) {
        return "{\"type\":\"assistant\",\"sessionId\":\"s-1\",\"timestamp\":\"2026-12-01T10:00:00Z\",\"requestId\":\"" + req
                + "\",\"message\":{\"id\":\"" + msg + "\",\"model\":\"" + model + "\",\"usage\":{\"input_tokens\":" + in
                + ",\"output_tokens\":" + out + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0"
                + (extra.isEmpty() ? "" : "," + extra) + "}}}\n";
    }

    static TokenUsage usage(String extra) {
        return new TranscriptParser().parse(line("m", "r", "claude-opus-4-6", 1000, 100, extra), "p").usage();
    }

    @Test
    void theParserPassesSpeedRegionAndWebSearchesOn() {
        assertThat(usage("\"speed\":\"fast\"")).isEqualTo(new TokenUsage(1000, 100, 0, 0, 0, 0, true, false));
        assertThat(usage("\"speed\":\"standard\"")).isEqualTo(new TokenUsage(1000, 100, 0, 0, 0));
        assertThat(usage("\"speed\":null")).isEqualTo(new TokenUsage(1000, 100, 0, 0, 0));
        assertThat(usage("\"speed\":\"\"")).isEqualTo(new TokenUsage(1000, 100, 0, 0, 0));
        // a speed newer than the table: billed as fast, as Claude Code does, never under-priced
        assertThat(usage("\"speed\":\"turbo\"").fast()).isTrue();
        assertThat(usage("\"speed\":7").fast()).isFalse(); // not a speed at all
        assertThat(usage("\"inference_geo\":\"us\"")).isEqualTo(new TokenUsage(1000, 100, 0, 0, 0, 0, false, true));
        assertThat(usage("\"inference_geo\":\"\"").usOnly()).isFalse(); // global, as the CLI's default
        assertThat(usage("\"inference_geo\":\"global\"").usOnly()).isFalse();
        assertThat(usage("\"inference_geo\":\"US\"").usOnly()).isFalse(); // Claude Code compares exactly
        assertThat(usage("\"server_tool_use\":{\"web_search_requests\":3,\"web_fetch_requests\":2}"))
                .isEqualTo(new TokenUsage(1000, 100, 0, 0, 0, 3, false, false));
        assertThat(usage("\"server_tool_use\":{}").webSearchRequests()).isZero();
        assertThat(usage("\"server_tool_use\":null").webSearchRequests()).isZero();
        assertThat(usage("\"server_tool_use\":{\"web_search_requests\":-4}").webSearchRequests()).isZero();
        assertThat(usage("\"server_tool_use\":{\"web_search_requests\":\"x\"}").webSearchRequests()).isZero();
    }

    @Test
    void pricedExactlyAsClaudeCodeDoes() {
        // claude-opus-4-6: standard 5 / 25, fast 30 / 150 per million
        assertThat(pricing.cost("claude-opus-4-6", usage(""))).isEqualByComparingTo("0.0075"); // 1000x5 + 100x25
        assertThat(pricing.cost("claude-opus-4-6", usage("\"speed\":\"fast\""))).isEqualByComparingTo("0.045");
        assertThat(pricing.cost("claude-opus-4-6", usage("\"inference_geo\":\"us\""))).isEqualByComparingTo("0.00825");
        assertThat(pricing.cost("claude-opus-4-6", usage("\"server_tool_use\":{\"web_search_requests\":3}")))
                .isEqualByComparingTo("0.0375");
        // all three: fast tokens x 1.1, then the searches, not multiplied
        assertThat(pricing.cost("claude-opus-4-6", usage("\"speed\":\"fast\",\"inference_geo\":\"us\","
                + "\"server_tool_use\":{\"web_search_requests\":2}"))).isEqualByComparingTo("0.0695");
        // a model without fast rates bills fast at standard (claude-sonnet-4-6: 3 / 15), the region still applies
        assertThat(pricing.cost("claude-sonnet-4-6", new TokenUsage(1_000_000, 0, 0, 0, 0, 0, true, true)))
                .isEqualByComparingTo("3.3");
        // the long-context tier x 1.1 (claude-sonnet-4-5: 6 per million above 200k prompt tokens)
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(300_000, 0, 0, 0, 0, 0, false, true)))
                .isEqualByComparingTo("1.98");
        // 1,000 searches are $10; an unknown model is not priced, searches or not
        assertThat(pricing.cost("claude-haiku-4-5", new TokenUsage(0, 0, 0, 0, 0, 1000, false, false)))
                .isEqualByComparingTo("10");
        assertThat(pricing.cost("claude-opus-9-9", new TokenUsage(0, 0, 0, 0, 0, 1, false, false))).isNull();
        // no binary rounding: 1 input token of haiku-4-5 ($1/M) in the US is exactly 0.0000011
        assertThat(pricing.cost("claude-haiku-4-5", new TokenUsage(1, 0, 0, 0, 0, 0, false, true)))
                .isEqualByComparingTo("0.0000011");
    }

    @Test
    void aTableNamesItsOwnMultiplierAndSearchPrice() {
        String table = "version: t\nus-only-multiplier: 1.25\nweb-search-request: 0.02\nmodels:\n"
                + "  - {id: a, input: 1, output: 0, cache-write-5m: 0, cache-write-1h: 0, cache-read: 0}\n"
                + "  - {id: b, input: 1, output: 0, cache-write-5m: 0, cache-write-1h: 0, cache-read: 0,"
                + " web-search-request: 0.05}\n";
        Pricing p = Pricing.parse(new ByteArrayInputStream(table.getBytes(StandardCharsets.UTF_8)));
        assertThat(p.cost("a", new TokenUsage(1_000_000, 0, 0, 0, 0, 2, false, true))).isEqualByComparingTo("1.29");
        assertThat(p.cost("b", new TokenUsage(0, 0, 0, 0, 0, 2, false, false))).isEqualByComparingTo("0.1");
        assertThatThrownBy(() -> Pricing.parse(new ByteArrayInputStream(
                "models: []\nus-only-multiplier: -1\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("us-only-multiplier");
        assertThatThrownBy(() -> Pricing.parse(new ByteArrayInputStream(
                "models: []\nweb-search-request: ten\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("web-search-request");
    }

    @Test
    void throughTheFollowerPartialsRepeatsAndARestartAddUpToTheRequestsCost() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("projects"));
        Path file = Files.createDirectories(root.resolve("-home-u-p")).resolve("s-1.jsonl");
        UsageStore store = new UsageStore(tmp.resolve("data/usage"), 400);
        String fast = "\"speed\":\"fast\",\"inference_geo\":\"us\"";
        // a streaming partial, then the final line with 2 searches; then another request at standard speed
        Files.writeString(file, line("msg_1", "req_1", "claude-opus-4-6", 1000, 1, fast)
                + line("msg_1", "req_1", "claude-opus-4-6", 1000, 100, fast + ",\"server_tool_use\":{\"web_search_requests\":2}")
                + line("msg_2", "req_2", "claude-opus-4-6", 1000, 100, ""), StandardCharsets.UTF_8);
        follower(root, store).read(file);
        List<UsageEvent> events = stored(store);
        assertThat(events).hasSize(3);
        assertThat(sum(events, "msg_1")).isEqualByComparingTo("0.0695"); // as priced in one piece above
        assertThat(sum(events, "msg_2")).isEqualByComparingTo("0.0075");
        assertThat(events.get(1).tokens()).isEqualTo(new TokenUsage(0, 99, 0, 0, 0, 2, true, true));

        // after a restart the same lines copied into a resumed session add nothing, cost included
        Path resumed = file.resolveSibling("s-2.jsonl");
        Files.writeString(resumed, line("msg_1", "req_1", "claude-opus-4-6", 1000, 100,
                fast + ",\"server_tool_use\":{\"web_search_requests\":2}"), StandardCharsets.UTF_8);
        follower(root, store).read(resumed);
        assertThat(stored(store)).hasSize(3);
        // and a line with one more search adds exactly one search
        Files.writeString(resumed, line("msg_1", "req_1", "claude-opus-4-6", 1000, 100,
                fast + ",\"server_tool_use\":{\"web_search_requests\":3}"), StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        follower(root, store).read(resumed);
        assertThat(sum(stored(store), "msg_1")).isEqualByComparingTo("0.0795");
    }

    @Test
    void theStoreKeepsSpeedRegionAndSearches() throws Exception {
        UsageEvent e = new UsageEvent(Instant.parse("2026-12-01T10:00:00Z"), UsageEvent.TRANSCRIPT, "m", "p", "s",
                "claude-opus-4-6", new TokenUsage(1, 2, 3, 4, 5, 6, true, true), new BigDecimal("0.1"), "msg", "req", "",
                "", "", "");
        assertThat(UsageStore.parse(UsageStore.line(e)).tokens()).isEqualTo(e.tokens());
        UsageEvent plain = new UsageEvent(e.timestamp(), UsageEvent.TRANSCRIPT, "m", "p", "s", "claude-opus-4-6",
                new TokenUsage(1, 2, 3, 4, 5), null, "msg", "req", "", "", "", "");
        assertThat(UsageStore.line(plain)).doesNotContain("fast").doesNotContain("usOnly").doesNotContain("webSearch");
        assertThat(UsageStore.parse(UsageStore.line(plain)).tokens()).isEqualTo(plain.tokens());
    }

    private TranscriptFollower follower(Path root, UsageStore store) throws Exception {
        UsageLedger ledger = new UsageLedger(10_000);
        store.read(null, e -> ledger.remember(e.messageId(), e.requestId(), e.tokens()));
        return new TranscriptFollower(root, new TranscriptOffsets(tmp.resolve("data/usage/offsets.json")),
                new TranscriptParser(), ledger, pricing, new UsageRecorder(store, new SimpleMeterRegistry(),
                        Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC)), "laptop", "dev", "team");
    }

    private static List<UsageEvent> stored(UsageStore store) throws Exception {
        List<UsageEvent> all = new ArrayList<>();
        store.read(null, all::add);
        return all;
    }

    private static BigDecimal sum(List<UsageEvent> events, String messageId) {
        return events.stream().filter(e -> messageId.equals(e.messageId())).map(UsageEvent::cost)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
