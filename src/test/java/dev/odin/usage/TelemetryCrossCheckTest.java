package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.privacy.AttributeRules;
import dev.odin.testing.Otlp;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The telemetry cross-check in decimal: Claude Code 2.1.332's api_request carries cost_usd as a
 * binary double (0.010924999999999999 for a request that costs $0.010925) and cost_usd_micros
 * (10925) exactly; the reported cost is the micros, the difference to ODIN's price exactly 0, and
 * an unknown model is counted as unpriced.
 */
class TelemetryCrossCheckTest {

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final UnpricedRequests unpriced = new UnpricedRequests(registry);
    final TelemetryUsage tap = new TelemetryUsage(Pricing.builtIn(), null, registry,
            new UsageUsers(new AttributeRules(List.of(), KEY, "events"), new AttributeRules(List.of(), KEY, "metrics")),
            unpriced);

    static ExportLogsServiceRequest apiRequest(Object... attrs) {
        Object[] base = {"event.name", "api_request", "session.id", "s1"};
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0)
                        .setBody(Otlp.value("claude_code.api_request"))
                        .addAllAttributes(Otlp.attrs(Stream.concat(Stream.of(base), Stream.of(attrs)).toArray())))))
                .build();
    }

    double difference(String model) {
        Gauge g = registry.find("odin.claude.cost.crosscheck.difference").tag("model", model).gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void theExactMicrosAgainstODINsDecimalPriceDifferByExactlyZero() {
        // the request of the issue, three times: in doubles the sums drift, in decimal they do not
        for (int i = 0; i < 3; i++) {
            List<UsageEvent> events = tap.extract(apiRequest("model", "claude-opus-4-8", "input_tokens", 1200L,
                    "output_tokens", 42L, "cache_read_tokens", 4000L, "cache_creation_tokens", 300L,
                    "cache_creation_5m_tokens", 300L, "cache_creation_1h_tokens", 0L, "cost_usd", 0.010924999999999999,
                    "cost_usd_micros", 10925L, "speed", "normal"), "");
            assertThat(events.get(0).cost()).isEqualByComparingTo("0.010925");
        }
        assertThat(difference("claude-opus-4-8")).isEqualTo(0.0);
    }

    @Test
    void fastModeIsPricedAtFastRatesAndAnUnknownModelCounted() {
        // opus 4.6 fast: 1,000 in x $30 + 100 out x $150 per million = 0.045
        tap.extract(apiRequest("model", "claude-opus-4-6", "input_tokens", 1000L, "output_tokens", 100L,
                "cost_usd_micros", 45000L, "speed", "fast"), "");
        assertThat(difference("claude-opus-4-6")).isEqualTo(0.0);
        List<UsageEvent> unknown = tap.extract(apiRequest("model", "claude-opus-9-9", "input_tokens", 10L,
                "cost_usd", "0.5"), "");
        // Claude Code's own figure is kept for the telemetry usage; ODIN has no price to check it against
        assertThat(unknown.get(0).cost()).isEqualByComparingTo("0.5");
        assertThat(unpriced.counted("telemetry", "claude-opus-9-9")).isEqualTo(1.0);
        assertThat(Double.isNaN(difference("claude-opus-9-9"))).isTrue();
    }
}
