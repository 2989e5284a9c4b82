package dev.odin.telemetry;

import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * ODIN's own metrics (prefix odin_), registered on the Micrometer registry that /metrics serves.
 * Every tag value comes from a closed set (signals, transports, outcomes, reason constants), so
 * the number of series stays small. Counters are looked up once and cached.
 */
public final class OdinMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public OdinMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One OTLP request finished with this outcome (ok, partial, invalid, too_large, ...). */
    public void request(Signal signal, Transport transport, String outcome) {
        counter("odin.otlp.requests", "OTLP export requests by outcome",
                "signal", signal.tag(), "transport", transport.tag(), "outcome", outcome).increment();
    }

    /** A connection to the OTLP/gRPC port that spoke HTTP/1 (answered 400 and closed). */
    public void grpcPortHttp1() {
        counter("odin.otlp.grpc.http1.requests", "HTTP/1 requests on the OTLP/gRPC port, answered 400 (OTLP/HTTP is"
                + " on the HTTP port)").increment();
    }

    /** Items (data points, log records, spans) that arrived in well-formed requests. */
    public void received(Signal signal, Transport transport, long items) {
        if (items > 0) {
            counter("odin.otlp.received", "OTLP items received: data points, log records or spans",
                    "signal", signal.tag(), "transport", transport.tag()).increment(items);
        }
    }

    /** Items refused and reported back to the client in partial_success. */
    public void rejected(Signal signal, String reason, long items) {
        if (items > 0) {
            counter("odin.otlp.rejected", "OTLP items refused, by reason",
                    "signal", signal.tag(), "reason", reason).increment(items);
        }
    }

    /** Items accepted but not stored anywhere, by reason (for example no sink configured). */
    public void discarded(Signal signal, String reason, long items) {
        if (items > 0) {
            counter("odin.otlp.discarded", "OTLP items accepted but not kept, by reason",
                    "signal", signal.tag(), "reason", reason).increment(items);
        }
    }

    /** Resource or scope attribute values cut to the length limit (odin.metrics.max-*-length). */
    public void trimmed(String what) {
        counter("odin.metrics.trimmed", "Attribute values or help texts of OTLP metrics cut to their length limit,"
                + " by what", "what", what).increment();
    }

    /** A name, label or value that could not be translated into Prometheus terms. */
    public void translationError(String reason) {
        counter("odin.translation.errors", "OTLP to Prometheus translation errors, by reason",
                "reason", reason).increment();
    }

    /** Exposes the series store's size and its own counters. */
    public void bindStore(SeriesStore store) {
        Gauge.builder("odin.series.live", store, SeriesStore::liveSeries)
                .description("Series currently held for exposition (target_info included)").register(registry);
        Gauge.builder("odin.series.limit", store, s -> s.limits().maxSeries())
                .description("Cap on live series across all metrics").register(registry);
        Gauge.builder("odin.metric.families", store, SeriesStore::familyCount)
                .description("Metric names currently held").register(registry);
        StoreStats stats = store.stats();
        dropped(stats.droppedMetricLimit, "metric_limit");
        dropped(stats.droppedTotalLimit, "total_limit");
        dropped(stats.expired, "expired");
        dropped(stats.stale, "stale");
        dropped(stats.sourceLimit, "source_limit");
        dropped(stats.droppedTenantLimit, "tenant_limit");
        conflict(stats.typeConflicts, "type");
        conflict(stats.sampleNameConflicts, "sample_name");
        conflict(stats.originConflicts, "origin");
        conflict(stats.helpConflicts, "help");
        conflict(stats.nameConflicts, "name_taken");
        FunctionCounter.builder("odin.exposition.families.dropped", stats.familiesDropped, LongAdder::doubleValue)
                .description("Metric families left out of a scrape because their snapshot could not be built"
                        + " (each is logged once)").register(registry);
    }

    /** Log records and wire bytes Loki accepted. */
    public void lokiSent(long records, long bytes) {
        counter("odin.loki.records.sent", "Log records Loki accepted").increment(records);
        counter("odin.loki.bytes.sent", "Bytes of queued payload Loki accepted (before compression)").increment(bytes);
        counter("odin.loki.batches.sent", "Batches Loki accepted").increment();
    }

    /** A batch will be sent again: status is the HTTP status or "connection". */
    public void lokiRetried(String status) {
        counter("odin.loki.batches.retried", "Batch sends that failed and will be retried, by status",
                "status", status).increment();
    }

    /** Loki refused a batch for good; its records went to the dead-letter file. */
    public void lokiFailed(String status, long records) {
        counter("odin.loki.batches.failed", "Batches Loki refused for good (written to the dead-letter file)",
                "status", status).increment();
        counter("odin.loki.records.failed", "Log records in batches Loki refused for good", "status", status)
                .increment(records);
    }

    /** Log records dropped before delivery, by reason. */
    public void lokiDropped(String reason, long records) {
        counter("odin.loki.dropped", "Log records dropped before delivery, by reason", "reason", reason)
                .increment(records);
    }

    /** Log records written to the local event files. */
    public void eventsWritten(long records) {
        counter("odin.events.written", "Log records written to the local JSON-lines event files").increment(records);
    }

    /** Events whose own day could not name their file (dev.odin.exporter.files.EventFiles), by reason. */
    private void dropped(LongAdder adder, String reason) {
        FunctionCounter.builder("odin.series.dropped", adder, LongAdder::doubleValue)
                .description("Series removed or refused: by cap, expiry, staleness marker or source cap")
                .tag("reason", reason).register(registry);
    }

    private void conflict(LongAdder adder, String kind) {
        FunctionCounter.builder("odin.metric.conflicts", adder, LongAdder::doubleValue)
                .description("Metric definitions that clash with an earlier one (first one wins)")
                .tag("kind", kind).register(registry);
    }

    private Counter counter(String name, String help, String... tags) {
        StringBuilder key = new StringBuilder(name);
        for (String t : tags) {
            key.append('\0').append(t);
        }
        return counters.computeIfAbsent(key.toString(),
                k -> Counter.builder(name).description(help).tags(tags).register(registry));
    }
}
