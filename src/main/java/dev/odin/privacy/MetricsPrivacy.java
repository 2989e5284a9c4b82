package dev.odin.privacy;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Route step of otlp-metrics: applies the metric attribute rules to the request's resource,
 * scope and data point attributes before the translator turns them into labels. A request no
 * rule touches passes through as it is; one that is touched is rebuilt once.
 */
public final class MetricsPrivacy implements Processor {

    private final AttributeRules rules;

    public MetricsPrivacy(AttributeRules rules) {
        this.rules = rules;
    }

    /** The rules this step applies (the usage history applies them to the users it keeps). */
    public AttributeRules rules() {
        return rules;
    }

    /**
     * Route step (otlp-metrics, bean applyMetricPrivacy, method applyRules): body
     * ExportMetricsServiceRequest in, ExportMetricsServiceRequest out (the same message when no
     * rule touches it, else one rebuilt with the rules applied); no header or property.
     */
    public ExportMetricsServiceRequest applyRules(ExportMetricsServiceRequest request) {
        if (rules.isEmpty() || !touches(request)) {
            return request;
        }
        return apply(request);
    }

    @Override
    public void process(Exchange exchange) {
        if (rules.isEmpty()) {
            return;
        }
        ExportMetricsServiceRequest request = exchange.getMessage().getBody(ExportMetricsServiceRequest.class);
        if (touches(request)) {
            exchange.getMessage().setBody(apply(request));
        }
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
                    if (rules.matchesAny(p.getAttributesList())) {
                        return true;
                    }
                }
                return false;
            case GAUGE:
                for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList())) {
                        return true;
                    }
                }
                return false;
            case HISTOGRAM:
                for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList())) {
                        return true;
                    }
                }
                return false;
            case EXPONENTIAL_HISTOGRAM:
                for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
                    if (rules.matchesAny(p.getAttributesList())) {
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
                }
                break;
            case GAUGE:
                for (NumberDataPoint.Builder p : m.getGaugeBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
                }
                break;
            case HISTOGRAM:
                for (HistogramDataPoint.Builder p : m.getHistogramBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
                }
                break;
            case EXPONENTIAL_HISTOGRAM:
                for (ExponentialHistogramDataPoint.Builder p
                        : m.getExponentialHistogramBuilder().getDataPointsBuilderList()) {
                    var a = rules.apply(p.getAttributesList());
                    p.clearAttributes().addAllAttributes(a);
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
