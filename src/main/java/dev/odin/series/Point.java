package dev.odin.series;

import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Quantiles;

/**
 * What one series exposes at a scrape, copied out under the series' lock by
 * {@link Series#read(Point, long)} so that the exposition is written without holding it. One
 * instance is reused for every series of a scrape: a streamed scrape allocates no object per
 * series. The arrays it points at (histogram bounds and counts, exponential buckets) are never
 * mutated once a series holds them (a merge makes new ones), so they are shared, not copied.
 * Not thread-safe.
 */
public final class Point {

    /** Counter or gauge value; unused for the other types. */
    double value;
    /** Start time of a counter, histogram or summary in ms; 0: unknown (no {@code _created}). */
    long createdMillis;
    /** A counter's exemplar; null: none. */
    Exemplar exemplar;
    /** Classic histogram: upper bounds without +Inf, and per-bucket counts (one more than bounds). */
    double[] bounds;
    long[] counts;
    /** Classic histogram: the exemplar kept per bucket (may hold nulls), or null. Copied. */
    Exemplar[] bucketExemplars;
    /** Histogram or summary sum; NaN: none. */
    double sum;
    /** Summary count; exponential histogram: zero count. */
    long count;
    Quantiles quantiles;
    /** Exponential histogram (native): schema, zero threshold, OTLP buckets, exemplars (oldest first). */
    int scale;
    double zeroThreshold;
    ExponentialBuckets positive;
    ExponentialBuckets negative;
    Exemplar[] exemplars;
    /** Exponential histogram held at zero (zero-first window): no buckets, count and sum 0. */
    boolean zeroHeld;

    /** The series could not copy out its state: write it from its snapshot. */
    boolean opaque;

    /** True when the series could not copy out its state (write its family from the snapshot). */
    public boolean opaque() {
        return opaque;
    }

    void clear() {
        opaque = false;
        value = 0;
        createdMillis = 0;
        exemplar = null;
        bounds = null;
        counts = null;
        bucketExemplars = null;
        sum = Double.NaN;
        count = 0;
        quantiles = null;
        scale = 0;
        zeroThreshold = 0;
        positive = null;
        negative = null;
        exemplars = null;
        zeroHeld = false;
    }

    public double value() {
        return value;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public Exemplar exemplar() {
        return exemplar;
    }

    public double[] bounds() {
        return bounds;
    }

    public long[] counts() {
        return counts;
    }

    public Exemplar[] bucketExemplars() {
        return bucketExemplars;
    }

    public double sum() {
        return sum;
    }

    public long count() {
        return count;
    }

    public Quantiles quantiles() {
        return quantiles;
    }

    public int scale() {
        return scale;
    }

    public double zeroThreshold() {
        return zeroThreshold;
    }

    public boolean zeroHeld() {
        return zeroHeld;
    }

    /** Exponential histogram: zero count plus every bucket's; negative when it overflowed. */
    public long nativeCount() {
        if (zeroHeld) {
            return 0;
        }
        long c = count;
        for (long v : negative.counts) {
            c += v;
        }
        for (long v : positive.counts) {
            c += v;
        }
        return c;
    }

    /** Exponential histogram: true when no bucket count is negative. */
    public boolean nativeCountsValid() {
        if (zeroHeld) {
            return true;
        }
        if (count < 0) {
            return false;
        }
        for (long v : negative.counts) {
            if (v < 0) {
                return false;
            }
        }
        for (long v : positive.counts) {
            if (v < 0) {
                return false;
            }
        }
        return true;
    }

    public Exemplar[] exemplars() {
        return exemplars;
    }

    /** Exponential histogram: the positive buckets (empty while held at zero). */
    public ExponentialBuckets positive() {
        return positive;
    }

    /** Exponential histogram: the negative buckets (empty while held at zero). */
    public ExponentialBuckets negative() {
        return negative;
    }
}
