package dev.odin.traces;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.delivery.QueuedSender;
import dev.odin.signal.AttributeValues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded trace store: spans as JSON lines, one span per line, in
 * {@code <data dir>/traces/spans-YYYY-MM-DD.jsonl} (the UTC day they were written). A line:
 *
 * <pre>{"trace_id":"685e…","span_id":"06d9…","parent_span_id":"23eb…","name":"claude_code.llm_request",
 * "kind":"SPAN_KIND_INTERNAL","start_time_unix_nano":"1796…","end_time_unix_nano":"1796…",
 * "duration_ms":47.204239,"status_code":"STATUS_CODE_UNSET","status_message":"","service_name":"claude-code",
 * "scope":{"name":…,"version":…},"resource":{…},"attributes":{"model":"claude-sonnet-4-5",…},
 * "events":[{"name":…,"time_unix_nano":…,"attributes":{…}}],"links":[{"trace_id":…,"span_id":…}]}</pre>
 *
 * Ids are lowercase hex (as Loki's event lines carry them), times strings of Unix nanoseconds
 * (beyond a double's precision), attribute values JSON strings, booleans or numbers (arrays and
 * maps as their text). One line per span, not an OTLP/JSON request per line, so that
 * {@code grep <trace id>} or {@code jq 'select(.trace_id==…)'} finds a trace's spans across requests.
 *
 * <p>Bounded: a request is written synchronously in the receiving thread (no buffer between the
 * receiver and the file); spans that cannot be written (the day's file would pass
 * odin.traces.store.max-size, the data dir below its floor, an I/O error) are counted in
 * odin_traces_store_dropped_spans_total{reason} and the request still succeeds (metrics and the
 * forward do not depend on the store). Retention ({@link #clean}) deletes whole days older than
 * odin.traces.store.retention, then the oldest days while all files pass max-size.
 */
public final class TraceStore {

    private static final Logger log = LoggerFactory.getLogger(TraceStore.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern FILE = Pattern.compile("spans-(\\d{4}-\\d{2}-\\d{2})\\.jsonl");
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    /** The most spans one read gives back. */
    public static final int MAX_READ_SPANS = 10_000;
    public static final String WRITE = "traces_store";

    private final Path dir;
    private final Duration retention;
    private final long maxBytes;
    private final Clock clock;
    private final QueuedSender.Guard guard;
    private final Counter stored;
    private final MeterRegistry registry;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private long totalBytes = -1;
    private volatile String lastFailure = "";

    public TraceStore(Path dir, Duration retention, long maxBytes, Clock clock, QueuedSender.Guard guard,
            MeterRegistry registry) {
        this.dir = dir;
        this.retention = retention;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.guard = guard;
        this.registry = registry == null ? new SimpleMeterRegistry() : registry;
        this.stored = Counter.builder("odin.traces.store.spans").description("Spans written to the trace store")
                .register(this.registry);
        for (String reason : List.of("size_limit", "write_failed")) {
            dropped(reason);
        }
    }

    public Path dir() {
        return dir;
    }

    private Counter dropped(String reason) {
        return dropped.computeIfAbsent(reason, r -> Counter.builder("odin.traces.store.dropped.spans")
                .tag("reason", r).description("Spans the trace store could not write, by reason").register(registry));
    }

    /** The file spans written now go to. */
    Path today() {
        return dir.resolve("spans-" + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) + ".jsonl");
    }

    /**
     * Writes the request's spans, one line each, to today's file.
     *
     * @return spans written (0 when none could be: counted)
     */
    public long write(ExportTraceServiceRequest request) {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        long n;
        try {
            n = lines(request, lines);
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory: not an I/O failure
        }
        if (n == 0) {
            return 0;
        }
        synchronized (this) {
            try {
                if (totalBytes < 0) {
                    totalBytes = size();
                }
                if (totalBytes + lines.size() > maxBytes) {
                    clean(lines.size());
                }
                if (totalBytes + lines.size() > maxBytes) {
                    dropped("size_limit").increment(n);
                    logOnce("the trace store is full (odin.traces.store.max-size = " + maxBytes + " bytes): spans are"
                            + " counted in odin_traces_store_dropped_spans_total{reason=\"size_limit\"}, not kept");
                    return 0;
                }
                Path file = today();
                guard.write(WRITE, () -> {
                    Files.createDirectories(dir);
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.APPEND)) {
                        ByteBuffer b = ByteBuffer.wrap(lines.toByteArray());
                        while (b.hasRemaining()) {
                            ch.write(b);
                        }
                    }
                });
                totalBytes += lines.size();
                stored.increment(n);
                lastFailure = "";
                return n;
            } catch (IOException | RuntimeException e) {
                dropped("write_failed").increment(n);
                totalBytes = -1; // measured again: a partial write may have left bytes
                logOnce("the trace store cannot write to " + dir + ": " + e.getMessage()
                        + " (counted in odin_traces_store_dropped_spans_total{reason=\"write_failed\"})");
                return 0;
            }
        }
    }

    private void logOnce(String message) {
        if (!message.equals(lastFailure)) {
            lastFailure = message;
            log.warn(message);
        }
    }

    /** The JSON lines of the request's spans; how many. */
    static long lines(ExportTraceServiceRequest request, ByteArrayOutputStream out) throws IOException {
        long n = 0;
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.setRootValueSeparator(null); // each line starts with its object: no separating space
            for (ResourceSpans rs : request.getResourceSpansList()) {
                String service = "unknown_service";
                for (KeyValue kv : rs.getResource().getAttributesList()) {
                    if (kv.getKey().equals("service.name")) {
                        service = AttributeValues.format(kv.getValue());
                    }
                }
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span s : ss.getSpansList()) {
                        g.writeStartObject();
                        g.writeStringField("trace_id", SpanMetrics.hex(s.getTraceId().toByteArray()));
                        g.writeStringField("span_id", SpanMetrics.hex(s.getSpanId().toByteArray()));
                        g.writeStringField("parent_span_id", SpanMetrics.hex(s.getParentSpanId().toByteArray()));
                        g.writeStringField("name", s.getName());
                        g.writeStringField("kind", SpanMetrics.kind(s.getKind()));
                        g.writeStringField("start_time_unix_nano", Long.toUnsignedString(s.getStartTimeUnixNano()));
                        g.writeStringField("end_time_unix_nano", Long.toUnsignedString(s.getEndTimeUnixNano()));
                        long nanos = s.getEndTimeUnixNano() - s.getStartTimeUnixNano();
                        g.writeFieldName("duration_ms");
                        g.writeNumber(new java.math.BigDecimal(Math.max(0, nanos)).movePointLeft(6));
                        g.writeStringField("status_code", SpanMetrics.status(s.getStatus().getCode()));
                        g.writeStringField("status_message", s.getStatus().getMessage());
                        g.writeStringField("service_name", service);
                        g.writeObjectFieldStart("scope");
                        g.writeStringField("name", ss.getScope().getName());
                        g.writeStringField("version", ss.getScope().getVersion());
                        g.writeEndObject();
                        g.writeFieldName("resource");
                        attributes(g, rs.getResource().getAttributesList());
                        g.writeFieldName("attributes");
                        attributes(g, s.getAttributesList());
                        g.writeArrayFieldStart("events");
                        for (Span.Event e : s.getEventsList()) {
                            g.writeStartObject();
                            g.writeStringField("name", e.getName());
                            g.writeStringField("time_unix_nano", Long.toUnsignedString(e.getTimeUnixNano()));
                            g.writeFieldName("attributes");
                            attributes(g, e.getAttributesList());
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                        g.writeArrayFieldStart("links");
                        for (Span.Link l : s.getLinksList()) {
                            g.writeStartObject();
                            g.writeStringField("trace_id", SpanMetrics.hex(l.getTraceId().toByteArray()));
                            g.writeStringField("span_id", SpanMetrics.hex(l.getSpanId().toByteArray()));
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                        g.writeEndObject();
                        g.flush();
                        out.write('\n');
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private static void attributes(JsonGenerator g, List<KeyValue> attrs) throws IOException {
        g.writeStartObject();
        for (KeyValue kv : attrs) {
            g.writeFieldName(kv.getKey());
            AnyValue v = kv.getValue();
            switch (v.getValueCase()) {
                case STRING_VALUE -> g.writeString(v.getStringValue());
                case BOOL_VALUE -> g.writeBoolean(v.getBoolValue());
                case INT_VALUE -> g.writeNumber(v.getIntValue());
                case DOUBLE_VALUE -> {
                    if (Double.isFinite(v.getDoubleValue())) {
                        g.writeNumber(v.getDoubleValue());
                    } else {
                        g.writeString(AttributeValues.format(v));
                    }
                }
                default -> g.writeString(AttributeValues.format(v));
            }
        }
        g.writeEndObject();
    }

    /** The day files, oldest first. */
    private List<Map.Entry<LocalDate, Path>> files() throws IOException {
        List<Map.Entry<LocalDate, Path>> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "spans-*.jsonl")) {
            for (Path p : ds) {
                Matcher m = FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    try {
                        files.add(Map.entry(LocalDate.parse(m.group(1)), p));
                    } catch (DateTimeParseException e) {
                        // not one of ours
                    }
                }
            }
        }
        files.sort(Map.Entry.comparingByKey());
        return files;
    }

    private long size() throws IOException {
        long total = 0;
        for (Map.Entry<LocalDate, Path> f : files()) {
            total += sizeOf(f.getValue());
        }
        return total;
    }

    private static long sizeOf(Path p) throws IOException {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /**
     * Retention: deletes the days that ended more than odin.traces.store.retention ago, then the
     * oldest days (never today's) while all files together pass odin.traces.store.max-size.
     *
     * @return files deleted
     */
    public synchronized int clean() throws IOException {
        return clean(0);
    }

    /** Retention, and room for {@code room} more bytes (older days deleted for it, never today's). */
    private synchronized int clean(long room) throws IOException {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        int deleted = 0;
        List<Map.Entry<LocalDate, Path>> files = files();
        long total = 0;
        List<Map.Entry<LocalDate, Path>> kept = new ArrayList<>();
        for (Map.Entry<LocalDate, Path> f : files) {
            Instant dayEnd = f.getKey().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            if (!f.getKey().equals(today) && dayEnd.plus(retention).isBefore(now)) {
                Files.deleteIfExists(f.getValue());
                deleted++;
            } else {
                kept.add(f);
                total += sizeOf(f.getValue());
            }
        }
        for (Map.Entry<LocalDate, Path> f : kept) {
            if (total + room <= maxBytes || f.getKey().equals(today)) {
                break;
            }
            total -= sizeOf(f.getValue());
            Files.deleteIfExists(f.getValue());
            deleted++;
        }
        totalBytes = total;
        return deleted;
    }

    /** Whether this is a trace id as the store writes them (32 lowercase hex digits, not all zero). */
    public static boolean isTraceId(String id) {
        return id != null && TRACE_ID.matcher(id).matches() && !id.equals("0".repeat(32));
    }

    /**
     * The stored spans of one trace, newest day first, as their JSON lines; at most
     * {@value #MAX_READ_SPANS}.
     */
    public List<String> read(String traceId) throws IOException {
        if (!isTraceId(traceId)) {
            throw new IllegalArgumentException("a trace id is 32 lowercase hex digits");
        }
        String needle = "{\"trace_id\":\"" + traceId + "\"";
        List<Map.Entry<LocalDate, Path>> files = files();
        files.sort(Map.Entry.<LocalDate, Path>comparingByKey(Comparator.reverseOrder()));
        List<String> spans = new ArrayList<>();
        for (Map.Entry<LocalDate, Path> f : files) {
            try (BufferedReader r = Files.newBufferedReader(f.getValue(), StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(needle)) {
                        spans.add(line);
                        if (spans.size() >= MAX_READ_SPANS) {
                            return spans;
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                // deleted by retention meanwhile
            }
        }
        return spans;
    }
}
