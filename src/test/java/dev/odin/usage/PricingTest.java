package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
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
        assertThat(pricing.version()).isEqualTo("2026-11-22");
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
}
