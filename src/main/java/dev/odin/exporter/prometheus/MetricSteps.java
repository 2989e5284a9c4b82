package dev.odin.exporter.prometheus;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/**
 * The metric steps an operator calls from the metrics pipeline (bean {@code metrics}, see
 * docs/routes.md). Each takes its arguments as literal parameters, records what it asks for in
 * the exchange property {@value MetricEdits#PROPERTY} and leaves the body (the
 * ExportMetricsServiceRequest) as it is; the translation step ({@code translateMetrics}) that
 * comes after applies it. Arguments are parsed and checked once per distinct argument list, not
 * per request.
 */
public final class MetricSteps {

    private static final int CACHE_LIMIT = 1_000;
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, Set<String>> dropLists = new ConcurrentHashMap<>();
    private final Map<String, MetricEdits.StaticLabel> labels = new ConcurrentHashMap<>();

    /**
     * Drops every data point of the named metrics: body ExportMetricsServiceRequest in, the same
     * out; reads and writes the exchange property {@value MetricEdits#PROPERTY}. A name is the
     * OTLP metric name ({@code claude_code.token.usage}) or the name /metrics shows
     * ({@code claude_code_token_usage_tokens_total}); several are separated by commas. The points
     * are still counted as received and then in odin_otlp_discarded_total{reason="dropped_by_route"};
     * the client is told nothing (they are not refused).
     */
    public void dropMetric(String names, Exchange exchange) {
        Set<String> parsed = dropLists.get(names);
        if (parsed == null) {
            Set<String> s = new LinkedHashSet<>();
            for (String n : names.split(",")) {
                if (!n.isBlank()) {
                    s.add(n.strip());
                }
            }
            if (s.isEmpty()) {
                throw new IllegalArgumentException("metrics.dropMetric needs at least one metric name, not '"
                        + names + "'");
            }
            parsed = Set.copyOf(s);
            cache(dropLists, names, parsed);
        }
        MetricEdits before = exchange.getProperty(MetricEdits.PROPERTY, MetricEdits.class);
        exchange.setProperty(MetricEdits.PROPERTY, MetricEdits.drop(before, parsed));
    }

    /**
     * Adds label {@code label}={@code labelValue} to every series (target_info included) of the
     * resources whose attribute {@code attribute} has the value {@code value}, e.g.
     * {@code addLabel('service.name', 'checkout', 'team', 'payments')}: body
     * ExportMetricsServiceRequest in, the same out; reads and writes the exchange property
     * {@value MetricEdits#PROPERTY}. The label is a Prometheus label name; it outranks a data
     * point attribute of the same name, while job, instance, the scope labels and the tenant
     * label outrank it. An invalid name fails the request (500) with the reason.
     */
    public void addLabel(String attribute, String value, String label, String labelValue, Exchange exchange) {
        String key = attribute + '\0' + value + '\0' + label + '\0' + labelValue;
        MetricEdits.StaticLabel parsed = labels.get(key);
        if (parsed == null) {
            if (attribute.isBlank()) {
                throw new IllegalArgumentException("metrics.addLabel needs a resource attribute to match");
            }
            if (label.startsWith("__") || !LABEL_NAME.matcher(label).matches()) {
                throw new IllegalArgumentException("metrics.addLabel: '" + label + "' is not a Prometheus label"
                        + " name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
            }
            if (labelValue.isEmpty()) {
                throw new IllegalArgumentException("metrics.addLabel: label '" + label + "' needs a value");
            }
            parsed = new MetricEdits.StaticLabel(attribute, value, label, labelValue);
            cache(labels, key, parsed);
        }
        MetricEdits before = exchange.getProperty(MetricEdits.PROPERTY, MetricEdits.class);
        exchange.setProperty(MetricEdits.PROPERTY, MetricEdits.label(before, parsed));
    }

    private static <V> void cache(Map<String, V> cache, String key, V value) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(key, value);
    }
}
