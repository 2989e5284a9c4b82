package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PricingTest {

    final Pricing pricing = Pricing.builtIn();

    static BigDecimal usd(String s) {
        return new BigDecimal(s);
    }

    @Test
    void eachTokenKindOfEachModelAtItsPrice() {
        // 100,000 tokens of one kind (below the long-context threshold): a tenth of the table's price
        TokenUsage m = new TokenUsage(100_000, 0, 0, 0, 0);
        assertThat(pricing.cost("claude-sonnet-4-5-20250929", m)).isEqualByComparingTo("0.30");
        assertThat(pricing.cost("claude-opus-4-1-20250805", m)).isEqualByComparingTo("1.50");
        assertThat(pricing.cost("claude-opus-4-5-20251101", m)).isEqualByComparingTo("0.50");
        assertThat(pricing.cost("claude-haiku-4-5-20251001", m)).isEqualByComparingTo("0.10");
        assertThat(pricing.cost("claude-3-5-haiku-20241022", m)).isEqualByComparingTo("0.08");
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(0, 100_000, 0, 0, 0))).isEqualByComparingTo("1.50");
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(0, 0, 100_000, 0, 0))).isEqualByComparingTo("0.375");
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(0, 0, 0, 100_000, 0))).isEqualByComparingTo("0.60");
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(0, 0, 0, 0, 100_000))).isEqualByComparingTo("0.03");
        // 1,000,000 cache-read tokens are past the long-context threshold: the higher tier
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(0, 0, 0, 0, 1_000_000))).isEqualByComparingTo("0.60");
        assertThat(pricing.cost("claude-opus-4-1", new TokenUsage(0, 0, 0, 0, 100_000))).isEqualByComparingTo("0.15");
        assertThat(pricing.cost("gpt-5", m)).isNull();
        assertThat(pricing.version()).isEqualTo("2026-12-02");
    }

    @Test
    void aMixedRequestComputedByHand() {
        // opus 4.5: 1,234 in x $5 + 567 out x $25 + 10,000 5m-write x $6.25 + 2,000 1h-write x $10 + 50,000 read x $0.50
        TokenUsage u = new TokenUsage(1234, 567, 10_000, 2000, 50_000);
        BigDecimal expected = usd("0.006170").add(usd("0.014175")).add(usd("0.0625")).add(usd("0.02")).add(usd("0.025"));
        assertThat(pricing.cost("claude-opus-4-5", u)).isEqualByComparingTo(expected); // 0.127845
    }

    @Test
    void longContextTierAbove200kPromptTokens() {
        TokenUsage at = new TokenUsage(200_000, 1000, 0, 0, 0);
        TokenUsage above = new TokenUsage(150_000, 1000, 0, 0, 50_001);
        assertThat(pricing.cost("claude-sonnet-4-5", at)).isEqualByComparingTo("0.615"); // 0.6 + 0.015
        // 150,000 x $6 + 1,000 x $22.50 + 50,001 x $0.60, per million
        assertThat(pricing.cost("claude-sonnet-4-5", above)).isEqualByComparingTo("0.9525006");
        // Opus has no long-context tier: 150,000 x $15 + 1,000 x $75 + 50,001 x $1.50, per million
        assertThat(pricing.cost("claude-opus-4-1", above)).isEqualByComparingTo("2.4000015");
    }

    @Test
    void agreesWithClaudeCodesOwnCostInTheTelemetryCaptures() {
        // http-json-chat: 1,200 in, 42 out, 4,000 cache read, 300 cache write; cost_usd 0.006555
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(1200, 42, 300, 0, 4000)))
                .isEqualByComparingTo("0.006555");
        // http-protobuf-tool: 2,100 in, 119 out, 6,000 cache read, 300 cache write; cost_usd 0.01101
        assertThat(pricing.cost("claude-sonnet-4-5", new TokenUsage(2100, 119, 300, 0, 6000)))
                .isEqualByComparingTo("0.01101");
    }

    /** One million tokens of each kind: the five rates of the model's entry, in order. */
    static List<BigDecimal> rates(Pricing p, String model, boolean fast) {
        return List.of(p.cost(model, new TokenUsage(1_000_000, 0, 0, 0, 0), fast),
                p.cost(model, new TokenUsage(0, 1_000_000, 0, 0, 0), fast),
                p.cost(model, new TokenUsage(0, 0, 1_000_000, 0, 0), fast),
                p.cost(model, new TokenUsage(0, 0, 0, 1_000_000, 0), fast),
                p.cost(model, new TokenUsage(0, 0, 0, 0, 1_000_000), fast));
    }

    static List<BigDecimal> usd(String... s) {
        return java.util.Arrays.stream(s).map(BigDecimal::new).toList();
    }

    /** input, output, 5m write, 1h write, read per MTok: Anthropic's published prices of 2026-12-02. */
    @Test
    void everyModelClaudeCode2_1_332OffersAtItsPublishedRates() {
        // one million tokens of one kind is above a long-context threshold: the models without a tier only
        assertThat(rates(pricing, "claude-opus-5-5", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("4", "20", "5", "8", "0.2"));
        assertThat(rates(pricing, "claude-opus-5", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("5", "25", "6.25", "10", "0.5"));
        for (String opus : List.of("claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6", "claude-opus-4-5")) {
            assertThat(rates(pricing, opus, false)).as(opus).usingElementComparator(BigDecimal::compareTo)
                    .isEqualTo(usd("5", "25", "6.25", "10", "0.5"));
        }
        assertThat(rates(pricing, "claude-sonnet-5-5", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("2", "10", "2.5", "4", "0.1"));
        assertThat(rates(pricing, "claude-sonnet-5", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("2", "10", "2.5", "4", "0.2"));
        assertThat(rates(pricing, "claude-sonnet-4-6", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("3", "15", "3.75", "6", "0.3"));
        assertThat(rates(pricing, "claude-haiku-4-5", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("1", "5", "1.25", "2", "0.1"));
        assertThat(rates(pricing, "claude-fable-5-2", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("8", "40", "10", "16", "0.2"));
        assertThat(rates(pricing, "claude-fable-5-1", false)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("10", "50", "12.5", "20", "0.25"));
        // Haiku 5.5 below and above its 100,000-token prompt tier
        TokenUsage small = new TokenUsage(100_000, 1000, 0, 0, 0);
        assertThat(pricing.cost("claude-haiku-5-5", small)).isEqualByComparingTo("0.0105"); // 0.01 + 0.0005
        TokenUsage large = new TokenUsage(100_000, 1000, 0, 0, 1);
        assertThat(pricing.cost("claude-haiku-5-5", large)).isEqualByComparingTo("0.05250005"); // 0.05 + 0.0025 + 0.00000005
        // Sonnet 4.6 has no long-context surcharge; Sonnet 4 and 4.5 keep theirs
        TokenUsage million = new TokenUsage(1_000_000, 0, 0, 0, 0);
        assertThat(pricing.cost("claude-sonnet-4-6", million)).isEqualByComparingTo("3");
        assertThat(pricing.cost("claude-sonnet-4-20250514", million)).isEqualByComparingTo("6");
    }

    @Test
    void fastModeWhereAnthropicPricesItDifferently() {
        assertThat(rates(pricing, "claude-opus-4-6", true)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("30", "150", "37.5", "60", "3"));
        assertThat(rates(pricing, "claude-opus-4-7", true)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("30", "150", "37.5", "60", "3"));
        assertThat(rates(pricing, "claude-opus-4-8", true)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("10", "50", "12.5", "20", "1"));
        assertThat(rates(pricing, "claude-opus-5-5", true)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("8", "40", "10", "16", "0.4"));
        // a -fast id is fast mode; a model without fast rates bills fast at standard
        assertThat(pricing.cost("claude-opus-4-8-fast", new TokenUsage(0, 1_000_000, 0, 0, 0)))
                .isEqualByComparingTo("50");
        assertThat(rates(pricing, "claude-sonnet-5-5", true)).usingElementComparator(BigDecimal::compareTo)
                .isEqualTo(usd("2", "10", "2.5", "4", "0.1"));
        // fast rates replace the long-context tier
        assertThat(pricing.cost("claude-opus-4-6", new TokenUsage(300_000, 0, 0, 0, 0), true)).isEqualByComparingTo("9");
    }

    @Test
    void neverAWrongPrefix() {
        TokenUsage out = new TokenUsage(0, 1_000_000, 0, 0, 0);
        // opus 4.8 and 4.6 were priced at Opus 4 rates (75) by the prefix claude-opus-4
        assertThat(pricing.cost("claude-opus-4-8", out)).isEqualByComparingTo("25");
        assertThat(pricing.cost("claude-opus-4-6", out)).isEqualByComparingTo("25");
        assertThat(pricing.cost("claude-opus-4", out)).isEqualByComparingTo("75");
        assertThat(pricing.cost("claude-opus-4-20250514", out)).isEqualByComparingTo("75");
        assertThat(pricing.cost("claude-opus-4-1-20250805", out)).isEqualByComparingTo("75");
        assertThat(pricing.cost("claude-sonnet-4-5-20250929", out)).isEqualByComparingTo("15");
        // models that extend a known id are not that model: not priced
        assertThat(pricing.cost("claude-opus-4-9", out)).isNull();
        assertThat(pricing.cost("claude-opus-5-6", out)).isNull();
        assertThat(pricing.cost("claude-opus-4-8-preview", out)).isNull();
        assertThat(pricing.cost("claude-sonnet-4-5x", out)).isNull();
        assertThat(pricing.cost("claude-haiku", out)).isNull();
        assertThat(pricing.cost("claude-opus", out)).isNull();
        assertThat(pricing.cost("opus", out)).isNull();
        assertThat(pricing.cost("", out)).isNull();
        assertThat(pricing.cost(null, out)).isNull();
        assertThat(pricing.cost("claude-opus-4-8-2026", out)).isNull(); // not an 8-digit date
        assertThat(pricing.pricedAs("claude-opus-4-9")).isNull();
    }

    @Test
    void theSpellingsOfOneModelHandledExplicitly() {
        TokenUsage out = new TokenUsage(0, 1_000_000, 0, 0, 0);
        assertThat(pricing.pricedAs("claude-opus-4-8[1m]")).isEqualTo("claude-opus-4-8");
        assertThat(pricing.pricedAs("Claude-Opus-4-8")).isEqualTo("claude-opus-4-8");
        assertThat(pricing.pricedAs("claude-opus-4-5-20251101")).isEqualTo("claude-opus-4-5");
        assertThat(pricing.pricedAs("claude-opus-4-8-20270101")).isEqualTo("claude-opus-4-8"); // a dated snapshot
        assertThat(pricing.pricedAs("us.anthropic.claude-sonnet-4-5-20250929-v1:0")).isEqualTo("claude-sonnet-4-5");
        assertThat(pricing.pricedAs("anthropic.claude-opus-5-5")).isEqualTo("claude-opus-5-5");
        assertThat(pricing.pricedAs("claude-haiku-4-5@20251001")).isEqualTo("claude-haiku-4-5");
        assertThat(pricing.pricedAs("arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-6-v1"))
                .isEqualTo("claude-opus-4-6");
        assertThat(pricing.pricedAs("route/claude-sonnet-5-5")).isEqualTo("claude-sonnet-5-5");
        assertThat(pricing.pricedAs("claude-sonnet-4-20250514")).isEqualTo("claude-sonnet-4-0");
        assertThat(pricing.pricedAs("claude-3-5-haiku-latest")).isEqualTo("claude-3-5-haiku");
        assertThat(pricing.cost("claude-opus-4-8[1m]", out)).isEqualByComparingTo("25");
        assertThat(pricing.modelIds()).contains("claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5",
                "claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-5",
                "claude-opus-4-1", "claude-opus-4-0", "claude-3-7-sonnet", "claude-haiku-4-5", "claude-3-5-haiku");
    }

    @Test
    void everyEntryNamesItsSourceAndDate() throws Exception {
        try (var in = Pricing.class.getResourceAsStream("/pricing/anthropic.yaml")) {
            @SuppressWarnings("unchecked")
            var doc = (java.util.Map<String, Object>) new org.yaml.snakeyaml.Yaml().load(in);
            @SuppressWarnings("unchecked")
            var models = (List<java.util.Map<String, Object>>) doc.get("models");
            assertThat(models).hasSize(pricing.modelIds().size());
            for (var m : models) {
                assertThat(String.valueOf(m.get("source"))).as(m.get("id") + " source").startsWith("https://");
                assertThat(String.valueOf(m.get("checked"))).as(m.get("id") + " checked").matches("\\d{4}-\\d{2}-\\d{2}");
            }
        }
    }

    static Pricing table(String yaml) {
        return Pricing.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anOverrideTableIsCheckedWhenRead() {
        String rates = "input: 1\n    output: 2\n    cache-write-5m: 3\n    cache-write-1h: 4\n    cache-read: 5\n";
        Pricing own = table("version: mine\nmodels:\n  - id: my-model\n    aliases: [my-model-v2]\n    " + rates);
        assertThat(own.cost("my-model", new TokenUsage(0, 1_000_000, 0, 0, 0))).isEqualByComparingTo("2");
        assertThat(own.cost("claude-opus-4-8", new TokenUsage(0, 1_000_000, 0, 0, 0))).isNull();
        // the old prefix key is refused, not read as an exact id
        assertThatThrownBy(() -> table("models:\n  - match: claude-opus-4\n    " + rates))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("`match`");
        assertThatThrownBy(() -> table("models:\n  - id: a\n    " + rates + "  - id: b\n    aliases: [a]\n    " + rates))
                .hasMessageContaining("a is named by both a and b");
        assertThatThrownBy(() -> table("models:\n  - id: a\n    input: -1\n    output: 2\n    cache-write-5m: 3\n"
                + "    cache-write-1h: 4\n    cache-read: 5\n")).hasMessageContaining("input '-1'");
        assertThatThrownBy(() -> table("models:\n  - id: a\n    input: 1\n")).hasMessageContaining("has no output");
        assertThatThrownBy(() -> table("nothing: here\n")).hasMessageContaining("list `models`");
    }
}
