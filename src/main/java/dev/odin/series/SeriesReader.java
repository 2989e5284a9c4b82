package dev.odin.series;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;

/**
 * A read-only walk over every series in the store, for exporters that push what a scrape would
 * show (remote write): the same values, at the same moment semantics (a delta-born series held at
 * zero for its zero-first window reads as zero here too), without the exposition library's
 * snapshot types. Nothing in the store changes; each series is read under its own lock, one at
 * a time, so writers are held up no longer than by a scrape.
 */
public final class SeriesReader {

    /** What a walk is told, family by family; the series callbacks follow their family's. */
    public interface Visitor {
        /**
         * @param exposedName the family name as the exposition writes it (dots as '_'; counters
         *     and info metrics without their {@code _total}/{@code _info} suffix)
         * @return false to skip the family's series
         */
        boolean family(MetricFamily family, String exposedName);

        void counter(Series series, double value, long createdMillis);

        void gauge(Series series, double value);

        /**
         * An explicit-bucket histogram.
         *
         * @param upperBounds the buckets' upper bounds, the last one +Inf
         * @param counts per-bucket counts (not cumulative), one per bound
         * @param sum NaN when unknown
         */
        void histogram(Series series, double[] upperBounds, long[] counts, long count, double sum, long createdMillis);

        /**
         * An exponential (native) histogram with Prometheus' bucket indexes: bucket i covers
         * (base^(i-1), base^i], base = 2^(2^-schema).
         */
        void nativeHistogram(Series series, NativeReading reading, long createdMillis);

        void summary(Series series, double[] quantiles, double[] values, long count, double sum, long createdMillis);

        void info(Series series);

        /**
         * A series that cannot be read (its snapshot would be refused by the exposition library
         * too, so a scrape leaves it out as well); the walk goes on with the next one.
         */
        default void unreadable(MetricFamily family, Series series, RuntimeException cause) {
        }
    }

    /** One native histogram's state; indexes ascending, counts not cumulative, zero buckets left out. */
    public record NativeReading(int schema, double zeroThreshold, long zeroCount, long count, double sum,
            int[] positiveIndexes, long[] positiveCounts, int[] negativeIndexes, long[] negativeCounts) {
    }

    private SeriesReader() {
    }

    /** The exposed family name (see {@link Visitor#family}). */
    public static String exposedName(MetricFamily family) {
        return PrometheusNaming.prometheusName(SeriesCollector.snapshotName(family.type(), family.name()));
    }

    /**
     * Walks every family and series a scrape shows, in exposed-name order; a series with nothing to
     * show (no point yet) is left out. Of two families exposed under one name (http.requests and
     * http_requests) only the one a scrape keeps is walked: a receiver refuses a request that
     * holds one series twice at one timestamp, and with it every other sample in it.
     */
    public static void read(SeriesStore store, Visitor visitor) {
        long now = store.nowMillis();
        java.util.List<MetricFamily> families = new java.util.ArrayList<>(store.families());
        java.util.List<String> names = new java.util.ArrayList<>(families.size());
        Integer[] order = new Integer[families.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            names.add(exposedName(families.get(i)));
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparing(names::get)); // stable, as the scrape's
        String previous = null;
        for (Integer i : order) {
            MetricFamily f = families.get(i);
            String exposed = names.get(i);
            if (exposed.equals(previous)) {
                continue; // the scrape leaves it out too (and counts it there)
            }
            previous = exposed;
            if (!visitor.family(f, exposed)) {
                continue;
            }
            for (Series s : f.series.values()) {
                DataPointSnapshot p;
                try {
                    p = s.snapshot(now);
                } catch (RuntimeException e) {
                    visitor.unreadable(f, s, e);
                    continue;
                }
                if (p != null) {
                    visit(visitor, f.type(), s, p);
                }
            }
        }
    }

    private static void visit(Visitor v, MetricFamily.Type type, Series s, DataPointSnapshot p) {
        long created = p.hasCreatedTimestamp() ? p.getCreatedTimestampMillis() : 0;
        switch (type) {
            case COUNTER -> v.counter(s, ((CounterDataPointSnapshot) p).getValue(), created);
            case GAUGE -> v.gauge(s, ((GaugeDataPointSnapshot) p).getValue());
            case HISTOGRAM -> {
                HistogramDataPointSnapshot h = (HistogramDataPointSnapshot) p;
                double sum = h.hasSum() ? h.getSum() : Double.NaN;
                if (h.hasNativeHistogramData()) {
                    NativeHistogramBuckets pos = h.getNativeBucketsForPositiveValues();
                    NativeHistogramBuckets neg = h.getNativeBucketsForNegativeValues();
                    v.nativeHistogram(s, new NativeReading(h.getNativeSchema(), h.getNativeZeroThreshold(),
                            h.getNativeZeroCount(), h.getCount(), sum, indexes(pos), counts(pos), indexes(neg),
                            counts(neg)), created);
                } else {
                    ClassicHistogramBuckets b = h.getClassicBuckets();
                    double[] bounds = new double[b.size()];
                    long[] counts = new long[b.size()];
                    for (int i = 0; i < bounds.length; i++) {
                        bounds[i] = b.getUpperBound(i);
                        counts[i] = b.getCount(i);
                    }
                    v.histogram(s, bounds, counts, h.getCount(), sum, created);
                }
            }
            case SUMMARY -> {
                SummaryDataPointSnapshot sm = (SummaryDataPointSnapshot) p;
                Quantiles q = sm.getQuantiles();
                double[] qs = new double[q.size()];
                double[] vs = new double[q.size()];
                for (int i = 0; i < qs.length; i++) {
                    qs[i] = q.get(i).getQuantile();
                    vs[i] = q.get(i).getValue();
                }
                v.summary(s, qs, vs, sm.hasCount() ? sm.getCount() : 0, sm.hasSum() ? sm.getSum() : Double.NaN,
                        created);
            }
            case INFO -> v.info(s);
            default -> {
            }
        }
    }

    private static int[] indexes(NativeHistogramBuckets b) {
        int[] out = new int[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getBucketIndex(i);
        }
        return out;
    }

    private static long[] counts(NativeHistogramBuckets b) {
        long[] out = new long[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getCount(i);
        }
        return out;
    }
}
