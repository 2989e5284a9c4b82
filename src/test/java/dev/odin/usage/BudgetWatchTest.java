package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.usage.ClaudeProperties.Budget;
import dev.odin.usage.ClaudeProperties.Period;
import dev.odin.usage.ClaudeProperties.Scope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets, today's projection and the active block, for a fixed history, against hand-computed values. */
class BudgetWatchTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z"); // a Sunday

    private static UsageEvent e(String time, String machine, String user, String team, String cost, long tokens) {
        return new UsageEvent(Instant.parse(time), "transcript", machine, "p", "s-" + machine, "claude-sonnet-4-5",
                new TokenUsage(tokens, 0, 0, 0, 0), new BigDecimal(cost), null, null, user, team);
    }

    private static double gauge(SimpleMeterRegistry r, String name, String... tags) {
        var g = r.find(name).tags(tags).gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void spendProjectionsAndTheActiveBlock(@TempDir Path dir) throws Exception {
        UsageStore store = new UsageStore(dir, 400);
        store.append(List.of(
                e("2026-11-16T10:00:00Z", "laptop", "ana", "team-a", "40.00", 1000), // Monday: this week
                e("2026-11-21T10:00:00Z", "laptop", "ana", "team-a", "5.00", 1000),  // yesterday
                e("2026-11-22T09:00:00Z", "laptop", "ana", "team-a", "2.00", 1000),
                e("2026-11-22T11:10:00Z", "laptop", "ana", "team-a", "1.00", 2000),  // the last hour
                e("2026-11-22T11:40:00Z", "laptop", "ana", "team-a", "2.00", 3000),  // the last hour
                e("2026-11-22T11:30:00Z", "desktop", "bo", "team-b", "0.50", 500)));
        ClaudeProperties config = new ClaudeProperties(true, "", Duration.ofSeconds(5), "", "", 400, "", "", "UTC",
                new BigDecimal("10"), List.of(new Budget(Period.DAY, Scope.MACHINE, "laptop", new BigDecimal("20")),
                        new Budget(Period.WEEK, Scope.USER, "ana", new BigDecimal("100")),
                        new Budget(Period.MONTH, Scope.ALL, null, new BigDecimal("500"))), Duration.ofMinutes(1),
                Duration.ofDays(7));
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        BudgetWatch w = new BudgetWatch(store, config, Clock.fixed(NOW, ZoneOffset.UTC), r);
        w.update();

        // day, laptop: spent 2 + 1 + 2 = 5; last hour 3 USD; 12 hours to midnight: 5 + 36 = 41
        assertThat(gauge(r, "odin.claude.budget", "period", "day", "scope", "machine", "name", "laptop")).isEqualTo(20);
        assertThat(gauge(r, "odin.claude.budget.spent", "period", "day", "scope", "machine", "name", "laptop")).isEqualTo(5);
        assertThat(gauge(r, "odin.claude.budget.projected", "period", "day", "scope", "machine", "name", "laptop"))
                .isEqualTo(41);
        // week (from Monday the 16th), ana: 40 + 5 + 5 = 50; 12 hours left in the week: 50 + 36 = 86
        assertThat(gauge(r, "odin.claude.budget.spent", "period", "week", "scope", "user", "name", "ana")).isEqualTo(50);
        assertThat(gauge(r, "odin.claude.budget.projected", "period", "week", "scope", "user", "name", "ana"))
                .isEqualTo(86);
        // month, everyone: 50.5 spent; last hour 3.5; 8 days and 12 hours left (204 h): 50.5 + 714 = 764.5
        assertThat(gauge(r, "odin.claude.budget.spent", "period", "month", "scope", "all", "name", "")).isEqualTo(50.5);
        assertThat(gauge(r, "odin.claude.budget.projected", "period", "month", "scope", "all", "name", ""))
                .isEqualTo(764.5);
        // today per machine
        assertThat(gauge(r, "odin.claude.day.spent", "machine", "laptop")).isEqualTo(5);
        assertThat(gauge(r, "odin.claude.day.projected", "machine", "laptop")).isEqualTo(41);
        assertThat(gauge(r, "odin.claude.day.projected", "machine", "desktop")).isEqualTo(0.5 + 0.5 * 12);
        // laptop's block: from 09:00 (09:00 floored) to 14:00, 6000 tokens, 5 USD over 160 minutes
        assertThat(gauge(r, "odin.claude.block.cost", "machine", "laptop")).isEqualTo(5);
        assertThat(gauge(r, "odin.claude.block.tokens", "machine", "laptop")).isEqualTo(6000);
        assertThat(gauge(r, "odin.claude.block.burn.rate", "machine", "laptop")).isCloseTo(5.0 / 160 * 60,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(gauge(r, "odin.claude.block.token.rate", "machine", "laptop")).isCloseTo(6000.0 / 160,
                org.assertj.core.data.Offset.offset(1e-9));
        // 120 minutes left: 5 + 1.875 x 2 = 8.75
        assertThat(gauge(r, "odin.claude.block.projected.cost", "machine", "laptop")).isCloseTo(8.75,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(gauge(r, "odin.claude.block.remaining", "machine", "laptop")).isEqualTo(7200);
        assertThat(gauge(r, "odin.claude.block.limit")).isEqualTo(10);
        // desktop's block has one request: cost, and no rate to project with
        assertThat(gauge(r, "odin.claude.block.projected.cost", "machine", "desktop")).isEqualTo(0.5);
    }
}
