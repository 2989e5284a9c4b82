package dev.odin.series;

import java.time.Clock;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one in-memory model of every series ODIN exposes. Bounded: a total, a per-metric and a
 * per-tenant cap on live series (always on), expiry of idle series, and counted drops when a
 * bound is hit. A family is refused when its exposed names (family and sample names, as the
 * exposition writes them) clash with another family's, so that no scrape carries one name twice.
 * Thread-safe; lookups of existing series take no lock.
 */
public final class SeriesStore {

    private static final Logger log = LoggerFactory.getLogger(SeriesStore.class);
    private static final int MAX_LOGGED_CONFLICTS = 1000;

    /** Why a family could not be had. */
    public static final class ConflictException extends Exception {
        /** Which rule refused the family. */
        public enum Kind { TYPE, ORIGIN, SAMPLE_NAME, TOTAL_LIMIT, TENANT_LIMIT }

        private final Kind kind;

        public ConflictException(String message) {
            this(Kind.TYPE, message);
        }

        public ConflictException(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    private final Map<String, MetricFamily> families = new ConcurrentHashMap<>();
    private final AtomicInteger liveSeries = new AtomicInteger();
    private final Map<String, AtomicInteger> tenantSeries = new ConcurrentHashMap<>();
    /** Every exposed family and sample name, and the family that exposes it; guarded by itself. */
    private final Map<String, MetricFamily> claims = new ConcurrentHashMap<>();
    private volatile Supplier<Set<String>> reservedNames = Set::of;
    private final Set<String> loggedConflicts = ConcurrentHashMap.newKeySet();
    /** Canonical label values, shared by all series that carry them; bounded, cleared when full. */
    private final Map<String, String> labelValues = new ConcurrentHashMap<>();
    private static final int MAX_CANONICAL_VALUES = 50_000;
    /** Canonical label-name arrays, one per distinct set of names; bounded, cleared when full. */
    private final Map<List<String>, String[]> labelNames = new ConcurrentHashMap<>();
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
        return family(name, type, help, null, "");
    }

    /**
     * @param origin the OTLP metric name this family is for (null: ODIN's own); a second OTLP
     *     name that translates to the same family is refused rather than merged into it
     * @param tenant the requesting tenant ("" none): a tenant at its series cap makes no new family
     * @return the family with this name, created when new
     * @throws ConflictException when the name is taken by another type or another OTLP metric, or
     *     its exposed sample names clash with another family's, or a cap is reached (first one wins)
     */
    public MetricFamily family(String name, MetricFamily.Type type, String help, String origin, String tenant)
            throws ConflictException {
        MetricFamily f = families.get(name);
        if (f == null) {
            f = create(name, type, help, origin, tenant);
        }
        if (f.type() != type) {
            stats.typeConflicts.increment();
            logOnce("type:" + name, "metric {} arrives as {} but is already a {}; the first one wins", name, type,
                    f.type());
            throw new ConflictException("metric " + name + " is already a " + f.type().name().toLowerCase()
                    + ", not a " + type.name().toLowerCase());
        }
        if (!Objects.equals(f.origin(), origin)) {
            stats.originConflicts.increment();
            logOnce("origin:" + name, "metric {} arrives from {} but is already made from {}; the first one wins",
                    name, describe(origin), describe(f.origin()));
            throw new ConflictException(ConflictException.Kind.ORIGIN, describe(origin) + " translates to " + name
                    + ", which is already made from " + describe(f.origin()) + " (the first one wins)");
        }
        if (!Objects.equals(f.help(), help) && help != null && !help.isEmpty()) {
            stats.helpConflicts.increment();
            logOnce("help:" + name, "metric {} arrives with help text '{}' but keeps its first one '{}'", name, help,
                    f.help());
        }
        return f;
    }

    private static String describe(String origin) {
        return origin == null ? "ODIN's own probes" : "OTLP metric '" + origin + "'";
    }

    private MetricFamily create(String name, MetricFamily.Type type, String help, String origin, String tenant)
            throws ConflictException {
        // a family holds at least one series to be of use: more families than series are
        // empty ones (their series refused by a cap), which must not pile up until expiry
        if (families.size() >= limits.maxSeries()) {
            stats.droppedTotalLimit.increment();
            throw new ConflictException(ConflictException.Kind.TOTAL_LIMIT, "metric " + name + " is new, and the store already holds "
                    + families.size() + " metrics, the total limit (odin.metrics.max-series)");
        }
        if (!tenant.isEmpty() && tenantCount(tenant) >= limits.maxSeriesPerTenant()) {
            stats.droppedTenantLimit.increment();
            throw new ConflictException(ConflictException.Kind.TENANT_LIMIT, tenantCapMessage(tenant));
        }
        List<String> claims = SeriesCollector.exposedNames(type, name);
        synchronized (this.claims) {
            MetricFamily raced = families.get(name);
            if (raced != null) {
                return raced;
            }
            for (String c : claims) {
                MetricFamily holder = this.claims.get(c);
                if (holder != null) {
                    throw sampleNameConflict(name, type, c, holder.name() + " (" + holder.type().name().toLowerCase()
                            + ")");
                }
                String taken = takenElsewhere(c);
                if (taken != null) {
                    throw sampleNameConflict(name, type, c, taken + " (one of ODIN's own metrics)");
                }
            }
            MetricFamily f = new MetricFamily(name, type, help, origin, claims, clock.millis());
            for (String c : claims) {
                this.claims.put(c, f);
            }
            families.put(name, f);
            return f;
        }
    }

    private ConflictException sampleNameConflict(String name, MetricFamily.Type type, String sample, String holder) {
        stats.sampleNameConflicts.increment();
        logOnce("sample:" + name, "metric {} ({}) is refused: its exposed name {} is already used by {}", name,
                type, sample, holder);
        return new ConflictException(ConflictException.Kind.SAMPLE_NAME, "metric " + name + " (" + type.name().toLowerCase() + ") would expose "
                + sample + ", which " + holder + " already exposes");
    }

    /** @return the name of one of the registry's other metrics that exposes this sample name, or null */
    private String takenElsewhere(String sample) {
        Set<String> taken = reservedNames.get();
        if (taken.isEmpty()) {
            return null;
        }
        if (taken.contains(sample)) {
            return sample;
        }
        for (String suffix : SeriesCollector.SAMPLE_SUFFIXES) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                if (taken.contains(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    /**
     * The snapshot names (no {@code _total}/{@code _info}) of the other collectors on the registry,
     * so that a new family cannot take their names; see SeriesCollector.
     */
    public void reservedNames(Supplier<Set<String>> names) {
        this.reservedNames = names;
    }

    /** Live series that requests of this tenant created. */
    public int tenantSeries(String tenant) {
        return tenantCount(tenant);
    }

    private int tenantCount(String tenant) {
        AtomicInteger c = tenantSeries.get(tenant);
        return c == null ? 0 : c.get();
    }

    private String tenantCapMessage(String tenant) {
        return "tenant '" + tenant + "' already holds " + tenantCount(tenant) + " series, its limit"
                + " (odin.metrics.max-series-per-tenant = " + limits.maxSeriesPerTenant() + ")";
    }

    /** Why no new series could be made: which cap, and its setting. */
    public static final class CapReachedException extends Exception {
        public enum Cap { METRIC, TOTAL, TENANT }

        private final Cap cap;

        CapReachedException(Cap cap, String message) {
            super(message, null, false, false);
            this.cap = cap;
        }

        public Cap cap() {
            return cap;
        }
    }

    /**
     * @param deltaBorn the first point is a delta: such counters and histograms start at zero
     * @return the series, created when new; null when a series cap is reached (counted)
     */
    public <S extends Series> S series(MetricFamily family, LabelSet labels, boolean deltaBorn,
            BiFunction<LabelSet, Long, S> factory) {
        try {
            return series(family, labels, deltaBorn, factory, "");
        } catch (CapReachedException e) {
            return null;
        }
    }

    /**
     * @param tenant the requesting tenant, "" for none: a new series counts towards its cap
     * @return the series, created when new
     * @throws CapReachedException when a series cap is reached (counted); its message names the cap
     */
    public <S extends Series> S series(MetricFamily family, LabelSet labels, boolean deltaBorn,
            BiFunction<LabelSet, Long, S> factory, String tenant) throws CapReachedException {
        MetricFamily f = family;
        for (int attempt = 0; attempt < 3; attempt++) {
            @SuppressWarnings("unchecked")
            S existing = (S) f.series.get(labels);
            if (existing != null) {
                return existing;
            }
            if (f.size.get() >= limits.maxSeriesPerMetric()) {
                stats.droppedMetricLimit.increment();
                throw new CapReachedException(CapReachedException.Cap.METRIC, "metric " + f.name() + " already has "
                        + f.size.get() + " series, its limit (odin.metrics.max-series-per-metric = "
                        + limits.maxSeriesPerMetric() + ")");
            }
            AtomicInteger perTenant = null;
            if (!tenant.isEmpty()) {
                perTenant = tenantSeries.computeIfAbsent(tenant, t -> new AtomicInteger());
                if (perTenant.incrementAndGet() > limits.maxSeriesPerTenant()) {
                    perTenant.decrementAndGet();
                    stats.droppedTenantLimit.increment();
                    throw new CapReachedException(CapReachedException.Cap.TENANT, tenantCapMessage(tenant));
                }
            }
            if (liveSeries.incrementAndGet() > limits.maxSeries()) {
                liveSeries.decrementAndGet();
                if (perTenant != null) {
                    perTenant.decrementAndGet();
                }
                stats.droppedTotalLimit.increment();
                throw new CapReachedException(CapReachedException.Cap.TOTAL, "the store already holds "
                        + limits.maxSeries() + " series, the total limit (odin.metrics.max-series) for all tenants"
                        + " and metrics");
            }
            S created = factory.apply(labels.canonical(labelNames, labelValues, MAX_CANONICAL_VALUES), clock.millis());
            created.tenant = perTenant == null ? null : tenant;
            if (deltaBorn && limits.zeroFirst()) {
                // held at zero for a time, not for a number of scrapes: no scraper can take the
                // zero away from another (a curl loop, a second Prometheus, a filtered scrape)
                long until = clock.millis() + limits.zeroFirstWindow().toMillis();
                if (created instanceof CounterSeries) {
                    ((CounterSeries) created).exposeZeroUntil(until);
                } else if (created instanceof HistogramSeries) {
                    ((HistogramSeries) created).exposeZeroUntil(until);
                } else if (created instanceof ExponentialHistogramSeries) {
                    ((ExponentialHistogramSeries) created).exposeZeroUntil(until);
                }
            }
            @SuppressWarnings("unchecked")
            S raced = (S) f.series.putIfAbsent(created.labels(), created);
            if (raced != null) {
                release(created);
                return raced;
            }
            f.size.incrementAndGet();
            if (!f.retired) {
                return created;
            }
            // the family was retired by expiry while we added to it: undo, and use its successor
            if (f.series.remove(created.labels(), created)) {
                f.size.decrementAndGet();
                release(created);
            }
            try {
                f = family(f.name(), f.type(), f.help(), f.origin(), "");
            } catch (ConflictException e) {
                return null;
            }
        }
        return null;
    }

    /** Gives back what a series counted towards the caps. */
    private void release(Series s) {
        liveSeries.decrementAndGet();
        if (s.tenant != null) {
            AtomicInteger c = tenantSeries.get(s.tenant);
            if (c != null) {
                c.decrementAndGet();
            }
        }
    }

    /** Removes a series whose source flagged it as having no recorded value (stale). */
    public void markStale(MetricFamily family, LabelSet labels) {
        Series removed = family.series.remove(labels);
        if (removed != null) {
            family.size.decrementAndGet();
            release(removed);
            stats.stale.increment();
        }
    }

    /** Removes a series its owner no longer reports (a probe's process exited, a disk vanished). */
    public void remove(MetricFamily family, LabelSet labels) {
        Series removed = family.series.remove(labels);
        if (removed != null) {
            family.size.decrementAndGet();
            release(removed);
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
                    release(s);
                    removed++;
                } else {
                    s.expireSources(cutoff);
                }
            }
            if (f.size.get() > 0) {
                f.emptySinceMillis = now;
            } else if (f.emptySinceMillis < cutoff) {
                synchronized (claims) {
                    if (families.remove(f.name(), f)) {
                        f.retired = true;
                        for (String c : f.claims) {
                            claims.remove(c, f);
                        }
                    }
                }
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

    /** A family left out of a scrape: counted every time, logged once per name. */
    void familyDropped(String name, RuntimeException cause) {
        stats.familiesDropped.increment();
        if (loggedConflicts.size() < MAX_LOGGED_CONFLICTS && loggedConflicts.add("dropped:" + name)) {
            log.error("metric {} is left out of the scrape: its snapshot could not be built", name, cause);
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
