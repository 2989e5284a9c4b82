package dev.odin.limits;

import dev.odin.usage.UsageReport;
import dev.odin.usage.UsageStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * Today's spend and the active 5-hour block as this ODIN's usage API reports them
 * ({@code /api/usage?group=day} and {@code group=block}, every machine and user it counts), for
 * the statusline's answer. Computed at most once per {@link #TTL}: Claude Code refreshes its
 * statusline up to every 300 ms while it works, and each computation reads the day files.
 */
public final class UsageSummary {

    /** How long one computation answers: the history changes by requests, seconds apart. */
    static final Duration TTL = Duration.ofSeconds(2);

    /**
     * @param today the day in the summary's time zone
     * @param todayCost USD spent today
     * @param block the active block, or null
     */
    public record Summary(LocalDate today, BigDecimal todayCost, Block block) {
    }

    /** The active 5-hour block: its start, end and cost so far. */
    public record Block(Instant start, Instant end, BigDecimal cost) {
    }

    private final UsageStore store;
    private final Clock clock;
    private final ZoneId zone;
    private Summary cached;
    private Instant cachedAt;

    public UsageSummary(UsageStore store, Clock clock, ZoneId zone) {
        this.store = store;
        this.clock = clock;
        this.zone = zone;
    }

    public synchronized Summary now() throws IOException {
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cachedAt.plus(TTL)) && !now.isBefore(cachedAt)) {
            return cached;
        }
        LocalDate today = now.atZone(zone).toLocalDate();
        Map<String, Object> day = UsageReport.build(store, UsageReport.Group.DAY, today, today, zone, now);
        BigDecimal cost = (BigDecimal) ((Map<?, ?>) day.get("totals")).get("totalCost");
        Map<String, Object> blocks = UsageReport.build(store, UsageReport.Group.BLOCK, today.minusDays(1), null, zone,
                now);
        Block active = null;
        for (Object o : (List<?>) blocks.get("rows")) {
            Map<?, ?> row = (Map<?, ?>) o;
            if (Boolean.TRUE.equals(row.get("isActive"))) {
                active = new Block(Instant.parse((String) row.get("startTime")),
                        Instant.parse((String) row.get("endTime")), (BigDecimal) row.get("totalCost"));
            }
        }
        cached = new Summary(today, cost, active);
        cachedAt = now;
        return cached;
    }
}
