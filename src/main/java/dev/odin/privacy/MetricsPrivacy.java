package dev.odin.privacy;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.lang.ref.WeakReference;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The metric attribute rules (odin.privacy.metrics) on the otlp-metrics route. The route step,
 * {@link #attachRules}, rewrites nothing: it hands the rules to the translation (exchange
 * property {@value #PROPERTY}), which applies them to each resource, scope and data point
 * attribute as it turns attributes into labels, so a dropped attribute never becomes a label and a
 * hashed one only ever as its hash, without a protobuf copy of the request. {@link #applyRules}
 * is the same rules as a rewrite (protobuf in, protobuf out) for whoever needs the request itself
 * after privacy (an export); the translation recognises a request it rewrote and does not apply
 * the rules twice.
 */
public final class MetricsPrivacy implements Processor {

    /** Exchange property the route step sets: an {@link Attached}. */
    public static final String PROPERTY = "odinMetricPrivacy";

    private final AttributeRules rules;
    /** The last request {@link #applyRules} rebuilt on this thread (weakly held): already private. */
    private final ThreadLocal<WeakReference<ExportMetricsServiceRequest>> rewritten = new ThreadLocal<>();

    public MetricsPrivacy(AttributeRules rules) {
        this.rules = rules;
    }

    /** The rules this step applies (the usage history applies them to the users it keeps). */
    public AttributeRules rules() {
        return rules;
    }

    /**
     * What the privacy step attached to an exchange: the rules, for the translation to apply as
     * it builds labels.
     */
    public static final class Attached {
        private final MetricsPrivacy privacy;

        Attached(MetricsPrivacy privacy) {
            this.privacy = privacy;
        }

        /**
         * The rules to apply to {@code request} while translating it; null when there are none, or
         * when {@code request} is one {@link #applyRules} already rebuilt with them (a route that
         * also rewrites, e.g. for an export, before the translation), so a value is never hashed
         * twice.
         */
        public AttributeRules rulesFor(ExportMetricsServiceRequest request) {
            if (privacy.rules.isEmpty() || privacy.rewrote(request)) {
                return null;
            }
            return privacy.rules;
        }
    }

    /**
     * Route step (otlp-metrics, bean applyMetricPrivacy, method attachRules): body unchanged (no
     * copy, whatever the rules); sets the exchange property {@value #PROPERTY} that the
     * translation (bean translateMetrics) reads, and applies the rules from, per attribute.
     * Without this step before it, the translation applies no rules: the start-up validation
     * refuses such a route set.
     */
    public void attachRules(Exchange exchange) {
        exchange.setProperty(PROPERTY, attached);
    }

    private final Attached attached = new Attached(this);

    /**
     * The rules as a rewrite (not on the normal metrics path: see {@link #attachRules}): body
     * ExportMetricsServiceRequest in, ExportMetricsServiceRequest out (the same message when no
     * rule touches it, else one rebuilt with the rules applied); no header or property.
     */
    public ExportMetricsServiceRequest applyRules(ExportMetricsServiceRequest request) {
        if (rules.isEmpty() || !touches(request)) {
            return request;
        }
        ExportMetricsServiceRequest out = apply(request);
        rewritten.set(new WeakReference<>(out));
        return out;
    }

    /** True when {@code request} is what {@link #applyRules} last rebuilt on this thread. */
    boolean rewrote(ExportMetricsServiceRequest request) {
        WeakReference<ExportMetricsServiceRequest> last = rewritten.get();
        return last != null && last.get() == request;
    }

    /**
     * As a {@code process:} step (routes written before the rules moved into the translation):
     * the body rewritten as {@link #applyRules} does, so a tee or export after it never sees a raw
     * attribute, and the rules attached; the translation does not apply them a second time to
     * the rewritten request.
     */
    @Override
    public void process(Exchange exchange) {
        ExportMetricsServiceRequest request = exchange.getMessage().getBody(ExportMetricsServiceRequest.class);
        if (request != null && !rewrote(request)) { // not twice: a hash of a hash
            exchange.getMessage().setBody(applyRules(request));
        }
        attachRules(exchange);
    }

    boolean touches(ExportMetricsServiceRequest request) {
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            if (rules.matchesAny(rm.getResource().getAttributesList())) {
                return true;
            }
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                if (rules.matchesAny(sm.getScope().getAttributesList())) {
                    return true;
                }
                for (Metric m : sm.getMetricsList()) {
                    if (touches(m)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean touches(Metric m) {
        switch (m.getDataCase()) {
            case SUM:
                for (NumberDataPoint p : m.getSum().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList()) || exemplarsMatch(p.getExemplarsList())) {
                        return true;
                    }
                }
                return false;
            case GAUGE:
                for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList()) || exemplarsMatch(p.getExemplarsList())) {
                        return true;
                    }
                }
                return false;
            case HISTOGRAM:
                for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList()) || exemplarsMatch(p.getExemplarsList())) {
                        return true;
                    }
                }
                return false;
            case EXPONENTIAL_HISTOGRAM:
                for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList()) || exemplarsMatch(p.getExemplarsList())) {
                        return true;
                    }
                }
                return false;
            case SUMMARY:
                for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList())) {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    /** An exemplar's filtered attributes are the point's attributes the SDK left out: the same rules apply. */
    private boolean exemplarsMatch(java.util.List<io.opentelemetry.proto.metrics.v1.Exemplar> exemplars) {
        for (io.opentelemetry.proto.metrics.v1.Exemplar e : exemplars) {
            if (rules.matchesAny(e.getFilteredAttributesList())) {
                return true;
            }
        }
        return false;
    }

    private void applyToExemplars(java.util.List<io.opentelemetry.proto.metrics.v1.Exemplar.Builder> exemplars) {
        for (io.opentelemetry.proto.metrics.v1.Exemplar.Builder e : exemplars) {
            if (e.getFilteredAttributesCount() > 0) {
                var a = rules.apply(e.getFilteredAttributesList());
                e.clearFilteredAttributes().addAllFilteredAttributes(a);
            }
        }
    }

    ExportMetricsServiceRequest apply(ExportMetricsServiceRequest request) {
        ExportMetricsServiceRequest.Builder out = request.toBuilder();
        for (ResourceMetrics.Builder rm : out.getResourceMetricsBuilderList()) {
            var resource = rm.getResourceBuilder();
            var attrs = rules.apply(resource.getAttributesList());
            resource.clearAttributes().addAllAttributes(attrs);
            for (ScopeMetrics.Builder sm : rm.getScopeMetricsBuilderList()) {
                var scope = sm.getScopeBuilder();
                var scopeAttrs = rules.apply(scope.getAttributesList());
                scope.clearAttributes().addAllAttributes(scopeAttrs);
                for (Metric.Builder m : sm.getMetricsBuilderList()) {
                    apply(m);
                }
            }
        }
        return out.build();
    }

    private void apply(Metric.Builder m) {
        switch (m.getDataCase()) {
            case SUM:
                for (NumberDataPoint.Builder p : m.getSumBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
                    applyToExemplars(p.getExemplarsBuilderList());
                }
                break;
            case GAUGE:
                for (NumberDataPoint.Builder p : m.getGaugeBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
                    applyToExemplars(p.getExemplarsBuilderList());
                }
                break;
            case HISTOGRAM:
                for (HistogramDataPoint.Builder p : m.getHistogramBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
                    applyToExemplars(p.getExemplarsBuilderList());
                }
                break;
            case EXPONENTIAL_HISTOGRAM:
                for (ExponentialHistogramDataPoint.Builder p
                        : m.getExponentialHistogramBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
                    applyToExemplars(p.getExemplarsBuilderList());
                }
                break;
            case SUMMARY:
                for (SummaryDataPoint.Builder p : m.getSummaryBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
                }
                break;
            default:
                break;
        }
    }
}
