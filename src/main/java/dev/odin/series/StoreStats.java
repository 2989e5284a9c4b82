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
}
