package dev.odin.home;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counters' samples: what grew in the window, when last, and the cap on followed counters. */
class ActivityTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private Counter requests(String signal, String transport, String outcome) {
        return Counter.builder("odin.otlp.requests").tag("signal", signal).tag("transport", transport)
                .tag("outcome", outcome).register(registry);
    }

    @Test
    void recentIsTheGrowthInTheWindowAndLastGrewWhenItWasSeen() {
        Counter ok = requests("metrics", "http", "ok");
        ok.increment(3); // before the first sample: counted in the total, not as recent
        Activity a = new Activity(registry, clock, StatusReport.followed());
        String key = "otlp.requests/metrics/http";
        Map<String, Double> t = a.observe();
        assertThat(t.get(key)).isEqualTo(3.0);
        assertThat(a.recent(key, t)).isZero();
        assertThat(a.lastGrew(key)).isNull();

        clock.advance(Duration.ofSeconds(10));
        ok.increment(2);
        requests("metrics", "http", "too_large").increment();
        t = a.observe();
        assertThat(t.get(key)).isEqualTo(6.0);
        assertThat(t.get("otlp.refused/metrics/http")).isEqualTo(1.0);
        assertThat(a.recent(key, t)).isEqualTo(3.0);
        assertThat(a.lastGrew(key)).isEqualTo(Instant.parse("2026-01-01T00:00:10Z"));
        assertThat(a.lastGrew("otlp.refused/metrics/http")).isEqualTo(Instant.parse("2026-01-01T00:00:10Z"));

        // samples every period: after the window, growth before it no longer counts as recent
        for (int i = 0; i < Activity.SAMPLES; i++) {
            clock.advance(Activity.SAMPLE_PERIOD);
            a.sample();
        }
        t = a.observe();
        assertThat(a.recent(key, t)).isZero();
        assertThat(a.window()).isEqualTo(Activity.WINDOW);
        assertThat(a.lastGrew(key)).isEqualTo(Instant.parse("2026-01-01T00:00:10Z")); // unchanged: no growth
        ok.increment();
        clock.advance(Duration.ofSeconds(1));
        t = a.observe();
        assertThat(a.recent(key, t)).isEqualTo(1.0);
    }

    @Test
    void aWindowShorterThanFiveMinutesWhileYoung() {
        Activity a = new Activity(registry, clock, StatusReport.followed());
        clock.advance(Duration.ofSeconds(42));
        assertThat(a.window()).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void atMostMaxKeysCountersAreFollowedAndTheRestCounted() {
        for (int i = 0; i < Activity.MAX_KEYS + 5; i++) {
            Counter.builder("odin.delivery.sent").tag("sender", "s" + i).register(registry).increment();
        }
        Activity a = new Activity(registry, clock, List.of(new Activity.Followed("odin.delivery.sent",
                id -> "sent/" + id.getTag("sender"))));
        assertThat(a.observe()).hasSize(Activity.MAX_KEYS);
        assertThat(registry.get("odin.home.activity.keys.dropped").counter().count()).isEqualTo(10.0); // 5 per look
    }
}
