package dev.odin.series;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Exposes the series store through the Prometheus client registry that Micrometer scrapes, so
 * that text, OpenMetrics and protobuf come from the library by content negotiation. A family
 * whose name another collector already exposes (a JVM metric sent over OTLP, say) is left out
 * and counted rather than failing the whole scrape.
 */
public final class SeriesCollector implements MultiCollector {

    private final SeriesStore store;
    private final Supplier<Set<String>> namesTakenElsewhere;

    /**
     * @param namesTakenElsewhere snapshot names (no `_total`/`_info` suffix) that other
     *     collectors on the same registry expose
     */
    public SeriesCollector(SeriesStore store, Supplier<Set<String>> namesTakenElsewhere) {
        this.store = store;
        this.namesTakenElsewhere = namesTakenElsewhere;
    }

    /** The name a client_java snapshot carries: counters and info metrics without their suffix. */
    public static String snapshotName(MetricFamily.Type type, String name) {
        if (type == MetricFamily.Type.COUNTER && name.endsWith("_total")) {
            return name.substring(0, name.length() - "_total".length());
        }
        if (type == MetricFamily.Type.INFO && name.endsWith("_info")) {
            return name.substring(0, name.length() - "_info".length());
        }
        return name;
    }

    /** @return null when the name can be exposed, otherwise why not */
    public static String validateName(MetricFamily.Type type, String name) {
        return PrometheusNaming.validateMetricName(snapshotName(type, name));
    }

    @Override
    public MetricSnapshots collect() {
        Set<String> taken = namesTakenElsewhere.get();
        List<MetricSnapshot> out = new ArrayList<>(store.familyCount());
        for (MetricFamily f : store.families()) {
            String name = snapshotName(f.type(), f.name());
            if (taken.contains(name)) {
                store.nameConflict(f.name(), "another collector on the registry exposes the same name");
                continue;
            }
            MetricSnapshot snapshot = snapshot(f, name);
            if (snapshot != null) {
                out.add(snapshot);
            }
        }
        return new MetricSnapshots(out);
    }

    private static MetricSnapshot snapshot(MetricFamily f, String name) {
        List<DataPointSnapshot> points = new ArrayList<>(f.size());
        for (Series s : f.series.values()) {
            DataPointSnapshot p = s.snapshot();
            if (p != null) {
                points.add(p);
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        String help = f.help() == null || f.help().isEmpty() ? null : f.help();
        MetricMetadata meta = new MetricMetadata(name, help);
        switch (f.type()) {
            case COUNTER:
                if (!f.name().endsWith("_total")) {
                    // naming without suffixes: client_java always writes counters with _total, so
                    // such a counter is exposed untyped under its exact name
                    List<UnknownDataPointSnapshot> unknown = new ArrayList<>(points.size());
                    for (DataPointSnapshot p : points) {
                        CounterDataPointSnapshot c = (CounterDataPointSnapshot) p;
                        unknown.add(new UnknownDataPointSnapshot(c.getValue(), c.getLabels(), c.getExemplar()));
                    }
                    return new UnknownSnapshot(meta, unknown);
                }
                return new CounterSnapshot(meta, cast(points));
            case GAUGE:
                return new GaugeSnapshot(meta, cast(points));
            case HISTOGRAM:
                return new HistogramSnapshot(meta, cast(points));
            case SUMMARY:
                return new SummarySnapshot(meta, cast(points));
            case INFO:
                return new InfoSnapshot(meta, cast(points));
            default:
                return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<DataPointSnapshot> points) {
        return (List<T>) points;
    }
}
