package dev.odin.alerting.channels;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.alerting.WebhookMetrics;
import dev.odin.config.AlertingProperties;
import dev.odin.loki.DiskQueue;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's notifications, queued on disk (they survive a restart) and delivered in order
 * by the channel's own thread, so a slow or failing channel never holds up another. A failed
 * delivery is retried with exponential backoff and counted; after the last attempt it is given
 * up and counted as dropped.
 */
final class ChannelOutbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChannelOutbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte NOTIFICATION = 1;

    private final String name;
    private final ChannelSender sender;
    private final DiskQueue queue;
    private final AlertingProperties.Retry retry;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private final ExecutorService worker;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Deque<String> lastErrors = new ArrayDeque<>();
    private volatile long nextAttemptMillis;
    private int attempts;

    ChannelOutbox(String name, ChannelSender sender, DiskQueue queue, AlertingProperties.Retry retry,
            WebhookMetrics metrics, Clock clock) {
        this.name = name;
        this.sender = sender;
        this.queue = queue;
        this.retry = retry;
        this.metrics = metrics;
        this.clock = clock;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "odin-channel-" + name);
            t.setDaemon(true);
            return t;
        });
        metrics.queue(name, queue::pendingRecords);
    }

    String name() {
        return name;
    }

    /** Queues the notification durably; delivery follows on the channel's thread. */
    void enqueue(Notification n) throws IOException {
        queue.append(NOTIFICATION, 1, JSON.writeValueAsBytes(n));
        kick();
    }

    /** Starts delivering what is due, unless a delivery or a backoff is under way. */
    void kick() {
        if (clock.millis() >= nextAttemptMillis && running.compareAndSet(false, true)) {
            try {
                worker.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                running.set(false); // closing
            }
        }
    }

    long pending() {
        return queue.pendingRecords();
    }

    synchronized List<String> lastErrors() {
        return List.copyOf(lastErrors);
    }

    private void drain() {
        try {
            while (clock.millis() >= nextAttemptMillis) {
                List<DiskQueue.Record> records = queue.peek(Long.MAX_VALUE, 1);
                if (records.isEmpty()) {
                    return;
                }
                Notification n = JSON.readValue(records.get(0).payload(), Notification.class);
                try {
                    sender.send(n);
                    queue.ack(records);
                    attempts = 0;
                    metrics.sent(name);
                } catch (Exception e) {
                    metrics.failed(name);
                    attempts++;
                    remember(e.toString());
                    if (attempts >= retry.getMaxAttempts()) {
                        log.warn("channel {}: giving up '{}' after {} attempts: {}", name, n.title(), attempts, e.toString());
                        queue.ack(records);
                        metrics.dropped(name);
                        attempts = 0;
                    } else {
                        long backoff = Math.min(retry.getMaxBackoff().toMillis(),
                                retry.getMinBackoff().toMillis() << Math.min(20, attempts - 1));
                        nextAttemptMillis = clock.millis() + backoff;
                        log.info("channel {}: delivery failed ({}), retry {} in {} ms", name, e.toString(), attempts,
                                backoff);
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("channel {}: queue error: {}", name, e.toString());
            remember(e.toString());
        } finally {
            running.set(false);
        }
    }

    private synchronized void remember(String error) {
        if (lastErrors.size() == 10) {
            lastErrors.removeFirst();
        }
        lastErrors.addLast(clock.instant() + " " + error);
    }

    @Override
    public void close() throws IOException {
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.close();
    }
}
