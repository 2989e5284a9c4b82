package dev.odin.pipeline;

import dev.odin.signal.Signal;
import dev.odin.signal.AttributeValues;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.List;

/**
 * Bean {@code events}: per-record filters an operator puts in route otlp-logs (or any route
 * holding a logs request), e.g. {@code - bean: {ref: events, method: "drop(${body}, 'event.name', 'tool_decision')"}}.
 * Body in: {@code ExportLogsServiceRequest}; body out: the request without the records dropped
 * (itself when none is), scopes and resources left without records removed. No header or
 * property is read or written.
 *
 * <p>A record matches {@code (key, value)} when its own attribute {@code key} has that value (in
 * its text form, as in Loki and the event files), or, without such an attribute, its resource's
 * attribute does; key {@code event.name} also matches the record's OTLP event_name field. The
 * records dropped are counted in {@code odin_otlp_discarded_total{signal="logs",reason="filtered"}};
 * they were received (they count in odin_otlp_received_total) and are not reported to the client
 * as rejected: dropping them is the operator's choice, not the client's mistake.
 */
public final class EventFilter {

    /** The reason of odin_otlp_discarded_total for records a filter step dropped. */
    public static final String REASON = "filtered";

    private final OdinMetrics telemetry;

    public EventFilter(OdinMetrics telemetry) {
        this.telemetry = telemetry;
    }

    /**
     * Drops the records whose attribute {@code key} is {@code value}; keeps the others. A route
     * names all three arguments: {@code "drop(${body}, 'key', 'value')"} (Camel binds nothing it
     * is not given once a method call has arguments).
     */
    public ExportLogsServiceRequest drop(ExportLogsServiceRequest request, String key, String value) {
        return filter(request, key, value, false);
    }

    /** Keeps only the records whose attribute {@code key} is {@code value}; drops the others. */
    public ExportLogsServiceRequest keep(ExportLogsServiceRequest request, String key, String value) {
        return filter(request, key, value, true);
    }

    private ExportLogsServiceRequest filter(ExportLogsServiceRequest request, String key, String value,
            boolean keepMatches) {
        if (!anyDropped(request, key, value, keepMatches)) {
            return request;
        }
        long dropped = 0;
        ExportLogsServiceRequest.Builder out = ExportLogsServiceRequest.newBuilder();
        for (ResourceLogs rl : request.getResourceLogsList()) {
            String resourceValue = find(rl.getResource().getAttributesList(), key);
            ResourceLogs.Builder keptResource = null;
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                ScopeLogs.Builder keptScope = null;
                for (LogRecord r : sl.getLogRecordsList()) {
                    if (matches(r, key, value, resourceValue) != keepMatches) {
                        dropped++;
                        continue;
                    }
                    if (keptScope == null) {
                        keptScope = sl.toBuilder().clearLogRecords();
                    }
                    keptScope.addLogRecords(r);
                }
                if (keptScope != null) {
                    if (keptResource == null) {
                        keptResource = rl.toBuilder().clearScopeLogs();
                    }
                    keptResource.addScopeLogs(keptScope);
                }
            }
            if (keptResource != null) {
                out.addResourceLogs(keptResource);
            }
        }
        telemetry.discarded(Signal.LOGS, REASON, dropped);
        return out.build();
    }

    private static boolean anyDropped(ExportLogsServiceRequest request, String key, String value, boolean keepMatches) {
        for (ResourceLogs rl : request.getResourceLogsList()) {
            String resourceValue = find(rl.getResource().getAttributesList(), key);
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord r : sl.getLogRecordsList()) {
                    if (matches(r, key, value, resourceValue) != keepMatches) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean matches(LogRecord r, String key, String value, String resourceValue) {
        String own = find(r.getAttributesList(), key);
        if (own == null && "event.name".equals(key) && !r.getEventName().isEmpty()) {
            own = r.getEventName();
        }
        return value.equals(own != null ? own : resourceValue);
    }

    private static String find(List<KeyValue> attributes, String key) {
        for (int i = 0; i < attributes.size(); i++) {
            KeyValue kv = attributes.get(i);
            if (kv.getKey().equals(key)) {
                return AttributeValues.format(kv.getValue());
            }
        }
        return null;
    }
}
