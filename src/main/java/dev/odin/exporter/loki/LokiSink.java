package dev.odin.exporter.loki;

import dev.odin.delivery.DiskQueue;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.config.OdinProperties;
import dev.odin.delivery.Entry;
import dev.odin.delivery.Outcome;
import dev.odin.delivery.QueuedSender;
import dev.odin.events.EventJson;
import dev.odin.health.DataDirGuard;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.PushRequest;
import dev.odin.loki.wire.StreamAdapter;
import dev.odin.signal.ExportResult;
import dev.odin.telemetry.OdinMetrics;
import dev.odin.delivery.DiskQueue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One Loki as an event sink: mapped streams (or, in pass-through mode, the OTLP request as it
 * came) go into this Loki's {@link QueuedSender}, which acknowledges them once they are on disk
 * and delivers them on its own thread, in order, in batches by size and age (odin.loki.batch-*),
 * retrying with exponential backoff and jitter while Loki is unavailable. A batch Loki refuses
 * for good (a 4xx other than 429) is written to the dead-letter file and not retried. One push
 * carries one tenant (X-Scope-OrgID): the tenant is the entries' header.
 *
 * <p>Every write goes through the {@link DataDirGuard}: a request whose records cannot be queued
 * (a full disk) is refused with "retry later" and leaves nothing behind; a cursor or dead-letter
 * write that fails holds delivery back and is retried on the next run.
 */
public final class LokiSink implements AutoCloseable {

    private final String name;
    private final LokiProperties config;
    private final QueuedSender sender;

    /**
     * @param name {@code default} for odin.loki.url, else the endpoint's name
     * @param telemetry the odin_loki_* metrics, for the default Loki; null for another one (which
     *     has the odin_delivery_* metrics of its sender only)
     */
    public LokiSink(String name, LokiProperties config, Path queueDir, Path deadLetter, Clock clock,
            OdinMetrics telemetry, DataDirGuard guard, MeterRegistry registry) throws IOException {
        this.name = name;
        this.config = config;
        LokiClient client = new LokiClient(config);
        QueuedSender.Options options = new QueuedSender.Options(senderName(name), "Loki", queueDir)
                .queue(config.getQueueMaxSize().toBytes(), config.isDropOldestWhenFull())
                .batch(config.getBatchSize().toBytes(), 100_000, config.getBatchWait())
                .interval(config.getDeliveryInterval())
                .backoff(config.getMinBackoff(), config.getMaxBackoff(), true)
                .deadLetter(deadLetter, 0, true)
                .guard((what, action) -> guard.write(what, () -> {
                    action.run();
                    return null;
                }), DataDirGuard.LOKI_QUEUE, DataDirGuard.LOKI_CURSOR, DataDirGuard.DEAD_LETTER);
        this.sender = new QueuedSender(options, batch -> send(client, batch), LokiSink::writeDeadLetter,
                telemetry == null ? null : listener(telemetry), registry, clock);
        if (telemetry != null && registry != null) {
            bindQueueGauges(registry);
        }
    }

    /** The default Loki's queue depth and age as odin_loki_queue_* (the others have odin_delivery_*). */
    private void bindQueueGauges(MeterRegistry registry) {
        DiskQueue q = queue();
        Gauge.builder("odin.loki.queue.records", q, DiskQueue::pendingRecords)
                .description("Log records waiting in the disk queue").register(registry);
        Gauge.builder("odin.loki.queue.bytes", q, DiskQueue::pendingBytes)
                .description("Payload bytes waiting in the disk queue").register(registry);
        Gauge.builder("odin.loki.queue.disk.bytes", q, DiskQueue::diskBytes)
                .description("Bytes the disk queue's files hold").register(registry);
        Gauge.builder("odin.loki.queue.oldest.age", q, queue -> {
            try {
                long t = queue.oldestEnqueuedMillis();
                return t < 0 ? 0 : (System.currentTimeMillis() - t) / 1000.0;
            } catch (java.io.IOException e) {
                return Double.NaN;
            }
        }).baseUnit("seconds").description("Age of the oldest undelivered log record").register(registry);
    }

    /** The sender label of a Loki's metrics: {@code loki}, {@code loki-<name>}. */
    public static String senderName(String name) {
        return "default".equals(name) ? "loki" : "loki-" + name;
    }

    public String name() {
        return name;
    }

    public LokiProperties config() {
        return config;
    }

    public QueuedSender sender() {
        return sender;
    }

    public DiskQueue queue() {
        return sender.queue();
    }

    public boolean retrying() {
        return sender.retrying();
    }

    public List<String> lastErrors() {
        return sender.lastErrors();
    }

    /** The mapped streams of one request into the queue (durably); {@code tenant} empty: the configured one. */
    public void enqueue(MappedLogs logs, String tenant) throws IOException {
        if (logs.records() > 0) {
            sender.append(Entry.of(LokiClient.PUSH_REQUEST, headers(tenant), logs.toPushRequest().toByteArray(),
                    logs.records()));
        }
    }

    /** Pass-through mode: the OTLP request as it came, for Loki's /otlp/v1/logs. */
    public void enqueueOtlp(ExportLogsServiceRequest request, int records, String tenant) throws IOException {
        if (records > 0) {
            sender.append(Entry.of(LokiClient.OTLP_REQUEST, headers(tenant), request.toByteArray(), records));
        }
    }

    private static Map<String, String> headers(String tenant) {
        return tenant == null || tenant.isEmpty() ? Map.of() : Map.of(Entry.LEGACY_TENANT_HEADER, tenant);
    }

    /** @see QueuedSender#flush */
    public boolean flush(Duration timeout) throws IOException, InterruptedException {
        return sender.flush(timeout);
    }

    public void start() {
        sender.start();
    }

    private static Outcome send(LokiClient client, List<Entry> batch) {
        List<DiskQueue.Record> records = new ArrayList<>(batch.size());
        for (Entry e : batch) {
            records.add(new DiskQueue.Record(0, 0, e.enqueuedMillis(), e.type(), e.items(), e.payload()));
        }
        LokiClient.Outcome o = client.push(records, batch.get(0).headers().getOrDefault(Entry.LEGACY_TENANT_HEADER, ""));
        return switch (o.kind()) {
            case DELIVERED -> Outcome.delivered();
            case RETRY -> Outcome.retryLater(o.status(), o.message(), o.retryAfter());
            case PERMANENT -> Outcome.dropPermanently(o.status(), null, o.message());
        };
    }

    private static QueuedSender.Listener listener(OdinMetrics telemetry) {
        return new QueuedSender.Listener() {
            @Override
            public void sent(List<Entry> batch, long items, long bytes) {
                telemetry.lokiSent(items, bytes);
            }

            @Override
            public void retried(Outcome outcome) {
                telemetry.lokiRetried(outcome.statusLabel());
            }

            @Override
            public void deadLettered(QueuedSender.DeadLetter why, long items) {
                telemetry.lokiFailed(why.outcome().statusLabel(), items);
            }

            @Override
            public void dropped(long items) {
                telemetry.lokiDropped("queue_full", items);
            }
        };
    }

    /** One JSON line per event (as the event files have them), with the status and error of the refusal. */
    private static void writeDeadLetter(List<Entry> batch, QueuedSender.DeadLetter why, Writer w)
            throws IOException {
        Map<String, String> extra = Map.of("status", Integer.toString(why.outcome().status()),
                "error", why.outcome().message());
        JsonGenerator g = EventJson.generator(w);
        for (Entry r : batch) {
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
        g.close(); // into w; w itself is not closed (AUTO_CLOSE_TARGET off)
    }

    @Override
    public void close() throws IOException {
        sender.close();
    }
}
