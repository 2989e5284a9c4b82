package dev.odin.usage.forward;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.delivery.Entry;
import dev.odin.delivery.Outcome;
import dev.odin.delivery.QueuedSender;
import dev.odin.delivery.RetryAfter;
import dev.odin.signal.RefusedStartException;
import dev.odin.usage.TranscriptFollower;
import dev.odin.usage.UsageEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The laptop's side of many machines: every transcript usage record the follower counts
 * ({@link TranscriptFollower.Listener}) goes, as {@link ForwardedUsage} (the request's totals),
 * durably into the {@link QueuedSender} {@value #SENDER} (queue under
 * {@code <data-dir>/usage-forward-queue}, kept across restarts and central outages) and from there,
 * in order and batched, to the central's {@code /v1/logs} with {@code Authorization: Bearer
 * <odin.usage-forward.token>}. 2xx: delivered; 429, 5xx or no answer: retried with backoff (at
 * least what Retry-After asks); any other 4xx: dead-lettered to
 * {@code usage-forward-dead-letter.jsonl} and counted, never retried. Metrics: the sender's
 * {@code odin_delivery_*{sender="usage-forward"}} and
 * {@code odin_usage_forward_records_total{outcome="queued|not_queued|no_ids"}}.
 */
public final class UsageForwarder implements TranscriptFollower.Listener, SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageForwarder.class);
    public static final String SENDER = "usage-forward";
    /** Records per queued entry: a backfill of thousands of requests is many entries, not one huge one. */
    static final int RECORDS_PER_ENTRY = 1000;
    private static final byte TYPE = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private final URI uri;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;
    private final QueuedSender sender;
    private final Duration flushTimeout;
    private final Counter queued;
    private final Counter notQueued;
    private final Counter noIds;
    private volatile boolean running;

    public UsageForwarder(UsageForwardProperties config, Path dataDir, QueuedSender.Guard guard, MeterRegistry registry,
            Clock clock, Duration flushTimeout) throws IOException {
        this.uri = uri(config.getUrl());
        this.authorization = config.getToken().isBlank() ? null : "Bearer " + config.getToken().strip();
        this.timeout = config.getTimeout();
        this.flushTimeout = flushTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        QueuedSender.Options options = new QueuedSender.Options(SENDER, "central ODIN " + uri,
                dataDir.resolve("usage-forward-queue"))
                .queue(config.getQueueMaxSize().toBytes(), true)
                .batch(config.getBatchSize().toBytes(), 100_000, Duration.ZERO)
                .interval(Duration.ofMillis(200))
                .backoff(Duration.ofMillis(500), config.getMaxBackoff(), true)
                .deadLetter(dataDir.resolve("usage-forward-dead-letter.jsonl"), 64L << 20, true)
                .guard(guard, "usage_forward_queue", "usage_forward_cursor", "usage_forward_dead_letter");
        this.sender = new QueuedSender(options, this::send, UsageForwarder::writeDeadLetter, null, registry, clock);
        this.queued = records(registry, "queued", "in the queue for the central");
        this.notQueued = records(registry, "not_queued", "the queue refused them (a failing disk): not forwarded");
        this.noIds = records(registry, "no_ids", "without a message or request id: the central could not"
                + " recognise repeats, not forwarded");
    }

    private static Counter records(MeterRegistry registry, String outcome, String what) {
        return Counter.builder("odin.usage.forward.records").tag("outcome", outcome)
                .description("Transcript usage records for the central ODIN, by outcome: " + what).register(registry);
    }

    static URI uri(String url) {
        String base = url.strip().replaceAll("/+$", "");
        try {
            URI u = URI.create(base);
            if (u.getScheme() == null || !u.getScheme().matches("(?i)https?") || u.getHost() == null) {
                throw new IllegalArgumentException("the central's URL is http://host:port or https://host:port");
            }
            if (u.getRawUserInfo() != null) {
                // it would show on /health and in the logs: the token goes in odin.usage-forward.token
                throw new IllegalArgumentException("the URL carries credentials; set odin.usage-forward.token instead");
            }
            return URI.create(base + "/v1/logs");
        } catch (IllegalArgumentException e) {
            throw new RefusedStartException(RefusedStartException.setting("odin.usage-forward.url") + " " + url + ": "
                    + e.getMessage());
        }
    }

    public QueuedSender sender() {
        return sender;
    }

    /** Where the usage goes: the central's /v1/logs. */
    public URI uri() {
        return uri;
    }

    @Override
    public void counted(List<TranscriptFollower.Counted> counted) {
        List<ForwardedUsage.Item> items = new ArrayList<>();
        for (TranscriptFollower.Counted c : counted) {
            UsageEvent e = c.added();
            if (e.messageId() == null || e.requestId() == null || e.messageId().isEmpty() || e.requestId().isEmpty()) {
                noIds.increment();
                continue;
            }
            items.add(new ForwardedUsage.Item(e.timestamp(), e.machine(), e.user(), e.team(), e.project(),
                    e.sessionId(), e.model(), e.messageId(), e.requestId(), c.total(), c.totalCost(), e.repository(),
                    e.branch()));
        }
        for (int from = 0; from < items.size(); from += RECORDS_PER_ENTRY) {
            List<ForwardedUsage.Item> part = items.subList(from, Math.min(items.size(), from + RECORDS_PER_ENTRY));
            try {
                sender.append(Entry.of(TYPE, Map.of(), ForwardedUsage.encode(part).toByteArray(), part.size()));
                queued.increment(part.size());
            } catch (IOException | RuntimeException ex) {
                // the usage is recorded here; only the central misses it
                notQueued.increment(part.size());
                log.warn("{}: {} usage record(s) could not be queued for the central: {}", SENDER, part.size(),
                        ex.toString());
            }
        }
        if (!items.isEmpty()) {
            sender.kick();
        }
    }

    /** One POST of the batch: the entries' requests concatenated (protobuf merging: their resource_logs). */
    private Outcome send(List<Entry> batch) {
        int size = 0;
        for (Entry e : batch) {
            size += e.payload().length;
        }
        byte[] body = new byte[size];
        int at = 0;
        for (Entry e : batch) {
            System.arraycopy(e.payload(), 0, body, at, e.payload().length);
            at += e.payload().length;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/x-protobuf").header("User-Agent", "odin-usage-forward");
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return Outcome.retryLater(0, "no answer from " + uri + ": " + e, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.retryLater(0, "interrupted", null);
        }
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        int status = r.statusCode();
        if (status / 100 == 2) {
            return Outcome.delivered();
        }
        String message = uri + " answered " + status + (text.isBlank() ? "" : ": " + text.strip());
        // 401/403: a token not (yet) known to the central, a typo being fixed or a rotation: the
        // usage waits (the health component says why) rather than being dead-lettered for good
        if (status == 429 || status / 100 == 5 || status == 401 || status == 403) {
            return Outcome.retryLater(status, message,
                    RetryAfter.parse(r.headers().firstValue("Retry-After").orElse(null)));
        }
        return Outcome.dropPermanently(status, null, message);
    }

    /** One JSON line per entry: the time, why, the status, and the request as base64. */
    private static void writeDeadLetter(List<Entry> batch, QueuedSender.DeadLetter why, Writer w) throws IOException {
        JsonGenerator g = JSON.createGenerator(w);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        for (Entry e : batch) {
            g.writeStartObject();
            g.writeStringField("time", why.time().toString());
            g.writeNumberField("records", e.items());
            g.writeStringField("reason", why.reason());
            g.writeNumberField("status", why.outcome().status());
            g.writeStringField("error", why.outcome().message());
            g.writeStringField("otlp_request_base64", Base64.getEncoder().encodeToString(e.payload()));
            g.writeEndObject();
            g.writeRaw('\n');
        }
        g.close();
    }

    @Override
    public void start() {
        sender.start();
        running = true;
    }

    /** Sends what it can within the flush timeout; the rest stays queued on disk for the next start. */
    @Override
    public void stop() {
        running = false;
        try {
            if (!sender.retrying() && !sender.flush(flushTimeout)) {
                log.warn("{}: {} entries stay queued on disk for the next start", SENDER, sender.pending());
            }
        } catch (IOException e) {
            log.warn("{}: the queue could not be flushed ({}); it stays on disk", SENDER, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    @Override
    public void close() throws IOException {
        sender.close();
    }
}
