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
    private volatile long lastUpdateMillis;
    /** The tenant whose request created the series, for the per-tenant cap; null: none. */
    String tenant;

    protected Series(LabelSet labels, long nowMillis) {
        // client_java's label rules (valid names, no two that expose alike) are checked once, at
        // creation, as before; the series keeps only its LabelSet
        labels.toPrometheus();
        this.labels = labels;
        this.lastUpdateMillis = nowMillis;
    }

    public LabelSet labels() {
        return labels;
    }

    /** client_java's labels, made on each call: for snapshots (tests, the per-family fallback). */
    protected Labels prometheusLabels() {
        return labels.toPrometheus();
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

    /**
     * Copies what {@link #snapshot} would expose into a reused point, under the series' lock.
     *
     * A series type that does not override this is marked opaque: its family is then written
     * from its snapshot.
     *
     * @return false when there is nothing to expose now
     */
    public boolean read(Point p, long nowMillis) {
        p.clear();
        p.opaque = true;
        return true;
    }

    /** A negative time (an unsigned OTLP time past 2262) is exposed as unknown (0), never negative. */
    static long nanosToMillis(long nanos) {
        return nanos <= 0 ? 0 : nanos / 1_000_000L;
    }
}
