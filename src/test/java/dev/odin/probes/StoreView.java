package dev.odin.probes;

import dev.odin.series.CounterSeries;
import dev.odin.series.GaugeSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.Series;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import java.time.Clock;
import java.time.Duration;

/** A series store for probe tests, and reads of single values from it. */
public final class StoreView {

    public final SeriesStore store = new SeriesStore(new StoreLimits(100_000, 50_000, 100, Duration.ofMinutes(30),
            false), Clock.systemUTC());
    public final ProbeReadings readings = new ProbeReadings(store);

    /** Runs one cycle of the probe the way its runner does, minus health. */
    public void cycle(Probe probe) throws Exception {
        readings.begin(System.currentTimeMillis());
        probe.collect(readings);
        readings.commit();
    }

    /** @return the value of the series, or null when it does not exist */
    public Double value(String metric, String... labels) {
        MetricFamily f = store.familyIfPresent(metric);
        if (f == null) {
            return null;
        }
        Series s = f.get(LabelSet.of(labels));
        if (s instanceof GaugeSeries g) {
            return g.value();
        }
        if (s instanceof CounterSeries c) {
            return c.value();
        }
        return s == null ? null : 1.0;
    }

    public int size(String metric) {
        MetricFamily f = store.familyIfPresent(metric);
        return f == null ? 0 : f.size();
    }
}
