package dev.odin.series;

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;

/**
 * A monotonic sum. Cumulative points replace the value (newest wins); delta points are added
 * into a running total that starts at the first point's start time. A series born from a delta
 * is exposed at 0 for its first scrape ("zero first") so that rate() and increase() see the
 * first increment too.
 */
public final class CounterSeries extends Series {

    private double value;
    private long startNanos;
    private long timeNanos = Long.MIN_VALUE;
    private boolean pendingZero;
    private Exemplar exemplar;
    private SourceTracker<double[]> sources;

    CounterSeries(LabelSet labels, long nowMillis) {
        super(labels, nowMillis);
    }

    public static CounterSeries create(LabelSet labels, long nowMillis) {
        return new CounterSeries(labels, nowMillis);
    }

    /** Called once by the store right after creation, before the series is visible to scrapes. */
    void exposeZeroFirst() {
        pendingZero = true;
    }

    public synchronized void addDelta(double delta, long pointStartNanos, long pointTimeNanos, Exemplar ex) {
        if (timeNanos == Long.MIN_VALUE) {
            startNanos = pointStartNanos;
        }
        value += delta;
        timeNanos = Math.max(timeNanos, pointTimeNanos);
        if (ex != null) {
            exemplar = ex;
        }
    }

    public synchronized UpdateResult setCumulative(double v, long pointStartNanos, long pointTimeNanos, Exemplar ex) {
        if (pointTimeNanos < timeNanos) {
            return UpdateResult.OUT_OF_ORDER;
        }
        value = v;
        startNanos = pointStartNanos;
        timeNanos = pointTimeNanos;
        if (ex != null) {
            exemplar = ex;
        }
        return UpdateResult.APPLIED;
    }

    /**
     * Adds one cumulative source's increment since its last reading into this merged series.
     */
    public synchronized UpdateResult addCumulativeSource(long sourceKey, double v, long pointStartNanos,
            long pointTimeNanos, long nowMillis, int maxSources, Exemplar ex) {
        if (sources == null) {
            sources = new SourceTracker<>(maxSources);
            startNanos = pointStartNanos;
        }
        SourceTracker.Source<double[]> s = sources.source(sourceKey);
        if (s == null) {
            return UpdateResult.SOURCE_LIMIT;
        }
        double increment;
        if (s.last == null) {
            s.last = new double[1];
            increment = v;
        } else if (pointTimeNanos <= s.timeNanos) {
            return UpdateResult.OUT_OF_ORDER;
        } else if (pointStartNanos != s.startNanos || v < s.last[0]) {
            increment = v; // the source restarted: all of its value is new
        } else {
            increment = v - s.last[0];
        }
        s.last[0] = v;
        s.startNanos = pointStartNanos;
        s.timeNanos = pointTimeNanos;
        s.seenMillis = nowMillis;
        value += increment;
        timeNanos = Math.max(timeNanos, pointTimeNanos);
        if (ex != null) {
            exemplar = ex;
        }
        return UpdateResult.APPLIED;
    }

    @Override
    synchronized void expireSources(long cutoffMillis) {
        if (sources != null) {
            sources.expire(cutoffMillis);
        }
    }

    public synchronized double value() {
        return value;
    }

    @Override
    synchronized CounterDataPointSnapshot snapshot() {
        long created = nanosToMillis(startNanos);
        if (pendingZero) {
            pendingZero = false;
            return new CounterDataPointSnapshot(0, prometheusLabels(), null, created);
        }
        return new CounterDataPointSnapshot(value, prometheusLabels(), exemplar, created);
    }
}
