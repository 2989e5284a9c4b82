package dev.odin.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where counted usage goes: the per-request history ({@link UsageStore}) and the usage metrics
 * {@code odin_claude_usage_tokens_total{source, model, type, machine, project}} and
 * {@code odin_claude_usage_cost_usd_total{source, model, machine, project}}, without session-level
 * cardinality. Sessions are counted as distinct session ids seen per window
 * ({@code odin_claude_sessions{window}}), not from Claude Code's one-shot session counter.
 * Label combinations are capped; past the cap, usage is counted under project "other". By
 * repository and branch: {@link RepositoryUsage}. Telemetry is attributed to its session's
 * repository, and compared with the transcript's cost, by {@link SessionJoin}.
 */
public final class UsageRecorder {

    static final int MAX_LABEL_SETS = 2_000;
    private static final int MAX_SESSIONS = 50_000;
    /** The token kinds, in the order of {@link #count}'s counters (then the cost's). */
    static final String[] TYPES = {"input", "output", "cacheCreation5m", "cacheCreation1h", "cacheRead"};

    private final UsageStore store;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Counter[]> counters = new ConcurrentHashMap<>();
    private final Map<String, Long> sessionsLastSeen;
    private final RepositoryUsage repositories;
    private final SessionJoin join;

    public UsageRecorder(UsageStore store, MeterRegistry registry, Clock clock) {
        this(store, registry, clock, RepositoryProperties.defaults());
    }

    public UsageRecorder(UsageStore store, MeterRegistry registry, Clock clock, RepositoryProperties repositories) {
        this.store = store;
        this.registry = registry;
        this.clock = clock;
        this.repositories = new RepositoryUsage(registry, repositories);
        this.join = new SessionJoin(registry, clock, repositories);
        this.sessionsLastSeen = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > MAX_SESSIONS;
            }
        };
        for (Map.Entry<String, Duration> w : Map.of("1h", Duration.ofHours(1), "24h", Duration.ofHours(24),
                "7d", Duration.ofDays(7)).entrySet()) {
            Gauge.builder("odin.claude.sessions", this, r -> r.sessionsWithin(w.getValue()))
                    .description("Distinct Claude Code session ids with usage in the window").tag("window", w.getKey())
                    .register(registry);
        }
    }

    public void record(List<UsageEvent> recorded) throws IOException {
        List<UsageEvent> events = new ArrayList<>(recorded.size());
        for (UsageEvent e : recorded) {
            events.add(join.attribute(e));
        }
        store.append(events);
        for (UsageEvent e : events) {
            count(e);
            repositories.count(e);
            join.observe(e);
            if (e.sessionId() != null && !e.sessionId().isEmpty()) {
                synchronized (sessionsLastSeen) {
                    long t = e.timestamp().toEpochMilli();
                    Long before = sessionsLastSeen.get(e.sessionId());
                    sessionsLastSeen.put(e.sessionId(), before == null ? t : Math.max(before, t));
                }
            }
        }
    }

    private void count(UsageEvent e) {
        String project = e.project() == null ? "" : e.project();
        String key = e.source() + '\u0000' + e.model() + '\u0000' + e.machine() + '\u0000' + project;
        Counter[] c = counters.get(key);
        if (c == null) {
            if (counters.size() >= MAX_LABEL_SETS) {
                project = "other";
                key = e.source() + '\u0000' + e.model() + '\u0000' + e.machine() + '\u0000' + project;
            }
            String p = project;
            c = counters.computeIfAbsent(key, k -> create(e.source(), String.valueOf(e.model()), e.machine(), p));
        }
        count(c, e);
    }

    /** An event into a set of counters: one per kind in {@link #TYPES}, then the cost's. */
    static void count(Counter[] c, UsageEvent e) {
        TokenUsage t = e.tokens();
        long[] values = {t.input(), t.output(), t.cacheWrite5m(), t.cacheWrite1h(), t.cacheRead()};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != 0) {
                c[i].increment(values[i]);
            }
        }
        if (e.cost() != null && e.cost().signum() != 0) {
            c[TYPES.length].increment(e.cost().doubleValue());
        }
    }

    private Counter[] create(String source, String model, String machine, String project) {
        Counter[] c = new Counter[TYPES.length + 1];
        for (int i = 0; i < TYPES.length; i++) {
            c[i] = Counter.builder("odin.claude.usage.tokens").description("Claude Code tokens, counted once per request")
                    .tags("source", source, "model", model, "type", TYPES[i], "machine", machine, "project", project)
                    .register(registry);
        }
        c[TYPES.length] = Counter.builder("odin.claude.usage.cost").baseUnit("usd")
                .description("Claude Code cost in USD: transcripts priced by ODIN's table, telemetry as reported")
                .tags("source", source, "model", model, "machine", machine, "project", project).register(registry);
        return c;
    }

    /** The per-session join of telemetry to transcripts. */
    public SessionJoin join() {
        return join;
    }

    long sessionsWithin(Duration window) {
        long since = clock.millis() - window.toMillis();
        synchronized (sessionsLastSeen) {
            return sessionsLastSeen.values().stream().filter(t -> t >= since).count();
        }
    }

}
