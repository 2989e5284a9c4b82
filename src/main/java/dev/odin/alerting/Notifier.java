package dev.odin.alerting;

import dev.odin.receiver.alertmanager.WebhookMessage;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Processor;
import org.springframework.context.SmartLifecycle;

/**
 * The notification channels: routes alerts to the channels whose severities and matchers they
 * match, renders one message per channel per notification, and queues it on the channel's
 * outbox; escalates what stays unresolved; releases flapping alerts that settled. Each outbox
 * delivers on its own sender's loop (every odin.alerting.delivery-interval, started and stopped
 * with the Spring lifecycle, and at once on every new message); {@link #escalateDue()} runs on
 * the notifier's own timer.
 */
public final class Notifier implements SmartLifecycle, AutoCloseable {

    private record Route(AlertingProperties.Channel config, Matchers matchers, MessageRenderer renderer,
            ChannelOutbox outbox) {
    }

    private final Map<String, Route> channels = new LinkedHashMap<>();
    private final List<AlertingProperties.Escalation> escalations;
    private final AlertBook book;
    private final WebhookMetrics metrics;

    public Notifier(AlertingProperties props, AlertBook book, Path dataDir, WebhookMetrics metrics, Clock clock)
            throws IOException {
        this.book = book;
        this.metrics = metrics;
        this.escalations = props.getEscalations();
        // one client for all webhook channels, made only if there is one: a JDK HttpClient loads the
        // TLS provider and the trust store (about 2 MB that an ODIN with no channels would keep)
        HttpClient http = null;
        for (AlertingProperties.Channel c : props.getChannels()) {
            if (channels.containsKey(c.getName()) || !c.getName().matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("channel names must be unique and of letters, digits, . _ -: "
                        + c.getName());
            }
            if (http == null && c.getType() != AlertingProperties.Channel.Type.EMAIL) {
                http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            }
            ChannelSender sender = c.getType() == AlertingProperties.Channel.Type.EMAIL ? new EmailSender(c)
                    : new HttpSender(c, http);
            Path dir = dataDir.resolve(c.getName());
            channels.put(c.getName(), new Route(c, new Matchers(c.getSeverities(), c.getMatchers()),
                    new MessageRenderer(c.getTitleTemplate(), c.getBodyTemplate(), ChannelText.escaper(c.getType())),
                    new ChannelOutbox(c.getName(), sender, dir, props, metrics, clock)));
        }
        for (AlertingProperties.Escalation e : escalations) {
            if (!channels.containsKey(e.getChannel())) {
                throw new IllegalArgumentException("escalation for severity " + e.getSeverity()
                        + " names channel " + e.getChannel() + ", which is not configured");
            }
        }
    }

    /** Queues one message per matching channel for these alerts (at once durable on disk). */
    public void notify(WebhookMessage m, List<WebhookMessage.Alert> alerts) throws IOException {
        if (alerts.isEmpty()) {
            return;
        }
        for (Route r : channels.values()) {
            if (r.config().isEscalationOnly()) {
                continue;
            }
            List<WebhookMessage.Alert> matched = new ArrayList<>();
            for (WebhookMessage.Alert a : alerts) {
                if (r.matchers().matches(a.labels)) {
                    matched.add(a);
                }
            }
            if (!matched.isEmpty()) {
                r.outbox().enqueue(r.renderer().render(m, matched, false));
            }
        }
    }

    /** Wakes every channel's sender now: each delivers what is due (tests drive delivery with it). */
    public Processor deliver() {
        return exchange -> channels.values().forEach(r -> r.outbox().kick());
    }

    private volatile boolean running;

    /** Starts each channel's delivery loop. */
    @Override
    public void start() {
        channels.values().forEach(r -> r.outbox().start());
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        channels.values().forEach(r -> r.outbox().stop());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The escalation timer's turn: escalations due, and flapping alerts that settled. */
    public Processor escalate() {
        return exchange -> escalateDue();
    }

    /** Escalations due, and flapping alerts that settled (the alert-escalation timer). */
    public void escalateDue() throws IOException {
        for (AlertingProperties.Escalation e : escalations) {
            List<AlertBook.Tracked> due = book.dueForEscalation(e.getSeverity(), e.getAfter().toMillis(),
                    e.getRepeat().toMillis());
            if (due.isEmpty()) {
                continue;
            }
            List<WebhookMessage.Alert> alerts = new ArrayList<>();
            for (AlertBook.Tracked t : due) {
                alerts.add(t.toAlert());
            }
            Route r = channels.get(e.getChannel());
            r.outbox().enqueue(r.renderer().render(escalationMessage(), alerts, true));
            book.escalated(due);
            for (int i = 0; i < due.size(); i++) {
                metrics.escalation(e.getSeverity());
            }
        }
        List<WebhookMessage.Alert> released = book.releaseSettled();
        notify(escalationMessage(), released);
    }

    private static WebhookMessage escalationMessage() {
        WebhookMessage m = new WebhookMessage();
        m.receiver = "odin";
        return m;
    }

    /** Per channel: messages waiting, dead-lettered since the start (and where) and the last errors (for /health). */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        channels.forEach((name, r) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("type", r.config().getType().name().toLowerCase());
            s.put("queued", r.outbox().pending());
            if (r.outbox().deadLettered() > 0) {
                s.put("deadLettered", r.outbox().deadLettered());
                s.put("deadLetterFile", r.outbox().deadLetterFile().toString());
            }
            List<String> errors = r.outbox().lastErrors();
            if (!errors.isEmpty()) {
                s.put("lastErrors", errors);
            }
            out.put(name, s);
        });
        return out;
    }

    @Override
    public void close() throws IOException {
        for (Route r : channels.values()) {
            r.outbox().close();
        }
    }
}
