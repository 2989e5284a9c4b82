package dev.odin.series;

import java.time.Duration;

/**
 * The bounds the series store enforces. {@code maxSeriesPerTenant} caps the live series that
 * requests of one tenant (the bearer token's) may hold, so that one tenant cannot use up
 * {@code maxSeries} for all; series without a tenant (authentication off, probes) count only
 * towards the total.
 */
public record StoreLimits(int maxSeries, int maxSeriesPerMetric, int maxSourcesPerSeries, Duration expiry,
        boolean zeroFirst, int maxSeriesPerTenant) {

    /** Without a per-tenant cap (it is the total). */
    public StoreLimits(int maxSeries, int maxSeriesPerMetric, int maxSourcesPerSeries, Duration expiry,
            boolean zeroFirst) {
        this(maxSeries, maxSeriesPerMetric, maxSourcesPerSeries, expiry, zeroFirst, maxSeries);
    }
}
