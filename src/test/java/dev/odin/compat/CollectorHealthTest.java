package dev.odin.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The health_check extension's body, with Go's time and duration forms. */
class CollectorHealthTest {

    @Test
    void durationsAreWrittenAsGoWritesThem() {
        // the outputs of Go's time.Duration.String() for these values
        assertThat(CollectorHealth.goDuration(Duration.ZERO)).isEqualTo("0s");
        assertThat(CollectorHealth.goDuration(Duration.ofNanos(1))).isEqualTo("1ns");
        assertThat(CollectorHealth.goDuration(Duration.ofNanos(1100))).isEqualTo("1.1µs");
        assertThat(CollectorHealth.goDuration(Duration.ofNanos(2_200_000))).isEqualTo("2.2ms");
        assertThat(CollectorHealth.goDuration(Duration.ofMillis(999))).isEqualTo("999ms");
        assertThat(CollectorHealth.goDuration(Duration.ofNanos(25_104_003_883L))).isEqualTo("25.104003883s");
        assertThat(CollectorHealth.goDuration(Duration.ofMinutes(2))).isEqualTo("2m0s");
        assertThat(CollectorHealth.goDuration(Duration.ofSeconds(245))).isEqualTo("4m5s");
        assertThat(CollectorHealth.goDuration(Duration.ofHours(1))).isEqualTo("1h0m0s");
        assertThat(CollectorHealth.goDuration(Duration.ofHours(5).plusMinutes(6).plusMillis(7001))).isEqualTo("5h6m7.001s");
        assertThat(CollectorHealth.goDuration(Duration.ofHours(100))).isEqualTo("100h0m0s");
        assertThat(CollectorHealth.goDuration(Duration.ofMillis(-1500))).isEqualTo("-1.5s");
        assertThat(CollectorHealth.goDuration(Duration.ofDays(1_000_000))).isEqualTo("2562047h47m16.854775807s");
    }

    @Test
    void timesAreRfc3339WithNanosecondsTrimmed() {
        // the extension's README example, and Go's zero time as it marshals it
        assertThat(CollectorHealth.goTime(ZonedDateTime.of(2020, 11, 6, 17, 39, 9, 979_362_000, ZoneOffset.ofHours(-8))))
                .isEqualTo("2020-11-06T17:39:09.979362-08:00");
        assertThat(CollectorHealth.goTime(ZonedDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)))
                .isEqualTo("0001-01-01T00:00:00Z");
        assertThat(CollectorHealth.goTime(ZonedDateTime.of(2026, 12, 2, 6, 0, 0, 500_000_000, ZoneId.of("Asia/Kolkata"))))
                .isEqualTo("2026-12-02T06:00:00.5+05:30");
    }

    @Test
    void readyThenNotThenReadyAgainStartsUpSinceOver() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T06:00:00Z"));
        AtomicBoolean ready = new AtomicBoolean(true);
        CollectorHealth health = new CollectorHealth(ready::get, clock, ZoneOffset.UTC);
        health.becameReady(Instant.parse("2026-12-02T05:59:58.25Z"));
        assertThat(text(health.answer())).isEqualTo("200 {\"status\":\"Server available\","
                + "\"upSince\":\"2026-12-02T05:59:58.25Z\",\"uptime\":\"1.75s\"}");
        clock.advance(Duration.ofMinutes(61));
        assertThat(text(health.answer())).endsWith("\"uptime\":\"1h1m1.75s\"}");
        ready.set(false);
        assertThat(text(health.answer())).isEqualTo("503 {\"status\":\"Server not available\","
                + "\"upSince\":\"0001-01-01T00:00:00Z\",\"uptime\":\"\"}");
        clock.advance(Duration.ofSeconds(10));
        ready.set(true);
        assertThat(text(health.answer())).isEqualTo("200 {\"status\":\"Server available\","
                + "\"upSince\":\"2026-12-02T07:01:10Z\",\"uptime\":\"0s\"}");
        // a readiness event after the fact does not move it back
        health.becameReady(Instant.parse("2026-12-02T05:00:00Z"));
        assertThat(text(health.answer())).contains("\"upSince\":\"2026-12-02T07:01:10Z\"");
    }

    private static String text(CollectorHealth.Answer a) {
        return a.status() + " " + new String(a.body(), StandardCharsets.UTF_8);
    }
}
