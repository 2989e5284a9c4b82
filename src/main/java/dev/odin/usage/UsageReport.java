package dev.odin.usage;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The usage API's reports, ccusage-style: a {@code rows} array (one object per day, week, month,
 * session or 5-hour block) and a {@code totals} object, each with ccusage's field names
 * ({@code inputTokens}, {@code outputTokens}, {@code cacheCreationTokens}, {@code cacheReadTokens},
 * {@code totalTokens}, {@code totalCost}). Days, weeks (starting on Monday, ISO) and months are in
 * the requested time zone. Blocks follow ccusage: a block starts at its first request's time
 * floored to the hour and lasts 5 hours; a request after the block's end, or more than 5 hours
 * after the previous one, starts the next block.
 *
 * <p>A session whose transcript ODIN reads is counted from the transcript only; telemetry of the
 * same session id would count it twice.
 *
 * <p>{@code group=project} and {@code group=branch} have one row per repository (the git remote of
 * the transcript's cwd, see {@link GitRepositories}) or per repository and branch.
 */
public final class UsageReport {

    public enum Group { DAY, WEEK, MONTH, SESSION, BLOCK, PROJECT, BRANCH,
        /** one row per machine: the laptops that forward to this ODIN, and its own */
        MACHINE }

    static final Duration BLOCK = Duration.ofHours(5);

    /** Running sums of one row. */
    static final class Sums {
        long input;
        long output;
        long cacheCreation;
        long cacheRead;
        BigDecimal cost = BigDecimal.ZERO;
        final Set<String> models = new TreeSet<>();
        Instant first;
        Instant last;

        void add(UsageEvent e) {
            input += e.tokens().input();
            output += e.tokens().output();
            cacheCreation += e.tokens().cacheWrite5m() + e.tokens().cacheWrite1h();
            cacheRead += e.tokens().cacheRead();
            if (e.cost() != null) {
                cost = cost.add(e.cost());
            }
            if (e.model() != null && !e.model().isEmpty()) {
                models.add(e.model());
            }
            first = first == null || e.timestamp().isBefore(first) ? e.timestamp() : first;
            last = last == null || e.timestamp().isAfter(last) ? e.timestamp() : last;
        }

        long total() {
            return input + output + cacheCreation + cacheRead;
        }

        void into(Map<String, Object> row) {
            row.put("inputTokens", input);
            row.put("outputTokens", output);
            row.put("cacheCreationTokens", cacheCreation);
            row.put("cacheReadTokens", cacheRead);
            row.put("totalTokens", total());
            row.put("totalCost", cost.stripTrailingZeros().scale() < 0 ? cost.setScale(0) : cost.stripTrailingZeros());
            row.put("modelsUsed", new ArrayList<>(models));
        }
    }

    private UsageReport() {
    }

    /** The events from {@code since} (inclusive) to {@code until} (inclusive, null: open), deduplicated by source. */
    static List<UsageEvent> events(UsageStore store, LocalDate since, LocalDate until, ZoneId zone) throws IOException {
        Set<String> transcriptSessions = new HashSet<>();
        // a day file is a UTC day: start one day early so local days at the edge are complete
        LocalDate from = since == null ? null : since.minusDays(1);
        store.read(from, e -> {
            if (UsageEvent.TRANSCRIPT.equals(e.source()) && e.sessionId() != null) {
                transcriptSessions.add(e.sessionId());
            }
        });
        List<UsageEvent> out = new ArrayList<>();
        store.read(from, e -> {
            LocalDate day = e.timestamp().atZone(zone).toLocalDate();
            if ((since != null && day.isBefore(since)) || (until != null && day.isAfter(until))) {
                return;
            }
            if (UsageEvent.TELEMETRY.equals(e.source()) && transcriptSessions.contains(e.sessionId())) {
                return;
            }
            out.add(e);
        });
        out.sort((a, b) -> a.timestamp().compareTo(b.timestamp()));
        return out;
    }

    public static Map<String, Object> build(UsageStore store, Group group, LocalDate since, LocalDate until,
            ZoneId zone, Instant now) throws IOException {
        List<UsageEvent> events = events(store, since, until, zone);
        List<Map<String, Object>> rows = group == Group.BLOCK ? blocks(events, now)
                : group == Group.PROJECT || group == Group.BRANCH ? byRepository(events, group == Group.BRANCH, zone)
                : grouped(events, group, zone);
        Sums totals = new Sums();
        events.forEach(totals::add);
        Map<String, Object> t = new LinkedHashMap<>();
        totals.into(t);
        t.remove("modelsUsed");
        unpriced(events, t);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", group.name().toLowerCase());
        answer.put("timezone", zone.getId());
        answer.put("rows", rows);
        answer.put("totals", t);
        return answer;
    }

    /**
     * The requests whose model the price table does not know (cost null: left out of totalCost,
     * never priced as 0): {@code unpricedRequests} (each request once, however many times its
     * transcript line grew) and {@code unpricedModels}.
     */
    private static void unpriced(List<UsageEvent> events, Map<String, Object> totals) {
        Set<String> requests = new HashSet<>();
        Set<String> models = new TreeSet<>();
        long unkeyed = 0;
        for (UsageEvent e : events) {
            if (e.cost() == null) {
                models.add(e.model() == null ? "" : e.model());
                if (e.messageId() != null || e.requestId() != null) {
                    requests.add(e.source() + "|" + e.messageId() + "|" + e.requestId());
                } else {
                    unkeyed++;
                }
            }
        }
        totals.put("unpricedRequests", requests.size() + unkeyed);
        totals.put("unpricedModels", new ArrayList<>(models));
    }

    private static List<Map<String, Object>> grouped(List<UsageEvent> events, Group group, ZoneId zone) {
        Map<String, Sums> byKey = new TreeMap<>();
        Map<String, String> projects = new LinkedHashMap<>();
        for (UsageEvent e : events) {
            LocalDate day = e.timestamp().atZone(zone).toLocalDate();
            String key = switch (group) {
                case DAY -> day.toString();
                case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString();
                case MONTH -> day.toString().substring(0, 7);
                case MACHINE -> String.valueOf(e.machine());
                default -> String.valueOf(e.sessionId());
            };
            byKey.computeIfAbsent(key, k -> new Sums()).add(e);
            if (group == Group.SESSION) {
                projects.putIfAbsent(key, e.project());
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        String field = switch (group) {
            case DAY -> "date";
            case WEEK -> "week";
            case MONTH -> "month";
            case MACHINE -> "machine";
            default -> "sessionId";
        };
        List<Map.Entry<String, Sums>> entries = new ArrayList<>(byKey.entrySet());
        if (group == Group.SESSION) {
            entries.sort((a, b) -> a.getValue().last.compareTo(b.getValue().last));
        }
        for (Map.Entry<String, Sums> e : entries) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(field, e.getKey());
            if (group == Group.SESSION) {
                row.put("project", projects.get(e.getKey()));
                row.put("lastActivity", e.getValue().last.atZone(zone).toLocalDate().toString());
            }
            e.getValue().into(row);
            rows.add(row);
        }
        return rows;
    }

    /**
     * The repository an event counts under: its own, else (a record stored before repositories
     * were, or telemetry of a session no transcript here named) its project directory; empty when
     * neither is known.
     */
    static String repositoryOf(UsageEvent e) {
        return !e.repository().isEmpty() ? e.repository() : e.project() == null ? "" : e.project();
    }

    /**
     * Rows by repository ({@code group=project}) or by repository and branch ({@code group=branch}),
     * most expensive first (then by name), each with {@code repository} (and {@code branch}), the
     * number of {@code sessions} and the day of {@code lastActivity}.
     */
    private static List<Map<String, Object>> byRepository(List<UsageEvent> events, boolean byBranch, ZoneId zone) {
        Map<List<String>, Sums> byKey = new LinkedHashMap<>();
        Map<List<String>, Set<String>> sessions = new LinkedHashMap<>();
        for (UsageEvent e : events) {
            List<String> key = byBranch ? List.of(repositoryOf(e), e.branch()) : List.of(repositoryOf(e));
            byKey.computeIfAbsent(key, k -> new Sums()).add(e);
            if (e.sessionId() != null && !e.sessionId().isEmpty()) {
                sessions.computeIfAbsent(key, k -> new HashSet<>()).add(e.sessionId());
            }
        }
        List<Map.Entry<List<String>, Sums>> entries = new ArrayList<>(byKey.entrySet());
        entries.sort((a, b) -> {
            int c = b.getValue().cost.compareTo(a.getValue().cost);
            return c != 0 ? c : String.join("\u0000", a.getKey()).compareTo(String.join("\u0000", b.getKey()));
        });
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<List<String>, Sums> e : entries) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("repository", e.getKey().get(0));
            if (byBranch) {
                row.put("branch", e.getKey().get(1));
            }
            row.put("sessions", sessions.getOrDefault(e.getKey(), Set.of()).size());
            row.put("lastActivity", e.getValue().last.atZone(zone).toLocalDate().toString());
            e.getValue().into(row);
            rows.add(row);
        }
        return rows;
    }

    /** A 5-hour block and its sums. */
    record Block(Instant start, Sums sums) {
        Instant end() {
            return start.plus(BLOCK);
        }
    }

    static List<Block> blockList(List<UsageEvent> events) {
        List<Block> blocks = new ArrayList<>();
        Block current = null;
        for (UsageEvent e : events) {
            if (current == null || !e.timestamp().isBefore(current.end())
                    || Duration.between(current.sums().last, e.timestamp()).compareTo(BLOCK) > 0) {
                current = new Block(e.timestamp().truncatedTo(ChronoUnit.HOURS), new Sums());
                blocks.add(current);
            }
            current.sums().add(e);
        }
        return blocks;
    }

    private static List<Map<String, Object>> blocks(List<UsageEvent> events, Instant now) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Block b : blockList(events)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("startTime", b.start().toString());
            row.put("endTime", b.end().toString());
            row.put("actualEndTime", b.sums().last.toString());
            boolean active = now.isBefore(b.end()) && Duration.between(b.sums().last, now).compareTo(BLOCK) < 0;
            row.put("isActive", active);
            b.sums().into(row);
            BurnRate rate = BurnRate.of(b, now);
            if (rate != null) {
                row.put("burnRate", Map.of("tokensPerMinute", rate.tokensPerMinute(), "costPerHour", rate.costPerHour()));
                if (active) {
                    row.put("projection", Map.of("totalTokens", rate.projectedTokens(), "totalCost", rate.projectedCost(),
                            "remainingMinutes", rate.remainingMinutes()));
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * ccusage's burn rate: tokens and cost over the minutes from the block's first request to its
     * last; the projection adds that rate over the minutes left until the block ends.
     */
    record BurnRate(double tokensPerMinute, double costPerHour, long remainingMinutes, long projectedTokens,
            double projectedCost) {
        static BurnRate of(Block b, Instant now) {
            double minutes = Duration.between(b.sums().first, b.sums().last).toMillis() / 60_000.0;
            if (minutes <= 0) {
                return null;
            }
            double tpm = b.sums().total() / minutes;
            double cph = b.sums().cost.doubleValue() / minutes * 60;
            long remaining = Math.max(0, Duration.between(now, b.end()).toMinutes());
            return new BurnRate(tpm, cph, remaining, Math.round(b.sums().total() + tpm * remaining),
                    b.sums().cost.doubleValue() + cph / 60 * remaining);
        }
    }
}
