package dev.odin.series;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** All series that share one Prometheus metric name, type and help text. */
public final class MetricFamily {

    public enum Type { COUNTER, GAUGE, HISTOGRAM, SUMMARY, INFO }

    private final String name;
    private final Type type;
    private final String help;
    /** The OTLP metric name this family was made for; null for ODIN's own (probes). */
    private final String origin;
    /** The sample and family names this family occupies in the exposition. */
    final java.util.List<String> claims;
    final Map<LabelSet, Series> series = new ConcurrentHashMap<>();
    final AtomicInteger size = new AtomicInteger();
    volatile boolean retired;
    volatile long emptySinceMillis;

    MetricFamily(String name, Type type, String help, String origin, java.util.List<String> claims, long nowMillis) {
        this.name = name;
        this.type = type;
        this.help = help;
        this.origin = origin;
        this.claims = claims;
        this.emptySinceMillis = nowMillis;
    }

    /** The Prometheus name as exposed (counters include `_total`). */
    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String help() {
        return help;
    }

    public String origin() {
        return origin;
    }

    public int size() {
        return size.get();
    }

    public Series get(LabelSet labels) {
        return series.get(labels);
    }

    /**
     * The family's live series, a view for a scrape: unordered, weakly consistent (a series added
     * or removed while it is iterated may or may not be seen), never throws for concurrent change.
     */
    public java.util.Collection<Series> seriesView() {
        return java.util.Collections.unmodifiableCollection(series.values());
    }
}
