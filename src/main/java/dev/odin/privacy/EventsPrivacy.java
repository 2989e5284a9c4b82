package dev.odin.privacy;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;

/**
 * Route step of otlp-logs ({@code bean: {ref: applyEventPrivacy, method: apply}}): applies the
 * event attribute rules to the request's resource, scope and log record attributes before the
 * event sink, whichever it is (files, Loki streams, or the request passed through to Loki's OTLP
 * endpoint). Untouched requests pass as they are.
 */
public final class EventsPrivacy {

    private final AttributeRules rules;

    public EventsPrivacy(AttributeRules rules) {
        this.rules = rules;
    }

    /** The rules this step applies (the usage history applies them to the users it keeps). */
    public AttributeRules rules() {
        return rules;
    }

    /**
     * The route step. Body in: {@code ExportLogsServiceRequest}; body out: the same request, or a
     * copy with the rules applied. Reads and writes no header or property.
     */
    public ExportLogsServiceRequest apply(ExportLogsServiceRequest request) {
        return rules.isEmpty() || !touches(request) ? request : rulesApplied(request);
    }

    boolean touches(ExportLogsServiceRequest request) {
        for (ResourceLogs rl : request.getResourceLogsList()) {
            if (rules.matchesAny(rl.getResource().getAttributesList())) {
                return true;
            }
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                if (rules.matchesAny(sl.getScope().getAttributesList())) {
                    return true;
                }
                for (LogRecord r : sl.getLogRecordsList()) {
                    if (rules.matchesAny(r.getAttributesList())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    ExportLogsServiceRequest rulesApplied(ExportLogsServiceRequest request) {
        ExportLogsServiceRequest.Builder out = request.toBuilder();
        for (ResourceLogs.Builder rl : out.getResourceLogsBuilderList()) {
            var resource = rl.getResourceBuilder();
            var attrs = rules.apply(resource.getAttributesList());
            resource.clearAttributes().addAllAttributes(attrs);
            for (ScopeLogs.Builder sl : rl.getScopeLogsBuilderList()) {
                var scope = sl.getScopeBuilder();
                var scopeAttrs = rules.apply(scope.getAttributesList());
                scope.clearAttributes().addAllAttributes(scopeAttrs);
                for (LogRecord.Builder r : sl.getLogRecordsBuilderList()) {
                    var a = rules.apply(r.getAttributesList());
                    r.clearAttributes().addAllAttributes(a);
                }
            }
        }
        return out.build();
    }
}
