package dev.odin.series;

/**
 * The last {@link #SIZE} delta points a series applied, by (source, start, end), so that a point
 * sent again (an exporter retrying after a timeout, a request replayed) is acknowledged without
 * being added a second time. Bounded: a fixed ring per series, the oldest entry is overwritten,
 * no per-series history grows. Not thread-safe: used under the series' lock.
 */
final class AppliedDeltas {

    /** Entries remembered per series; docs/metrics.md ("Repeated and overlapping deltas") names it. */
    static final int SIZE = 8;

    /**
     * source, start, end of each entry; grown from one entry to SIZE as points arrive, so a series
     * that saw one delta holds 24 bytes of entries, not 192.
     */
    private long[] entries = new long[3];
    private int count;
    private int next;

    /** @return true when (source, start, end) is among the remembered entries */
    boolean contains(long source, long startNanos, long endNanos) {
        for (int i = 0; i < count; i++) {
            int at = i * 3;
            if (entries[at + 2] == endNanos && entries[at + 1] == startNanos && entries[at] == source) {
                return true;
            }
        }
        return false;
    }

    /** Remembers an applied point, forgetting the oldest once SIZE are held. */
    void add(long source, long startNanos, long endNanos) {
        int at = next * 3;
        if (at >= entries.length) {
            entries = java.util.Arrays.copyOf(entries, Math.min(SIZE * 3, entries.length * 2));
        }
        entries[at] = source;
        entries[at + 1] = startNanos;
        entries[at + 2] = endNanos;
        next = (next + 1) % SIZE;
        if (count < SIZE) {
            count++;
        }
    }
}
