package dev.odin.usage;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Budgets and forecasts, recomputed from the usage history by the claude-budgets timer:
 *
 * <ul>
 * <li>per configured budget, the spend so far in its period and the spend projected for the
 * period's end at the current burn rate (the last hour's spend per hour):
 * {@code odin_claude_budget_usd}, {@code odin_claude_budget_spent_usd},
 * {@code odin_claude_budget_projected_usd} {period, scope, name};</li>
 * <li>per machine, today's spend and its projection to midnight:
 * {@code odin_claude_day_spent_usd}, {@code odin_claude_day_projected_usd} {machine};</li>
 * <li>per machine with an active 5-hour block: its cost, tokens, burn rate (USD/h, tokens/min),
 * projected cost at its end and seconds left: {@code odin_claude_block_*} {machine}, and the
 * configured limit {@code odin_claude_block_limit_usd}.</li>
 * </ul>
 * The recording and alert rules in alerting/rules/claude-usage.yml compare them.
 */
public final class BudgetWatch {

    private final UsageStore store;
    private final ClaudeProperties config;
    private final UsageUsers users;
    private final Clock clock;
    private final ZoneId zone;
    private final MultiGauge budget;
    private final MultiGauge budgetSpent;
    private final MultiGauge budgetProjected;
    private final MultiGauge daySpent;
    private final MultiGauge dayProjected;
    private final MultiGauge blockCost;
    private final MultiGauge blockTokens;
    private final MultiGauge blockBurn;
    private final MultiGauge blockTokenRate;
    private final MultiGauge blockProjected;
    private final MultiGauge blockRemaining;

    public BudgetWatch(UsageStore store, ClaudeProperties config, Clock clock, MeterRegistry registry) {
        this(store, config, clock, registry, UsageUsers.none());
    }

    /**
     * @param users the privacy rules the history's users went through: a user budget names a
     *        person as configured (an email) and matches both the clear value of older lines and
     *        the hashed value of newer ones
     */
    public BudgetWatch(UsageStore store, ClaudeProperties config, Clock clock, MeterRegistry registry,
            UsageUsers users) {
        this.store = store;
        this.config = config;
        this.users = users;
        this.clock = clock;
        this.zone = config.timezone().isBlank() ? ZoneId.systemDefault() : ZoneId.of(config.timezone());
        budget = gauge(registry, "odin.claude.budget", "usd", "A configured Claude Code spend budget");
        budgetSpent = gauge(registry, "odin.claude.budget.spent", "usd", "Spend so far in the budget's period");
        budgetProjected = gauge(registry, "odin.claude.budget.projected", "usd",
                "Spend projected for the end of the budget's period at the last hour's burn rate");
        daySpent = gauge(registry, "odin.claude.day.spent", "usd", "Claude Code spend today");
        dayProjected = gauge(registry, "odin.claude.day.projected", "usd",
                "Spend projected for midnight at the last hour's burn rate");
        blockCost = gauge(registry, "odin.claude.block.cost", "usd", "Cost of the active 5-hour block");
        blockTokens = gauge(registry, "odin.claude.block.tokens", null, "Tokens of the active 5-hour block");
        blockBurn = gauge(registry, "odin.claude.block.burn.rate", "usd_per_hour",
                "The active block's cost per hour (first to last request)");
        blockTokenRate = gauge(registry, "odin.claude.block.token.rate", "tokens_per_minute",
                "The active block's tokens per minute (first to last request)");
        blockProjected = gauge(registry, "odin.claude.block.projected.cost", "usd",
                "The active block's cost projected for its end at its burn rate");
        blockRemaining = gauge(registry, "odin.claude.block.remaining", "seconds", "Time left in the active block");
        if (config.blockLimitUsd().signum() > 0) {
            Gauge.builder("odin.claude.block.limit", config, c -> c.blockLimitUsd().doubleValue()).baseUnit("usd")
                    .description("The configured spend limit of a 5-hour block").register(registry);
        }
    }

    private static MultiGauge gauge(MeterRegistry registry, String name, String unit, String description) {
        MultiGauge.Builder b = MultiGauge.builder(name).description(description);
        if (unit != null) {
            b.baseUnit(unit);
        }
        return b.register(registry);
    }

    ZonedDateTime periodStart(ClaudeProperties.Period period, ZonedDateTime now) {
        ZonedDateTime day = now.toLocalDate().atStartOfDay(zone);
        return switch (period) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
    }

    static ZonedDateTime periodEnd(ClaudeProperties.Period period, ZonedDateTime start) {
        return switch (period) {
            case DAY -> start.plusDays(1);
            case WEEK -> start.plusWeeks(1);
            case MONTH -> start.plusMonths(1);
        };
    }

    private boolean inScope(UsageEvent e, ClaudeProperties.Budget b) {
        return switch (b.scope()) {
            case USER -> b.name().equals(e.user()) || sameUser(b.name(), e.user());
            case MACHINE -> b.name().equals(e.machine());
            case TEAM -> b.name().equals(e.team());
            case ALL -> true;
        };
    }

    private boolean sameUser(String budgetName, String user) {
        String key = users.configured(budgetName);
        return key != null && !key.isEmpty() && key.equals(user);
    }

    private static double cost(UsageEvent e) {
        return e.cost() == null ? 0 : e.cost().doubleValue();
    }

    /** Recomputes every gauge from the history (called by the claude-budgets timer). */
    public void update() throws IOException {
        Instant now = clock.instant();
        ZonedDateTime zNow = now.atZone(zone);
        ZonedDateTime earliest = zNow.minusHours(10); // an active block began within the last 10 hours
        for (ClaudeProperties.Budget b : config.budgets()) {
            ZonedDateTime s = periodStart(b.period(), zNow);
            earliest = s.isBefore(earliest) ? s : earliest;
        }
        earliest = periodStart(ClaudeProperties.Period.DAY, zNow).isBefore(earliest)
                ? periodStart(ClaudeProperties.Period.DAY, zNow) : earliest;
        List<UsageEvent> events = UsageReport.events(store, earliest.toLocalDate(), null, zone);
        Instant hourAgo = now.minus(Duration.ofHours(1));

        List<MultiGauge.Row<?>> limits = new ArrayList<>();
        List<MultiGauge.Row<?>> spent = new ArrayList<>();
        List<MultiGauge.Row<?>> projected = new ArrayList<>();
        for (ClaudeProperties.Budget b : config.budgets()) {
            ZonedDateTime start = periodStart(b.period(), zNow);
            double sum = 0;
            double lastHour = 0;
            for (UsageEvent e : events) {
                if (!e.timestamp().isBefore(start.toInstant()) && inScope(e, b)) {
                    sum += cost(e);
                    if (!e.timestamp().isBefore(hourAgo)) {
                        lastHour += cost(e);
                    }
                }
            }
            double hoursLeft = Duration.between(now, periodEnd(b.period(), start).toInstant()).toMillis() / 3_600_000.0;
            Tags tags = Tags.of("period", b.period().name().toLowerCase(), "scope", b.scope().name().toLowerCase(),
                    "name", b.scope() == ClaudeProperties.Scope.ALL ? "" : b.name());
            limits.add(MultiGauge.Row.of(tags, b.usd().doubleValue()));
            spent.add(MultiGauge.Row.of(tags, sum));
            projected.add(MultiGauge.Row.of(tags, sum + lastHour * Math.max(0, hoursLeft)));
        }
        budget.register(limits, true);
        budgetSpent.register(spent, true);
        budgetProjected.register(projected, true);

        // per machine: today, and the active block
        Map<String, List<UsageEvent>> byMachine = new TreeMap<>();
        events.forEach(e -> byMachine.computeIfAbsent(e.machine(), k -> new ArrayList<>()).add(e));
        Instant dayStart = periodStart(ClaudeProperties.Period.DAY, zNow).toInstant();
        double hoursToMidnight = Duration.between(now, dayStart.plus(Duration.ofDays(1))).toMillis() / 3_600_000.0;
        List<MultiGauge.Row<?>> today = new ArrayList<>();
        List<MultiGauge.Row<?>> todayProjected = new ArrayList<>();
        List<List<MultiGauge.Row<?>>> block = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Map.Entry<String, List<UsageEvent>> m : byMachine.entrySet()) {
            Tags tags = Tags.of("machine", m.getKey());
            double sum = 0;
            double lastHour = 0;
            for (UsageEvent e : m.getValue()) {
                if (!e.timestamp().isBefore(dayStart)) {
                    sum += cost(e);
                    if (!e.timestamp().isBefore(hourAgo)) {
                        lastHour += cost(e);
                    }
                }
            }
            today.add(MultiGauge.Row.of(tags, sum));
            todayProjected.add(MultiGauge.Row.of(tags, sum + lastHour * hoursToMidnight));
            List<UsageReport.Block> blocks = UsageReport.blockList(m.getValue());
            UsageReport.Block last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
            if (last == null || !now.isBefore(last.end())
                    || Duration.between(last.sums().last, now).compareTo(UsageReport.BLOCK) >= 0) {
                continue; // no active block on this machine
            }
            UsageReport.BurnRate rate = UsageReport.BurnRate.of(last, now);
            double cost = last.sums().cost.doubleValue();
            block.get(0).add(MultiGauge.Row.of(tags, cost));
            block.get(1).add(MultiGauge.Row.of(tags, last.sums().total()));
            block.get(2).add(MultiGauge.Row.of(tags, rate == null ? 0 : rate.costPerHour()));
            block.get(3).add(MultiGauge.Row.of(tags, rate == null ? 0 : rate.tokensPerMinute()));
            block.get(4).add(MultiGauge.Row.of(tags, rate == null ? cost : rate.projectedCost()));
            block.get(5).add(MultiGauge.Row.of(tags, Duration.between(now, last.end()).toSeconds()));
        }
        daySpent.register(today, true);
        dayProjected.register(todayProjected, true);
        blockCost.register(block.get(0), true);
        blockTokens.register(block.get(1), true);
        blockBurn.register(block.get(2), true);
        blockTokenRate.register(block.get(3), true);
        blockProjected.register(block.get(4), true);
        blockRemaining.register(block.get(5), true);
    }

}
