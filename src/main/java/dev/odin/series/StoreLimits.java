package dev.odin.series;

import java.time.Duration;

/**
 * The bounds the series store enforces. {@code maxSeriesPerTenant} caps the live series that
 * requests of one tenant (the bearer token's) may hold, so that one tenant cannot use up
 * {@code maxSeries} for all; series without a tenant (authentication off, probes) count only
 * towards the total. {@code zeroFirstWindow}: how long after its creation a delta-born counter or
 * histogram is exposed at 0 when {@code zeroFirst} is on.
 */
public record StoreLimits(int maxSeries, int maxSeriesPerMetric, int maxSourcesPerSeries, Duration expiry,
        boolean zeroFirst, int maxSeriesPerTenant, Duration zeroFirstWindow) {

    /** The zero-first window of the constructors without one (tests, benchmarks): 1.5 times Prometheus' default scrape interval. ODIN passes odin.metrics.zero-first-window. */
    public static final Duration DEFAULT_ZERO_FIRST_WINDOW = Duration.ofSeconds(90);

    /** With the default zero-first window. */
    public StoreLimits(int maxSeries, int maxSeriesPerMetric, int maxSourcesPerSeries, Duration expiry,
            boolean zeroFirst, int maxSeriesPerTenant) {
        this(maxSeries, maxSeriesPerMetric, maxSourcesPerSeries, expiry, zeroFirst, maxSeriesPerTenant,
                DEFAULT_ZERO_FIRST_WINDOW);
    }

    /** Without a per-tenant cap (it is the total), with the default zero-first window. */
    public StoreLimits(int maxSeries, int maxSeriesPerMetric, int maxSourcesPerSeries, Duration expiry,
            boolean zeroFirst) {
        this(maxSeries, maxSeriesPerMetric, maxSourcesPerSeries, expiry, zeroFirst, maxSeries);
    }
}
