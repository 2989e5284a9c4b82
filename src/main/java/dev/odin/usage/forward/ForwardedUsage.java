package dev.odin.usage.forward;

import dev.odin.usage.TokenUsage;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
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

/**
 * The wire format of forwarded usage: OTLP logs, POSTed to the central's {@code /v1/logs} (so
 * the central's receiver guards it as every other OTLP request: token, size limits, admission,
 * the starting gate). One log record per counted request in a scope named {@value #SCOPE}; its
 * attributes (strings unless said):
 * {@code machine}, {@code user}, {@code team}, {@code project}, {@code repository}, {@code branch} (when known), {@code session.id}, {@code model},
 * {@code message.id}, {@code request.id}, the request's <em>totals counted so far</em> as
 * integers {@code input_tokens}, {@code output_tokens}, {@code cache_creation_5m_tokens},
 * {@code cache_creation_1h_tokens}, {@code cache_read_tokens}, and {@code cost_usd}, the cost of
 * those totals as a decimal string (absent: the model is not priced). Totals, not increments:
 * a record sent twice, or an older one after a newer, adds nothing at the central, which counts
 * only what goes beyond what it has for (machine, message id, request id). The record's time is
 * the request's.
 */
public final class ForwardedUsage {

    /** The instrumentation scope that marks forwarded usage. */
    public static final String SCOPE = "dev.odin.usage.forward";
    static final String EVENT = "odin.usage_forward";

    /** Longest text value taken; a longer one makes the request malformed. */
    static final int MAX_TEXT = 512;
    /** Longest cost_usd taken. */
    static final int MAX_COST = 40;
    /** Largest token count of one request taken (sums of many stay far from overflowing). */
    static final long MAX_TOKENS = 1_000_000_000_000L;

    /**
     * One request's usage as counted so far on the sending machine.
     *
     * @param totalCost USD of {@code total}; null when the model is not priced there
     */
    public record Item(Instant timestamp, String machine, String user, String team, String project, String sessionId,
            String model, String messageId, String requestId, TokenUsage total, BigDecimal totalCost,
            String repository, String branch) {

        /** Without repository and branch (a sender before they were forwarded). */
        public Item(Instant timestamp, String machine, String user, String team, String project, String sessionId,
                String model, String messageId, String requestId, TokenUsage total, BigDecimal totalCost) {
            this(timestamp, machine, user, team, project, sessionId, model, messageId, requestId, total, totalCost,
                    "", "");
        }

        String key() {
            return machine + '\u0000' + messageId + '\u0000' + requestId;
        }
    }

    /** A refused forwarded record: what was wrong with it. */
    public static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private ForwardedUsage() {
    }

    /** The items as one request (one resource, one scope). */
    public static ExportLogsServiceRequest encode(List<Item> items) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        scope.getScopeBuilder().setName(SCOPE);
        for (Item i : items) {
            long nanos = i.timestamp().getEpochSecond() * 1_000_000_000L + i.timestamp().getNano();
            LogRecord.Builder r = scope.addLogRecordsBuilder().setTimeUnixNano(nanos).setObservedTimeUnixNano(nanos)
                    .setSeverityNumberValue(9).setBody(AnyValue.newBuilder().setStringValue(EVENT));
            text(r, "event.name", EVENT);
            text(r, "machine", i.machine());
            text(r, "user", i.user());
            text(r, "team", i.team());
            text(r, "project", i.project());
            text(r, "session.id", i.sessionId());
            text(r, "model", i.model());
            text(r, "message.id", i.messageId());
            text(r, "request.id", i.requestId());
            if (i.repository() != null && !i.repository().isEmpty()) {
                text(r, "repository", i.repository());
            }
            if (i.branch() != null && !i.branch().isEmpty()) {
                text(r, "branch", i.branch());
            }
            number(r, "input_tokens", i.total().input());
            number(r, "output_tokens", i.total().output());
            number(r, "cache_creation_5m_tokens", i.total().cacheWrite5m());
            number(r, "cache_creation_1h_tokens", i.total().cacheWrite1h());
            number(r, "cache_read_tokens", i.total().cacheRead());
            if (i.totalCost() != null) {
                text(r, "cost_usd", i.totalCost().toPlainString());
            }
        }
        ResourceLogs.Builder resource = ResourceLogs.newBuilder().addScopeLogs(scope);
        resource.getResourceBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("odin")));
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(resource).build();
    }

    /** Whether a request holds forwarded usage at all (most requests do not: read nothing). */
    public static boolean holdsForwarded(ExportLogsServiceRequest request) {
        for (ResourceLogs rl : request.getResourceLogsList()) {
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                if (SCOPE.equals(sl.getScope().getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The request without its forwarded usage (resources left with no scope are dropped). */
    public static ExportLogsServiceRequest without(ExportLogsServiceRequest request) {
        ExportLogsServiceRequest.Builder out = ExportLogsServiceRequest.newBuilder();
        for (ResourceLogs rl : request.getResourceLogsList()) {
            List<ScopeLogs> kept = new ArrayList<>();
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                if (!SCOPE.equals(sl.getScope().getName())) {
                    kept.add(sl);
                }
            }
            if (!kept.isEmpty()) {
                out.addResourceLogs(rl.toBuilder().clearScopeLogs().addAllScopeLogs(kept));
            }
        }
        return out.build();
    }

    /** Every forwarded record of the request; the first malformed one refuses them all. */
    public static List<Item> decode(ExportLogsServiceRequest request) throws Malformed {
        List<Item> items = new ArrayList<>();
        for (ResourceLogs rl : request.getResourceLogsList()) {
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                if (!SCOPE.equals(sl.getScope().getName())) {
                    continue;
                }
                for (LogRecord r : sl.getLogRecordsList()) {
                    items.add(item(r, items.size()));
                }
            }
        }
        return items;
    }

    private static Item item(LogRecord r, int index) throws Malformed {
        Map<String, AnyValue> a = new HashMap<>();
        for (KeyValue kv : r.getAttributesList()) {
            if (a.put(kv.getKey(), kv.getValue()) != null) {
                throw new Malformed(where(index) + "attribute " + kv.getKey() + " appears twice");
            }
        }
        if (r.getTimeUnixNano() <= 0) {
            throw new Malformed(where(index) + "time_unix_nano is not set");
        }
        long nanos = r.getTimeUnixNano();
        Instant time = Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
        TokenUsage total = new TokenUsage(count(a, "input_tokens", index), count(a, "output_tokens", index),
                count(a, "cache_creation_5m_tokens", index), count(a, "cache_creation_1h_tokens", index),
                count(a, "cache_read_tokens", index));
        String cost = text(a, "cost_usd", false, index);
        BigDecimal totalCost = null;
        if (!cost.isEmpty()) {
            if (cost.length() > MAX_COST) {
                throw new Malformed(where(index) + "cost_usd is longer than " + MAX_COST + " characters");
            }
            try {
                totalCost = new BigDecimal(cost);
            } catch (NumberFormatException e) {
                throw new Malformed(where(index) + "cost_usd \"" + cost + "\" is not a decimal number");
            }
            if (totalCost.signum() < 0 || totalCost.scale() > 20 || totalCost.precision() - totalCost.scale() > 12) {
                throw new Malformed(where(index) + "cost_usd " + cost + " is not a plausible cost (0 or more,"
                        + " at most 12 integer and 20 fraction digits)");
            }
        }
        return new Item(time, text(a, "machine", true, index), text(a, "user", false, index),
                text(a, "team", false, index), text(a, "project", false, index), text(a, "session.id", false, index),
                text(a, "model", false, index), text(a, "message.id", true, index), text(a, "request.id", true, index),
                total, totalCost, text(a, "repository", false, index), text(a, "branch", false, index));
    }

    private static String text(Map<String, AnyValue> a, String key, boolean required, int index) throws Malformed {
        AnyValue v = a.get(key);
        if (v == null || v.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET) {
            if (required) {
                throw new Malformed(where(index) + "attribute " + key + " is missing");
            }
            return "";
        }
        if (v.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
            throw new Malformed(where(index) + "attribute " + key + " is not a string");
        }
        String s = v.getStringValue();
        if (s.length() > MAX_TEXT) {
            throw new Malformed(where(index) + "attribute " + key + " is longer than " + MAX_TEXT + " characters");
        }
        if (required && s.isBlank()) {
            throw new Malformed(where(index) + "attribute " + key + " is empty");
        }
        return s;
    }

    private static long count(Map<String, AnyValue> a, String key, int index) throws Malformed {
        AnyValue v = a.get(key);
        if (v == null || v.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET) {
            return 0;
        }
        if (v.getValueCase() != AnyValue.ValueCase.INT_VALUE) {
            throw new Malformed(where(index) + "attribute " + key + " is not an integer");
        }
        if (v.getIntValue() < 0 || v.getIntValue() > MAX_TOKENS) {
            throw new Malformed(where(index) + "attribute " + key + " is " + v.getIntValue() + ": a token count is 0 to "
                    + MAX_TOKENS);
        }
        return v.getIntValue();
    }

    private static String where(int index) {
        return "forwarded usage record " + index + ": ";
    }

    private static void text(LogRecord.Builder r, String key, String value) {
        if (value != null && !value.isEmpty()) {
            r.addAttributes(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)));
        }
    }

    private static void number(LogRecord.Builder r, String key, long value) {
        r.addAttributes(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)));
    }
}
