package dev.odin.probes;

import dev.odin.series.CounterSeries;
import dev.odin.series.GaugeSeries;
import dev.odin.series.InfoSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one probe writes into the series store in one cycle. A probe reports the machine as it is
 * now: a series it reported last cycle and not in this one (a process exited, a disk was
 * unmounted) is removed at {@link #commit()}, so /metrics never shows a vanished thing as live.
 * Errors that cost part of a cycle are collected here and end up in the probe's health.
 *
 * <p>One instance per probe, used by one thread at a time (a timer route runs one cycle at once).
 */
public final class ProbeReadings {

    private record Key(MetricFamily family, LabelSet labels) {
    }

    private final SeriesStore store;
    private Set<Key> previous = new HashSet<>();
    private Set<Key> current = new HashSet<>();
    private final Map<String, MetricFamily> families = new HashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final Set<String> reportedOnce = new HashSet<>();
    private String degradedBecause;
    private long nowNanos;
    private int refused;

    public ProbeReadings(SeriesStore store) {
        this.store = store;
    }

    /** Starts a cycle whose readings are all taken "now". */
    public void begin(long nowMillis) {
        nowNanos = nowMillis * 1_000_000L;
        current.clear();
        errors.clear();
        degradedBecause = null;
        refused = 0;
    }

    public void gauge(String name, String help, double value, LabelSet labels) {
        GaugeSeries s = series(name, MetricFamily.Type.GAUGE, help, labels, GaugeSeries::create);
        if (s != null) {
            s.set(value, nowNanos);
        }
    }

    /**
     * A counter whose absolute value the probe knows (kernel counters).
     *
     * @param startMillis when counting began (boot, process start), exposed as _created
     */
    public void counter(String name, String help, double value, long startMillis, LabelSet labels) {
        CounterSeries s = series(name, MetricFamily.Type.COUNTER, help, labels, CounterSeries::create);
        if (s != null) {
            s.setCumulative(value, startMillis * 1_000_000L, nowNanos, null);
        }
    }

    /** A series whose value is always 1 and whose labels carry the information. */
    public void info(String name, String help, LabelSet labels) {
        series(name, MetricFamily.Type.INFO, help, labels, InfoSeries::create);
    }

    /** Something this cycle could not read; the rest of the cycle goes on. */
    public void error(String message) {
        errors.add(message);
        if (degradedBecause == null) {
            degradedBecause = message;
        }
    }

    /**
     * A condition that persists from cycle to cycle (a root-only file): the probe stays
     * DEGRADED while it lasts, but the error is remembered and logged only the first time.
     */
    public void errorOnce(String key, String message) {
        if (reportedOnce.add(key)) {
            errors.add(message);
        }
        if (degradedBecause == null) {
            degradedBecause = message;
        }
    }

    /** @return why this cycle was incomplete, or null when it was complete */
    public String degradedBecause() {
        return degradedBecause;
    }

    public List<String> errors() {
        return errors;
    }

    /** Readings the store refused (a series cap, a name taken by another type). */
    public int refused() {
        return refused;
    }

    /** Ends the cycle: removes what was reported last cycle but not in this one. */
    public void commit() {
        for (Key k : previous) {
            if (!current.contains(k)) {
                store.remove(k.family(), k.labels());
            }
        }
        Set<Key> swap = previous;
        previous = current;
        current = swap;
        current.clear();
    }

    /** Removes everything this probe reported (it failed as a whole, or was switched off). */
    public void clear() {
        current.clear();
        commit();
    }

    private <S extends dev.odin.series.Series> S series(String name, MetricFamily.Type type, String help,
            LabelSet labels, java.util.function.BiFunction<LabelSet, Long, S> factory) {
        MetricFamily family = families.get(name);
        if (family == null || store.familyIfPresent(name) != family) {
            try {
                family = store.family(name, type, help);
            } catch (SeriesStore.ConflictException e) {
                refused++;
                return null;
            }
            families.put(name, family);
        }
        S s = store.series(family, labels, false, factory);
        if (s == null) {
            refused++;
            return null;
        }
        s.touch(store.nowMillis());
        current.add(new Key(family, s.labels()));
        return s;
    }
}
