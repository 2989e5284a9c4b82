package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/usage group=project and group=branch over a fixed history, against sums computed by hand. */
class RepositoryReportTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @TempDir
    Path tmp;
    private UsageStore store;

    private static UsageEvent e(String time, String source, String session, String repository, String branch,
            long in, String cost) {
        String project = source.equals(UsageEvent.TELEMETRY) ? "" : "-home-u-proj"; // telemetry has none
        return new UsageEvent(Instant.parse(time), source, "laptop", project, session, "claude-sonnet-4-5",
                new TokenUsage(in, 1, 0, 0, 0), new BigDecimal(cost), null, null, "me", "", repository, branch);
    }

    @BeforeEach
    void history() throws Exception {
        store = new UsageStore(tmp, 400);
        store.append(List.of(
                e("2026-11-20T09:00:00Z", "transcript", "s1", "github.com/org/app", "main", 100, "0.10"),
                e("2026-11-20T10:00:00Z", "transcript", "s1", "github.com/org/app", "feature/x", 200, "0.20"),
                e("2026-11-21T09:00:00Z", "transcript", "s2", "github.com/org/app", "main", 300, "0.30"),
                e("2026-11-21T10:00:00Z", "transcript", "s3", "/home/u/scratch", "", 50, "0.05"),
                // telemetry of a transcript's session: the transcript counts it
                e("2026-11-21T10:01:00Z", "telemetry", "s3", "/home/u/scratch", "", 50, "0.05"),
                // telemetry from another machine, joined to no repository
                e("2026-11-22T08:00:00Z", "telemetry", "s9", "", "", 40, "0.40")));
        // a record stored before repositories were: it counts under its project directory
        Files.writeString(tmp.resolve("2026-11-19.jsonl"), "{\"t\":" + Instant.parse("2026-11-19T12:00:00Z").toEpochMilli()
                + ",\"source\":\"transcript\",\"machine\":\"laptop\",\"project\":\"-home-u-old\",\"session\":\"s0\","
                + "\"model\":\"claude-sonnet-4-5\",\"input\":7,\"output\":1,\"cacheWrite5m\":0,\"cacheWrite1h\":0,"
                + "\"cacheRead\":0,\"cost\":\"0.07\"}\n");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> report) {
        return (List<Map<String, Object>>) report.get("rows");
    }

    @Test
    void groupProjectHasOneRowPerRepositoryMostExpensiveFirst() throws Exception {
        Map<String, Object> r = UsageReport.build(store, UsageReport.Group.PROJECT, null, null, ZoneOffset.UTC, NOW);
        assertThat(r).containsEntry("group", "project");
        List<Map<String, Object>> rows = rows(r);
        assertThat(rows).extracting(m -> m.get("repository"))
                .containsExactly("github.com/org/app", "", "-home-u-old", "/home/u/scratch");
        Map<String, Object> app = rows.get(0);
        assertThat(app).containsEntry("sessions", 2).containsEntry("inputTokens", 600L).containsEntry("outputTokens", 3L)
                .containsEntry("lastActivity", "2026-11-21").doesNotContainKey("branch");
        assertThat((BigDecimal) app.get("totalCost")).isEqualByComparingTo("0.60");
        assertThat((BigDecimal) rows.get(1).get("totalCost")).isEqualByComparingTo("0.40");
        assertThat((BigDecimal) rows.get(2).get("totalCost")).isEqualByComparingTo("0.07");
        assertThat(rows.get(3)).containsEntry("inputTokens", 50L).containsEntry("sessions", 1);
        @SuppressWarnings("unchecked")
        Map<String, Object> totals = (Map<String, Object>) r.get("totals");
        assertThat((BigDecimal) totals.get("totalCost")).isEqualByComparingTo("1.12");
    }

    @Test
    void groupBranchSplitsARepositorysBranches() throws Exception {
        List<Map<String, Object>> rows = rows(UsageReport.build(store, UsageReport.Group.BRANCH,
                LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-21"), ZoneOffset.UTC, NOW));
        assertThat(rows).extracting(m -> m.get("repository") + "@" + m.get("branch"))
                .containsExactly("github.com/org/app@main", "github.com/org/app@feature/x", "/home/u/scratch@");
        assertThat(rows.get(0)).containsEntry("sessions", 2).containsEntry("inputTokens", 400L);
        assertThat((BigDecimal) rows.get(0).get("totalCost")).isEqualByComparingTo("0.40");
        assertThat(rows.get(1)).containsEntry("sessions", 1).containsEntry("inputTokens", 200L);
    }

    @Test
    void repositoryAndBranchSurviveTheStoreAndOldLinesReadAsEmpty() throws Exception {
        UsageEvent e = e("2026-11-22T09:00:00Z", "transcript", "s", "github.com/o/r", "dev", 1, "0.01");
        UsageEvent back = UsageStore.parse(UsageStore.line(e));
        assertThat(back).isEqualTo(e);
        UsageEvent old = UsageStore.parse("{\"t\":1,\"source\":\"transcript\",\"machine\":\"m\",\"project\":\"p\","
                + "\"session\":\"s\",\"model\":\"x\",\"input\":1,\"output\":0,\"cacheWrite5m\":0,\"cacheWrite1h\":0,"
                + "\"cacheRead\":0}");
        assertThat(old.repository()).isEmpty();
        assertThat(old.branch()).isEmpty();
        assertThat(UsageStore.line(old)).doesNotContain("repository").doesNotContain("branch");
    }
}
