package dev.odin.series;

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;

/**
 * A monotonic sum. Cumulative points replace the value (newest wins); delta points are added
 * into a running total that starts at the first point's start time; a delta point already
 * applied (same source, start and end) is not added again. A series born from a delta is exposed
 * at 0 until a time after its creation ("zero first", odin.metrics.zero-first-window), whoever
 * scrapes meanwhile, so that rate() and increase() of every scraper see the first increment too.
 */
public final class CounterSeries extends Series {

    private double value;
    private long startNanos;
    private long timeNanos = Long.MIN_VALUE;
    /** Until this store time (ms) the series is exposed at 0; Long.MIN_VALUE: not held. */
    private long zeroUntilMillis = Long.MIN_VALUE;
    private AppliedDeltas applied;
    private Exemplar exemplar;
    private SourceTracker<double[]> sources;

    CounterSeries(LabelSet labels, long nowMillis) {
        super(labels, nowMillis);
    }

    public static CounterSeries create(LabelSet labels, long nowMillis) {
        return new CounterSeries(labels, nowMillis);
    }

    /** Called once by the store right after creation, before the series is visible to scrapes. */
    void exposeZeroUntil(long untilMillis) {
        zeroUntilMillis = untilMillis;
    }

    /**
     * Adds a delta point unless this series already applied one from the same source with the same
     * start and end (a re-sent point): that one is acknowledged, not added again.
     *
     * @param sourceKey which writer of a merged series the point comes from (one value otherwise)
     * @return APPLIED, or DUPLICATE when the point was applied before
     */
    public synchronized UpdateResult addDelta(long sourceKey, double delta, long pointStartNanos, long pointTimeNanos,
            Exemplar ex) {
        if (applied == null) {
            applied = new AppliedDeltas();
        } else if (applied.contains(sourceKey, pointStartNanos, pointTimeNanos)) {
            return UpdateResult.DUPLICATE;
        }
        applied.add(sourceKey, pointStartNanos, pointTimeNanos);
        if (timeNanos == Long.MIN_VALUE) {
            startNanos = pointStartNanos;
        }
        value += delta;
        timeNanos = Math.max(timeNanos, pointTimeNanos);
        if (ex != null) {
            exemplar = ex;
        }
        return UpdateResult.APPLIED;
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
    public synchronized boolean read(Point p, long nowMillis) {
        p.clear();
        p.createdMillis = nanosToMillis(startNanos);
        if (nowMillis >= zeroUntilMillis) {
            p.value = value;
            p.exemplar = exemplar;
        }
        return true;
    }

    @Override
    synchronized CounterDataPointSnapshot snapshot(long nowMillis) {
        long created = nanosToMillis(startNanos);
        if (nowMillis < zeroUntilMillis) {
            return new CounterDataPointSnapshot(0, prometheusLabels(), null, created);
        }
        return new CounterDataPointSnapshot(value, prometheusLabels(), exemplar, created);
    }
}
