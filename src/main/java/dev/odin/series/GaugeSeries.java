package dev.odin.series;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;

/** Gauge (and non-monotonic cumulative sum): the newest point by timestamp wins. */
public final class GaugeSeries extends Series {

    private double value;
    private long timeNanos = Long.MIN_VALUE;

    GaugeSeries(LabelSet labels, long nowMillis) {
        super(labels, nowMillis);
    }

    public static GaugeSeries create(LabelSet labels, long nowMillis) {
        return new GaugeSeries(labels, nowMillis);
    }

    public synchronized void set(double v, long pointTimeNanos) {
        if (pointTimeNanos >= timeNanos) {
            value = v;
            timeNanos = pointTimeNanos;
        }
    }

    public synchronized double value() {
        return value;
    }

    @Override
    public synchronized boolean read(Point p, long nowMillis) {
        p.clear();
        p.value = value;
        return true;
    }

    @Override
    synchronized GaugeDataPointSnapshot snapshot(long nowMillis) {
        return new GaugeDataPointSnapshot(value, prometheusLabels(), null);
    }
}
