package dev.odin.series;

import java.time.Clock;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one in-memory model of every series ODIN exposes. Bounded: a total and a per-metric cap on
 * live series (always on), expiry of idle series, and counted drops when a bound is hit.
 * Thread-safe; lookups of existing series take no lock.
 */
public final class SeriesStore {

    private static final Logger log = LoggerFactory.getLogger(SeriesStore.class);
    private static final int MAX_LOGGED_CONFLICTS = 1000;

    /** Why a family could not be had. */
    public static final class ConflictException extends Exception {
        public ConflictException(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<String, MetricFamily> families = new ConcurrentHashMap<>();
    private final AtomicInteger liveSeries = new AtomicInteger();
    private final Set<String> loggedConflicts = ConcurrentHashMap.newKeySet();
    /** Canonical label values, shared by all series that carry them; bounded, cleared when full. */
    private final Map<String, String> labelValues = new ConcurrentHashMap<>();
    private static final int MAX_CANONICAL_VALUES = 50_000;
    private final StoreLimits limits;
    private final Clock clock;
    private final StoreStats stats = new StoreStats();

    public SeriesStore(StoreLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public StoreLimits limits() {
        return limits;
    }

    public StoreStats stats() {
        return stats;
    }

    public int liveSeries() {
        return liveSeries.get();
    }

    public int familyCount() {
        return families.size();
    }

    public long nowMillis() {
        return clock.millis();
    }

    Collection<MetricFamily> families() {
        return families.values();
    }

    public MetricFamily familyIfPresent(String name) {
        return families.get(name);
    }

    /**
     * @return the family with this name, created when new
     * @throws ConflictException when the name is already taken by another type (first one wins)
     */
    public MetricFamily family(String name, MetricFamily.Type type, String help) throws ConflictException {
        MetricFamily f = families.get(name);
        if (f == null) {
            // a family holds at least one series to be of use: more families than series are
            // empty ones (their series refused by a cap), which must not pile up until expiry
            if (families.size() >= limits.maxSeries()) {
                stats.droppedTotalLimit.increment();
                throw new ConflictException("metric " + name + " is new, and the store already holds "
                        + families.size() + " metrics, its limit (odin.metrics.max-series)");
            }
            f = families.computeIfAbsent(name, n -> new MetricFamily(n, type, help, clock.millis()));
        }
        if (f.type() != type) {
            stats.typeConflicts.increment();
            logOnce("type:" + name, "metric {} arrives as {} but is already a {}; the first one wins", name, type,
                    f.type());
            throw new ConflictException("metric " + name + " is already a " + f.type().name().toLowerCase()
                    + ", not a " + type.name().toLowerCase());
        }
        if (!Objects.equals(f.help(), help) && help != null && !help.isEmpty()) {
            stats.helpConflicts.increment();
            logOnce("help:" + name, "metric {} arrives with help text '{}' but keeps its first one '{}'", name, help,
                    f.help());
        }
        return f;
    }

    /**
     * @param deltaBorn the first point is a delta: such counters and histograms start at zero
     * @return the series, created when new; null when a series cap is reached (counted)
     */
    public <S extends Series> S series(MetricFamily family, LabelSet labels, boolean deltaBorn,
            BiFunction<LabelSet, Long, S> factory) {
        MetricFamily f = family;
        for (int attempt = 0; attempt < 3; attempt++) {
            @SuppressWarnings("unchecked")
            S existing = (S) f.series.get(labels);
            if (existing != null) {
                return existing;
            }
            if (f.size.get() >= limits.maxSeriesPerMetric()) {
                stats.droppedMetricLimit.increment();
                return null;
            }
            if (liveSeries.incrementAndGet() > limits.maxSeries()) {
                liveSeries.decrementAndGet();
                stats.droppedTotalLimit.increment();
                return null;
            }
            S created = factory.apply(labels.canonical(labelValues, MAX_CANONICAL_VALUES), clock.millis());
            if (deltaBorn && limits.zeroFirst()) {
                if (created instanceof CounterSeries) {
                    ((CounterSeries) created).exposeZeroFirst();
                } else if (created instanceof HistogramSeries) {
                    ((HistogramSeries) created).exposeZeroFirst();
                } else if (created instanceof ExponentialHistogramSeries) {
                    ((ExponentialHistogramSeries) created).exposeZeroFirst();
                }
            }
            @SuppressWarnings("unchecked")
            S raced = (S) f.series.putIfAbsent(created.labels(), created);
            if (raced != null) {
                liveSeries.decrementAndGet();
                return raced;
            }
            f.size.incrementAndGet();
            if (!f.retired) {
                return created;
            }
            // the family was retired by expiry while we added to it: undo, and use its successor
            if (f.series.remove(created.labels(), created)) {
                f.size.decrementAndGet();
                liveSeries.decrementAndGet();
            }
            try {
                f = family(f.name(), f.type(), f.help());
            } catch (ConflictException e) {
                return null;
            }
        }
        return null;
    }

    /** Removes a series whose source flagged it as having no recorded value (stale). */
    public void markStale(MetricFamily family, LabelSet labels) {
        if (family.series.remove(labels) != null) {
            family.size.decrementAndGet();
            liveSeries.decrementAndGet();
            stats.stale.increment();
        }
    }

    /** Removes a series its owner no longer reports (a probe's process exited, a disk vanished). */
    public void remove(MetricFamily family, LabelSet labels) {
        if (family.series.remove(labels) != null) {
            family.size.decrementAndGet();
            liveSeries.decrementAndGet();
        }
    }

    /** Removes series idle for longer than the expiry, and families left empty; @return series removed */
    public int expire() {
        long now = clock.millis();
        long cutoff = now - limits.expiry().toMillis();
        int removed = 0;
        for (MetricFamily f : families.values()) {
            for (Iterator<Series> it = f.series.values().iterator(); it.hasNext(); ) {
                Series s = it.next();
                if (s.lastUpdateMillis() < cutoff) {
                    it.remove();
                    f.size.decrementAndGet();
                    liveSeries.decrementAndGet();
                    removed++;
                } else {
                    s.expireSources(cutoff);
                }
            }
            if (f.size.get() > 0) {
                f.emptySinceMillis = now;
            } else if (f.emptySinceMillis < cutoff && families.remove(f.name(), f)) {
                f.retired = true;
            }
        }
        stats.expired.add(removed);
        return removed;
    }

    /** Counted and logged once per name: a collector calls this on every scrape. */
    void nameConflict(String name, String why) {
        if (logOnce("name:" + name, "metric {} is not exposed: {}", name, why)) {
            stats.nameConflicts.increment();
        }
    }

    private boolean logOnce(String key, String format, Object... args) {
        if (loggedConflicts.size() < MAX_LOGGED_CONFLICTS && loggedConflicts.add(key)) {
            log.warn(format, args);
            return true;
        }
        return false;
    }
}
