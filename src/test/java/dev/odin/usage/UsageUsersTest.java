package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.privacy.PrivacyProperties;
import dev.odin.privacy.PrivacyProperties.Action;
import dev.odin.privacy.PrivacyProperties.Rule;
import dev.odin.privacy.AttributeRules;
import dev.odin.testing.Otlp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 8: the usage history keeps no user.email in clear. The default rules (the
 * metric rule hashes user.email, the event rules leave it) hash it with the same key the metrics
 * path uses; a value an event rule already hashed is not hashed again; lines written in clear
 * before are rewritten; a user budget named by address still matches.
 */
class UsageUsersTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String EMAIL = "ana@example.com";
    private static final PrivacyProperties DEFAULTS = new PrivacyProperties("", null, null, null);

    @TempDir
    Path dir;

    private static String hmac(String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }

    private static UsageUsers users(List<Rule> events, List<Rule> metrics) {
        return new UsageUsers(new AttributeRules(events, KEY, "events"), new AttributeRules(metrics, KEY, "metrics"));
    }

    private static ExportLogsServiceRequest apiRequest(Object... userAttrs) {
        Object[] base = {"event.name", "api_request", "model", "claude-sonnet-4-5", "input_tokens", 10L,
            "session.id", "s1"};
        Object[] all = Stream.concat(Stream.of(base), Stream.of(userAttrs)).toArray();
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0)
                        .setBody(Otlp.value("claude_code.api_request")).addAllAttributes(Otlp.attrs(all)))))
                .build();
    }

    private static TelemetryUsage tap(UsageUsers users) {
        return new TelemetryUsage(Pricing.builtIn(), null, new SimpleMeterRegistry(), users);
    }

    @Test
    void theDefaultRulesHashUserEmailWithTheMetricKey() throws Exception {
        UsageUsers u = users(DEFAULTS.events(), DEFAULTS.metrics());
        List<UsageEvent> events = tap(u).extract(apiRequest("user.email", EMAIL, "user.id", "u-1"), "");
        assertThat(events).singleElement().extracting(UsageEvent::user).isEqualTo(hmac(EMAIL));
        // user.id has no rule: kept, when there is no email
        assertThat(tap(u).extract(apiRequest("user.id", "u-1"), "").get(0).user()).isEqualTo("u-1");
        assertThat(u.configured(EMAIL)).isEqualTo(hmac(EMAIL));
    }

    @Test
    void aValueAnEventRuleAlreadyHashedIsNotHashedAgain() throws Exception {
        UsageUsers u = users(List.of(new Rule("user.email", null, Action.HASH)), DEFAULTS.metrics());
        // what applyEventPrivacy left: the hash
        List<UsageEvent> events = tap(u).extract(apiRequest("user.email", hmac(EMAIL)), "");
        assertThat(events.get(0).user()).isEqualTo(hmac(EMAIL));
        assertThat(u.configured(EMAIL)).isEqualTo(hmac(EMAIL));
    }

    @Test
    void redactAndDropRulesApplyToo() throws Exception {
        UsageUsers redact = users(List.of(), List.of(new Rule("user.email", null, Action.REDACT)));
        assertThat(tap(redact).extract(apiRequest("user.email", EMAIL), "").get(0).user()).isEqualTo("REDACTED");
        UsageUsers drop = users(List.of(), List.of(new Rule("user.email", null, Action.DROP)));
        assertThat(tap(drop).extract(apiRequest("user.email", EMAIL, "user.id", "u-1"), "").get(0).user())
                .isEqualTo("u-1");
    }

    private static UsageEvent event(String time, String user, String cost) {
        return new UsageEvent(Instant.parse(time), UsageEvent.TELEMETRY, "laptop", "", "s1", "claude-sonnet-4-5",
                new TokenUsage(1, 0, 0, 0, 0), new BigDecimal(cost), null, null, user, "");
    }

    @Test
    void clearLinesWrittenBeforeAreRewrittenAndBudgetsByAddressStillMatch() throws Exception {
        UsageStore store = new UsageStore(dir, 400);
        store.append(List.of(event("2026-11-20T10:00:00Z", EMAIL, "1.00"), event("2026-11-21T10:00:00Z", "u-1", "2.00")));
        Files.writeString(dir.resolve("2026-11-21.jsonl"), "{broken @ line\n", java.nio.file.StandardOpenOption.APPEND);
        UsageUsers u = users(DEFAULTS.events(), DEFAULTS.metrics());

        assertThat(store.migrateUsers(u)).isEqualTo(1);
        assertThat(store.migrateUsers(u)).as("a second start finds nothing to do").isZero();
        String all;
        try (Stream<Path> files = Files.list(dir)) {
            all = files.map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).reduce("", String::concat);
        }
        assertThat(all).doesNotContain(EMAIL).contains("\"user\":\"" + hmac(EMAIL) + "\"").contains("\"user\":\"u-1\"")
                .contains("{broken @ line");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("2026-11-20.jsonl",
                "2026-11-21.jsonl");

        // a new line (hashed) and the budget named by address
        store.append(List.of(event("2026-11-22T11:00:00Z", hmac(EMAIL), "4.00")));
        ClaudeProperties config = new ClaudeProperties(true, "", Duration.ofSeconds(5), "", "", 400, "", "", "UTC",
                new BigDecimal("10"), List.of(new ClaudeProperties.Budget(ClaudeProperties.Period.WEEK, ClaudeProperties.Scope.USER,
                        EMAIL, new BigDecimal("100"))), Duration.ofMinutes(1), Duration.ofDays(7));
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        new BudgetWatch(store, config, Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC), r, u).update();
        // the week from Monday the 16th: 1 (migrated) + 4 (new); u-1's 2 are someone else's
        assertThat(r.find("odin.claude.budget.spent").tags("scope", "user", "name", EMAIL).gauge().value())
                .isEqualTo(5.0);
    }

    @Test
    void withoutARuleForUserEmailNothingIsRewritten() throws Exception {
        UsageStore store = new UsageStore(dir, 400);
        store.append(List.of(event("2026-11-20T10:00:00Z", EMAIL, "1.00")));
        assertThat(store.migrateUsers(users(List.of(), List.of()))).isZero();
        assertThat(Files.readString(dir.resolve("2026-11-20.jsonl"))).contains(EMAIL);
    }
}
