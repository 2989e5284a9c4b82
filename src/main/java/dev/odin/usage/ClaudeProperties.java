package dev.odin.usage;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Claude Code usage accounting ({@code odin.claude.*}); docs/usage.md.
 *
 * @param transcriptsEnabled follow the transcript files (on a laptop and in the probe DaemonSet;
 *        off in the gateway, which has no transcripts)
 * @param transcriptsDir the root Claude Code writes transcripts under
 *        ({@code ~/.claude/projects/<project>/<session>.jsonl})
 * @param pollInterval how often the transcript route looks for new lines
 * @param machine the machine name transcript usage is recorded under; empty: the host name
 * @param pricingFile a price table that replaces the built-in one (same YAML layout)
 * @param retentionDays how long the per-request usage files are kept
 * @param user who transcript usage belongs to; empty: the account ODIN runs as
 * @param team the team transcript usage belongs to (telemetry's is its token's tenant)
 * @param timezone where days, weeks and months of budgets begin; empty: the server's
 * @param blockLimitUsd a 5-hour block's spend limit, per machine; 0: none
 * @param budgets spend budgets per period and scope
 * @param budgetInterval how often budgets, day projections and blocks are recomputed (the claude-budgets timer)
 * @param eventMaxAge transcript usage older than this is not sent to the event sink as events (Loki
 *        refuses samples older than its reject_old_samples_max_age, a week by default)
 */
@ConfigurationProperties(prefix = "odin.claude")
public record ClaudeProperties(
        @DefaultValue("true") boolean transcriptsEnabled,
        @DefaultValue("${user.home}/.claude/projects") String transcriptsDir,
        @DefaultValue("5s") Duration pollInterval,
        @DefaultValue("") String machine,
        @DefaultValue("") String pricingFile,
        @DefaultValue("400") int retentionDays,
        @DefaultValue("") String user,
        @DefaultValue("") String team,
        @DefaultValue("") String timezone,
        @DefaultValue("0") BigDecimal blockLimitUsd,
        @DefaultValue List<Budget> budgets,
        @DefaultValue("1m") Duration budgetInterval,
        @DefaultValue("7d") Duration eventMaxAge) {

    /** The period a budget covers: the calendar day, ISO week (from Monday) or month. */
    public enum Period { DAY, WEEK, MONTH }

    /** Whose spend a budget limits; ALL is everything this ODIN counts (name ignored). */
    public enum Scope { USER, MACHINE, TEAM, ALL }

    /**
     * One budget, e.g. {period: day, scope: machine, name: laptop, usd: 20}.
     *
     * @param name the user, machine or team it applies to
     */
    public record Budget(Period period, Scope scope, String name, BigDecimal usd) {
    }

    public ClaudeProperties {
        budgets = budgets == null ? List.of() : budgets;
        for (int i = 0; i < budgets.size(); i++) {
            Budget b = budgets.get(i);
            if (b.period() == null || b.scope() == null || b.usd() == null || b.usd().signum() <= 0) {
                throw new IllegalArgumentException("odin.claude.budgets[" + i + "] needs a period (day, week,"
                        + " month), a scope (user, machine, team, all) and usd above 0");
            }
            if (b.scope() != Scope.ALL && (b.name() == null || b.name().isBlank())) {
                throw new IllegalArgumentException("odin.claude.budgets[" + i + "] needs the name of its "
                        + b.scope().name().toLowerCase());
            }
        }
    }
}
