package dev.odin.series;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * An OTLP exponential histogram, exposed as a Prometheus native histogram (the OTLP scale is the
 * native schema; OTLP bucket i is native bucket i+1). Deltas merge at the coarser of the two
 * scales; a change of zero threshold starts a new total; a delta point already applied (same
 * source, start and end) is not merged again; delta-born series are exposed empty for the
 * zero-first window. Scales above 8, the finest Prometheus
 * accepts, are reduced to 8 on the way in.
 */
public final class ExponentialHistogramSeries extends Series {

    public static final int MAX_SCALE = 8;
    public static final int MIN_SCALE = -4;
    private static final int MAX_EXEMPLARS = 10;
    /** The most buckets one side of a series spans; wider readings are held at a coarser scale. */
    public static final int MAX_SPAN = 4096;

    /** One reading, already at a scale within [MIN_SCALE, MAX_SCALE]. */
    public static final class Reading {
        final int scale;
        final double zeroThreshold;
        final long zeroCount;
        final ExponentialBuckets positive;
        final ExponentialBuckets negative;
        final double sum;

        /**
         * @throws ArithmeticException when reducing the resolution would push a count past 2^63 - 1
         */
        public Reading(int scale, double zeroThreshold, long zeroCount, ExponentialBuckets positive,
                ExponentialBuckets negative, double sum) {
            int by = Math.max(0, scale - MAX_SCALE);
            // a reading spread over more than MAX_SPAN buckets is held at a coarser resolution
            while (scale - by > MIN_SCALE && (positive.span(by) > MAX_SPAN || negative.span(by) > MAX_SPAN)) {
                by++;
            }
            this.scale = scale - by;
            this.zeroThreshold = zeroThreshold;
            this.zeroCount = zeroCount;
            this.positive = positive.downscale(by);
            this.negative = negative.downscale(by);
            this.sum = sum;
        }

        /** @throws ArithmeticException when the count passes 2^63 - 1 */
        public long count() {
            return Math.addExact(zeroCount, Math.addExact(positive.total(), negative.total()));
        }

        Reading atScale(int target) {
            if (target == scale) {
                return this;
            }
            int by = scale - target;
            return new Reading(target, zeroThreshold, zeroCount, positive.downscale(by), negative.downscale(by), sum);
        }

        /** @throws ArithmeticException when a count would pass 2^63 - 1 */
        Reading combine(Reading other, int sign) {
            int target = Math.min(scale, other.scale);
            Reading a = atScale(target);
            Reading b = other.atScale(target);
            // the merged buckets must fit MAX_SPAN too: coarser until they do
            while (target > MIN_SCALE && (ExponentialBuckets.span(a.positive, b.positive) > MAX_SPAN
                    || ExponentialBuckets.span(a.negative, b.negative) > MAX_SPAN)) {
                target--;
                a = a.atScale(target);
                b = b.atScale(target);
            }
            double s = Double.isNaN(a.sum) ? b.sum : Double.isNaN(b.sum) ? a.sum : a.sum + sign * b.sum;
            return new Reading(target, zeroThreshold, Math.addExact(a.zeroCount, sign * b.zeroCount),
                    a.positive.combine(b.positive, sign), a.negative.combine(b.negative, sign), s);
        }

        boolean notLowerThan(Reading before) {
            int target = Math.min(scale, before.scale);
            Reading a = atScale(target);
            Reading b = before.atScale(target);
            return a.zeroCount >= b.zeroCount && a.positive.notLowerThan(b.positive)
                    && a.negative.notLowerThan(b.negative);
        }
    }

    private Reading state;
    private long startNanos;
    private long timeNanos = Long.MIN_VALUE;
    /** Until this store time (ms) the series is exposed empty; Long.MIN_VALUE: not held. */
    private long zeroUntilMillis = Long.MIN_VALUE;
    private AppliedDeltas applied;
    /** Made with the first exemplar: most series never carry one. */
    private ArrayDeque<Exemplar> exemplars;
    private SourceTracker<Reading> sources;

    ExponentialHistogramSeries(LabelSet labels, long nowMillis) {
        super(labels, nowMillis);
    }

    public static ExponentialHistogramSeries create(LabelSet labels, long nowMillis) {
        return new ExponentialHistogramSeries(labels, nowMillis);
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
        if (state == null || state.zeroThreshold != r.zeroThreshold) {
            state = r;
            startNanos = pointStartNanos;
        } else {
            try {
                Reading next = state.combine(r, 1);
                next.count();
                state = next;
            } catch (ArithmeticException e) {
                return UpdateResult.OVERFLOW;
            }
        }
        timeNanos = Math.max(timeNanos, pointTimeNanos);
        keepExemplars(ex);
        return UpdateResult.APPLIED;
    }

    public synchronized UpdateResult setCumulative(Reading r, long pointStartNanos, long pointTimeNanos, Exemplar[] ex) {
        if (pointTimeNanos < timeNanos) {
            return UpdateResult.OUT_OF_ORDER;
        }
        state = r;
        startNanos = pointStartNanos;
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
        try {
            if (s.last != null && s.startNanos == pointStartNanos && s.last.zeroThreshold == r.zeroThreshold
                    && r.notLowerThan(s.last)) {
                increment = r.combine(s.last, -1);
            }
        } catch (ArithmeticException e) {
            return UpdateResult.OVERFLOW;
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

    private void keepExemplars(Exemplar[] ex) {
        if (ex == null || ex.length == 0) {
            return;
        }
        if (exemplars == null) {
            exemplars = new ArrayDeque<>(MAX_EXEMPLARS);
        }
        for (Exemplar e : ex) {
            if (exemplars.size() == MAX_EXEMPLARS) {
                exemplars.removeFirst();
            }
            exemplars.addLast(e);
        }
    }

    @Override
    public synchronized boolean read(Point p, long nowMillis) {
        p.clear();
        if (state == null) {
            return false;
        }
        p.createdMillis = nanosToMillis(startNanos);
        p.scale = state.scale;
        p.zeroThreshold = state.zeroThreshold;
        if (nowMillis < zeroUntilMillis) {
            p.zeroHeld = true;
            p.sum = 0;
            p.positive = ExponentialBuckets.EMPTY;
            p.negative = ExponentialBuckets.EMPTY;
            return true;
        }
        p.count = state.zeroCount;
        p.positive = state.positive;
        p.negative = state.negative;
        p.sum = state.sum;
        p.exemplars = exemplars == null || exemplars.isEmpty() ? NO_EXEMPLARS : exemplars.toArray(NO_EXEMPLARS);
        return true;
    }

    private static final Exemplar[] NO_EXEMPLARS = new Exemplar[0];

    @Override
    synchronized HistogramDataPointSnapshot snapshot(long nowMillis) {
        if (state == null) {
            return null;
        }
        long created = nanosToMillis(startNanos);
        if (nowMillis < zeroUntilMillis) {
            return new HistogramDataPointSnapshot(ClassicHistogramBuckets.EMPTY, state.scale, 0,
                    state.zeroThreshold, NativeHistogramBuckets.EMPTY, NativeHistogramBuckets.EMPTY, 0,
                    prometheusLabels(), Exemplars.EMPTY, created);
        }
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.EMPTY, state.scale, state.zeroCount,
                state.zeroThreshold, nativeBuckets(state.positive), nativeBuckets(state.negative), state.sum,
                prometheusLabels(), exemplars == null ? Exemplars.EMPTY : Exemplars.of(new ArrayList<>(exemplars)), created);
    }

    /** OTLP bucket i covers (base^i, base^(i+1)]; Prometheus bucket i covers (base^(i-1), base^i]. */
    private static NativeHistogramBuckets nativeBuckets(ExponentialBuckets b) {
        int n = 0;
        for (long c : b.counts) {
            if (c != 0) {
                n++;
            }
        }
        int[] idx = new int[n];
        long[] cnt = new long[n];
        int j = 0;
        for (int i = 0; i < b.counts.length; i++) {
            if (b.counts[i] != 0) {
                idx[j] = b.offset + i + 1;
                cnt[j] = b.counts[i];
                j++;
            }
        }
        return NativeHistogramBuckets.of(idx, cnt);
    }
}
