package dev.odin.series;

import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;

/** A series whose value is always 1 and whose labels are the information: target_info. */
public final class InfoSeries extends Series {

    InfoSeries(LabelSet labels, long nowMillis) {
        super(labels, nowMillis);
    }

    public static InfoSeries create(LabelSet labels, long nowMillis) {
        return new InfoSeries(labels, nowMillis);
    }

    @Override
    public boolean read(Point p, long nowMillis) {
        p.clear();
        return true;
    }

    @Override
    InfoDataPointSnapshot snapshot(long nowMillis) {
        return new InfoDataPointSnapshot(prometheusLabels());
    }
}
