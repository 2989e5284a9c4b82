package dev.odin.exporter.loki;

import dev.odin.events.EventLimits;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.odin.config.OdinProperties;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.LabelPairAdapter;
import dev.odin.signal.AttributeValues;
import dev.odin.exporter.prometheus.LabelNamer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Maps OTLP log records to Loki streams the way Loki 3.x's own OTLP ingestion does with its
 * default settings (shared/spec/otlp-to-loki.md): a few resource attributes become stream
 * labels, everything else is structured metadata beside the line. Loki's caps (stream labels,
 * metadata entries and bytes, line size) are applied here, predictably and counted.
 */
public final class LokiMapper {

    private static final String[] SERVICE_NAME_FALLBACKS = {"service", "app", "application", "app_name", "name",
        "app_kubernetes_io_name", "container", "container_name", "k8s_container_name", "component", "workload",
        "job", "k8s_job_name"};

    /** Counts of records trimmed to fit a Loki cap, by cap. */
    public static final class Trimmed {
        public final LongAdder streamLabels = new LongAdder();
        public final LongAdder metadataEntries = new LongAdder();
        public final LongAdder metadataSize = new LongAdder();
        public final LongAdder lineSize = new LongAdder();
        public final LongAdder labelValueSize = new LongAdder();
    }

    private final List<String> streamLabelKeys;
    private final Set<String> drop;
    private final int maxStreamLabels;
    private final int maxMetadataEntries;
    private final long maxMetadataBytes;
    private final int maxLineBytes;
    private final int maxLabelValueBytes;
    private final Clock clock;
    private final LabelNamer namer = new LabelNamer(false, true);
    /** Attribute key -> metadata key: the same few dozen keys arrive on every record. Bounded. */
    private final Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int NAME_CACHE_LIMIT = 10_000;
    private final Trimmed trimmed = new Trimmed();

    public LokiMapper(LokiProperties config, Clock clock) {
        List<String> keys = new ArrayList<>(config.getStreamLabels());
        for (String p : config.getPromote()) {
            if (!keys.contains(p)) {
                keys.add(p);
            }
        }
        this.streamLabelKeys = List.copyOf(keys);
        this.drop = Set.copyOf(config.getDrop());
        this.maxStreamLabels = config.getMaxStreamLabels();
        this.maxMetadataEntries = config.getMaxMetadataEntries();
        this.maxMetadataBytes = config.getMaxMetadataSize().toBytes();
        this.maxLineBytes = (int) Math.min(Integer.MAX_VALUE, config.getMaxLineSize().toBytes());
        this.maxLabelValueBytes = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 64,
                config.getMaxLabelValueSize().toBytes()));
        this.clock = clock;
    }

    public Trimmed trimmed() {
        return trimmed;
    }

    public MappedLogs map(ExportLogsServiceRequest request) {
        return map(request, "", "");
    }

    /**
     * @param extraLabel a stream label ODIN adds itself (the tenant label), empty for none
     * @param extraValue its value; empty adds nothing
     */
    public MappedLogs map(ExportLogsServiceRequest request, String extraLabel, String extraValue) {
        Map<String, MappedLogs.Stream> streams = new LinkedHashMap<>();
        int records = 0;
        long arrival = clock.millis() * 1_000_000L;
        for (ResourceLogs rl : request.getResourceLogsList()) {
            TreeMap<String, String> labels = new TreeMap<>();
            List<String[]> resourceMetadata = new ArrayList<>();
            streamLabels(rl.getResource().getAttributesList(), labels, resourceMetadata);
            if (!extraLabel.isEmpty() && !extraValue.isEmpty()) {
                labels.put(extraLabel, extraValue);
            }
            String selector = MappedLogs.selector(labels);
            MappedLogs.Stream stream = streams.computeIfAbsent(selector,
                    s -> new MappedLogs.Stream(labels, s, new ArrayList<>()));
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                List<String[]> scopeMetadata = new ArrayList<>();
                flatten(sl.getScope().getAttributesList(), scopeMetadata);
                if (!sl.getScope().getName().isEmpty()) {
                    scopeMetadata.add(new String[] {"scope_name", sl.getScope().getName()});
                }
                if (!sl.getScope().getVersion().isEmpty()) {
                    scopeMetadata.add(new String[] {"scope_version", sl.getScope().getVersion()});
                }
                for (LogRecord r : sl.getLogRecordsList()) {
                    stream.entries().add(entry(r, resourceMetadata, scopeMetadata, arrival));
                    records++;
                }
            }
        }
        return new MappedLogs(new ArrayList<>(streams.values()), records);
    }

    private void streamLabels(List<KeyValue> resource, TreeMap<String, String> labels, List<String[]> metadata) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (KeyValue kv : resource) {
            if (!drop.contains(kv.getKey())) {
                byKey.put(kv.getKey(), AttributeValues.format(kv.getValue()));
            }
        }
        Set<String> used = new HashSet<>();
        for (String key : streamLabelKeys) {
            String v = byKey.get(key);
            String name = namer.name(key);
            if (v == null || v.isEmpty() || name == null) {
                continue;
            }
            // one place stays free for service_name until it is there
            int room = maxStreamLabels - (labels.containsKey("service_name") ? 0 : 1);
            if (labels.size() < room || key.equals("service.name")) {
                labels.put(name, labelValue(v));
                used.add(key);
            } else {
                trimmed.streamLabels.increment(); // over Loki's cap: kept as metadata instead
            }
        }
        if (labels.get("service_name") == null || labels.get("service_name").isEmpty()) {
            String service = null;
            for (String f : SERVICE_NAME_FALLBACKS) {
                service = labels.get(f);
                if (service != null && !service.isEmpty()) {
                    break;
                }
                service = null;
            }
            labels.put("service_name", service == null ? "unknown_service" : service); // a label: already trimmed
        }
        for (KeyValue kv : resource) {
            if (!used.contains(kv.getKey()) && !drop.contains(kv.getKey())) {
                flattenOne(kv.getKey(), kv.getValue(), metadata);
            }
        }
    }

    private EntryAdapter entry(LogRecord r, List<String[]> resourceMetadata, List<String[]> scopeMetadata,
            long arrivalNanos) {
        long ts = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano()
                : r.getObservedTimeUnixNano() != 0 ? r.getObservedTimeUnixNano() : arrivalNanos;
        List<String[]> md = new ArrayList<>(r.getAttributesCount() + resourceMetadata.size() + 8);
        flatten(r.getAttributesList(), md);
        if (r.getObservedTimeUnixNano() != 0) {
            md.add(new String[] {"observed_timestamp", Long.toUnsignedString(r.getObservedTimeUnixNano())});
        }
        if (r.getSeverityNumberValue() != 0) {
            md.add(new String[] {"severity_number", Integer.toString(r.getSeverityNumberValue())});
        }
        if (!r.getSeverityText().isEmpty()) {
            md.add(new String[] {"severity_text", r.getSeverityText()});
        }
        if (!r.getTraceId().isEmpty()) {
            md.add(new String[] {"trace_id", hex(r.getTraceId())});
        }
        if (!r.getSpanId().isEmpty()) {
            md.add(new String[] {"span_id", hex(r.getSpanId())});
        }
        if (r.getFlags() != 0) {
            md.add(new String[] {"flags", Integer.toUnsignedString(r.getFlags())});
        }
        if (!r.getEventName().isEmpty()) {
            md.removeIf(p -> p[0].equals("event_name")); // the EventName field wins over an attribute
            md.add(new String[] {"event_name", r.getEventName()});
        }
        md.addAll(resourceMetadata);
        md.addAll(scopeMetadata);

        EntryAdapter.Builder e = EntryAdapter.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(Math.floorDiv(ts, 1_000_000_000L))
                        .setNanos((int) Math.floorMod(ts, 1_000_000_000L)))
                .setLine(line(r.getBody()));
        // first occurrence of a name wins; then Loki's caps on count and size
        Set<String> seen = new HashSet<>();
        long bytes = 0;
        int count = 0;
        boolean overCount = false;
        boolean overSize = false;
        for (String[] p : md) {
            if (!seen.add(p[0])) {
                continue;
            }
            if (count >= maxMetadataEntries) {
                overCount = true;
                continue;
            }
            long size = p[0].length() + p[1].length();
            if (bytes + size > maxMetadataBytes) {
                overSize = true;
                continue;
            }
            bytes += size;
            count++;
            e.addStructuredMetadata(LabelPairAdapter.newBuilder().setName(p[0]).setValue(p[1]));
        }
        if (overCount) {
            trimmed.metadataEntries.increment();
        }
        if (overSize) {
            trimmed.metadataSize.increment();
        }
        return e.build();
    }

    /**
     * A stream label value within Loki's max_label_value_length (bytes): Loki refuses a whole push
     * with one longer value, so it is trimmed here (with a marker) and counted. Two values equal
     * in their first bytes then share a stream.
     */
    private String labelValue(String v) {
        if (v.length() * 3L <= maxLabelValueBytes) {
            return v;
        }
        com.google.protobuf.ByteString utf8 = com.google.protobuf.ByteString.copyFromUtf8(v);
        if (utf8.size() <= maxLabelValueBytes) {
            return v;
        }
        trimmed.labelValueSize.increment();
        return dev.odin.events.EventLimits.trim(utf8, maxLabelValueBytes);
    }

    private String line(AnyValue body) {
        String line = body.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET ? "" : AttributeValues.format(body);
        if (line.length() > maxLineBytes / 4 && line.getBytes(StandardCharsets.UTF_8).length > maxLineBytes) {
            trimmed.lineSize.increment();
            byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
            int end = maxLineBytes;
            while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
                end--; // do not cut a character in half
            }
            line = new String(utf8, 0, end, StandardCharsets.UTF_8);
        }
        return line;
    }

    private void flatten(List<KeyValue> attributes, List<String[]> out) {
        for (KeyValue kv : attributes) {
            if (!drop.contains(kv.getKey())) {
                flattenOne(kv.getKey(), kv.getValue(), out);
            }
        }
    }

    /** Maps become parent_child entries; arrays JSON; everything else as the data model prints it. */
    private void flattenOne(String key, AnyValue value, List<String[]> out) {
        if (value.getValueCase() == AnyValue.ValueCase.KVLIST_VALUE) {
            for (KeyValue child : value.getKvlistValue().getValuesList()) {
                flattenOne(key + "_" + child.getKey(), child.getValue(), out);
            }
            return;
        }
        String name = name(key);
        if (name != null) {
            out.add(new String[] {name, AttributeValues.format(value)});
        }
    }

    private String name(String key) {
        String cached = names.get(key);
        if (cached == null) {
            String n = namer.name(key);
            cached = n == null ? "" : n;
            if (names.size() >= NAME_CACHE_LIMIT) {
                names.clear();
            }
            names.put(key, cached);
        }
        return cached.isEmpty() ? null : cached;
    }

    private static String hex(ByteString bytes) {
        StringBuilder sb = new StringBuilder(bytes.size() * 2);
        for (int i = 0; i < bytes.size(); i++) {
            sb.append(Character.forDigit((bytes.byteAt(i) >> 4) & 0xf, 16)).append(Character.forDigit(bytes.byteAt(i) & 0xf, 16));
        }
        return sb.toString();
    }
}
