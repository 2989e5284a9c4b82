package dev.odin.home;

import dev.odin.delivery.DiskQueue;
import dev.odin.delivery.QueuedSender;
import dev.odin.health.ComponentHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;

/**
 * What ODIN is doing now, for the home page and {@code GET /api/status}: what it receives (per
 * receiver and protocol: requests and items in total and in the last minutes, when it last
 * received), what it sends (each queued sender: state, backlog, items delivered, last success,
 * last error), every /health component and probe, the last errors, version and uptime. Read
 * from what exists already: the meters, the /health indicators, the senders; nothing here is
 * counted anew except {@link Activity}'s samples of those counters.
 */
public final class StatusReport {

    /** The repository's documentation. */
    public static final String DOCS_URL = "https://github.com/odin-observability/odin/tree/main/docs";
    static final int MAX_ERRORS = 12;
    static final int MAX_TEXT = 300;

    /** One receiver row: its counters' keys in {@link Activity}. */
    record Receiver(String name, String protocol, String requests, String items, String refused, String itemsAre) {
    }

    private static final List<String> SIGNALS = List.of("metrics", "logs", "traces");
    private static final Map<String, String> ITEMS = Map.of("metrics", "data points", "logs", "log records",
            "traces", "spans");
    private static final Set<String> ACCEPTED = Set.of("ok", "partial");

    private final MeterRegistry registry;
    private final Activity activity;
    private final HealthContributorRegistry health;
    private final Supplier<Collection<ComponentHealth>> probes;
    private final Supplier<Collection<QueuedSender>> senders;
    private final Clock clock;
    private final String version;
    private final Instant started;

    public StatusReport(MeterRegistry registry, Clock clock, HealthContributorRegistry health,
            Supplier<Collection<ComponentHealth>> probes, Supplier<Collection<QueuedSender>> senders) {
        this.registry = registry;
        this.clock = clock;
        this.health = health;
        this.probes = probes;
        this.senders = senders;
        this.activity = new Activity(registry, clock, followed());
        String v = StatusReport.class.getPackage().getImplementationVersion();
        this.version = v == null ? "development build (not run from the jar)" : v;
        this.started = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    public Activity activity() {
        return activity;
    }

    /** The counters {@link Activity} follows, keyed as the receiver and sender rows read them. */
    static List<Activity.Followed> followed() {
        return List.of(
                new Activity.Followed("odin.otlp.requests", id -> "otlp.requests/" + id.getTag("signal") + "/"
                        + id.getTag("transport")),
                new Activity.Followed("odin.otlp.requests", id -> ACCEPTED.contains(id.getTag("outcome")) ? null
                        : "otlp.refused/" + id.getTag("signal") + "/" + id.getTag("transport")),
                new Activity.Followed("odin.otlp.received", id -> "otlp.items/" + id.getTag("signal") + "/"
                        + id.getTag("transport")),
                new Activity.Followed("odin.alertmanager.notifications", id -> "webhook.requests"),
                new Activity.Followed("odin.alertmanager.refused", id -> "webhook.refused"),
                new Activity.Followed("odin.alerts.received", id -> "webhook.items"),
                new Activity.Followed("odin.claude.statusline.requests", id -> "statusline.requests"),
                new Activity.Followed("odin.claude.statusline.requests", id -> "ok".equals(id.getTag("outcome"))
                        ? null : "statusline.refused"),
                new Activity.Followed("odin.claude.transcript.lines", id -> "transcripts.items"),
                new Activity.Followed("odin.usage.forward.received.records", id -> "forward.items"),
                new Activity.Followed("odin.delivery.sent", id -> "sent/" + id.getTag("sender")));
    }

    private static List<Receiver> receivers() {
        List<Receiver> out = new ArrayList<>();
        for (String transport : List.of("grpc", "http")) {
            for (String signal : SIGNALS) {
                String k = signal + "/" + transport;
                out.add(new Receiver("OTLP " + signal, transport.equals("grpc") ? "gRPC" : "HTTP",
                        "otlp.requests/" + k, "otlp.items/" + k, "otlp.refused/" + k, ITEMS.get(signal)));
            }
        }
        out.add(new Receiver("Alertmanager webhook", "HTTP", "webhook.requests", "webhook.items", "webhook.refused",
                "alerts"));
        out.add(new Receiver("Claude Code statusline", "HTTP", "statusline.requests", null, "statusline.refused",
                null));
        out.add(new Receiver("Claude Code transcripts", "files", null, "transcripts.items", null, "lines"));
        out.add(new Receiver("Usage from other ODINs", "HTTP", null, "forward.items", null, "records"));
        return out;
    }

    /** The whole report, as /api/status answers it and the page shows it. */
    public Map<String, Object> build() {
        Instant now = clock.instant();
        Map<String, Double> totals = activity.observe();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", "ODIN");
        out.put("version", version);
        out.put("now", now.toString());
        out.put("startedAt", started.toString());
        out.put("uptimeSeconds", Math.max(0, Duration.between(started, now).toSeconds()));
        out.put("recentWindowSeconds", activity.window().toSeconds());
        out.put("receiving", receiving(totals));
        out.put("sending", sending(totals, now));
        List<Map<String, Object>> errors = new ArrayList<>();
        Set<String> probeNames = new TreeSet<>();
        out.put("probes", probes(errors, probeNames));
        out.put("components", components(probeNames, errors));
        errors.sort(Comparator.comparing((Map<String, Object> e) -> instant(e.get("time")),
                Comparator.nullsLast(Comparator.reverseOrder())));
        out.put("lastErrors", errors.size() > MAX_ERRORS ? new ArrayList<>(errors.subList(0, MAX_ERRORS)) : errors);
        out.put("links", links());
        return out;
    }

    private List<Map<String, Object>> receiving(Map<String, Double> totals) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Receiver r : receivers()) {
            boolean otlp = r.name().startsWith("OTLP ");
            if (!otlp && !totals.containsKey(r.requests()) && !totals.containsKey(r.items())) {
                continue; // not set up on this ODIN (no meter of it)
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("receiver", r.name());
            row.put("protocol", r.protocol());
            if (r.requests() != null) {
                row.put("requests", (long) (double) totals.getOrDefault(r.requests(), 0.0));
                row.put("requestsRecent", (long) activity.recent(r.requests(), totals));
            }
            if (r.refused() != null) {
                row.put("refused", (long) (double) totals.getOrDefault(r.refused(), 0.0));
            }
            if (r.items() != null) {
                row.put("items", (long) (double) totals.getOrDefault(r.items(), 0.0));
                row.put("itemsRecent", (long) activity.recent(r.items(), totals));
                row.put("itemsAre", r.itemsAre());
            }
            Instant last = latest(activity.lastGrew(r.requests()), activity.lastGrew(r.items()));
            row.put("lastReceived", last == null ? null : last.toString());
            rows.add(row);
        }
        return rows;
    }

    private List<Map<String, Object>> sending(Map<String, Double> totals, Instant now) {
        Map<String, QueuedSender> known = new TreeMap<>();
        for (QueuedSender s : senders.get()) {
            known.put(s.name(), s);
        }
        // a sender the wiring does not hand over (the notification channels) still has its meters
        Map<String, Double> queuedByMeter = new TreeMap<>();
        for (Meter m : registry.find("odin.delivery.queue.records").meters()) {
            String name = m.getId().getTag("sender");
            if (name != null && m instanceof Gauge g && queuedByMeter.size() < Activity.MAX_KEYS) {
                queuedByMeter.put(name, g.value());
            }
        }
        Set<String> names = new TreeSet<>(known.keySet());
        names.addAll(queuedByMeter.keySet());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : names) {
            QueuedSender s = known.get(name);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("sender", name);
            String key = "sent/" + name;
            if (s != null) {
                DiskQueue q = s.queue();
                long oldest;
                try {
                    oldest = q.oldestEnqueuedMillis();
                } catch (java.io.IOException e) {
                    oldest = -1; // unreadable head: the sender itself reports that
                }
                row.put("state", s.retrying() ? "retrying" : q.pendingRecords() > 0 ? "sending" : "idle");
                row.put("queued", q.pendingRecords());
                row.put("queuedBytes", q.pendingBytes());
                row.put("oldestQueuedSeconds", oldest < 0 ? 0 : Math.max(0, (now.toEpochMilli() - oldest) / 1000));
                row.put("deadLetteredBatches", s.deadLettered());
            } else {
                long queued = (long) (double) queuedByMeter.getOrDefault(name, 0.0);
                row.put("state", queued > 0 ? "sending" : "idle");
                row.put("queued", queued);
            }
            row.put("sent", (long) (double) totals.getOrDefault(key, 0.0));
            row.put("sentRecent", (long) activity.recent(key, totals));
            Instant success = activity.lastGrew(key);
            row.put("lastSuccess", success == null ? null : success.toString());
            List<String> errors = s == null ? List.of() : s.lastErrors();
            row.put("lastError", errors.isEmpty() ? null : timed(errors.get(errors.size() - 1)));
            rows.add(row);
        }
        return rows;
    }

    private List<Map<String, Object>> probes(List<Map<String, Object>> errors, Set<String> names) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<ComponentHealth> sorted = new ArrayList<>(probes.get());
        sorted.sort(Comparator.comparing(ComponentHealth::name));
        for (ComponentHealth c : sorted) {
            names.add(c.name());
            Health h = c.health();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("probe", c.name());
            row.put("status", h.getStatus().getCode());
            row.put("reason", text(h.getDetails().get("reason")));
            row.put("lastSuccess", c.lastSuccess() == null ? null : c.lastSuccess().toString());
            row.put("cycles", h.getDetails().get("cycles"));
            rows.add(row);
            for (ComponentHealth.Error e : c.errors()) {
                errors.add(error(e.time().toString(), "probe " + c.name(), e.message()));
            }
        }
        return rows;
    }

    private List<Map<String, Object>> components(Set<String> probeNames, List<Map<String, Object>> errors) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (NamedContributor<HealthContributor> named : health) {
            if (probeNames.contains(named.getName()) || !(named.getContributor() instanceof HealthIndicator indicator)) {
                continue;
            }
            Health h;
            try {
                h = indicator.getHealth(true);
            } catch (RuntimeException e) {
                h = Health.down(e).build();
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("component", named.getName());
            row.put("status", h.getStatus().getCode());
            Object reason = h.getDetails().get("reason");
            row.put("reason", text(reason != null ? reason : h.getDetails().get("error")));
            rows.add(row);
            if (h.getDetails().get("lastErrors") instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof String line) {
                        Map<String, Object> e = timed(line);
                        e.put("source", named.getName());
                        errors.add(e);
                    }
                }
            }
        }
        rows.sort(Comparator.comparing(r -> String.valueOf(r.get("component"))));
        return rows;
    }

    private static Map<String, Object> links() {
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("usage", "usage");
        links.put("health", "health");
        links.put("ready", "ready");
        links.put("healthz", "healthz");
        links.put("metrics", "metrics");
        links.put("usageApi", "api/usage");
        links.put("limitsApi", "api/limits");
        links.put("status", "api/status");
        links.put("docs", DOCS_URL);
        return links;
    }

    /** A sender's remembered error, "2026-01-01T00:00:00Z message", as time and message. */
    static Map<String, Object> timed(String line) {
        int space = line.indexOf(' ');
        if (space > 0) {
            try {
                Instant t = Instant.parse(line.substring(0, space));
                return error(t.toString(), null, line.substring(space + 1));
            } catch (DateTimeParseException e) {
                // no time in front: the whole line is the message
            }
        }
        return error(null, null, line);
    }

    private static Map<String, Object> error(String time, String source, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("time", time);
        e.put("source", source);
        e.put("message", text(message));
        return e;
    }

    private static String text(Object o) {
        if (o == null) {
            return null;
        }
        String s = String.valueOf(o);
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "…" : s;
    }

    private static Instant instant(Object time) {
        try {
            return time == null ? null : Instant.parse(String.valueOf(time));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}
