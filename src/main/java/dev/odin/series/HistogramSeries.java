package dev.odin.series;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An explicit-bucket histogram. Cumulative points replace the state (newest wins); delta points
 * are merged bucket by bucket while the bounds stay the same, and a change of bounds starts a
 * new total; a delta point already applied (same source, start and end) is not merged again.
 * Delta-born series are exposed empty for the zero-first window, like counters.
 */
public final class HistogramSeries extends Series {

    /** One reading: bounds without +Inf, per-bucket (not cumulative) counts, one more than bounds. */
    public static final class Reading {
        final double[] bounds;
        final long[] counts;
        final double sum;

        public Reading(double[] bounds, long[] counts, double sum) {
            this.bounds = bounds;
            this.counts = counts;
            this.sum = sum;
        }
    }

    private double[] bounds = new double[0];
    private long[] counts = new long[] {0};
    private double sum = Double.NaN;
    private long startNanos;
    private long timeNanos = Long.MIN_VALUE;
    /** Until this store time (ms) the series is exposed empty; Long.MIN_VALUE: not held. */
    private long zeroUntilMillis = Long.MIN_VALUE;
    private AppliedDeltas applied;
    private Exemplar[] exemplars;
    private SourceTracker<Reading> sources;

    HistogramSeries(LabelSet labels, long nowMillis) {
        super(labels, nowMillis);
    }

    public static HistogramSeries create(LabelSet labels, long nowMillis) {
        return new HistogramSeries(labels, nowMillis);
    }

    void exposeZeroUntil(long untilMillis) {
        zeroUntilMillis = untilMillis;
    }

    /**
     * Merges a delta point unless this series already applied one from the same source with the
     * same start and end (a re-sent point): that one is acknowledged, not merged again.
     *
     * @param sourceKey which writer of a merged series the point comes from (one value otherwise)
     */
    public synchronized UpdateResult addDelta(long sourceKey, Reading r, long pointStartNanos, long pointTimeNanos,
            Exemplar[] ex) {
        if (applied != null && applied.contains(sourceKey, pointStartNanos, pointTimeNanos)) {
            return UpdateResult.DUPLICATE;
        }
        UpdateResult result = merge(r, pointStartNanos, pointTimeNanos, ex);
        if (result == UpdateResult.APPLIED) {
            if (applied == null) {
                applied = new AppliedDeltas();
            }
            applied.add(sourceKey, pointStartNanos, pointTimeNanos);
        }
        return result;
    }

    private UpdateResult merge(Reading r, long pointStartNanos, long pointTimeNanos, Exemplar[] ex) {
        if (timeNanos == Long.MIN_VALUE || !Arrays.equals(bounds, r.bounds)) {
            replace(r, pointStartNanos);
        } else {
            long[] next = new long[counts.length];
            long total = 0;
            try {
                for (int i = 0; i < counts.length; i++) {
                    next[i] = Math.addExact(counts[i], r.counts[i]);
                    total = Math.addExact(total, next[i]);
                }
            } catch (ArithmeticException e) {
                return UpdateResult.OVERFLOW;
            }
            counts = next;
            sum = addSums(sum, r.sum);
        }
        timeNanos = Math.max(timeNanos, pointTimeNanos);
        keepExemplars(ex);
        return UpdateResult.APPLIED;
    }

    public synchronized UpdateResult setCumulative(Reading r, long pointStartNanos, long pointTimeNanos, Exemplar[] ex) {
        if (pointTimeNanos < timeNanos) {
            return UpdateResult.OUT_OF_ORDER;
        }
        replace(r, pointStartNanos);
        timeNanos = pointTimeNanos;
        keepExemplars(ex);
        return UpdateResult.APPLIED;
    }

    public synchronized UpdateResult addCumulativeSource(long sourceKey, Reading r, long pointStartNanos,
            long pointTimeNanos, long nowMillis, int maxSources, Exemplar[] ex) {
        if (sources == null) {
            sources = new SourceTracker<>(maxSources);
        }
        SourceTracker.Source<Reading> s = sources.source(sourceKey);
        if (s == null) {
            return UpdateResult.SOURCE_LIMIT;
        }
        if (s.last != null && pointTimeNanos <= s.timeNanos) {
            return UpdateResult.OUT_OF_ORDER;
        }
        Reading increment = r;
        if (s.last != null && s.startNanos == pointStartNanos && Arrays.equals(s.last.bounds, r.bounds)
                && notLower(r.counts, s.last.counts)) {
            long[] diff = new long[r.counts.length];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = r.counts[i] - s.last.counts[i];
            }
            increment = new Reading(r.bounds, diff, r.sum - s.last.sum);
        }
        UpdateResult merged = merge(increment, pointStartNanos, pointTimeNanos, ex);
        if (merged != UpdateResult.APPLIED) {
            return merged;
        }
        s.last = r;
        s.startNanos = pointStartNanos;
        s.timeNanos = pointTimeNanos;
        s.seenMillis = nowMillis;
        return UpdateResult.APPLIED;
    }

    private static boolean notLower(long[] now, long[] before) {
        for (int i = 0; i < now.length; i++) {
            if (now[i] < before[i]) {
                return false;
            }
        }
        return true;
    }

    private static double addSums(double a, double b) {
        if (Double.isNaN(a)) {
            return b;
        }
        return Double.isNaN(b) ? a : a + b;
    }

    private void replace(Reading r, long pointStartNanos) {
        bounds = r.bounds;
        counts = r.counts.clone();
        sum = r.sum;
        startNanos = pointStartNanos;
        exemplars = null;
    }

    private void keepExemplars(Exemplar[] ex) {
        if (ex == null) {
            return;
        }
        if (exemplars == null || exemplars.length != counts.length) {
            exemplars = new Exemplar[counts.length];
        }
        // one exemplar per bucket: the newest that falls into it
        for (Exemplar e : ex) {
            int idx = Arrays.binarySearch(bounds, e.getValue());
            int bucket = idx >= 0 ? idx : -idx - 1;
            exemplars[bucket] = e;
        }
    }

    @Override
    public synchronized boolean read(Point p, long nowMillis) {
        p.clear();
        p.bounds = bounds;
        p.createdMillis = nanosToMillis(startNanos);
        if (nowMillis < zeroUntilMillis) {
            p.zeroHeld = true;
            p.sum = 0;
            return true;
        }
        p.counts = counts;
        p.sum = sum;
        p.bucketExemplars = exemplars == null ? null : exemplars.clone();
        return true;
    }

    @Override
    synchronized HistogramDataPointSnapshot snapshot(long nowMillis) {
        double[] upper = Arrays.copyOf(bounds, bounds.length + 1);
        upper[bounds.length] = Double.POSITIVE_INFINITY;
        long created = nanosToMillis(startNanos);
        if (nowMillis < zeroUntilMillis) {
            return new HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(upper, new long[upper.length]), 0, prometheusLabels(),
                    Exemplars.EMPTY, created);
        }
        Exemplars ex = Exemplars.EMPTY;
        if (exemplars != null) {
            List<Exemplar> list = new ArrayList<>(exemplars.length);
            for (Exemplar e : exemplars) {
                if (e != null) {
                    list.add(e);
                }
            }
            ex = Exemplars.of(list);
        }
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(upper, counts), sum, prometheusLabels(),
                ex, created);
    }
}
