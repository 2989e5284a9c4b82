package dev.odin.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan-limit readings of every machine and user that posts its statusline, latest per window:
 * {@code claude_code_plan_usage_ratio{window, machine_name, user_id}} (used_percentage / 100: 0 to
 * 1, above 1 once the limit is passed) and {@code claude_code_plan_resets_at_seconds{...}} (unix
 * seconds). At most {@code odin.limits.max-series} series are kept (a reading for another is
 * counted in {@code odin_claude_plan_series_dropped_total}); a series goes once its window has
 * reset or when it was not refreshed for {@code odin.limits.stale-after} ({@link #expire()}).
 */
public final class PlanLimits {

    /** One (window, machine, user) series' latest reading. */
    public record Reading(String window, String machine, String user, BigDecimal usedRatio, Instant resetsAt,
            Instant updated) {
    }

    private record Key(String window, String machine, String user) {
    }

    /** The meters of one series and the value they read. */
    private static final class Series {
        volatile Reading reading;
        final List<Meter> meters = new ArrayList<>(2);
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final int maxSeries;
    private final Duration staleAfter;
    private final Map<Key, Series> series = new LinkedHashMap<>();
    private final Counter dropped;
    private final Counter expired;

    public PlanLimits(MeterRegistry registry, Clock clock, int maxSeries, Duration staleAfter) {
        this.registry = registry;
        this.clock = clock;
        this.maxSeries = maxSeries;
        this.staleAfter = staleAfter;
        this.dropped = Counter.builder("odin.claude.plan.series.dropped")
                .description("Plan-limit readings not kept: odin.limits.max-series series exist already")
                .register(registry);
        this.expired = Counter.builder("odin.claude.plan.series.expired")
                .description("Plan-limit series removed: their window reset, or no reading for odin.limits.stale-after")
                .register(registry);
        Gauge.builder("odin.claude.plan.series", this, PlanLimits::size)
                .description("Plan-limit series kept (window, machine, user)").register(registry);
    }

    /**
     * Keeps the windows of one statusline as the latest of their series. A window without
     * used_percentage is skipped; one whose reset is already past is not kept (it describes a
     * window that is over).
     *
     * @return how many windows were kept
     */
    public int record(StatusLine line, String machine, String user) {
        Instant now = clock.instant();
        int kept = 0;
        for (StatusLine.Window w : line.windows()) {
            if (w.usedPercentage() == null || (w.resetsAt() != null && !w.resetsAt().isAfter(now))) {
                continue;
            }
            BigDecimal ratio = w.usedPercentage().movePointLeft(2).stripTrailingZeros();
            Reading r = new Reading(w.name(), machine, user, ratio, w.resetsAt(), now);
            if (put(new Key(w.name(), machine, user), r)) {
                kept++;
            }
        }
        return kept;
    }

    private synchronized boolean put(Key k, Reading r) {
        Series s = series.get(k);
        if (s == null) {
            if (series.size() >= maxSeries) {
                dropped.increment();
                return false;
            }
            s = new Series();
            s.reading = r;
            Tags tags = Tags.of("window", k.window(), "machine_name", k.machine(), "user_id", k.user());
            Series held = s;
            s.meters.add(Gauge.builder("claude.code.plan.usage.ratio", held, x -> x.reading.usedRatio().doubleValue())
                    .description("Share of the Claude plan's limit used in the window (statusline used_percentage / 100)")
                    .tags(tags).register(registry));
            s.meters.add(Gauge.builder("claude.code.plan.resets.at", held,
                    x -> x.reading.resetsAt() == null ? Double.NaN : x.reading.resetsAt().toEpochMilli() / 1000.0)
                    .baseUnit("seconds").description("When the Claude plan's window resets (unix time)")
                    .tags(tags).register(registry));
            series.put(k, s);
        } else {
            s.reading = r;
        }
        return true;
    }

    /** Removes the series whose window has reset or that were not refreshed for the stale-after time. */
    public synchronized void expire() {
        Instant now = clock.instant();
        Instant staleBefore = now.minus(staleAfter);
        for (var it = series.entrySet().iterator(); it.hasNext(); ) {
            Series s = it.next().getValue();
            Reading r = s.reading;
            if ((r.resetsAt() != null && !r.resetsAt().isAfter(now)) || r.updated().isBefore(staleBefore)) {
                s.meters.forEach(registry::remove);
                it.remove();
                expired.increment();
            }
        }
    }

    public synchronized int size() {
        return series.size();
    }

    /** The latest readings, window by window (five_hour before seven_day), then machine and user. */
    public synchronized List<Reading> readings() {
        List<Reading> out = new ArrayList<>();
        series.values().forEach(s -> out.add(s.reading));
        out.sort(Comparator.comparing((Reading r) -> windowOrder(r.window())).thenComparing(Reading::window)
                .thenComparing(Reading::machine).thenComparing(Reading::user));
        return out;
    }

    /** The latest reading of one series, or null. */
    public synchronized Reading reading(String window, String machine, String user) {
        Series s = series.get(new Key(window, machine, user));
        return s == null ? null : s.reading;
    }

    static int windowOrder(String window) {
        return switch (window) {
            case "five_hour" -> 0;
            case "seven_day" -> 1;
            default -> 2;
        };
    }

    /** A ratio as a whole percentage for a status line: 0.425 -> 43. */
    static String percent(BigDecimal ratio) {
        return ratio.movePointRight(2).setScale(0, RoundingMode.HALF_UP).toPlainString();
    }
}
