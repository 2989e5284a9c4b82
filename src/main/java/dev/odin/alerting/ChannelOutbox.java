package dev.odin.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.exporter.loki.DiskQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's notifications, queued on disk (they survive a restart) and delivered in order
 * by the channel's own thread, so a slow or failing channel never holds up another.
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

    private static final Logger log = LoggerFactory.getLogger(ChannelOutbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte NOTIFICATION = 1;

    private final String name;
    private final ChannelSender sender;
    private final DiskQueue queue;
    private final Path headAttempts;
    private final Path deadLetter;
    private final AlertingProperties.Retry retry;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private final ExecutorService worker;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong deadLettered = new AtomicLong();
    private final Deque<String> lastErrors = new ArrayDeque<>();
    private volatile long nextAttemptMillis;
    // the record the attempts belong to (segment and end offset in the queue), -1: none
    private long headSegment = -1;
    private long headNext = -1;
    private int attempts;

    ChannelOutbox(String name, ChannelSender sender, DiskQueue queue, Path dir, AlertingProperties.Retry retry,
            WebhookMetrics metrics, Clock clock) {
        this.name = name;
        this.sender = sender;
        this.queue = queue;
        this.headAttempts = dir.resolve("head-attempts");
        this.deadLetter = dir.resolve("dead-letter.jsonl");
        this.retry = retry;
        this.metrics = metrics;
        this.clock = clock;
        readHeadAttempts();
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

    /** Messages dead-lettered since the start. */
    long deadLettered() {
        return deadLettered.get();
    }

    Path deadLetterFile() {
        return deadLetter;
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
                DiskQueue.Record record = records.get(0);
                int tried = record.segment() == headSegment && record.next() == headNext ? attempts : 0;
                Notification n;
                try {
                    n = JSON.readValue(record.payload(), Notification.class);
                } catch (IOException e) {
                    giveUp(records, null, "unreadable", "the queued record cannot be read: " + e, tried);
                    continue;
                }
                try {
                    sender.send(n);
                    queue.ack(records);
                    forgetAttempts();
                    metrics.sent(name);
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (DeliveryException e) {
                    metrics.failed(name);
                    remember(e.toString());
                    if (e.permanent()) {
                        giveUp(records, n, e.reason(), e.toString(), tried + 1);
                        continue;
                    }
                    if (!retryLater(records, n, tried + 1, e.toString(), e.retryAfter())) {
                        continue;
                    }
                    return;
                } catch (Exception e) { // a sender's bug: retried, within the same bounds
                    metrics.failed(name);
                    remember(e.toString());
                    if (!retryLater(records, n, tried + 1, e.toString(), null)) {
                        continue;
                    }
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("channel {}: queue error: {}", name, e.toString());
            remember(e.toString());
        } finally {
            running.set(false);
        }
    }

    /**
     * Schedules the next attempt, or gives the message up when it has had its attempts or is
     * too old.
     *
     * @return true when a retry is scheduled (the channel waits), false when it was given up
     */
    private boolean retryLater(List<DiskQueue.Record> records, Notification n, int tried, String error,
            java.time.Duration retryAfter) throws IOException {
        DiskQueue.Record record = records.get(0);
        long now = clock.millis();
        if (tried >= retry.getMaxAttempts()) {
            giveUp(records, n, "max_attempts", error, tried);
            return false;
        }
        if (now - record.enqueuedMillis() >= retry.getMaxAge().toMillis()) {
            giveUp(records, n, "max_age", error, tried);
            return false;
        }
        saveAttempts(record, tried);
        long max = retry.getMaxBackoff().toMillis();
        long exp = retry.getMinBackoff().toMillis() << Math.min(20, tried - 1);
        long backoff = Math.min(max, Math.max(exp, retryAfter == null ? 0 : retryAfter.toMillis()));
        nextAttemptMillis = now + backoff;
        log.info("channel {}: delivery failed ({}), attempt {} of {}, next in {} ms", name, error, tried,
                retry.getMaxAttempts(), backoff);
        return true;
    }

    /** Writes the message to the dead-letter file, logs and counts it, and moves past it. */
    private void giveUp(List<DiskQueue.Record> records, Notification n, String reason, String error, int tried)
            throws IOException {
        DiskQueue.Record record = records.get(0);
        String title = n == null ? "(unreadable)" : n.title();
        try {
            ObjectNode line = JSON.createObjectNode();
            line.put("time", clock.instant().toString());
            line.put("channel", name);
            line.put("reason", reason);
            line.put("error", error);
            line.put("attempts", tried);
            line.put("enqueuedAt", Instant.ofEpochMilli(record.enqueuedMillis()).toString());
            if (n != null) {
                line.set("notification", JSON.valueToTree(n));
            } else {
                line.put("payloadBase64", Base64.getEncoder().encodeToString(record.payload()));
            }
            byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            if (Files.exists(deadLetter) && Files.size(deadLetter) + bytes.length > retry.getDeadLetterMaxSize().toBytes()) {
                Files.move(deadLetter, deadLetter.resolveSibling(deadLetter.getFileName() + ".1"),
                        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.write(deadLetter, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.DSYNC);
            log.warn("channel {}: dead-lettered '{}' ({}, after {} attempt{}) to {}: {}", name, title, reason, tried,
                    tried == 1 ? "" : "s", deadLetter, error);
        } catch (IOException | RuntimeException e) {
            // moving on anyway: a channel blocked by a full disk would page no one either
            log.error("channel {}: could not dead-letter '{}' ({}): {}; it is dropped", name, title, reason,
                    e.toString());
        }
        queue.ack(records);
        forgetAttempts();
        deadLettered.incrementAndGet();
        metrics.deadLettered(name, reason);
        remember("dead-lettered (" + reason + "): " + error);
    }

    private void readHeadAttempts() {
        try {
            if (Files.exists(headAttempts)) {
                String[] parts = Files.readString(headAttempts, StandardCharsets.US_ASCII).trim().split(" ");
                headSegment = Long.parseLong(parts[0]);
                headNext = Long.parseLong(parts[1]);
                attempts = Integer.parseInt(parts[2]);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("channel {}: {} unreadable ({}); the head message's attempts start anew", name, headAttempts,
                    e.toString());
        }
    }

    private void saveAttempts(DiskQueue.Record record, int tried) throws IOException {
        headSegment = record.segment();
        headNext = record.next();
        attempts = tried;
        Path tmp = headAttempts.resolveSibling("head-attempts.tmp");
        Files.writeString(tmp, headSegment + " " + headNext + " " + attempts, StandardCharsets.US_ASCII);
        Files.move(tmp, headAttempts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void forgetAttempts() throws IOException {
        if (headSegment != -1) {
            headSegment = -1;
            headNext = -1;
            attempts = 0;
            Files.deleteIfExists(headAttempts);
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
