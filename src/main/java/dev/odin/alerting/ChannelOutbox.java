package dev.odin.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.delivery.Entry;
import dev.odin.delivery.Outcome;
import dev.odin.delivery.QueuedSender;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One channel's notifications, queued on disk (they survive a restart) and delivered in order
 * by the channel's own {@link QueuedSender} (sender {@code channel-<name>}), one message a
 * batch, so a slow or failing channel never holds up another.
 *
 * <p>A message the channel can never take (a permanent {@link DeliveryException}: a 4xx other
 * than 408/429, a request that cannot be built, an SMTP 5xx; or a queue record that cannot be
 * read) is dead-lettered at once and the next message goes on. A failure worth retrying (5xx,
 * 408, 429, timeout, connection) is retried with exponential backoff (at least what Retry-After
 * asks, at most max-backoff) until {@code max-attempts} attempts or until the message is
 * {@code max-age} old; then it is dead-lettered too. The attempts of the message at the head
 * are kept in {@code <queue dir>/head-attempts}, so a restart does not start them anew.
 *
 * <p>Dead letters go to {@code <queue dir>/dead-letter.jsonl} (one JSON object a line: time,
 * channel, reason, error, attempts, enqueuedAt, the notification), at most
 * {@code dead-letter-max-size}, past which the file becomes {@code dead-letter.jsonl.1}
 * (replacing the previous one); each is logged and counted in
 * {@code odin_alert_notifications_dead_lettered_total{channel,reason}}.
 */
final class ChannelOutbox implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte NOTIFICATION = 1;

    private final String name;
    private final QueuedSender queue;

    ChannelOutbox(String name, ChannelSender sender, Path dir, AlertingProperties props, WebhookMetrics metrics,
            Clock clock) throws IOException {
        this.name = name;
        AlertingProperties.Retry retry = props.getRetry();
        QueuedSender.Options options = new QueuedSender.Options("channel-" + name, "channel " + name, dir)
                .queue(retry.getQueueMaxSize().toBytes(), true)
                .batch(Long.MAX_VALUE, 1, java.time.Duration.ZERO)
                .interval(props.getDeliveryInterval())
                .backoff(retry.getMinBackoff(), retry.getMaxBackoff(), false)
                .giveUpAfter(retry.getMaxAttempts(), retry.getMaxAge())
                .deadLetter(dir.resolve("dead-letter.jsonl"), retry.getDeadLetterMaxSize().toBytes(), false)
                .lastErrors(10);
        this.queue = new QueuedSender(options, batch -> send(name, sender, metrics, batch.get(0)),
                (batch, why, w) -> deadLetter(name, batch, why, w), new QueuedSender.Listener() {
                    @Override
                    public void sent(List<Entry> batch, long items, long bytes) {
                        metrics.sent(name);
                    }

                    @Override
                    public void deadLettered(QueuedSender.DeadLetter why, long items) {
                        metrics.deadLettered(name, why.reason());
                    }
                }, metrics.registry(), clock);
        metrics.queue(name, queue::pending);
    }

    String name() {
        return name;
    }

    /** Queues the notification durably; delivery follows on the channel's thread. */
    void enqueue(Notification n) throws IOException {
        queue.append(Entry.of(NOTIFICATION, Map.of(), JSON.writeValueAsBytes(n), 1));
        kick();
    }

    /** Starts delivering what is due, unless a delivery or a backoff is under way. */
    void kick() {
        queue.kick();
    }

    void start() {
        queue.start();
    }

    void stop() {
        queue.stop();
    }

    long pending() {
        return queue.pending();
    }

    /** Messages dead-lettered since the start. */
    long deadLettered() {
        return queue.deadLettered();
    }

    Path deadLetterFile() {
        return queue.deadLetterFile();
    }

    List<String> lastErrors() {
        return queue.lastErrors();
    }

    private static Outcome send(String name, ChannelSender sender, WebhookMetrics metrics, Entry entry)
            throws InterruptedException {
        Notification n;
        try {
            n = JSON.readValue(entry.payload(), Notification.class);
        } catch (IOException e) {
            return Outcome.dropPermanently(0, "unreadable", "the queued record cannot be read: " + e);
        }
        try {
            sender.send(n);
            return Outcome.delivered();
        } catch (DeliveryException e) {
            metrics.failed(name);
            return e.permanent() ? Outcome.dropPermanently(0, e.reason(), e.toString())
                    : new Outcome(Outcome.Kind.RETRY_LATER, 0, e.reason(), e.toString(), e.retryAfter());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // a sender's bug: retried, within the same bounds
            metrics.failed(name);
            return Outcome.retryLater(0, e.toString(), null);
        }
    }

    /** One line: time, channel, reason, error, attempts, enqueuedAt, and the notification (or its bytes). */
    private static void deadLetter(String channel, List<Entry> batch, QueuedSender.DeadLetter why, Writer w)
            throws IOException {
        for (Entry e : batch) {
            ObjectNode line = JSON.createObjectNode();
            line.put("time", why.time().toString());
            line.put("channel", channel);
            line.put("reason", why.reason());
            line.put("error", why.outcome().message());
            line.put("attempts", why.attempts());
            line.put("enqueuedAt", Instant.ofEpochMilli(e.enqueuedMillis()).toString());
            try {
                line.set("notification", JSON.readTree(e.payload()));
                JSON.readValue(e.payload(), Notification.class);
            } catch (IOException unreadable) {
                line.remove("notification");
                line.put("payloadBase64", Base64.getEncoder().encodeToString(e.payload()));
            }
            w.write(JSON.writeValueAsString(line));
            w.write('\n');
        }
    }

    @Override
    public void close() throws IOException {
        queue.close();
    }
}
