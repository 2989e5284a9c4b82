package dev.odin.usage;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Instant;
import java.util.List;

/**
 * Transcript usage as OTLP log records for the event sink, beside Claude Code's own events:
 * {@code claude_code.transcript_usage} in service {@code claude-code}, at the request's own time,
 * so Loki holds what each request cost even where telemetry was never on. Usage older than the
 * sink takes (Loki refuses samples older than its reject_old_samples_max_age) stays out of it;
 * it is still in the metrics and the usage history.
 */
public final class UsageLogRecords {

    public static final String EVENT = "transcript_usage";

    private UsageLogRecords() {
    }

    /** @return the request, or null when no usage is recent enough for the sink */
    public static ExportLogsServiceRequest of(List<UsageEvent> events, Instant oldest) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        scope.getScopeBuilder().setName("dev.odin.usage");
        String machine = null;
        for (UsageEvent e : events) {
            if (e.timestamp().isBefore(oldest)) {
                continue;
            }
            machine = e.machine();
            long nanos = e.timestamp().getEpochSecond() * 1_000_000_000L + e.timestamp().getNano();
            LogRecord.Builder r = scope.addLogRecordsBuilder().setTimeUnixNano(nanos).setObservedTimeUnixNano(nanos)
                    .setSeverityNumberValue(9).setSeverityText("INFO")
                    .setBody(AnyValue.newBuilder().setStringValue("claude_code." + EVENT));
            attr(r, "event.name", EVENT);
            attr(r, "session.id", e.sessionId());
            attr(r, "model", e.model());
            attr(r, "project", e.project());
            attr(r, "repository", e.repository());
            attr(r, "branch", e.branch());
            attr(r, "message.id", e.messageId());
            attr(r, "request.id", e.requestId());
            attr(r, "input_tokens", e.tokens().input());
            attr(r, "output_tokens", e.tokens().output());
            attr(r, "cache_creation_5m_tokens", e.tokens().cacheWrite5m());
            attr(r, "cache_creation_1h_tokens", e.tokens().cacheWrite1h());
            attr(r, "cache_read_tokens", e.tokens().cacheRead());
            if (e.cost() != null) {
                r.addAttributes(KeyValue.newBuilder().setKey("cost_usd")
                        .setValue(AnyValue.newBuilder().setDoubleValue(e.cost().doubleValue())));
            }
        }
        if (scope.getLogRecordsCount() == 0) {
            return null;
        }
        Resource.Builder resource = Resource.newBuilder();
        resource.addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("claude-code")));
        resource.addAttributes(KeyValue.newBuilder().setKey("machine.name")
                .setValue(AnyValue.newBuilder().setStringValue(machine)));
        return ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope)).build();
    }

    private static void attr(LogRecord.Builder r, String key, String value) {
        if (value != null && !value.isEmpty()) {
            r.addAttributes(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)));
        }
    }

    private static void attr(LogRecord.Builder r, String key, long value) {
        r.addAttributes(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)));
    }
}
