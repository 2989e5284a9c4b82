package dev.odin.usage;

import dev.odin.signal.ExportResult;
import dev.odin.signal.AttributeValues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route step of otlp-logs: Claude Code's {@code api_request} events as usage with source
 * "telemetry" (tokens by type, the cost Claude Code reported), from every machine that sends
 * them, and the cross-check of that cost against ODIN's price table: telemetry's cost is a
 * list-price estimate made on the client, so the two can differ, and
 * {@code odin_claude_cost_crosscheck_difference_usd{model}} (reported minus priced, since start)
 * shows by how much. Never fails the request: usage is a by-product of the events.
 *
 * <p>Runs after the event sink took the request (route otlp-logs): a request the sink refused
 * (a full queue's 503, a failing disk's 500) is retried by the client and must not count again.
 * The route keeps the request as the body across the sink (the sink's reply goes to a
 * variable). The user passes the privacy rules first ({@link UsageUsers}).
 */
public final class TelemetryUsage {

    private static final Logger log = LoggerFactory.getLogger(TelemetryUsage.class);
    private static final int MAX_MODELS = 200;

    private final Pricing pricing;
    private final UsageRecorder recorder;
    private final MeterRegistry registry;
    private final UsageUsers users;
    private final UnpricedRequests unpriced;
    private final Map<String, CrossCheck> crossChecks = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean warnedBody = new java.util.concurrent.atomic.AtomicBoolean();

    /** Reported and priced cost of one model's telemetry requests, summed in decimal (the difference is exact). */
    private static final class CrossCheck {
        BigDecimal reported = BigDecimal.ZERO;
        BigDecimal priced = BigDecimal.ZERO;

        synchronized void add(BigDecimal r, BigDecimal p) {
            reported = reported.add(r);
            priced = priced.add(p);
        }

        synchronized double difference() {
            return reported.subtract(priced).doubleValue();
        }

        Counter reportedCounter;
        Counter pricedCounter;
    }

    public TelemetryUsage(Pricing pricing, UsageRecorder recorder, MeterRegistry registry, UsageUsers users) {
        this(pricing, recorder, registry, users, UnpricedRequests.unregistered());
    }

    /** @param unpriced counts the api_request events whose model the table does not price */
    public TelemetryUsage(Pricing pricing, UsageRecorder recorder, MeterRegistry registry, UsageUsers users,
            UnpricedRequests unpriced) {
        this.unpriced = unpriced;
        this.pricing = pricing;
        this.recorder = recorder;
        this.registry = registry;
        this.users = users;
    }

    /**
     * Route step {@code bean: {ref: recordTelemetryUsage, method: record}} (otlp-logs, after the
     * sink). Body in: {@code ExportLogsServiceRequest} (anything else is logged and ignored: usage
     * never fails a request the sink took); body out: unchanged. Reads the exchange property
     * {@value ExportResult#PROPERTY} for the tenant (the usage's team).
     */
    public void record(Object body, @org.apache.camel.ExchangeProperty(ExportResult.PROPERTY) ExportResult result) {
        if (!(body instanceof ExportLogsServiceRequest request)) {
            if (warnedBody.compareAndSet(false, true)) {
                log.warn("Claude Code usage from telemetry not recorded: the body after the event sink is {}, not the"
                        + " logs request (keep variableReceive on the sink step of route otlp-logs); told once",
                        body == null ? "null" : body.getClass().getName());
            }
            return;
        }
        try {
            List<UsageEvent> events = extract(request, result == null ? "" : result.tenant());
            if (!events.isEmpty()) {
                recorder.record(events);
            }
        } catch (Exception e) {
            log.warn("Claude Code usage from telemetry not recorded: {}", e.toString());
        }
    }

    List<UsageEvent> extract(ExportLogsServiceRequest request, String team) {
        List<UsageEvent> out = new ArrayList<>();
        for (ResourceLogs rl : request.getResourceLogsList()) {
            Map<String, String> resource = null; // built only for a resource with api_request events
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord r : sl.getLogRecordsList()) {
                    // most records are other events: decide before building any attribute map
                    if (isApiRequest(r)) {
                        if (resource == null) {
                            resource = attrs(rl.getResource().getAttributesList());
                        }
                        UsageEvent e = event(r, attrs(r.getAttributesList()), resource, team);
                        if (e != null) {
                            out.add(e);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean isApiRequest(LogRecord r) {
        if ("claude_code.api_request".equals(r.getBody().getStringValue())) {
            return true;
        }
        for (KeyValue kv : r.getAttributesList()) {
            if ("event.name".equals(kv.getKey())) {
                return "api_request".equals(kv.getValue().getStringValue());
            }
        }
        return false;
    }

    private UsageEvent event(LogRecord r, Map<String, String> a, Map<String, String> resource, String team) {
        String model = a.getOrDefault("model", "");
        long cacheCreation = number(a.get("cache_creation_tokens"));
        long write1h = number(a.get("cache_creation_1h_tokens"));
        long write5m = Math.max(number(a.get("cache_creation_5m_tokens")), cacheCreation - write1h);
        TokenUsage tokens = new TokenUsage(number(a.get("input_tokens")), number(a.get("output_tokens")), write5m,
                write1h, number(a.get("cache_read_tokens")));
        // cost_usd is a binary double (0.010924999999999999); cost_usd_micros (2.1.330+) is Claude Code's exact figure
        BigDecimal micros = decimal(a.get("cost_usd_micros"));
        BigDecimal reported = micros != null ? micros.movePointLeft(6) : decimal(a.get("cost_usd"));
        BigDecimal priced = pricing.cost(model, tokens, "fast".equals(a.get("speed")));
        if (priced == null) {
            unpriced.count(UsageEvent.TELEMETRY, model);
        }
        if (reported != null && priced != null) {
            CrossCheck c = crossCheck(model);
            c.add(reported, priced);
            c.reportedCounter.increment(reported.doubleValue());
            c.pricedCounter.increment(priced.doubleValue());
        }
        String machine = first(a.get("machine.name"), resource.get("machine.name"), resource.get("host.name"), "");
        String user = first(users.telemetry(UsageUsers.USER_EMAIL, a.get(UsageUsers.USER_EMAIL)),
                users.telemetry(UsageUsers.USER_EMAIL, resource.get(UsageUsers.USER_EMAIL)),
                users.telemetry("user.id", a.get("user.id")), "");
        return new UsageEvent(time(r, a), UsageEvent.TELEMETRY, machine, "", a.get("session.id"), model, tokens,
                reported != null ? reported : priced, null, null, user, team);
    }

    private CrossCheck crossCheck(String model) {
        CrossCheck c = crossChecks.get(model);
        if (c != null) {
            return c;
        }
        String m = crossChecks.size() >= MAX_MODELS ? "other" : model;
        return crossChecks.computeIfAbsent(m, k -> {
            CrossCheck n = new CrossCheck();
            n.reportedCounter = Counter.builder("odin.claude.cost.crosscheck.reported").baseUnit("usd")
                    .description("Cost Claude Code reported in its api_request events").tag("model", k).register(registry);
            n.pricedCounter = Counter.builder("odin.claude.cost.crosscheck.priced").baseUnit("usd")
                    .description("The same requests priced by ODIN's table").tag("model", k).register(registry);
            Gauge.builder("odin.claude.cost.crosscheck.difference", n, CrossCheck::difference)
                    .baseUnit("usd").description("Reported minus priced cost since start (telemetry is a list-price estimate)")
                    .tag("model", k).register(registry);
            return n;
        });
    }

    private static Instant time(LogRecord r, Map<String, String> a) {
        long nanos = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano() : r.getObservedTimeUnixNano();
        if (nanos != 0) {
            return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
        }
        try {
            return Instant.parse(a.get("event.timestamp"));
        } catch (RuntimeException e) {
            return Instant.now();
        }
    }

    private static Map<String, String> attrs(List<KeyValue> list) {
        Map<String, String> m = new HashMap<>();
        for (KeyValue kv : list) {
            m.put(kv.getKey(), AttributeValues.format(kv.getValue()));
        }
        return m;
    }

    private static long number(String v) {
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, (long) Double.parseDouble(v));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static BigDecimal decimal(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(v);
            return d.signum() < 0 ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }
}
