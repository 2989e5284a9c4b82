package dev.odin.series;

import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;

/** A summary: OTLP summaries are cumulative, so the newest point wins. */
public final class SummarySeries extends Series {

    private Quantiles quantiles = Quantiles.EMPTY;
    private long count;
    private double sum;
    private long startNanos;
    private long timeNanos = Long.MIN_VALUE;

    SummarySeries(LabelSet labels, long nowMillis) {
        super(labels, nowMillis);
    }

    public static SummarySeries create(LabelSet labels, long nowMillis) {
        return new SummarySeries(labels, nowMillis);
    }

    public synchronized UpdateResult set(double[] q, double[] values, long count, double sum,
            long pointStartNanos, long pointTimeNanos) {
        if (pointTimeNanos < timeNanos) {
            return UpdateResult.OUT_OF_ORDER;
        }
        Quantile[] list = new Quantile[q.length];
        for (int i = 0; i < q.length; i++) {
            list[i] = new Quantile(q[i], values[i]);
        }
        this.quantiles = Quantiles.of(list);
        this.count = count;
        this.sum = sum;
        this.startNanos = pointStartNanos;
        this.timeNanos = pointTimeNanos;
        return UpdateResult.APPLIED;
    }

    @Override
    public synchronized boolean read(Point p, long nowMillis) {
        p.clear();
        p.count = count;
        p.sum = sum;
        p.quantiles = quantiles;
        p.createdMillis = nanosToMillis(startNanos);
        return true;
    }

    @Override
    synchronized SummaryDataPointSnapshot snapshot(long nowMillis) {
        return new SummaryDataPointSnapshot(count, sum, quantiles, prometheusLabels(), Exemplars.EMPTY,
                nanosToMillis(startNanos));
    }
}
