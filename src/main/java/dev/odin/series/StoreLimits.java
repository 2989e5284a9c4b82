package dev.odin.series;

import java.time.Duration;

/** The bounds the series store enforces. */
public record StoreLimits(int maxSeries, int maxSeriesPerMetric, int maxSourcesPerSeries, Duration expiry,
        boolean zeroFirst) {
}
