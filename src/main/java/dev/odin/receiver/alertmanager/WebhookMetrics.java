package dev.odin.receiver.alertmanager;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The alerting metrics: webhook calls, alerts by name, severity and status, firing alerts by
 * severity, duplicates, flapping, escalations, and per channel sent, failed, dropped, queued.
 */
public final class WebhookMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> firing = new ConcurrentHashMap<>();

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Where the channels' senders register their odin_delivery_* metrics. */
    public MeterRegistry registry() {
        return registry;
    }

    /** A webhook notification accepted. */
    public void notification(String status, String receiver) {
        counter("odin.alertmanager.notifications", "Alertmanager webhook notifications accepted", "status",
                String.valueOf(status), "receiver", String.valueOf(receiver)).increment();
    }

    /** A webhook request refused (unauthorized, too_large, invalid, failed). */
    public void refused(String reason) {
        counter("odin.alertmanager.refused", "Alertmanager webhook requests refused, by reason", "reason", reason)
                .increment();
    }

    public void alert(String alertname, String severity, String status) {
        counter("odin.alerts.received", "Alerts received (duplicates not counted), by name, severity and status",
                "alertname", alertname, "severity", severity, "status", status).increment();
    }

    public void duplicate() {
        counter("odin.alerts.duplicates", "Alerts received again within the dedup window (retries, HA pairs)")
                .increment();
    }

    public void flappingHeld() {
        counter("odin.alerts.flapping.held", "Alert notifications held back from channels because the alert flaps")
                .increment();
    }

    public void escalation(String severity) {
        counter("odin.alerts.escalations", "Escalations sent, by severity", "severity", severity).increment();
    }

    /** Sets the firing count of one severity (what Alertmanager last reported). */
    public void firing(String severity, long count) {
        firing.computeIfAbsent(severity, s -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("odin.alerts.firing", v, AtomicLong::get).description("Alerts firing now, by severity")
                    .tag("severity", s).register(registry);
            return v;
        }).set(count);
    }

    public void sent(String channel) {
        counter("odin.notifications.sent", "Notifications delivered, by channel", "channel", channel).increment();
    }

    public void failed(String channel) {
        counter("odin.notifications.failed", "Notification deliveries that failed (each is retried), by channel",
                "channel", channel).increment();
    }

    public void dropped(String channel) {
        counter("odin.notifications.dropped", "Notifications given up (dead-lettered, for any reason), by channel",
                "channel", channel).increment();
    }

    /**
     * A notification given up and written to the channel's dead-letter file: reason http_4xx or
     * smtp_5xx (refused for good), invalid (no request could be built), unreadable (a broken
     * queue record), max_attempts or max_age (retries ran out). Also counted as dropped.
     */
    public void deadLettered(String channel, String reason) {
        counter("odin.alert.notifications.dead.lettered",
                "Notifications dead-lettered (never accepted by the channel, or retries ran out), by channel and reason",
                "channel", channel, "reason", reason).increment();
        dropped(channel);
    }

    public void queue(String channel, java.util.function.Supplier<Number> pending) {
        Gauge.builder("odin.notifications.queued", pending, p -> p.get().doubleValue())
                .description("Notifications waiting for delivery, by channel").tag("channel", channel)
                .register(registry);
    }

    private Counter counter(String name, String help, String... tags) {
        String key = name + String.join("\u0000", tags);
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, k -> Counter.builder(name).description(help).tags(tags)
                    .register(registry));
        }
        return c;
    }
}
