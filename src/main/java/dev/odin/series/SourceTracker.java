package dev.odin.series;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * For a series that merges several cumulative sources (attributes dropped by configuration):
 * remembers each source's last cumulative reading so that only its increments are added, and a
 * reset (lower value or a new start time) counts the new value in full. Bounded: a series never
 * tracks more than {@code maxSources}; past that a new source is refused.
 *
 * @param <S> the reading kind (a double for sums, bucket arrays for histograms)
 */
final class SourceTracker<S> {

    static final class Source<S> {
        S last;
        long startNanos;
        long timeNanos;
        long seenMillis;
    }

    private final Map<Long, Source<S>> sources = new HashMap<>();
    private final int maxSources;

    SourceTracker(int maxSources) {
        this.maxSources = maxSources;
    }

    /** @return the source's state, created when new; null when the source cap is reached */
    Source<S> source(long key) {
        Source<S> s = sources.get(key);
        if (s == null) {
            if (sources.size() >= maxSources) {
                return null;
            }
            s = new Source<>();
            sources.put(key, s);
        }
        return s;
    }

    void expire(long cutoffMillis) {
        for (Iterator<Source<S>> it = sources.values().iterator(); it.hasNext(); ) {
            if (it.next().seenMillis < cutoffMillis) {
                it.remove();
            }
        }
    }

    int size() {
        return sources.size();
    }
}
