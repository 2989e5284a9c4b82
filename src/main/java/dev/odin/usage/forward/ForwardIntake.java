package dev.odin.usage.forward;

import dev.odin.signal.ExportResult;
import dev.odin.signal.OtlpRequestException;
import dev.odin.usage.TokenUsage;
import dev.odin.usage.UsageEvent;
import dev.odin.usage.UsageRecorder;
import dev.odin.usage.UsageStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;

/**
 * Route step of otlp-logs on the central ODIN, {@code bean: {ref: receiveForwardedUsage, method:
 * take}}: the usage records other ODINs forwarded ({@link ForwardedUsage}) taken out of the
 * request and counted in the usage history and metrics under the sender's machine, as transcript
 * usage, each request once ({@link ForwardLedger}); the rest of the request goes on as it came.
 * A malformed forwarded record refuses the whole request (400, nothing counted). The team is the
 * authenticated token's tenant when it has one, else what the sender says. Usage older than
 * odin.usage-forward.dedup-days is acknowledged but not counted (its repeats could not be told);
 * usage more than a day ahead of the central's clock is malformed.
 * Metrics: {@code odin_usage_forward_received_records_total{outcome="counted|repeat|too_old"}},
 * {@code odin_usage_forward_dedup_requests}, {@code odin_usage_forward_dedup_forgotten_total}.
 */
public final class ForwardIntake {

    /** A forwarded record's time may be this far ahead of the central's clock (clock skew), no further. */
    static final Duration MAX_AHEAD = Duration.ofHours(24);

    private final boolean enabled;
    private final UsageRecorder recorder;
    private final Clock clock;
    private final Duration window;
    private final ForwardLedger ledger;
    private final Counter counted;
    private final Counter repeats;
    private final Counter tooOld;

    public ForwardIntake(UsageForwardProperties config, UsageStore store, UsageRecorder recorder, Clock clock,
            MeterRegistry registry) throws IOException {
        this.enabled = config.isReceive();
        this.recorder = recorder;
        this.clock = clock;
        this.window = Duration.ofDays(config.getDedupDays());
        this.ledger = new ForwardLedger(config.getDedupMaxRequests());
        if (enabled) {
            // what was counted within the window, so what is forwarded again after a restart is a repeat
            Instant oldest = clock.instant().minus(window);
            store.read(LocalDate.ofInstant(oldest, ZoneOffset.UTC).minusDays(1), e -> {
                if (UsageEvent.TRANSCRIPT.equals(e.source())) {
                    ledger.remember(e);
                }
            });
        }
        this.counted = counter(registry, "counted", "forwarded records that added usage");
        this.repeats = counter(registry, "repeat", "forwarded records already counted (a retry, a replay)");
        this.tooOld = counter(registry, "too_old", "forwarded records older than odin.usage-forward.dedup-days");
        Gauge.builder("odin.usage.forward.dedup.requests", ledger, ForwardLedger::size)
                .description("Forwarded requests the central remembers to recognise repeats").register(registry);
        FunctionCounter.builder("odin.usage.forward.dedup.forgotten", ledger, ForwardLedger::forgotten)
                .description("Forwarded requests forgotten because odin.usage-forward.dedup-max-requests was reached")
                .register(registry);
    }

    private static Counter counter(MeterRegistry registry, String outcome, String what) {
        return Counter.builder("odin.usage.forward.received.records").tag("outcome", outcome)
                .description("Usage records forwarded by other ODINs, by outcome: " + what).register(registry);
    }

    /**
     * Body in: the ExportLogsServiceRequest; reads property {@value ExportResult#PROPERTY} (the
     * tenant). Body out: the request without its forwarded usage. Throws an OtlpRequestException
     * (400) for a malformed forwarded record.
     */
    public ExportLogsServiceRequest take(ExportLogsServiceRequest body,
            @ExchangeProperty(ExportResult.PROPERTY) ExportResult result) throws IOException {
        if (!enabled || body == null || !ForwardedUsage.holdsForwarded(body)) {
            return body;
        }
        List<ForwardedUsage.Item> items;
        try {
            items = ForwardedUsage.decode(body);
        } catch (ForwardedUsage.Malformed e) {
            throw OtlpRequestException.badRequest(e.getMessage());
        }
        Instant latest = clock.instant().plus(MAX_AHEAD);
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).timestamp().isAfter(latest)) {
                throw OtlpRequestException.badRequest("forwarded usage record " + i + ": its time "
                        + items.get(i).timestamp() + " is more than " + MAX_AHEAD.toHours() + " hours ahead of "
                        + clock.instant());
            }
        }
        count(items, result == null ? "" : result.tenant());
        return ForwardedUsage.without(body);
    }

    /** Counts the items (what goes beyond what each request had). */
    synchronized void count(List<ForwardedUsage.Item> items, String tenant) throws IOException {
        Instant oldest = clock.instant().minus(window);
        Map<String, ForwardLedger.Counted> changed = new LinkedHashMap<>();
        List<UsageEvent> events = new ArrayList<>();
        long repeat = 0;
        long old = 0;
        for (ForwardedUsage.Item i : items) {
            if (i.timestamp().isBefore(oldest)) {
                old++;
                continue;
            }
            String key = ForwardLedger.key(i.machine(), i.messageId(), i.requestId());
            ForwardLedger.Counted before = changed.containsKey(key) ? changed.get(key) : ledger.get(key);
            ForwardLedger.Counted now = ForwardLedger.merge(before, i.total(), i.totalCost());
            TokenUsage b = before == null ? ForwardLedger.none() : before.tokens();
            BigDecimal bc = before == null ? null : before.cost();
            if (before != null && b.equals(now.tokens())) {
                repeat++; // no token beyond what was counted: whatever cost it claims, nothing is added
                continue;
            }
            BigDecimal cost = now.cost() == null ? null : bc == null ? now.cost() : now.cost().subtract(bc);
            String team = tenant != null && !tenant.isEmpty() ? tenant : i.team();
            events.add(new UsageEvent(i.timestamp(), UsageEvent.TRANSCRIPT, i.machine(), i.project(), i.sessionId(),
                    i.model(), ForwardLedger.minus(now.tokens(), b), cost, i.messageId(), i.requestId(), i.user(),
                    team, i.repository(), i.branch()));
            changed.put(key, now);
        }
        recorder.record(events); // a failure answers 5xx: the sender retries, nothing was remembered
        changed.forEach(ledger::put);
        counted.increment(events.size());
        repeats.increment(repeat);
        tooOld.increment(old);
    }
}
