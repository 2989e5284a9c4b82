package dev.odin.series;

import java.util.concurrent.atomic.LongAdder;

/** Counters the store keeps about itself; telemetry exposes them as odin_* metrics. */
public final class StoreStats {
    public final LongAdder droppedMetricLimit = new LongAdder();
    public final LongAdder droppedTotalLimit = new LongAdder();
    public final LongAdder expired = new LongAdder();
    public final LongAdder stale = new LongAdder();
    public final LongAdder typeConflicts = new LongAdder();
    public final LongAdder helpConflicts = new LongAdder();
    public final LongAdder nameConflicts = new LongAdder();
    public final LongAdder sourceLimit = new LongAdder();
    public final LongAdder droppedTenantLimit = new LongAdder();
    /** Metric names refused because their exposed sample names clash with another family's. */
    public final LongAdder sampleNameConflicts = new LongAdder();
    /** Metric names refused because another OTLP metric already translates to the same name. */
    public final LongAdder originConflicts = new LongAdder();
    /** Families left out of a scrape because building their snapshot failed (defence in depth). */
    public final LongAdder familiesDropped = new LongAdder();
}
