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
    final Map<LabelSet, Series> series = new ConcurrentHashMap<>();
    final AtomicInteger size = new AtomicInteger();
    volatile boolean retired;
    volatile long emptySinceMillis;

    MetricFamily(String name, Type type, String help, long nowMillis) {
        this.name = name;
        this.type = type;
        this.help = help;
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

    public int size() {
        return size.get();
    }

    public Series get(LabelSet labels) {
        return series.get(labels);
    }
}
