package dev.odin.usage.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.signal.ExportResult;
import dev.odin.signal.OtlpRequestException;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.usage.TokenUsage;
import dev.odin.usage.UsageEvent;
import dev.odin.usage.UsageRecorder;
import dev.odin.usage.UsageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The central's side: each (machine, message id, request id) counted once, exactly, across restarts. */
class ForwardIntakeTest {

    static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;
    UsageStore store;
    SimpleMeterRegistry registry;
    UsageForwardProperties config = new UsageForwardProperties();

    @BeforeEach
    void setUp() throws Exception {
        store = new UsageStore(dir, 400);
        registry = new SimpleMeterRegistry();
    }

    ForwardIntake intake() throws Exception {
        registry = new SimpleMeterRegistry();
        return new ForwardIntake(config, store, new UsageRecorder(store, registry, CLOCK), CLOCK, registry);
    }

    static ForwardedUsage.Item item(String machine, String msg, TokenUsage total, String cost) {
        return new ForwardedUsage.Item(NOW.minusSeconds(30), machine, "dev", "team-x", "-home-u-p", "s1",
                "claude-sonnet-4-5-20250929", msg, "req_" + msg, total, cost == null ? null : new BigDecimal(cost));
    }

    static TokenUsage out(long output) {
        return new TokenUsage(4, output, 100, 0, 1000);
    }

    List<UsageEvent> history() throws Exception {
        List<UsageEvent> all = new ArrayList<>();
        store.read(null, all::add);
        return all;
    }

    static ExportResult tenant(String t) {
        ExportResult r = new ExportResult(Signal.LOGS, Transport.HTTP);
        r.tenant(t);
        return r;
    }

    double records(String outcome) {
        return registry.get("odin.usage.forward.received.records").tag("outcome", outcome).counter().count();
    }

    @Test
    void aRequestsTotalsAddOnlyWhatGoesBeyondWhatWasCountedExactly() throws Exception {
        ForwardIntake intake = intake();
        intake.take(ForwardedUsage.encode(List.of(item("laptop", "m1", out(10), "0.00100000000000000001"),
                item("laptop", "m1", out(120), "0.0301395"))), tenant(""));
        // the same again, an older partial after the final, and a higher cost without more tokens
        intake.take(ForwardedUsage.encode(List.of(item("laptop", "m1", out(120), "0.0301395"),
                item("laptop", "m1", out(10), "0.001"), item("laptop", "m1", out(120), "9.99"))), tenant(""));
        List<UsageEvent> h = history();
        assertThat(h).hasSize(2);
        assertThat(h.get(0).tokens()).isEqualTo(out(10));
        assertThat(h.get(1).tokens()).isEqualTo(new TokenUsage(0, 110, 0, 0, 0));
        assertThat(h.get(0).cost()).isEqualByComparingTo("0.00100000000000000001");
        assertThat(h.get(0).cost().add(h.get(1).cost())).isEqualTo(new BigDecimal("0.03013950000000000000"));
        assertThat(h.get(0).source()).isEqualTo(UsageEvent.TRANSCRIPT);
        assertThat(h.get(0).machine()).isEqualTo("laptop");
        assertThat(h.get(0).team()).isEqualTo("team-x");
        assertThat(records("counted")).isEqualTo(2.0);
        assertThat(records("repeat")).isEqualTo(3.0);
    }

    @Test
    void whatWasCountedIsKnownAfterARestartFromTheHistory() throws Exception {
        intake().take(ForwardedUsage.encode(List.of(item("laptop", "m1", out(120), "0.03"))), tenant(""));
        ForwardIntake restarted = intake();
        restarted.take(ForwardedUsage.encode(List.of(item("laptop", "m1", out(120), "0.03"),
                item("laptop", "m1", out(150), "0.035"))), tenant(""));
        List<UsageEvent> h = history();
        assertThat(h).hasSize(2);
        assertThat(h.get(1).tokens()).isEqualTo(new TokenUsage(0, 30, 0, 0, 0));
        assertThat(h.get(1).cost()).isEqualTo(new BigDecimal("0.005"));
        assertThat(records("repeat")).isEqualTo(1.0);
        assertThat(registry.get("odin.usage.forward.dedup.requests").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void theSameIdsFromTwoMachinesAreTwoRequestsAndTheTokensTenantIsTheTeam() throws Exception {
        intake().take(ForwardedUsage.encode(List.of(item("laptop", "m1", out(5), null),
                item("desktop", "m1", out(7), null))), tenant("acme"));
        List<UsageEvent> h = history();
        assertThat(h).extracting(UsageEvent::machine).containsExactly("laptop", "desktop");
        assertThat(h).extracting(UsageEvent::team).containsExactly("acme", "acme");
        assertThat(h.get(0).cost()).isNull();
        assertThat(registry.get("odin.claude.usage.tokens").tag("machine", "desktop").tag("type", "output").counter()
                .count()).isEqualTo(7.0);
    }

    @Test
    void usageOlderThanTheWindowIsAcknowledgedButNotCounted() throws Exception {
        ForwardedUsage.Item old = new ForwardedUsage.Item(NOW.minus(Duration.ofDays(36)), "laptop", "", "", "", "s",
                "m", "m1", "r1", out(5), BigDecimal.ONE);
        ForwardIntake intake = intake();
        assertThat(intake.take(ForwardedUsage.encode(List.of(old)), tenant("")).getResourceLogsCount()).isZero();
        assertThat(history()).isEmpty();
        assertThat(records("too_old")).isEqualTo(1.0);
    }

    @Test
    void oneMalformedRecordRefusesTheRequestAndNothingOfItCounts() throws Exception {
        ExportLogsServiceRequest good = ForwardedUsage.encode(List.of(item("laptop", "m1", out(5), "0.1")));
        assertMalformed(good, attrs -> attrs.removeIf(kv -> kv.getKey().equals("request.id")),
                "forwarded usage record 1: attribute request.id is missing");
        assertMalformed(good, attrs -> attrs.add(kv("output_tokens", AnyValue.newBuilder().setIntValue(-1))),
                "attribute output_tokens appears twice");
        assertMalformed(good, attrs -> replace(attrs, "output_tokens", AnyValue.newBuilder().setIntValue(-1)),
                "output_tokens is -1: a token count is 0 to 1000000000000");
        assertMalformed(good, attrs -> replace(attrs, "input_tokens", AnyValue.newBuilder().setStringValue("4")),
                "input_tokens is not an integer");
        assertMalformed(good, attrs -> replace(attrs, "cost_usd", AnyValue.newBuilder().setStringValue("1e999999")),
                "is not a plausible cost");
        assertMalformed(good, attrs -> replace(attrs, "cost_usd", AnyValue.newBuilder().setStringValue("-0.1")),
                "is not a plausible cost");
        assertMalformed(good, attrs -> replace(attrs, "cost_usd", AnyValue.newBuilder().setStringValue("NaN")),
                "cost_usd \"NaN\" is not a decimal number");
        assertMalformed(good, attrs -> replace(attrs, "machine", AnyValue.newBuilder().setStringValue("x".repeat(513))),
                "attribute machine is longer than 512 characters");
        assertMalformed(good, attrs -> replace(attrs, "machine", AnyValue.newBuilder().setIntValue(1)),
                "attribute machine is not a string");
        assertMalformed(good, attrs -> replace(attrs, "message.id", AnyValue.newBuilder().setStringValue(" ")),
                "attribute message.id is empty");
        assertThat(history()).isEmpty();
    }

    private void assertMalformed(ExportLogsServiceRequest good, java.util.function.Consumer<List<KeyValue>> change,
            String message) throws Exception {
        LogRecord r = good.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        List<KeyValue> attrs = new ArrayList<>(r.getAttributesList());
        change.accept(attrs);
        LogRecord bad = r.toBuilder().clearAttributes().addAllAttributes(attrs).build();
        ExportLogsServiceRequest req = good.toBuilder().setResourceLogs(0, good.getResourceLogs(0).toBuilder()
                .setScopeLogs(0, good.getResourceLogs(0).getScopeLogs(0).toBuilder().addLogRecords(bad))).build();
        ForwardIntake intake = intake();
        assertThatThrownBy(() -> intake.take(req, tenant(""))).isInstanceOf(OtlpRequestException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((OtlpRequestException) e).httpStatus()).isEqualTo(400));
    }

    private static KeyValue kv(String key, AnyValue.Builder v) {
        return KeyValue.newBuilder().setKey(key).setValue(v).build();
    }

    private static void replace(List<KeyValue> attrs, String key, AnyValue.Builder v) {
        attrs.replaceAll(kv -> kv.getKey().equals(key) ? kv(key, v) : kv);
    }

    @Test
    void usageFromMoreThanADayAheadIsRefused() throws Exception {
        ForwardedUsage.Item ahead = new ForwardedUsage.Item(NOW.plus(Duration.ofHours(25)), "laptop", "", "", "", "s",
                "m", "m1", "r1", out(5), BigDecimal.ONE);
        ForwardedUsage.Item skewed = new ForwardedUsage.Item(NOW.plus(Duration.ofHours(23)), "laptop", "", "", "", "s",
                "m", "m2", "r2", out(5), BigDecimal.ONE);
        ForwardIntake intake = intake();
        assertThatThrownBy(() -> intake.take(ForwardedUsage.encode(List.of(skewed, ahead)), tenant("")))
                .isInstanceOf(OtlpRequestException.class).hasMessageContaining("forwarded usage record 1: its time "
                        + "2026-12-03T04:00:00Z is more than 24 hours ahead of 2026-12-02T03:00:00Z");
        assertThat(history()).isEmpty();
        intake.take(ForwardedUsage.encode(List.of(skewed)), tenant(""));
        assertThat(history()).hasSize(1);
    }

    @Test
    void otherRecordsGoOnAsTheyCame() throws Exception {
        ResourceLogs claude = ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
                .addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("api_request"))))
                .build();
        ExportLogsServiceRequest plain = ExportLogsServiceRequest.newBuilder().addResourceLogs(claude).build();
        ForwardIntake intake = intake();
        assertThat(intake.take(plain, tenant(""))).isSameAs(plain);
        ExportLogsServiceRequest mixed = ForwardedUsage.encode(List.of(item("laptop", "m1", out(5), null))).toBuilder()
                .addResourceLogs(claude).build();
        assertThat(intake.take(mixed, tenant(""))).isEqualTo(plain);
        assertThat(history()).hasSize(1);
    }

    @Test
    void withReceiveOffForwardedRecordsAreOrdinaryLogRecords() throws Exception {
        config.setReceive(false);
        ExportLogsServiceRequest req = ForwardedUsage.encode(List.of(item("laptop", "m1", out(5), null)));
        assertThat(intake().take(req, tenant(""))).isSameAs(req);
        assertThat(history()).isEmpty();
    }

    @Test
    void theLedgerIsBoundedAndCountsWhatItForgets() throws Exception {
        config.setDedupMaxRequests(1000);
        ForwardIntake intake = intake();
        List<ForwardedUsage.Item> items = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            items.add(item("laptop", "m" + i, out(1), null));
        }
        intake.take(ForwardedUsage.encode(items), tenant(""));
        assertThat(registry.get("odin.usage.forward.dedup.requests").gauge().value()).isEqualTo(1000.0);
        assertThat(registry.get("odin.usage.forward.dedup.forgotten").functionCounter().count()).isEqualTo(1.0);
    }

    @Test
    void encodedItemsDecodeAsTheyWere() throws Exception {
        ForwardedUsage.Item i = item("laptop", "m1", new TokenUsage(1, 2, 3, 4, 5), "0.123456789012345678");
        assertThat(ForwardedUsage.decode(ForwardedUsage.encode(List.of(i)))).containsExactly(i);
    }
}
