package dev.odin.privacy;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Route step of otlp-logs: applies the event attribute rules to the request's resource, scope
 * and log record attributes before the event sink, whichever it is (files, Loki streams, or the
 * request passed through to Loki's OTLP endpoint). Untouched requests pass as they are.
 */
public final class EventsPrivacy implements Processor {

    private final AttributeRules rules;

    public EventsPrivacy(AttributeRules rules) {
        this.rules = rules;
    }

    /** The rules this step applies (the usage history applies them to the users it keeps). */
    public AttributeRules rules() {
        return rules;
    }

    @Override
    public void process(Exchange exchange) {
        if (rules.isEmpty()) {
            return;
        }
        ExportLogsServiceRequest request = exchange.getMessage().getBody(ExportLogsServiceRequest.class);
        if (touches(request)) {
            exchange.getMessage().setBody(apply(request));
        }
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

    ExportLogsServiceRequest apply(ExportLogsServiceRequest request) {
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
