package dev.odin.exporter.prometheus;

import java.util.List;
import java.util.Set;

/**
 * What the metric steps of a route (bean {@code metrics}) ask of the translation of one request:
 * metrics to leave out and static labels to add. The steps only record it, in the exchange
 * property {@value #PROPERTY}; the translation applies it while it walks the request, so an
 * edit costs no rewrite of the protobuf message. Immutable: each step puts a new link in front of
 * the chain it found, and the last step's word counts first.
 */
public final class MetricEdits {

    /** The exchange property the metric steps write and the translation reads. */
    public static final String PROPERTY = "odinMetricEdits";

    private final MetricEdits previous;
    private final Set<String> dropped;
    private final StaticLabel label;

    /** A label (Prometheus name and value) for every series of the resources with attribute key = value. */
    public record StaticLabel(String attribute, String value, String name, String labelValue) {
    }

    private MetricEdits(MetricEdits previous, Set<String> dropped, StaticLabel label) {
        this.previous = previous;
        this.dropped = dropped;
        this.label = label;
    }

    /** These edits and then the given names dropped (OTLP metric names or exposed Prometheus names). */
    public static MetricEdits drop(MetricEdits previous, Set<String> names) {
        return new MetricEdits(previous, Set.copyOf(names), null);
    }

    /** These edits and then one static label. */
    public static MetricEdits label(MetricEdits previous, StaticLabel label) {
        return new MetricEdits(previous, null, label);
    }

    /** Whether a metric is dropped by its OTLP name or by its exposed Prometheus name (either may be null). */
    public boolean drops(String name) {
        if (name == null) {
            return false;
        }
        for (MetricEdits e = this; e != null; e = e.previous) {
            if (e.dropped != null && e.dropped.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any static label is asked for. */
    public boolean hasLabels() {
        for (MetricEdits e = this; e != null; e = e.previous) {
            if (e.label != null) {
                return true;
            }
        }
        return false;
    }

    /** The static labels, the last step's first. */
    public List<StaticLabel> labels() {
        java.util.ArrayList<StaticLabel> out = new java.util.ArrayList<>(2);
        for (MetricEdits e = this; e != null; e = e.previous) {
            if (e.label != null) {
                out.add(e.label);
            }
        }
        return out;
    }
}
