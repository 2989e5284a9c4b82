package dev.odin.exporter.remotewrite;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.delivery.Entry;
import dev.odin.delivery.Outcome;
import dev.odin.delivery.QueuedSender;
import dev.odin.health.DataDirGuard;
import dev.odin.remotewrite.wire.v1.WriteRequest;
import dev.odin.series.SeriesStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote write: {@link #snapshot()} (run every odin.remote-write.interval by a
 * {@code dev.odin.lifecycle.PeriodicTask}) walks the whole store and appends its requests, 1.0
 * protobuf snappy-compressed, to the durable queue of its own {@link QueuedSender}
 * ({@code sender="remote-write"}, {@code <data dir>/remote-write-queue}); the sender delivers
 * them in order, one request per POST, retrying 5xx, 429 and no answer with backoff (and the
 * receiver's Retry-After), dead-lettering other 4xx ({@code remote-write-dead-letter.jsonl}).
 *
 * <p>With protocol 2.0, each queued request is sent as an io.prometheus.write.v2.Request. A
 * receiver that answers 415, or accepts it without any of the written-count headers 2.0 requires
 * (a 1.0 receiver that read an empty request: Prometheus before 2.54), or answers 400 to 2.0
 * and takes the same data as 1.0, gets that request again
 * as 1.0, and 1.0 from then on (logged once, counted in
 * odin_remote_write_protocol_fallbacks_total).
 */
public final class RemoteWriter implements SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteWriter.class);
    public static final String SENDER = "remote-write";
    /** Queue entry type: a snappy-compressed prometheus.WriteRequest. */
    static final byte V1_SNAPPY = 1;
    static final String QUEUE_WRITE = "remote_write_queue";
    static final String CURSOR_WRITE = "remote_write_cursor";
    static final String DEAD_LETTER_WRITE = "remote_write_dead_letter";

    private final RemoteWriteProperties config;
    private final SeriesStore store;
    private final Clock clock;
    private final QueuedSender sender;
    private final RemoteWriteClient client;
    private final SnapshotEncoder encoder;
    private final AtomicBoolean fellBack = new AtomicBoolean();
    private final AtomicLong lastSeries = new AtomicLong();
    private volatile double lastSnapshotSeconds;
    private final Counter samples;
    private final Counter staleSeries;
    private final Counter fallbacks;
    private final Counter snapshotFailures;
    private final Counter unreadable;
    private final AtomicBoolean unreadableLogged = new AtomicBoolean();
    private volatile boolean running;

    /**
     * @param guard the data dir's guard, or null (tests)
     * @param version what User-Agent says after "odin/"
     */
    public RemoteWriter(RemoteWriteProperties config, SeriesStore store, Path dataDir, DataDirGuard guard,
            MeterRegistry registry, Clock clock, String version) throws IOException {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.client = new RemoteWriteClient(config, version);
        this.encoder = new SnapshotEncoder(config.getMaxSamplesPerRequest(), config.isStaleMarkers());
        QueuedSender.Options options = new QueuedSender.Options(SENDER, "the remote-write receiver",
                dataDir.resolve("remote-write-queue"))
                .queue(config.getQueueMaxSize().toBytes(), true)
                .batch(16L << 20, 1, Duration.ZERO) // one request per POST: max-samples-per-request bounds it
                .backoff(config.getMinBackoff(), config.getMaxBackoff(), true)
                .deadLetter(dataDir.resolve("remote-write-dead-letter.jsonl"), 64L << 20, true);
        if (guard != null) {
            options.guard((what, action) -> guard.write(what, () -> {
                if (what.equals(QUEUE_WRITE)) {
                    guard.checkFloor(what); // a full disk refuses new snapshots, never the cursor
                }
                action.run();
                return null;
            }), QUEUE_WRITE, CURSOR_WRITE, DEAD_LETTER_WRITE);
        }
        this.sender = new QueuedSender(options, this::send, RemoteWriter::writeDeadLetter, null, registry, clock);
        samples = Counter.builder("odin.remote.write.samples")
                .description("Samples of the store's snapshots queued for remote write (stale markers included)")
                .register(registry);
        staleSeries = Counter.builder("odin.remote.write.stale.series")
                .description("Series gone from the store that were sent a stale marker").register(registry);
        fallbacks = Counter.builder("odin.remote.write.protocol.fallbacks")
                .description("Times the receiver did not take remote write 2.0 and got 1.0 instead").register(registry);
        snapshotFailures = Counter.builder("odin.remote.write.snapshot.failures")
                .description("Snapshots that could not be queued whole (a full data dir, say)").register(registry);
        unreadable = Counter.builder("odin.remote.write.unreadable.series")
                .description("Series left out of a snapshot because they cannot be exposed (a scrape leaves them out too)")
                .register(registry);
        Gauge.builder("odin.remote.write.series", lastSeries, AtomicLong::get)
                .description("Series in the last remote-write snapshot").register(registry);
        Gauge.builder("odin.remote.write.snapshot.duration", this, w -> w.lastSnapshotSeconds).baseUnit("seconds")
                .description("How long the last snapshot took to walk, encode and queue").register(registry);
    }

    public QueuedSender sender() {
        return sender;
    }

    /** True once a receiver refused 2.0 and 1.0 is sent instead. */
    public boolean fellBack() {
        return fellBack.get();
    }

    /** One snapshot of the whole store into the queue, every sample at the same time (now, ms). */
    public synchronized void snapshot() {
        long started = System.nanoTime();
        long now = clock.millis();
        try {
            SnapshotEncoder.Result r = encoder.snapshot(store, now, (request, n) -> {
                sender.append(Entry.of(V1_SNAPPY, Map.of(), Snappy.compress(request), n));
                samples.increment(n);
            });
            lastSeries.set(r.series());
            staleSeries.increment(r.staleSeries());
            if (r.unreadable() > 0) {
                unreadable.increment(r.unreadable());
                if (unreadableLogged.compareAndSet(false, true)) {
                    log.warn("remote write: {} series left out of the snapshot (as from a scrape), e.g. {}",
                            r.unreadable(), r.firstUnreadable());
                }
            }
        } catch (IOException | RuntimeException e) {
            snapshotFailures.increment();
            log.warn("remote write: the snapshot could not be queued whole: {}", e.toString());
        } finally {
            lastSnapshotSeconds = (System.nanoTime() - started) / 1e9;
        }
    }

    private Outcome send(List<Entry> batch) {
        Entry e = batch.get(0);
        try {
            if (config.v2() && !fellBack.get()) {
                byte[] v2 = Snappy.compress(WireV2.fromV1(WriteRequest.parseFrom(Snappy.uncompress(e.payload())))
                        .toByteArray());
                RemoteWriteClient.Response r = client.post(v2, true);
                boolean ok = r.status() >= 200 && r.status() < 300;
                if (r.status() == 415 || (ok && !r.writtenHeaders() && e.items() > 0)) {
                    fallBack(r);
                } else if (r.status() == 400) {
                    // a receiver without 2.0 may call the body malformed: the same data as 1.0
                    // decides; only if 1.0 is taken does the receiver get 1.0 from now on
                    RemoteWriteClient.Response r1 = client.post(e.payload(), false);
                    if (r1.status() >= 200 && r1.status() < 300) {
                        fallBack(r);
                    }
                    return outcome(r1);
                } else {
                    return outcome(r);
                }
            }
            return outcome(client.post(e.payload(), false));
        } catch (IOException corrupt) {
            return Outcome.dropPermanently(0, "unreadable", "queued request cannot be read: " + corrupt);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return Outcome.retryLater(0, "interrupted", null);
        }
    }

    private void fallBack(RemoteWriteClient.Response r) {
        if (fellBack.compareAndSet(false, true)) {
            fallbacks.increment();
            log.warn("remote write: {} does not take protocol 2.0 ({}); sending 1.0 from now on", config.getUrl(),
                    r.status() == 415 ? "415 Unsupported Media Type"
                            : r.status() == 400 ? "400 to 2.0, the same data taken as 1.0: " + r.body()
                            : r.status() + " without the X-Prometheus-Remote-Write-*-Written headers");
        }
    }

    private static Outcome outcome(RemoteWriteClient.Response r) {
        int s = r.status();
        if (s >= 200 && s < 300) {
            return Outcome.delivered();
        }
        if (s == 0 || s == 429 || s >= 500) {
            return Outcome.retryLater(s, r.body(), r.retryAfter());
        }
        return Outcome.dropPermanently(s, null, r.body());
    }

    /** One JSON line per refused request: the status, the receiver's error, the request itself. */
    private static void writeDeadLetter(List<Entry> batch, QueuedSender.DeadLetter why, Writer w) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(w);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        for (Entry e : batch) {
            g.writeStartObject();
            g.writeStringField("time", why.time().toString());
            g.writeNumberField("status", why.outcome().status());
            g.writeStringField("error", why.outcome().message());
            g.writeNumberField("samples", e.items());
            g.writeStringField("write_request_snappy_base64", Base64.getEncoder().encodeToString(e.payload()));
            g.writeEndObject();
            g.writeRaw('\n');
        }
        g.close();
    }

    @Override
    public synchronized void start() {
        running = true;
        sender.start();
    }

    /** The loop stops; what is queued stays on disk and goes out after the next start. */
    @Override
    public void stop() {
        running = false;
        try {
            if (!sender.retrying()) {
                sender.flush(Duration.ofSeconds(5));
            }
        } catch (IOException e) {
            log.warn("remote write: flush on shutdown failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped after the snapshot timer (default phase) and the graceful shutdown. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    @Override
    public void close() throws IOException {
        sender.close();
    }
}
