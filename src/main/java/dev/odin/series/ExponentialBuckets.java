package dev.odin.series;

import java.util.Arrays;

/**
 * A dense run of exponential-histogram buckets: counts[i] belongs to OTLP bucket index
 * offset + i, which covers (base^(offset+i), base^(offset+i+1)] with base = 2^(2^-scale).
 * Immutable.
 */
public final class ExponentialBuckets {

    public static final ExponentialBuckets EMPTY = new ExponentialBuckets(0, new long[0]);

    final int offset;
    final long[] counts;

    public ExponentialBuckets(int offset, long[] counts) {
        this.offset = offset;
        this.counts = counts;
    }

    /** The OTLP index of the first bucket. */
    public int offset() {
        return offset;
    }

    /** How many buckets the run covers (zero counts included). */
    public int length() {
        return counts.length;
    }

    /** The count of the run's i-th bucket, OTLP index offset() + i. */
    public long count(int i) {
        return counts[i];
    }

    /** @throws ArithmeticException when the total passes 2^63 - 1 */
    long total() {
        long t = 0;
        for (long c : counts) {
            t = Math.addExact(t, c);
        }
        return t;
    }

    /** How many buckets this covers once its resolution is halved {@code by} times. */
    long span(int by) {
        if (counts.length == 0) {
            return 0;
        }
        return (((long) offset + counts.length - 1) >> by) - ((long) offset >> by) + 1;
    }

    /** How many buckets the two together cover (both at the same scale). */
    static long span(ExponentialBuckets a, ExponentialBuckets b) {
        if (a.counts.length == 0) {
            return b.span(0);
        }
        if (b.counts.length == 0) {
            return a.span(0);
        }
        long lo = Math.min(a.offset, b.offset);
        long hi = Math.max((long) a.offset + a.counts.length, (long) b.offset + b.counts.length);
        return hi - lo;
    }

    /**
     * Halves the resolution {@code by} times: bucket i moves to i >> by.
     *
     * @throws ArithmeticException when a merged bucket passes 2^63 - 1
     */
    ExponentialBuckets downscale(int by) {
        if (by == 0 || counts.length == 0) {
            return this;
        }
        int newOffset = offset >> by;
        int last = (offset + counts.length - 1) >> by;
        long[] out = new long[last - newOffset + 1];
        for (int i = 0; i < counts.length; i++) {
            int j = ((offset + i) >> by) - newOffset;
            out[j] = Math.addExact(out[j], counts[i]);
        }
        return new ExponentialBuckets(newOffset, out);
    }

    /** Both must have the same scale. {@code sign} is 1 to add, -1 to subtract. */
    ExponentialBuckets combine(ExponentialBuckets other, int sign) {
        if (other.counts.length == 0) {
            return this;
        }
        if (counts.length == 0 && sign > 0) {
            return other;
        }
        int lo = counts.length == 0 ? other.offset : Math.min(offset, other.offset);
        int hi = counts.length == 0 ? other.offset + other.counts.length
                : Math.max(offset + counts.length, other.offset + other.counts.length);
        long[] out = new long[hi - lo];
        for (int i = 0; i < counts.length; i++) {
            out[offset + i - lo] += counts[i];
        }
        for (int i = 0; i < other.counts.length; i++) {
            out[other.offset + i - lo] = Math.addExact(out[other.offset + i - lo], sign * other.counts[i]);
        }
        return new ExponentialBuckets(lo, out);
    }

    /** True when every bucket of this is at least the same bucket of {@code before}. */
    boolean notLowerThan(ExponentialBuckets before) {
        for (int i = 0; i < before.counts.length; i++) {
            int idx = before.offset + i;
            long now = idx >= offset && idx < offset + counts.length ? counts[idx - offset] : 0;
            if (now < before.counts[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "offset=" + offset + " " + Arrays.toString(counts);
    }
}
