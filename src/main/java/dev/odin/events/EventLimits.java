package dev.odin.events;

import com.google.protobuf.ByteString;
import dev.odin.signal.ExportResult;
import dev.odin.signal.AttributeValues;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Route step of otlp-logs, after the privacy rules and before the event sink (any of them: files,
 * Loki streams, Loki's OTLP endpoint): the length limits of {@code odin.events.*}. A log record
 * body longer than {@code max-body-size}, and an attribute value (resource, scope or record; the
 * scope's name and version, the record's event name and severity text) longer than
 * {@code max-attribute-value-size} are trimmed: the value keeps its first bytes (whole UTF-8
 * characters) and ends in {@value #MARKER_START}N bytes]} (N its size before), all within the
 * limit. Arrays, maps (as a body) and byte strings over the limit become that trimmed text of
 * their JSON or base64 form. An attribute whose key is longer than {@code max-attribute-key-size}
 * is dropped. Nothing is refused: the record is kept and the client is told in partial_success
 * (nothing rejected, the message set). Each change is counted in
 * {@code odin_events_trimmed_total{what}} (body, attribute_value, attribute_key). A request within
 * the limits passes as it is (no copy).
 */
public final class EventLimits implements Processor {

    static final String MARKER_START = "…[trimmed from ";

    /** Counts of values changed, by what. */
    public static final class Counts {
        public final LongAdder body = new LongAdder();
        public final LongAdder attributeValue = new LongAdder();
        public final LongAdder attributeKey = new LongAdder();
    }

    private final int maxBody;
    private final int maxValue;
    private final int maxKey;
    private final Counts counts = new Counts();

    public EventLimits(long maxBodyBytes, long maxAttributeValueBytes, long maxAttributeKeyBytes) {
        this.maxBody = bound(maxBodyBytes, "odin.events.max-body-size");
        this.maxValue = bound(maxAttributeValueBytes, "odin.events.max-attribute-value-size");
        this.maxKey = bound(maxAttributeKeyBytes, "odin.events.max-attribute-key-size");
    }

    private static int bound(long bytes, String name) {
        if (bytes < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 byte");
        }
        return (int) Math.min(Integer.MAX_VALUE - 64, bytes);
    }

    public Counts counts() {
        return counts;
    }

    @Override
    public void process(Exchange exchange) {
        ExportLogsServiceRequest request = exchange.getMessage().getBody(ExportLogsServiceRequest.class);
        if (request != null) {
            exchange.getMessage().setBody(limit(request,
                    exchange.getProperty(ExportResult.PROPERTY, ExportResult.class)));
        }
    }

    /**
     * Route step {@code bean: {ref: limitEventLengths, method: limit}} (otlp-logs). Body in:
     * {@code ExportLogsServiceRequest}; body out: the same request, or a trimmed copy. Reads the
     * exchange property {@value ExportResult#PROPERTY} (the receiver's result) to tell the client
     * what was trimmed; writes no header or property.
     */
    public ExportLogsServiceRequest limit(ExportLogsServiceRequest request,
            @org.apache.camel.ExchangeProperty(ExportResult.PROPERTY) ExportResult result) {
        if (!exceeds(request)) {
            return request;
        }
        Changes changes = new Changes();
        ExportLogsServiceRequest trimmed = apply(request, changes);
        if (result != null) {
            changes.report(result, this);
        }
        return trimmed;
    }

    /** What one request had trimmed, for its message. */
    static final class Changes {
        long bodies;
        long values;
        long keys;
        String valueKey;

        void report(ExportResult result, EventLimits limits) {
            if (bodies > 0) {
                result.warn(bodies + " log record bodies over odin.events.max-body-size (" + limits.maxBody
                        + " bytes) trimmed");
            }
            if (values > 0) {
                result.warn(values + " attribute values over odin.events.max-attribute-value-size (" + limits.maxValue
                        + " bytes) trimmed" + (valueKey == null ? "" : ", the first of key " + valueKey));
            }
            if (keys > 0) {
                result.warn(keys + " attributes with a key over odin.events.max-attribute-key-size (" + limits.maxKey
                        + " bytes) dropped");
            }
        }
    }

    // ---- the check: nothing is copied for a request within the limits

    boolean exceeds(ExportLogsServiceRequest request) {
        for (ResourceLogs rl : request.getResourceLogsList()) {
            if (exceeds(rl.getResource().getAttributesList())) {
                return true;
            }
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                if (exceeds(sl.getScope().getAttributesList()) || sl.getScope().getNameBytes().size() > maxValue
                        || sl.getScope().getVersionBytes().size() > maxValue) {
                    return true;
                }
                for (LogRecord r : sl.getLogRecordsList()) {
                    if ((r.hasBody() && exceeds(r.getBody(), maxBody, true)) || exceeds(r.getAttributesList())
                            || r.getEventNameBytes().size() > maxValue || r.getSeverityTextBytes().size() > maxValue) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean exceeds(List<KeyValue> attributes) {
        for (int i = 0; i < attributes.size(); i++) {
            KeyValue kv = attributes.get(i);
            if (kv.getKeyBytes().size() > maxKey || exceeds(kv.getValue(), maxValue, false)) {
                return true;
            }
        }
        return false;
    }

    /** @param whole true for a body: a map is one line, not entries of its own */
    private boolean exceeds(AnyValue v, int limit, boolean whole) {
        switch (v.getValueCase()) {
            case STRING_VALUE:
                return v.getStringValueBytes().size() > limit;
            case BYTES_VALUE:
                return base64Length(v.getBytesValue().size()) > limit;
            case KVLIST_VALUE:
                if (!whole) {
                    return exceeds(v.getKvlistValue().getValuesList()); // flattened to entries of their own
                }
                return formattedExceeds(v, limit);
            case ARRAY_VALUE:
                return formattedExceeds(v, limit);
            default:
                return false; // numbers and booleans are short
        }
    }

    private static boolean formattedExceeds(AnyValue v, int limit) {
        // the JSON form is at most 6 times the wire size (a control character becomes a 6-character
        // escape): format only the values that could be over
        if ((long) v.getSerializedSize() * 8 <= limit) {
            return false;
        }
        return utf8Length(AttributeValues.format(v)) > limit;
    }

    // ---- the copy, for a request over a limit

    ExportLogsServiceRequest apply(ExportLogsServiceRequest request, Changes changes) {
        ExportLogsServiceRequest.Builder out = request.toBuilder();
        for (ResourceLogs.Builder rl : out.getResourceLogsBuilderList()) {
            var resource = rl.getResourceBuilder();
            List<KeyValue> attrs = limit(resource.getAttributesList(), changes);
            if (attrs != resource.getAttributesList()) {
                resource.clearAttributes().addAllAttributes(attrs);
            }
            for (ScopeLogs.Builder sl : rl.getScopeLogsBuilderList()) {
                var scope = sl.getScopeBuilder();
                List<KeyValue> scopeAttrs = limit(scope.getAttributesList(), changes);
                if (scopeAttrs != scope.getAttributesList()) {
                    scope.clearAttributes().addAllAttributes(scopeAttrs);
                }
                if (scope.getNameBytes().size() > maxValue) {
                    scope.setName(trim(scope.getNameBytes(), maxValue));
                    value(changes, "scope name");
                }
                if (scope.getVersionBytes().size() > maxValue) {
                    scope.setVersion(trim(scope.getVersionBytes(), maxValue));
                    value(changes, "scope version");
                }
                for (LogRecord.Builder r : sl.getLogRecordsBuilderList()) {
                    if (r.hasBody() && exceeds(r.getBody(), maxBody, true)) {
                        r.setBody(trimmed(r.getBody(), maxBody));
                        counts.body.increment();
                        changes.bodies++;
                    }
                    List<KeyValue> a = limit(r.getAttributesList(), changes);
                    if (a != r.getAttributesList()) {
                        r.clearAttributes().addAllAttributes(a);
                    }
                    if (r.getEventNameBytes().size() > maxValue) {
                        r.setEventName(trim(r.getEventNameBytes(), maxValue));
                        value(changes, "event name");
                    }
                    if (r.getSeverityTextBytes().size() > maxValue) {
                        r.setSeverityText(trim(r.getSeverityTextBytes(), maxValue));
                        value(changes, "severity text");
                    }
                }
            }
        }
        return out.build();
    }

    private void value(Changes changes, String key) {
        counts.attributeValue.increment();
        changes.values++;
        if (changes.valueKey == null) {
            changes.valueKey = key;
        }
    }

    /** The attributes within the limits; the same list when all were. */
    private List<KeyValue> limit(List<KeyValue> attributes, Changes changes) {
        if (!exceeds(attributes)) {
            return attributes;
        }
        List<KeyValue> out = new ArrayList<>(attributes.size());
        for (KeyValue kv : attributes) {
            if (kv.getKeyBytes().size() > maxKey) {
                counts.attributeKey.increment();
                changes.keys++;
                continue;
            }
            AnyValue v = kv.getValue();
            if (v.getValueCase() == AnyValue.ValueCase.KVLIST_VALUE) {
                List<KeyValue> children = limit(v.getKvlistValue().getValuesList(), changes);
                if (children != v.getKvlistValue().getValuesList()) {
                    kv = kv.toBuilder().setValue(AnyValue.newBuilder()
                            .setKvlistValue(KeyValueList.newBuilder().addAllValues(children))).build();
                }
                out.add(kv);
            } else if (exceeds(v, maxValue, false)) {
                out.add(kv.toBuilder().setValue(trimmed(v, maxValue)).build());
                value(changes, printable(kv.getKey()));
            } else {
                out.add(kv);
            }
        }
        return out;
    }

    /** A key for a message: as it is when short, else only its size (it may be the attack). */
    private static String printable(String key) {
        return key.length() <= 64 ? key : "of " + utf8Length(key) + " bytes";
    }

    private static AnyValue trimmed(AnyValue v, int limit) {
        ByteString text = v.getValueCase() == AnyValue.ValueCase.STRING_VALUE ? v.getStringValueBytes()
                : ByteString.copyFromUtf8(AttributeValues.format(v));
        return AnyValue.newBuilder().setStringValue(trim(text, limit)).build();
    }

    /**
     * The first bytes of a UTF-8 text (whole characters) and the marker, within {@code limit}
     * bytes; without the marker when the limit leaves no room for it beside half the text.
     */
    public static String trim(ByteString utf8, int limit) {
        if (utf8.size() <= limit) {
            return utf8.toStringUtf8();
        }
        String marker = MARKER_START + utf8.size() + " bytes]";
        int markerBytes = utf8Length(marker);
        int keep = limit - markerBytes;
        if (keep < limit / 2) {
            marker = "";
            keep = limit;
        }
        int end = keep;
        while (end > 0 && (utf8.byteAt(end) & 0xC0) == 0x80) {
            end--; // byte at end starts a character (or ends the text): do not cut one in half
        }
        return utf8.substring(0, end).toStringUtf8() + marker;
    }

    private static long base64Length(long bytes) {
        return (bytes + 2) / 3 * 4;
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
