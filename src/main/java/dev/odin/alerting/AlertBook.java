package dev.odin.alerting;

import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookMessage;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What ODIN remembers about alerts: which notifications it has already seen (deduplication
 * across retries and HA Alertmanager pairs), which alerts fire now, which flap, and when each
 * was last escalated. Kept in a JSON file under the data directory, written after every change
 * (atomically), so escalation and flapping survive a restart. Bounded: the oldest resolved
 * alerts and the oldest seen keys go first.
 */
public final class AlertBook {

    private static final Logger log = LoggerFactory.getLogger(AlertBook.class);

    /** One tracked alert. Public fields: it is what the state file holds. */
    public static final class Tracked {
        public String fingerprint;
        public Map<String, String> labels = new TreeMap<>();
        public Map<String, String> annotations = new TreeMap<>();
        public String status;
        public String startsAt;
        public String endsAt;
        public String generatorURL;
        public long firstFiringMillis;
        /** Times of its state changes within the flapping window. */
        public List<Long> transitions = new ArrayList<>();
        /** Held back from channels because it flaps. */
        public boolean held;
        /** The status channels last heard about (null: never notified). */
        public String notifiedStatus;
        public long lastEscalatedMillis;
        public int escalations;
        public long updatedMillis;

        public String severity() {
            return labels.getOrDefault("severity", "none");
        }

        public boolean firing() {
            return "firing".equals(status);
        }

        public WebhookMessage.Alert toAlert() {
            WebhookMessage.Alert a = new WebhookMessage.Alert();
            a.fingerprint = fingerprint;
            a.labels = new LinkedHashMap<>(labels);
            a.annotations = new LinkedHashMap<>(annotations);
            a.status = status;
            a.startsAt = startsAt;
            a.endsAt = endsAt;
            a.generatorURL = generatorURL;
            return a;
        }
    }

    /** The state file. */
    public static final class Snapshot {
        public Map<String, Tracked> alerts = new LinkedHashMap<>();
        public Map<String, Long> seen = new LinkedHashMap<>();
    }

    private final Path file;
    private final Clock clock;
    private final long dedupWindowMillis;
    private final int maxTracked;
    private final int maxTransitions;
    private final long flapWindowMillis;
    private final long settleMillis;
    private Snapshot state = new Snapshot();

    public AlertBook(Path file, Clock clock, long dedupWindowMillis, int maxTracked, int maxTransitions,
            long flapWindowMillis, long settleMillis) throws IOException {
        this.file = file;
        this.clock = clock;
        this.dedupWindowMillis = dedupWindowMillis;
        this.maxTracked = maxTracked;
        this.maxTransitions = maxTransitions;
        this.flapWindowMillis = flapWindowMillis;
        this.settleMillis = settleMillis;
        Files.createDirectories(file.getParent());
        if (Files.exists(file)) {
            try {
                state = WebhookDecoder.JSON.readValue(file.toFile(), new TypeReference<Snapshot>() { });
            } catch (IOException e) {
                // a damaged file must not stop alerting: start afresh, keep the old one to look at
                Path aside = file.resolveSibling(file.getFileName() + ".damaged");
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                log.warn("alert state {} unreadable ({}); moved to {}, starting with none", file, e.getMessage(), aside);
            }
        }
    }

    private static String key(WebhookMessage.Alert a) {
        return a.fingerprint + "|" + a.status + "|" + a.startsAt;
    }

    /** @return the alerts not seen within the dedup window (the state is not changed) */
    public synchronized List<WebhookMessage.Alert> fresh(List<WebhookMessage.Alert> alerts) {
        long now = clock.millis();
        List<WebhookMessage.Alert> out = new ArrayList<>();
        java.util.Set<String> inThisBatch = new java.util.HashSet<>();
        for (WebhookMessage.Alert a : alerts) {
            String k = key(a);
            Long until = state.seen.get(k);
            if ((until == null || until < now) && inThisBatch.add(k)) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Records accepted alerts: marks them seen, updates firing and flapping state, persists.
     *
     * @return the alerts that go to channels now (a flapping one is held back)
     */
    public synchronized List<WebhookMessage.Alert> commit(List<WebhookMessage.Alert> fresh) throws IOException {
        long now = clock.millis();
        List<WebhookMessage.Alert> notify = new ArrayList<>();
        for (WebhookMessage.Alert a : fresh) {
            state.seen.put(key(a), now + dedupWindowMillis);
            Tracked t = state.alerts.remove(a.fingerprint);
            if (t == null) {
                t = new Tracked();
                t.fingerprint = a.fingerprint;
            } else if (!a.status.equals(t.status)) {
                t.transitions.add(now);
            }
            state.alerts.put(a.fingerprint, t); // newest last: the oldest go first when full
            if (a.status.equals("firing") && !t.firing()) {
                t.firstFiringMillis = now;
                t.lastEscalatedMillis = 0;
                t.escalations = 0;
            }
            t.labels = new TreeMap<>(a.labels);
            t.annotations = new TreeMap<>(a.annotations);
            t.status = a.status;
            t.startsAt = a.startsAt;
            t.endsAt = a.endsAt;
            t.generatorURL = a.generatorURL;
            t.updatedMillis = now;
            t.transitions.removeIf(time -> time < now - flapWindowMillis);
            if (maxTransitions > 0 && t.transitions.size() > maxTransitions) {
                t.held = true;
            }
            if (!t.held) {
                t.notifiedStatus = t.status;
                notify.add(a);
            }
        }
        prune(now);
        save();
        return notify;
    }

    /** Escalation due for this alert: firing for at least {@code after}, and not escalated for {@code repeat}. */
    public synchronized List<Tracked> dueForEscalation(String severity, long afterMillis, long repeatMillis) {
        long now = clock.millis();
        List<Tracked> due = new ArrayList<>();
        for (Tracked t : state.alerts.values()) {
            if (t.firing() && !t.held && t.severity().equals(severity) && now - t.firstFiringMillis >= afterMillis
                    && (t.lastEscalatedMillis == 0 || now - t.lastEscalatedMillis >= repeatMillis)) {
                due.add(t);
            }
        }
        return due;
    }

    public synchronized void escalated(List<Tracked> alerts) throws IOException {
        long now = clock.millis();
        for (Tracked t : alerts) {
            t.lastEscalatedMillis = now;
            t.escalations++;
        }
        save();
    }

    /**
     * Flapping alerts that have settled: released, and returned when channels last heard a
     * different status than the current one (so they hear it now, once).
     */
    public synchronized List<WebhookMessage.Alert> releaseSettled() throws IOException {
        long now = clock.millis();
        List<WebhookMessage.Alert> out = new ArrayList<>();
        boolean changed = false;
        for (Tracked t : state.alerts.values()) {
            if (!t.held) {
                continue;
            }
            long last = t.transitions.isEmpty() ? t.updatedMillis : t.transitions.get(t.transitions.size() - 1);
            if (now - Math.max(last, t.updatedMillis) >= settleMillis) {
                t.held = false;
                t.transitions.clear();
                changed = true;
                if (!t.status.equals(t.notifiedStatus)) {
                    t.notifiedStatus = t.status;
                    out.add(t.toAlert());
                }
            }
        }
        if (changed) {
            save();
        }
        return out;
    }

    public synchronized Map<String, Long> firingBySeverity() {
        Map<String, Long> out = new TreeMap<>();
        for (Tracked t : state.alerts.values()) {
            if (t.firing()) {
                out.merge(t.severity(), 1L, Long::sum);
            }
        }
        return out;
    }

    public synchronized long held() {
        return state.alerts.values().stream().filter(t -> t.held).count();
    }

    public synchronized Tracked get(String fingerprint) {
        return state.alerts.get(fingerprint);
    }

    private void prune(long now) {
        state.seen.values().removeIf(until -> until < now);
        for (Iterator<Map.Entry<String, Long>> it = state.seen.entrySet().iterator();
                it.hasNext() && state.seen.size() > maxTracked * 4; ) {
            it.next();
            it.remove();
        }
        // resolved alerts are kept while they could still count as flapping
        state.alerts.values().removeIf(t -> !t.firing() && !t.held && now - t.updatedMillis > flapWindowMillis);
        for (Iterator<Tracked> it = state.alerts.values().iterator(); it.hasNext() && state.alerts.size() > maxTracked; ) {
            if (!it.next().firing()) {
                it.remove();
            }
        }
        for (Iterator<Tracked> it = state.alerts.values().iterator(); it.hasNext() && state.alerts.size() > maxTracked; ) {
            it.next();
            it.remove();
        }
    }

    private void save() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        WebhookDecoder.JSON.writeValue(tmp.toFile(), state);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Instant parseTime(String s) {
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
