package dev.odin.exporter.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.delivery.DiskQueue;
import dev.odin.delivery.Entry;
import dev.odin.delivery.Outcome;
import dev.odin.delivery.QueuedSender;
import dev.odin.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The OTLP export: each request (serialized Export*ServiceRequest, one queue entry of its signal's
 * type) goes durably into the {@link QueuedSender} {@value #SENDER}, which acknowledges it once on
 * disk and delivers on its own thread, in order. Entries of one signal waiting together travel as
 * one export of at most odin.otlp-export.batch-size bytes: concatenated serialized messages of one
 * type are one message whose repeated resource_* fields hold them all (protobuf merging), so the
 * bytes are joined as they are, never re-encoded, and a backlog after an outage drains in a few
 * large requests instead of thousands of small ones. Retryable answers are retried with backoff
 * (at least the Retry-After / RetryInfo asked, at most max-backoff); a permanent refusal goes to
 * {@code <data dir>/otlp-export-dead-letter.jsonl} (the requests as base64) and is counted.
 *
 * <p>Metrics: odin_otlp_export_requests_total{signal,outcome} per export sent (outcome
 * delivered, partial_success, retry, permanent), odin_otlp_export_rejected_total{signal} items
 * the endpoint rejected in a partial_success (logged, not retried), and the sender's
 * odin_delivery_*{sender="otlp-export"}.
 */
public final class OtlpExporter implements SmartLifecycle, AutoCloseable {

    /** The sender's name (metrics label, thread). */
    public static final String SENDER = "otlp-export";
    /** The data-dir writes' kinds (DataDirGuard): new requests, delivery state, refused requests. */
    public static final String QUEUE_WRITE = "otlp_export_queue";
    public static final String CURSOR_WRITE = "otlp_export_cursor";
    public static final String DEAD_LETTER_WRITE = "otlp_export_dead_letter";

    private static final Logger log = LoggerFactory.getLogger(OtlpExporter.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final String name;
    private final OtlpExportProperties config;
    private final Set<Signal> signals;
    private final ExportTransport transport;
    private final QueuedSender sender;
    private final MeterRegistry registry;
    private final Duration flushTimeout;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Set<String> loggedRejections = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    /**
     * @param guard every write under the data dir (queue, cursor, dead letter) goes through it
     * @param flushTimeout how long the queue gets to drain on shutdown; the rest stays on disk
     */
    public OtlpExporter(OtlpExportProperties config, Path dataDir, QueuedSender.Guard guard, MeterRegistry registry,
            Clock clock, Duration flushTimeout) throws IOException {
        this(SENDER, config, dataDir, guard, registry, clock, flushTimeout);
    }

    /**
     * A second export of its own (e.g. {@code traces-export}, odin.traces.otlp-endpoint): its sender
     * is named {@code name} (odin_delivery_*{sender=name}), its queue is
     * {@code <data dir>/<name>-queue}, its dead letter {@code <data dir>/<name>-dead-letter.jsonl}.
     */
    public OtlpExporter(String name, OtlpExportProperties config, Path dataDir, QueuedSender.Guard guard,
            MeterRegistry registry, Clock clock, Duration flushTimeout) throws IOException {
        this(name, config, config.grpc() ? new OtlpGrpcTransport(config) : new OtlpHttpTransport(config), dataDir,
                guard, registry, clock, flushTimeout);
    }

    OtlpExporter(OtlpExportProperties config, ExportTransport transport, Path dataDir, QueuedSender.Guard guard,
            MeterRegistry registry, Clock clock, Duration flushTimeout) throws IOException {
        this(SENDER, config, transport, dataDir, guard, registry, clock, flushTimeout);
    }

    OtlpExporter(String name, OtlpExportProperties config, ExportTransport transport, Path dataDir,
            QueuedSender.Guard guard, MeterRegistry registry, Clock clock, Duration flushTimeout) throws IOException {
        this.name = name;
        this.config = config;
        this.signals = config.getSignals().isEmpty() ? EnumSet.noneOf(Signal.class) : EnumSet.copyOf(config.getSignals());
        this.transport = transport;
        this.registry = registry;
        this.flushTimeout = flushTimeout;
        QueuedSender.Options options = new QueuedSender.Options(name, "OTLP endpoint " + config.getEndpoint(),
                dataDir.resolve(name + "-queue"))
                .queue(config.getQueueMaxSize().toBytes(), config.isDropOldestWhenFull())
                .batch(config.getBatchSize().toBytes(), 100_000, Duration.ZERO)
                .interval(config.getDeliveryInterval())
                .backoff(config.getMinBackoff(), config.getMaxBackoff(), true)
                .deadLetter(dataDir.resolve(name + "-dead-letter.jsonl"), 0, true)
                .guard(guard, QUEUE_WRITE, CURSOR_WRITE, DEAD_LETTER_WRITE);
        this.sender = new QueuedSender(options, this::send, OtlpExporter::writeDeadLetter, null, registry, clock);
        if (registry != null) {
            for (Signal s : Signal.values()) {
                Counter.builder("odin.otlp.export.rejected").tag("signal", s.tag()).tag("sender", name)
                        .description("Items the OTLP export endpoint rejected in a partial_success (not retried)")
                        .register(registry);
            }
        }
    }

    /** The sender's name ({@value #SENDER} for odin.otlp-export.*). */
    public String name() {
        return name;
    }

    public OtlpExportProperties config() {
        return config;
    }

    public QueuedSender sender() {
        return sender;
    }

    /** Whether this signal is exported (odin.otlp-export.signals). */
    public boolean exports(Signal signal) {
        return signals.contains(signal);
    }

    /**
     * One request into the queue, durably: returns once it is on disk. A full queue that refuses
     * throws {@code QueueFullException} (503 / UNAVAILABLE to the client). A signal not in
     * odin.otlp-export.signals, or a request without items, is not queued.
     *
     * @return whether it was queued
     */
    public boolean enqueue(Signal signal, byte[] request, long items) throws IOException {
        if (!exports(signal) || items <= 0) {
            return false;
        }
        sender.append(Entry.of(type(signal), Map.of(), request, (int) Math.min(Integer.MAX_VALUE, items)));
        return true;
    }

    static byte type(Signal signal) {
        return (byte) (signal.ordinal() + 1);
    }

    static Signal signal(byte type) {
        return Signal.values()[type - 1];
    }

    private Outcome send(List<Entry> batch) {
        Signal signal = signal(batch.get(0).type());
        int size = 0;
        for (Entry e : batch) {
            size += e.payload().length;
        }
        byte[] merged = new byte[size];
        int at = 0;
        for (Entry e : batch) {
            System.arraycopy(e.payload(), 0, merged, at, e.payload().length);
            at += e.payload().length;
        }
        ExportAnswer answer = transport.export(signal, merged);
        count(signal, answer.label());
        if (answer.partial()) {
            if (registry != null) {
                registry.counter("odin.otlp.export.rejected", "signal", signal.tag(), "sender", name).increment(answer.rejected());
            }
            String cause = signal.tag() + ":" + (answer.rejectionMessage().length() > 80
                    ? answer.rejectionMessage().substring(0, 80) : answer.rejectionMessage());
            if (loggedRejections.size() < 100 && loggedRejections.add(cause)) {
                log.warn("{}: the endpoint took the {} but rejected {} {}: {} (not retried)", name, signal.tag(),
                        answer.rejected(), signal.itemName(), answer.rejectionMessage());
            } else {
                log.debug("{}: {} {} rejected: {}", name, answer.rejected(), signal.itemName(),
                        answer.rejectionMessage());
            }
        }
        return answer.outcome();
    }

    private void count(Signal signal, String outcome) {
        if (registry != null) {
            requests.computeIfAbsent(signal.tag() + "/" + outcome, k -> Counter.builder("odin.otlp.export.requests")
                    .tag("signal", signal.tag()).tag("outcome", outcome).tag("sender", name)
                    .description("Exports sent to the OTLP export endpoint, by signal, outcome and sender").register(registry))
                    .increment();
        }
    }

    /** One JSON line per request: its signal, the request as base64, the status and error of the refusal. */
    private static void writeDeadLetter(List<Entry> batch, QueuedSender.DeadLetter why, Writer w) throws IOException {
        JsonGenerator g = JSON.createGenerator(w);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        for (Entry e : batch) {
            g.writeStartObject();
            g.writeStringField("time", why.time().toString());
            g.writeStringField("signal", e.type() >= 1 && e.type() <= 3 ? signal(e.type()).tag() : "unknown");
            g.writeNumberField("items", e.items());
            g.writeStringField("reason", why.reason());
            g.writeNumberField("status", why.outcome().status());
            g.writeStringField("error", why.outcome().message());
            g.writeStringField("otlp_request_base64", Base64.getEncoder().encodeToString(e.payload()));
            g.writeEndObject();
            g.writeRaw('\n');
        }
        g.close();
    }

    public DiskQueue queue() {
        return sender.queue();
    }

    /** @see QueuedSender#flush */
    public boolean flush(Duration timeout) throws IOException, InterruptedException {
        return sender.flush(timeout);
    }

    @Override
    public void start() {
        sender.start();
        running = true;
    }

    /** Sends what it can within the flush timeout, then stops; the rest stays queued on disk for the next start. */
    @Override
    public void stop() {
        running = false;
        try {
            if (!sender.retrying() && !sender.flush(flushTimeout)) {
                log.warn("{}: {} request(s) stay queued on disk for the next start", name, sender.pending());
            }
        } catch (IOException e) {
            log.warn("{}: the queue could not be flushed ({}); it stays on disk", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped after the graceful shutdown (phase Integer.MAX_VALUE) has stopped the receivers. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    @Override
    public void close() throws IOException {
        sender.close();
        transport.close();
    }
}
