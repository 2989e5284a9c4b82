package dev.odin.home;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What the counters ODIN already keeps (requests and items received, items delivered) did in the
 * last minutes, for the home page: a sample of their totals every {@link #SAMPLE_PERIOD} (the
 * {@code home-activity} timer), {@value #SAMPLES} of them, so "in the last 5 minutes" is the
 * total now less the total of the oldest sample; and, per counter, when it was last seen to
 * grow (to within a sample period, or sooner when the page was drawn in between). No counting
 * of its own on the receiving path: the receivers stay as they are.
 *
 * <p>Bounded: at most {@value #MAX_KEYS} counters are followed (their tags are closed sets:
 * signals, transports, configured sender names); any beyond are left out and counted in
 * {@code odin_home_activity_keys_dropped_total}.
 */
public final class Activity {

    public static final Duration SAMPLE_PERIOD = Duration.ofSeconds(15);
    public static final Duration WINDOW = Duration.ofMinutes(5);
    static final int SAMPLES = (int) (WINDOW.toMillis() / SAMPLE_PERIOD.toMillis()) + 1;
    static final int MAX_KEYS = 128;

    /** One followed counter family: the meter's name and how a meter of it is keyed (null: left out). */
    public record Followed(String meterName, Function<Meter.Id, String> key) {
    }

    private record Sample(long millis, Map<String, Double> totals) {
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Iterable<Followed> followed;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Map<String, Double> lastSeen = new LinkedHashMap<>();
    private final Map<String, Long> lastGrew = new LinkedHashMap<>();
    private Counter keysDropped;

    public Activity(MeterRegistry registry, Clock clock, Iterable<Followed> followed) {
        this.registry = registry;
        this.clock = clock;
        this.followed = followed;
        sample();
    }

    /** A turn of the timer: the totals now, kept for the window. */
    public synchronized void sample() {
        Map<String, Double> now = observe();
        if (samples.size() == SAMPLES) {
            samples.removeFirst();
        }
        samples.addLast(new Sample(clock.millis(), now));
    }

    /** The totals now, and which of them grew since last looked at. */
    public synchronized Map<String, Double> observe() {
        long millis = clock.millis();
        Map<String, Double> totals = totals();
        totals.forEach((k, v) -> {
            Double before = lastSeen.put(k, v);
            if (before != null ? v > before : !samples.isEmpty() && v > 0) {
                lastGrew.put(k, millis);
            }
        });
        return totals;
    }

    /** How much the counter {@code key} grew in the window (or since the first sample, if younger). */
    public synchronized double recent(String key, Map<String, Double> totals) {
        Sample oldest = samples.peekFirst();
        double then = oldest == null ? 0 : oldest.totals().getOrDefault(key, 0.0);
        return Math.max(0, totals.getOrDefault(key, 0.0) - then);
    }

    /** How long the window really is: {@link #WINDOW}, or less while ODIN is younger. */
    public synchronized Duration window() {
        Sample oldest = samples.peekFirst();
        return oldest == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.millis() - oldest.millis()));
    }

    /** When the counter was last seen to grow; null when not since the start. */
    public synchronized Instant lastGrew(String key) {
        Long m = lastGrew.get(key);
        return m == null ? null : Instant.ofEpochMilli(m);
    }

    private Map<String, Double> totals() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Followed f : followed) {
            for (Meter m : registry.find(f.meterName()).meters()) {
                String key = f.key().apply(m.getId());
                if (key == null) {
                    continue;
                }
                if (!out.containsKey(key) && out.size() >= MAX_KEYS) {
                    dropped();
                    continue;
                }
                out.merge(key, count(m), Double::sum);
            }
        }
        return out;
    }

    private void dropped() {
        if (keysDropped == null) {
            keysDropped = Counter.builder("odin.home.activity.keys.dropped")
                    .description("Counters the home page's activity could not follow (over its cap)")
                    .register(registry);
        }
        keysDropped.increment();
    }

    private static double count(Meter m) {
        if (m instanceof Counter c) {
            return c.count();
        }
        if (m instanceof FunctionCounter c) {
            return c.count();
        }
        double sum = 0;
        for (var measurement : m.measure()) {
            sum += measurement.getValue(); // a gauge: its value now (queue depth)
        }
        return sum;
    }
}
