package dev.odin.loki;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.config.OdinProperties;
import dev.odin.events.EventJson;
import dev.odin.health.DataDirFullException;
import dev.odin.health.DataDirGuard;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.PushRequest;
import dev.odin.loki.wire.StreamAdapter;
import dev.odin.otlp.ExportResult;
import dev.odin.telemetry.OdinMetrics;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Loki event sink: requests are put in the disk queue (and acknowledged only once they are
 * on disk), and a delivery step, run by a timer route, sends them on in order, in batches by size
 * and age, retrying with exponential backoff and jitter while Loki is unavailable. A batch Loki
 * refuses for good (a 4xx other than 429) is written to a dead-letter file and not retried.
 *
 * <p>Every write goes through the {@link DataDirGuard}: a request whose records cannot be queued
 * (a full disk) is refused with "retry later" and leaves nothing behind; a cursor or dead-letter
 * write that fails holds delivery back (no batch is sent while the cursor is unsaved, so a
 * restart never re-sends more than one batch) and is retried on the next run.
 */
public final class LokiSink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LokiSink.class);
    private static final int MAX_LOGGED_CAUSES = 100;

    private final OdinProperties.Loki config;
    private final DiskQueue queue;
    private final LokiClient client;
    private final Clock clock;
    private final OdinMetrics telemetry;
    private final Path deadLetter;
    private final DataDirGuard guard;
    private final Set<String> loggedCauses = ConcurrentHashMap.newKeySet();
    private final Deque<String> lastErrors = new ArrayDeque<>();

    private int failures;
    private long nextAttemptMillis;
    private volatile boolean retrying;

    public LokiSink(OdinProperties.Loki config, Path dataDir, Clock clock, OdinMetrics telemetry,
            DataDirGuard guard) throws IOException {
        this.config = config;
        this.guard = guard;
        this.clock = clock;
        this.telemetry = telemetry;
        this.queue = new DiskQueue(dataDir.resolve("loki-queue"), config.getQueueMaxSize().toBytes(),
                config.isDropOldestWhenFull(), clock);
        this.client = new LokiClient(config);
        this.deadLetter = dataDir.resolve("loki-dead-letter.jsonl");
        telemetry.bindLokiQueue(this);
    }

    public DiskQueue queue() {
        return queue;
    }

    public boolean retrying() {
        return retrying;
    }

    public synchronized List<String> lastErrors() {
        return new ArrayList<>(lastErrors);
    }

    /** Route step: the mapped streams of one request into the queue (durably). */
    public Processor enqueue() {
        return exchange -> {
            MappedLogs logs = exchange.getMessage().getBody(MappedLogs.class);
            if (logs.records() > 0) {
                append(LokiClient.PUSH_REQUEST, logs.records(), logs.toPushRequest().toByteArray(), tenant(exchange));
            }
        };
    }

    /** Route step for the pass-through mode: the OTLP request as it came, for Loki's /otlp/v1/logs. */
    public Processor enqueueOtlp() {
        return exchange -> {
            ExportLogsServiceRequest request = exchange.getMessage().getBody(ExportLogsServiceRequest.class);
            // the records of the request as it is now (a filter step may have dropped some)
            int records = (int) ExportResult.logRecords(request);
            if (records > 0) {
                append(LokiClient.OTLP_REQUEST, records, request.toByteArray(), tenant(exchange));
            }
        };
    }

    private static String tenant(org.apache.camel.Exchange exchange) {
        ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
        return result == null ? "" : result.tenant();
    }

    private void append(byte type, int records, byte[] payload, String tenant) throws IOException {
        long droppedBefore = queue.droppedRecords();
        byte[] wrapped = TenantRecords.wrap(tenant, payload);
        guard.write(DataDirGuard.LOKI_QUEUE, () -> {
            queue.append(TenantRecords.type(type, tenant), records, wrapped);
            return null;
        });
        long dropped = queue.droppedRecords() - droppedBefore;
        if (dropped > 0) {
            telemetry.lokiDropped("queue_full", dropped);
        }
    }

    /** Route step, run by a timer: sends what is due, until the queue is empty or Loki fails. */
    public Processor deliver() {
        return exchange -> deliverDue();
    }

    /**
     * One run of the delivery timer: at most about a second of sending, so that a flush on
     * shutdown (which needs this lock) never waits long behind it.
     */
    synchronized void deliverDue() throws IOException {
        deliverDue(false, clock.millis() + 1000);
    }

    /**
     * Sends what is queued, not waiting for batches to fill, until the queue is empty or the
     * timeout passes (retrying with the usual backoff meanwhile). What is left stays in the
     * queue on disk for the next start. Called once the receivers have stopped.
     *
     * @return true when the queue is empty
     */
    public boolean flush(Duration timeout) throws IOException, InterruptedException {
        long deadline = clock.millis() + timeout.toMillis();
        while (queue.pendingRecords() > 0) {
            long now = clock.millis();
            if (now >= deadline) {
                return false;
            }
            long wait;
            synchronized (this) {
                wait = nextAttemptMillis - now;
                if (wait <= 0) {
                    deliverDue(true, deadline);
                    continue;
                }
            }
            Thread.sleep(Math.max(1, Math.min(wait, deadline - now)));
        }
        return true;
    }

    private synchronized void deliverDue(boolean flushing, long deadlineMillis) throws IOException {
        long now = clock.millis();
        if (now < nextAttemptMillis) {
            return;
        }
        if (queue.cursorUnsaved() && !saveCursor()) {
            return; // nothing more is sent until the cursor says what was
        }
        long batchBytes = config.getBatchSize().toBytes();
        for (int round = 0; round < 1000 && now < deadlineMillis; round++) {
            List<DiskQueue.Record> batch = sameKind(queue.peek(batchBytes, 100_000));
            if (batch.isEmpty()) {
                return;
            }
            long bytes = 0;
            for (DiskQueue.Record r : batch) {
                bytes += r.payload().length;
            }
            boolean full = bytes >= batchBytes || queue.pendingBytes() > bytes;
            if (!flushing && !full && now - batch.get(0).enqueuedMillis() < config.getBatchWait().toMillis()) {
                return; // let the batch fill up a little longer
            }
            int records = 0;
            for (DiskQueue.Record r : batch) {
                records += r.items();
            }
            List<DiskQueue.Record> plain = new ArrayList<>(batch.size());
            for (DiskQueue.Record r : batch) {
                plain.add(TenantRecords.unwrap(r));
            }
            LokiClient.Outcome outcome = client.push(plain, TenantRecords.tenant(batch.get(0)));
            switch (outcome.kind()) {
                case DELIVERED:
                    telemetry.lokiSent(records, bytes);
                    failures = 0;
                    retrying = false;
                    if (!ack(batch)) {
                        return;
                    }
                    break;
                case RETRY: {
                    failures++;
                    retrying = true;
                    long delay = backoffMillis(outcome.retryAfter());
                    nextAttemptMillis = clock.millis() + delay;
                    telemetry.lokiRetried(status(outcome));
                    remember(outcome, "retrying in " + delay + " ms");
                    return;
                }
                default:
                    try {
                        guard.write(DataDirGuard.DEAD_LETTER, () -> {
                            deadLetter(plain, outcome);
                            return null;
                        });
                    } catch (DataDirFullException e) {
                        remember(outcome, "kept in the queue: " + e.getMessage());
                        holdBack();
                        return;
                    }
                    telemetry.lokiFailed(status(outcome), records);
                    remember(outcome, "written to " + deadLetter.getFileName());
                    if (!ack(batch)) {
                        return;
                    }
                    break;
            }
            now = clock.millis();
        }
    }

    /** The cursor moved past a batch Loki took; false when it could not be saved (retried later). */
    private boolean ack(List<DiskQueue.Record> batch) throws IOException {
        try {
            guard.write(DataDirGuard.LOKI_CURSOR, () -> {
                queue.ack(batch);
                return null;
            });
            return true;
        } catch (DataDirFullException e) {
            holdBack();
            return false;
        }
    }

    private boolean saveCursor() {
        try {
            guard.write(DataDirGuard.LOKI_CURSOR, () -> {
                queue.saveCursor();
                return null;
            });
            return true;
        } catch (DataDirFullException e) {
            holdBack();
            return false;
        }
    }

    /** A write under the data dir failed: the next delivery run waits one minimum backoff. */
    private void holdBack() {
        nextAttemptMillis = clock.millis() + config.getMinBackoff().toMillis();
    }

    /**
     * The longest prefix of records of one type (a restart may have changed the mode) and one
     * tenant: one push carries one X-Scope-OrgID.
     */
    private static List<DiskQueue.Record> sameKind(List<DiskQueue.Record> records) {
        if (records.isEmpty()) {
            return records;
        }
        byte type = records.get(0).type();
        String tenant = TenantRecords.tenant(records.get(0));
        int n = 0;
        while (n < records.size() && records.get(n).type() == type
                && TenantRecords.tenant(records.get(n)).equals(tenant)) {
            n++;
        }
        return n == records.size() ? records : records.subList(0, n);
    }

    private long backoffMillis(Duration retryAfter) {
        long min = config.getMinBackoff().toMillis();
        long max = config.getMaxBackoff().toMillis();
        long exp = min << Math.min(20, failures - 1);
        long capped = Math.min(max, exp <= 0 ? max : exp);
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        if (retryAfter != null) {
            return Math.min(max, Math.max(retryAfter.toMillis(), min));
        }
        return jittered;
    }

    private static String status(LokiClient.Outcome o) {
        return o.status() == 0 ? "connection" : Integer.toString(o.status());
    }

    private synchronized void remember(LokiClient.Outcome o, String what) {
        String line = "Loki " + status(o) + ": " + o.message() + " (" + what + ")";
        if (lastErrors.size() == 5) {
            lastErrors.removeFirst();
        }
        lastErrors.addLast(line);
        String cause = status(o) + ":" + (o.message().length() > 80 ? o.message().substring(0, 80) : o.message());
        if (loggedCauses.size() < MAX_LOGGED_CAUSES && loggedCauses.add(cause)) {
            log.warn(line);
        }
    }

    /** Appends the batch to the dead-letter file; on failure the file is cut back to where it was. */
    private void deadLetter(List<DiskQueue.Record> batch, LokiClient.Outcome outcome) throws IOException {
        try (FileChannel ch = FileChannel.open(deadLetter, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long start = ch.size();
            ch.position(start);
            try {
                writeDeadLetter(batch, outcome, new BufferedWriter(new OutputStreamWriter(
                        Channels.newOutputStream(ch), StandardCharsets.UTF_8), 64 * 1024));
            } catch (IOException e) {
                ch.truncate(start);
                throw e;
            }
        }
    }

    private static void writeDeadLetter(List<DiskQueue.Record> batch, LokiClient.Outcome outcome, BufferedWriter w)
            throws IOException {
        Map<String, String> extra = Map.of("status", Integer.toString(outcome.status()), "error", outcome.message());
        try (JsonGenerator g = EventJson.generator(w)) {
            for (DiskQueue.Record r : batch) {
                if (r.type() == LokiClient.OTLP_REQUEST) {
                    g.writeStartObject();
                    g.writeStringField("otlp_request_base64", Base64.getEncoder().encodeToString(r.payload()));
                    g.writeStringField("status", extra.get("status"));
                    g.writeStringField("error", extra.get("error"));
                    g.writeEndObject();
                    g.writeRaw('\n');
                    continue;
                }
                for (StreamAdapter s : PushRequest.parseFrom(r.payload()).getStreamsList()) {
                    var labels = MappedLogs.parseSelector(s.getLabels());
                    for (EntryAdapter e : s.getEntriesList()) {
                        EventJson.write(g, labels, e, extra);
                    }
                }
            }
        }
        w.flush(); // not closed: the channel is the caller's, to cut back on failure
    }

    @Override
    public void close() throws IOException {
        queue.close();
    }
}
