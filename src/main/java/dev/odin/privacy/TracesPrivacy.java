package dev.odin.privacy;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * Route step of otlp-export-traces: applies the trace attribute rules (odin.privacy.traces) to
 * the resource, scope, span, span event and span link attributes of a request before it leaves
 * ODIN (ODIN keeps no spans itself; the export is where they go on). A request no rule touches
 * passes through as it is; one that is touched is rebuilt once.
 */
public final class TracesPrivacy {

    private final AttributeRules rules;

    public TracesPrivacy(AttributeRules rules) {
        this.rules = rules;
    }

    /**
     * Route step (otlp-export-traces, bean applyTracePrivacy, method applyRules): body
     * ExportTraceServiceRequest in, ExportTraceServiceRequest out (the same message when no rule
     * touches it, else one rebuilt with the rules applied); no header or property.
     */
    public ExportTraceServiceRequest applyRules(ExportTraceServiceRequest request) {
        if (rules.isEmpty() || !touches(request)) {
            return request;
        }
        ExportTraceServiceRequest.Builder out = request.toBuilder();
        for (ResourceSpans.Builder rs : out.getResourceSpansBuilderList()) {
            var resource = rs.getResourceBuilder();
            var attrs = rules.apply(resource.getAttributesList());
            resource.clearAttributes().addAllAttributes(attrs);
            for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
                var scope = ss.getScopeBuilder();
                var scopeAttrs = rules.apply(scope.getAttributesList());
                scope.clearAttributes().addAllAttributes(scopeAttrs);
                for (Span.Builder span : ss.getSpansBuilderList()) {
                    var a = rules.apply(span.getAttributesList());
                    span.clearAttributes().addAllAttributes(a);
                    for (Span.Event.Builder e : span.getEventsBuilderList()) {
                        var ea = rules.apply(e.getAttributesList());
                        e.clearAttributes().addAllAttributes(ea);
                    }
                    for (Span.Link.Builder l : span.getLinksBuilderList()) {
                        var la = rules.apply(l.getAttributesList());
                        l.clearAttributes().addAllAttributes(la);
                    }
                }
            }
        }
        return out.build();
    }

    private boolean touches(ExportTraceServiceRequest request) {
        for (ResourceSpans rs : request.getResourceSpansList()) {
            if (rules.matchesAny(rs.getResource().getAttributesList())) {
                return true;
            }
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                if (rules.matchesAny(ss.getScope().getAttributesList())) {
                    return true;
                }
                for (Span span : ss.getSpansList()) {
                    if (rules.matchesAny(span.getAttributesList())) {
                        return true;
                    }
                    for (Span.Event e : span.getEventsList()) {
                        if (rules.matchesAny(e.getAttributesList())) {
                            return true;
                        }
                    }
                    for (Span.Link l : span.getLinksList()) {
                        if (rules.matchesAny(l.getAttributesList())) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }
}
