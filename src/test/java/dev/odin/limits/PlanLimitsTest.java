package dev.odin.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan-limit gauges: latest reading per series, the series cap, expiry at reset and when stale. */
class PlanLimitsTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PlanLimits limits = new PlanLimits(registry, clock, 3, Duration.ofHours(24));

    static StatusLine line(StatusLine.Window... windows) {
        return new StatusLine(null, null, null, null, null, List.of(windows));
    }

    static StatusLine.Window w(String name, String used, String resetsAt) {
        return new StatusLine.Window(name, used == null ? null : new BigDecimal(used),
                resetsAt == null ? null : Instant.parse(resetsAt));
    }

    double ratio(String window, String machine, String user) {
        return registry.get("claude.code.plan.usage.ratio").tags("window", window, "machine_name", machine, "user_id", user)
                .gauge().value();
    }

    double resetsAt(String window, String machine, String user) {
        return registry.get("claude.code.plan.resets.at").tags("window", window, "machine_name", machine, "user_id", user)
                .gauge().value();
    }

    @Test
    void keepsTheLatestReadingPerWindowMachineAndUser() {
        assertThat(limits.record(line(w("five_hour", "23.5", "2026-12-02T13:00:00Z"),
                w("seven_day", "41.2", "2026-12-06T00:00:00Z")), "laptop", "u1")).isEqualTo(2);
        assertThat(ratio("five_hour", "laptop", "u1")).isEqualTo(0.235);
        assertThat(resetsAt("five_hour", "laptop", "u1")).isEqualTo(1_796_216_400.0);
        assertThat(ratio("seven_day", "laptop", "u1")).isEqualTo(0.412);
        clock.advance(Duration.ofMinutes(5));
        limits.record(line(w("five_hour", "30", "2026-12-02T13:00:00Z")), "laptop", "u1");
        assertThat(ratio("five_hour", "laptop", "u1")).isEqualTo(0.3);
        assertThat(ratio("seven_day", "laptop", "u1")).isEqualTo(0.412);
        assertThat(limits.reading("five_hour", "laptop", "u1").usedRatio()).isEqualByComparingTo("0.3");
        assertThat(limits.size()).isEqualTo(2);
    }

    @Test
    void skipsWindowsWithoutAPercentageOrAlreadyReset() {
        assertThat(limits.record(line(w("five_hour", null, "2026-12-02T13:00:00Z"),
                w("seven_day", "10", "2026-12-02T09:59:59Z"), w("seven_day_opus", "12", null)), "m", "u")).isEqualTo(1);
        assertThat(limits.size()).isEqualTo(1);
        assertThat(Double.isNaN(resetsAt("seven_day_opus", "m", "u"))).isTrue();
        assertThat(ratio("seven_day_opus", "m", "u")).isEqualTo(0.12);
    }

    @Test
    void keepsAtMostMaxSeriesAndCountsTheRest() {
        String reset = "2026-12-02T13:00:00Z";
        limits.record(line(w("five_hour", "1", reset), w("seven_day", "2", reset)), "a", "u");
        limits.record(line(w("five_hour", "3", reset)), "b", "u");
        assertThat(limits.record(line(w("five_hour", "4", reset)), "c", "u")).isZero();
        assertThat(limits.size()).isEqualTo(3);
        assertThat(registry.get("odin.claude.plan.series.dropped").counter().count()).isEqualTo(1.0);
        assertThat(registry.find("claude.code.plan.usage.ratio").tag("machine_name", "c").gauge()).isNull();
        // a series kept already is still updated at the cap
        assertThat(limits.record(line(w("five_hour", "5", reset)), "b", "u")).isEqualTo(1);
        assertThat(ratio("five_hour", "b", "u")).isEqualTo(0.05);
        assertThat(registry.get("odin.claude.plan.series").gauge().value()).isEqualTo(3.0);
    }

    @Test
    void aSeriesGoesWhenItsWindowResetsOrItIsStale() {
        limits.record(line(w("five_hour", "50", "2026-12-02T13:00:00Z"), w("seven_day", "20", "2026-12-09T00:00:00Z"),
                w("other", "20", null)), "m", "u");
        clock.advance(Duration.ofHours(3).minusSeconds(1));
        limits.expire();
        assertThat(limits.size()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1)); // 13:00: the five-hour window reset
        limits.expire();
        assertThat(limits.size()).isEqualTo(2);
        assertThat(registry.find("claude.code.plan.usage.ratio").tag("window", "five_hour").gauge()).isNull();
        assertThat(registry.find("claude.code.plan.resets.at").tag("window", "five_hour").gauge()).isNull();
        clock.advance(Duration.ofHours(21).plusSeconds(1)); // over 24 h without a reading
        limits.expire();
        assertThat(limits.size()).isZero();
        assertThat(registry.get("odin.claude.plan.series.expired").counter().count()).isEqualTo(3.0);
        // and a new reading starts the series again
        limits.record(line(w("five_hour", "1", "2026-12-03T15:00:00Z")), "m", "u");
        assertThat(ratio("five_hour", "m", "u")).isEqualTo(0.01);
    }

    @Test
    void readingsComeFiveHourFirst() {
        String reset = "2026-12-02T13:00:00Z";
        limits.record(line(w("seven_day", "2", reset), w("five_hour", "1", reset)), "b", "u");
        limits.record(line(w("five_hour", "3", reset)), "a", "u");
        assertThat(limits.readings()).extracting(r -> r.window() + "/" + r.machine())
                .containsExactly("five_hour/a", "five_hour/b", "seven_day/b");
        assertThat(PlanLimits.percent(new BigDecimal("0.425"))).isEqualTo("43");
        assertThat(PlanLimits.percent(new BigDecimal("1.05"))).isEqualTo("105");
    }
}
