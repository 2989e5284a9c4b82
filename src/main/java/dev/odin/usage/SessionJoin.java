package dev.odin.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What ODIN knows per Claude Code session from the transcripts it reads, for telemetry of the
 * same {@code session.id}:
 *
 * <ul>
 * <li>the join: a telemetry usage event without repository gets its session's repository and
 *     branch ({@link #attribute}), and {@code odin_claude_session_repository_info{session_id,
 *     repository, branch, machine} 1} lets Claude Code's own series (which carry
 *     {@code session_id}) be joined in PromQL;
 * <li>the telemetry-loss comparison: per machine, the cost of live transcript usage
 *     ({@code odin_claude_telemetry_coverage_transcript_usd_total}) and the cost telemetry
 *     reported for the same sessions ({@code odin_claude_telemetry_coverage_telemetry_usd_total});
 *     telemetry that arrives before its session's first transcript line waits (bounded) and is
 *     added when the line comes. {@code odin_claude_sessions_without_telemetry{machine}}: sessions
 *     with transcript cost in the last hour and no telemetry at all.
 * </ul>
 *
 * "Live" is usage at most {@code lossMaxAge} old when recorded: a backfill of old transcripts,
 * for which no telemetry will come any more, stays out of the comparison. Bounded: at most
 * {@code sessions} sessions and as many waiting telemetry sessions (least recently active go
 * first), {@link #MAX_MACHINES} machines (further ones under "other").
 */
public final class SessionJoin {

    static final int MAX_MACHINES = 100;
    static final String OTHER = "other";
    private static final Duration RECENT = Duration.ofHours(1);

    private static final class Session {
        String machine = "";
        String repository = "";
        String branch = "";
        BigDecimal transcriptCost = BigDecimal.ZERO;
        BigDecimal telemetryCost = BigDecimal.ZERO;
        long lastLiveTranscript = Long.MIN_VALUE;
        Meter info;
    }

    private record Machine(Counter transcript, Counter[] telemetry) {
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Duration lossMaxAge;
    private final int infoLimit;
    private final Map<String, Session> sessions;
    private final Map<String, BigDecimal> waiting;
    private final Map<String, Session> withInfo;
    private final Map<String, Machine> machines = new HashMap<>();

    public SessionJoin(MeterRegistry registry, Clock clock, RepositoryProperties config) {
        this.registry = registry;
        this.clock = clock;
        this.lossMaxAge = config.lossMaxAge();
        this.infoLimit = config.sessionInfoLimit();
        int max = config.sessions();
        this.sessions = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
                if (size() > max) {
                    dropInfo(eldest.getKey(), eldest.getValue());
                    return true;
                }
                return false;
            }
        };
        this.waiting = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, BigDecimal> eldest) {
                return size() > max;
            }
        };
        this.withInfo = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
                if (size() > infoLimit) {
                    removeInfo(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * A transcript event: its session's repository and branch learnt. A telemetry event without
     * repository: attributed to its session's, when a transcript named it.
     */
    public synchronized UsageEvent attribute(UsageEvent e) {
        if (empty(e.sessionId())) {
            return e;
        }
        if (UsageEvent.TRANSCRIPT.equals(e.source())) {
            Session s = sessions.computeIfAbsent(e.sessionId(), k -> new Session());
            s.machine = machineLabel(e.machine());
            if (!e.repository().isEmpty() && (!e.repository().equals(s.repository) || !e.branch().equals(s.branch))) {
                s.repository = e.repository();
                s.branch = e.branch();
                info(e.sessionId(), s);
            } else if (s.info != null) {
                withInfo.get(e.sessionId()); // recently active: kept
            } else if (!s.repository.isEmpty()) {
                info(e.sessionId(), s); // pushed out by more recent sessions, active again
            }
            return e;
        }
        if (!UsageEvent.TELEMETRY.equals(e.source()) || !e.repository().isEmpty()) {
            return e;
        }
        Session s = sessions.get(e.sessionId());
        return s == null || s.repository.isEmpty() ? e : e.withRepository(s.repository, s.branch);
    }

    /** Takes a recorded event (after {@link #attribute}) into the comparison. */
    public synchronized void observe(UsageEvent e) {
        if (empty(e.sessionId())) {
            return;
        }
        long now = clock.millis();
        boolean live = e.cost() != null && e.cost().signum() > 0
                && Math.abs(now - e.timestamp().toEpochMilli()) <= lossMaxAge.toMillis();
        if (UsageEvent.TRANSCRIPT.equals(e.source())) {
            Session s = sessions.get(e.sessionId());
            if (s == null) {
                attribute(e); // pushed out between the two steps (more sessions than remembered)
                s = sessions.get(e.sessionId());
            }
            if (live) {
                Machine m = machine(s);
                m.transcript().increment(e.cost().doubleValue());
                s.transcriptCost = s.transcriptCost.add(e.cost());
                s.lastLiveTranscript = now;
                BigDecimal before = waiting.remove(e.sessionId());
                if (before != null) {
                    telemetry(m, s, before);
                }
            }
        } else if (UsageEvent.TELEMETRY.equals(e.source()) && live) {
            Session s = sessions.get(e.sessionId());
            if (s != null) {
                telemetry(machine(s), s, e.cost());
            } else {
                waiting.merge(e.sessionId(), e.cost(), BigDecimal::add);
            }
        }
    }

    private void telemetry(Machine m, Session s, BigDecimal cost) {
        if (m.telemetry()[0] == null) {
            // created with the first telemetry of the machine's sessions: a machine that never sends
            // any has no such series (and no loss ratio), only sessions without telemetry
            m.telemetry()[0] = Counter.builder("odin.claude.telemetry.coverage.telemetry").baseUnit("usd")
                    .description("Cost telemetry reported for the sessions of the transcript coverage series")
                    .tag("machine", machineOf(m)).register(registry);
        }
        m.telemetry()[0].increment(cost.doubleValue());
        s.telemetryCost = s.telemetryCost.add(cost);
    }

    private String machineOf(Machine m) {
        return m.transcript().getId().getTag("machine");
    }

    /** The session's machine's series; past {@link #MAX_MACHINES}, the session counts under "other". */
    private Machine machine(Session s) {
        if (!machines.containsKey(s.machine) && machines.size() >= MAX_MACHINES - 1) {
            s.machine = OTHER;
        }
        return machines.computeIfAbsent(s.machine, n -> {
            Counter transcript = Counter.builder("odin.claude.telemetry.coverage.transcript").baseUnit("usd")
                    .description("Cost of live transcript usage, to compare telemetry's for the same sessions with")
                    .tag("machine", n).register(registry);
            Gauge.builder("odin.claude.sessions.without.telemetry", this, j -> j.withoutTelemetry(n))
                    .description("Sessions with transcript cost in the last hour and no telemetry")
                    .tag("machine", n).register(registry);
            return new Machine(transcript, new Counter[1]);
        });
    }

    private String machineLabel(String machine) {
        String m = machine == null ? "" : machine;
        return machines.containsKey(m) || machines.size() < MAX_MACHINES - 1 ? m : OTHER;
    }

    synchronized long withoutTelemetry(String machine) {
        long since = clock.millis() - RECENT.toMillis();
        return sessions.values().stream().filter(s -> s.machine.equals(machine) && s.lastLiveTranscript >= since
                && s.transcriptCost.signum() > 0 && s.telemetryCost.signum() == 0).count();
    }

    private void info(String sessionId, Session s) {
        if (infoLimit == 0) {
            return;
        }
        removeInfo(s);
        s.info = Gauge.builder("odin.claude.session.repository.info", () -> 1)
                .description("1 per recently active session: its repository and branch, to join Claude Code's series"
                        + " on session_id")
                .tags("session_id", sessionId, "repository", s.repository, "branch", s.branch, "machine", s.machine)
                .register(registry);
        withInfo.put(sessionId, s);
    }

    private void dropInfo(String sessionId, Session s) {
        if (withInfo.remove(sessionId) != null) {
            removeInfo(s);
        }
    }

    private void removeInfo(Session s) {
        if (s.info != null) {
            registry.remove(s.info);
            s.info = null;
        }
    }

    /** Sessions remembered (bounded by odin.claude.repositories.sessions). */
    public synchronized int sessions() {
        return sessions.size();
    }

    /** Sessions whose telemetry waits for their first transcript line. */
    public synchronized int waiting() {
        return waiting.size();
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }
}
