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
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Exposes the series store through the Prometheus client registry that Micrometer scrapes, so
 * that text, OpenMetrics and protobuf come from the library by content negotiation. A family
 * whose name another collector already exposes (a JVM metric sent over OTLP, say) is left out
 * and counted rather than failing the whole scrape, and so is a family whose snapshot cannot be
 * built (logged once per name): one bad family never takes /metrics down for the others.
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

    /** Suffixes client_java appends to a family name to make its sample names. */
    static final List<String> SAMPLE_SUFFIXES = List.of("_total", "_created", "_bucket", "_count", "_sum", "_info",
            "_gcount", "_gsum");

    /**
     * The names a family occupies in the exposition, in Prometheus form (dots as '_', as the
     * writers put them): its family name and every sample name the text, OpenMetrics and protobuf
     * writers give it. Two families that share one of these would make a scrape carry a name twice
     * (client_java refuses duplicate family names outright; duplicate sample names break
     * Prometheus' parsers), so the store lets only the first have it.
     */
    public static List<String> exposedNames(MetricFamily.Type type, String name) {
        String base = PrometheusNaming.prometheusName(snapshotName(type, name));
        switch (type) {
            case COUNTER:
                return name.endsWith("_total") ? List.of(base, base + "_total", base + "_created") : List.of(base);
            case HISTOGRAM:
                return List.of(base, base + "_bucket", base + "_count", base + "_sum", base + "_created");
            case SUMMARY:
                return List.of(base, base + "_count", base + "_sum", base + "_created");
            case INFO:
                return List.of(base, base + "_info");
            default:
                return List.of(base);
        }
    }

    /** @return null when the name can be exposed, otherwise why not */
    public static String validateName(MetricFamily.Type type, String name) {
        return PrometheusNaming.validateMetricName(snapshotName(type, name));
    }

    /**
     * A family as a scrape exposes it: its snapshot name (no {@code _total}/{@code _info}) and
     * its Prometheus name (dots as '_'), by which families are ordered in the exposition.
     */
    public static final class Exposed {
        private final MetricFamily family;
        private final String snapshotName;
        private final String prometheusName;

        Exposed(MetricFamily family, String snapshotName) {
            this.family = family;
            this.snapshotName = snapshotName;
            this.prometheusName = PrometheusNaming.prometheusName(snapshotName);
        }

        public MetricFamily family() {
            return family;
        }

        public String snapshotName() {
            return snapshotName;
        }

        public String prometheusName() {
            return prometheusName;
        }

        /** A counter whose name lacks {@code _total} (naming without suffixes): exposed untyped. */
        public boolean untyped() {
            return family.type() == MetricFamily.Type.COUNTER && !family.name().endsWith("_total");
        }

        /** The help text as the writers take it: null when there is none. */
        public String help() {
            return family.help() == null || family.help().isEmpty() ? null : family.help();
        }
    }

    /**
     * The families a scrape exposes, ordered by Prometheus name as client_java's MetricSnapshots
     * orders them; a family whose name another collector exposes is left out and counted, as is the
     * second of two families exposed alike. Families without a series are included (a writer skips
     * a family none of whose series has a point).
     *
     * @param included by Prometheus name; null: all
     */
    public List<Exposed> exposed(Predicate<String> included) {
        Set<String> taken = namesTakenElsewhere.get();
        List<Exposed> out = new ArrayList<>(store.familyCount());
        for (MetricFamily f : store.families()) {
            String name = snapshotName(f.type(), f.name());
            Exposed e = new Exposed(f, name);
            if (included != null && !included.test(e.prometheusName)) {
                continue;
            }
            if (taken.contains(name) || taken.contains(e.prometheusName)) {
                store.nameConflict(f.name(), "another collector on the registry exposes the same name");
                continue;
            }
            out.add(e);
        }
        out.sort(Comparator.comparing(Exposed::prometheusName));
        List<Exposed> unique = new ArrayList<>(out.size());
        for (Exposed e : out) {
            if (!unique.isEmpty() && unique.get(unique.size() - 1).prometheusName.equals(e.prometheusName)) {
                store.familyDropped(e.family.name(), new IllegalStateException(
                        "another family is exposed as " + e.prometheusName));
                continue;
            }
            unique.add(e);
        }
        return unique;
    }

    /**
     * The client_java snapshot of one family (what {@link #collect()} holds for it), for a writer
     * that cannot stream the family itself.
     *
     * @return null when no series has a point
     * @throws RuntimeException when client_java refuses the family's content
     */
    public MetricSnapshot snapshot(Exposed e) {
        return snapshot(e.family, e.snapshotName, store.nowMillis());
    }

    /** A family left out of a scrape: counted every time, logged once per name. */
    public void dropped(Exposed e, RuntimeException cause) {
        store.familyDropped(e.family.name(), cause);
    }

    public long nowMillis() {
        return store.nowMillis();
    }

    @Override
    public MetricSnapshots collect() {
        return collect((Predicate<String>) null);
    }

    /** Builds only the snapshots of the families whose Prometheus names are included. */
    @Override
    public MetricSnapshots collect(Predicate<String> includedNames) {
        long now = store.nowMillis();
        List<MetricSnapshot> out = new ArrayList<>(store.familyCount());
        Set<String> written = new HashSet<>();
        Set<String> taken = namesTakenElsewhere.get();
        for (MetricFamily f : store.families()) {
            String name = snapshotName(f.type(), f.name());
            String exposed = PrometheusNaming.prometheusName(name);
            if (includedNames != null && !includedNames.test(exposed)) {
                continue;
            }
            if (taken.contains(name) || taken.contains(exposed)) {
                store.nameConflict(f.name(), "another collector on the registry exposes the same name");
                continue;
            }
            MetricSnapshot snapshot;
            try {
                snapshot = snapshot(f, name, now);
            } catch (RuntimeException e) {
                // everything client_java would refuse is refused at ingest; this is for what was
                // not foreseen: that family is left out, the rest of the scrape is served
                store.familyDropped(f.name(), e);
                continue;
            }
            if (snapshot != null) {
                if (!written.add(snapshot.getMetadata().getPrometheusName())) {
                    store.familyDropped(f.name(), new IllegalStateException(
                            "another family is exposed as " + snapshot.getMetadata().getPrometheusName()));
                    continue;
                }
                out.add(snapshot);
            }
        }
        return new MetricSnapshots(out);
    }

    @Override
    public MetricSnapshots collect(Predicate<String> includedNames, PrometheusScrapeRequest scrapeRequest) {
        return collect(includedNames);
    }

    /**
     * Checks of what the writers (not the snapshot constructors) would fail on: a native-only
     * histogram is written in text as one +Inf bucket of its count, which must not be negative.
     */
    private static void checkWritable(MetricSnapshot snapshot) {
        if (snapshot instanceof HistogramSnapshot) {
            for (HistogramSnapshot.HistogramDataPointSnapshot p : ((HistogramSnapshot) snapshot).getDataPoints()) {
                if (p.getCount() < 0) {
                    throw new IllegalStateException("histogram count " + p.getCount() + " overflowed");
                }
            }
        }
    }

    private static MetricSnapshot snapshot(MetricFamily f, String name, long nowMillis) {
        List<DataPointSnapshot> points = new ArrayList<>(f.size());
        for (Series s : f.series.values()) {
            DataPointSnapshot p = s.snapshot(nowMillis);
            if (p != null) {
                points.add(p);
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        String help = f.help() == null || f.help().isEmpty() ? null : f.help();
        MetricMetadata meta = new MetricMetadata(name, help);
        MetricSnapshot snapshot = typed(f, meta, points);
        if (snapshot != null) {
            checkWritable(snapshot);
        }
        return snapshot;
    }

    private static MetricSnapshot typed(MetricFamily f, MetricMetadata meta, List<DataPointSnapshot> points) {
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
