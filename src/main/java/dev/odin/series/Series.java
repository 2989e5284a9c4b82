package dev.odin.series;

import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * One live time series. Subclasses hold the value state of one metric type; every method that
 * reads or writes that state is synchronized on the series, so writers (request threads) and the
 * reader (a scrape) see consistent values.
 */
public abstract class Series {

    private final LabelSet labels;
    private final Labels prometheusLabels;
    private volatile long lastUpdateMillis;
    /** The tenant whose request created the series, for the per-tenant cap; null: none. */
    String tenant;

    protected Series(LabelSet labels, long nowMillis) {
        this.labels = labels;
        this.prometheusLabels = labels.toPrometheus();
        this.lastUpdateMillis = nowMillis;
    }

    public LabelSet labels() {
        return labels;
    }

    protected Labels prometheusLabels() {
        return prometheusLabels;
    }

    public long lastUpdateMillis() {
        return lastUpdateMillis;
    }

    public void touch(long nowMillis) {
        lastUpdateMillis = nowMillis;
    }

    /** Drops per-source state not updated since the cutoff; merged series only. */
    void expireSources(long cutoffMillis) {
    }

    /**
     * @param nowMillis the store's clock at the scrape
     * @return the data point to expose now, or null when there is nothing to expose
     */
    abstract DataPointSnapshot snapshot(long nowMillis);

    /** A negative time (an unsigned OTLP time past 2262) is exposed as unknown (0), never negative. */
    static long nanosToMillis(long nanos) {
        return nanos <= 0 ? 0 : nanos / 1_000_000L;
    }
}
