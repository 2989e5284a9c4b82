package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage API's day and block reports for a fixed history, against tables computed by hand. */
class UsageReportTest {

    private static final String SONNET = "claude-sonnet-4-5";
    private static final String HAIKU = "claude-haiku-4-5";
    private static final String OPUS = "claude-opus-4-5";
    private static final Instant NOW = Instant.parse("2026-11-22T12:10:00Z");

    @TempDir
    Path tmp;
    private UsageStore store;

    private static UsageEvent e(String time, String source, String session, String model, long in, long out,
            long read, String cost) {
        return new UsageEvent(Instant.parse(time), source, "laptop", "proj", session, model,
                new TokenUsage(in, out, 0, 0, read), new BigDecimal(cost), null, null, "me", "");
    }

    @BeforeEach
    void history() throws Exception {
        store = new UsageStore(tmp, 400);
        store.append(List.of(
                e("2026-11-20T09:15:00Z", "transcript", "s1", SONNET, 100, 10, 1000, "0.10"),
                e("2026-11-20T10:40:00Z", "transcript", "s1", SONNET, 200, 20, 0, "0.20"),
                e("2026-11-20T16:30:00Z", "transcript", "s2", HAIKU, 50, 5, 0, "0.05"),
                e("2026-11-21T01:00:00Z", "transcript", "s2", HAIKU, 10, 1, 0, "0.01"),
                e("2026-11-22T09:00:00Z", "telemetry", "s9", SONNET, 30, 0, 0, "0.30"),
                e("2026-11-22T11:10:00Z", "transcript", "s3", OPUS, 1000, 100, 0, "1.00"),
                // the same session's telemetry: its transcript counts, this would count it twice
                e("2026-11-22T11:20:00Z", "telemetry", "s3", OPUS, 999, 99, 0, "0.99"),
                e("2026-11-22T11:40:00Z", "transcript", "s3", OPUS, 500, 50, 0, "0.50")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> report) {
        return (List<Map<String, Object>>) report.get("rows");
    }

    private static void sums(Map<String, Object> row, long in, long out, long read, long total, String cost) {
        assertThat(row).containsEntry("inputTokens", in).containsEntry("outputTokens", out)
                .containsEntry("cacheCreationTokens", 0L).containsEntry("cacheReadTokens", read)
                .containsEntry("totalTokens", total);
        assertThat((BigDecimal) row.get("totalCost")).isEqualByComparingTo(cost);
    }

    @Test
    void dailyReport() throws Exception {
        Map<String, Object> r = UsageReport.build(store, UsageReport.Group.DAY, null, null, ZoneOffset.UTC, NOW);
        List<Map<String, Object>> rows = rows(r);
        assertThat(rows).extracting(x -> x.get("date")).containsExactly("2026-11-20", "2026-11-21", "2026-11-22");
        sums(rows.get(0), 350, 35, 1000, 1385, "0.35");
        assertThat(rows.get(0).get("modelsUsed")).isEqualTo(List.of(HAIKU, SONNET));
        sums(rows.get(1), 10, 1, 0, 11, "0.01");
        sums(rows.get(2), 1530, 150, 0, 1680, "1.80");
        sums((Map<String, Object>) r.get("totals"), 1890, 186, 1000, 3076, "2.16");
        // since cuts whole days (ccusage's YYYYMMDD form too)
        Map<String, Object> since = UsageReport.build(store, UsageReport.Group.DAY, LocalDate.parse("2026-11-21"), null,
                ZoneOffset.UTC, NOW);
        assertThat(rows(since)).extracting(x -> x.get("date")).containsExactly("2026-11-21", "2026-11-22");
        // in another time zone the 01:00Z request belongs to the 20th
        Map<String, Object> ny = UsageReport.build(store, UsageReport.Group.DAY, null, null,
                java.time.ZoneId.of("America/New_York"), NOW);
        assertThat(rows(ny)).extracting(x -> x.get("date")).containsExactly("2026-11-20", "2026-11-22");
    }

    @Test
    @SuppressWarnings("unchecked")
    void blockReport() throws Exception {
        List<Map<String, Object>> b = rows(UsageReport.build(store, UsageReport.Group.BLOCK, null, null, ZoneOffset.UTC,
                NOW));
        assertThat(b).extracting(x -> x.get("startTime")).containsExactly("2026-11-20T09:00:00Z",
                "2026-11-20T16:00:00Z", "2026-11-21T01:00:00Z", "2026-11-22T09:00:00Z");
        assertThat(b).extracting(x -> x.get("endTime")).containsExactly("2026-11-20T14:00:00Z",
                "2026-11-20T21:00:00Z", "2026-11-21T06:00:00Z", "2026-11-22T14:00:00Z");
        assertThat(b).extracting(x -> x.get("isActive")).containsExactly(false, false, false, true);
        sums(b.get(0), 300, 30, 1000, 1330, "0.30");
        Map<String, Object> burn0 = (Map<String, Object>) b.get(0).get("burnRate");
        assertThat((Double) burn0.get("tokensPerMinute")).isCloseTo(1330 / 85.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat((Double) burn0.get("costPerHour")).isCloseTo(0.30 / 85 * 60, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(b.get(1)).doesNotContainKey("burnRate"); // one request: no duration to divide by
        sums(b.get(3), 1530, 150, 0, 1680, "1.80");
        assertThat(b.get(3)).containsEntry("actualEndTime", "2026-11-22T11:40:00Z");
        Map<String, Object> burn = (Map<String, Object>) b.get(3).get("burnRate");
        assertThat((Double) burn.get("tokensPerMinute")).isCloseTo(10.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat((Double) burn.get("costPerHour")).isCloseTo(0.675, org.assertj.core.data.Offset.offset(1e-9));
        Map<String, Object> projection = (Map<String, Object>) b.get(3).get("projection");
        assertThat(projection).containsEntry("remainingMinutes", 110L).containsEntry("totalTokens", 2835L);
        assertThat((Double) projection.get("totalCost")).isCloseTo(3.0375, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void sessionWeekAndMonthReports() throws Exception {
        List<Map<String, Object>> s = rows(UsageReport.build(store, UsageReport.Group.SESSION, null, null,
                ZoneOffset.UTC, NOW));
        assertThat(s).extracting(x -> x.get("sessionId")).containsExactly("s1", "s2", "s9", "s3");
        sums(s.get(3), 1500, 150, 0, 1650, "1.50");
        assertThat(s.get(3)).containsEntry("project", "proj").containsEntry("lastActivity", "2026-11-22");
        List<Map<String, Object>> w = rows(UsageReport.build(store, UsageReport.Group.WEEK, null, null, ZoneOffset.UTC,
                NOW));
        assertThat(w).extracting(x -> x.get("week")).containsExactly("2026-11-16"); // Monday of that week
        List<Map<String, Object>> m = rows(UsageReport.build(store, UsageReport.Group.MONTH, null, null, ZoneOffset.UTC,
                NOW));
        assertThat(m).extracting(x -> x.get("month")).containsExactly("2026-11");
        sums(m.get(0), 1890, 186, 1000, 3076, "2.16");
    }
}
