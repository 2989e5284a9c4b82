package dev.odin.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.odin.signal.ExportResult;
import dev.odin.signal.Signal;
import dev.odin.signal.Transport;
import dev.odin.testing.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Issue 13, finding 5 (events): bodies, attribute values and keys within odin.events' limits. */
class EventLimitsTest {

    private static final int BODY = 200;
    private static final int VALUE = 100;
    private static final int KEY = 20;
    private final EventLimits limits = new EventLimits(BODY, VALUE, KEY);

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static ExportLogsServiceRequest request(List<KeyValue> resource, AnyValue body, List<KeyValue> attrs) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(resource))
                .addScopeLogs(ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s"))
                        .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(Otlp.T0).setBody(body)
                                .addAllAttributes(attrs))))
                .build();
    }

    private Exchange run(ExportLogsServiceRequest request, ExportResult result) {
        Exchange x = new DefaultExchange(new DefaultCamelContext());
        x.setProperty(ExportResult.PROPERTY, result);
        x.getMessage().setBody(request);
        limits.process(x);
        return x;
    }

    @Test
    void aRequestWithinTheLimitsPassesAsItIs() {
        ExportLogsServiceRequest r = request(Otlp.attrs("service.name", "x".repeat(VALUE)),
                Otlp.value("y".repeat(BODY)), Otlp.attrs("k".repeat(KEY), "v".repeat(VALUE), "n", 12345678901L));
        ExportResult result = new ExportResult(Signal.LOGS, Transport.HTTP);
        Exchange x = run(r, result);
        assertThat(x.getMessage().getBody()).isSameAs(r);
        assertThat(result.message()).isEmpty();
        assertThat(limits.counts().body.sum() + limits.counts().attributeValue.sum()
                + limits.counts().attributeKey.sum()).isZero();
    }

    @Test
    void overLongValuesAreTrimmedWithAMarkerWithinTheLimitAndLongKeysDropped() {
        String big = "é".repeat(10_000); // 2 bytes each: a cut must not split one
        ExportLogsServiceRequest r = request(Otlp.attrs("service.name", big, "host.name", "h"), Otlp.value(big),
                Otlp.attrs("tool_parameters", big, "k".repeat(KEY + 1), "v", "kept", "ok"));
        ExportResult result = new ExportResult(Signal.LOGS, Transport.GRPC);
        ExportLogsServiceRequest out = run(r, result).getMessage().getBody(ExportLogsServiceRequest.class);

        LogRecord rec = out.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        String body = rec.getBody().getStringValue();
        assertThat(utf8(body)).isLessThanOrEqualTo(BODY);
        assertThat(body).startsWith("éé").endsWith("…[trimmed from 20000 bytes]").doesNotContain("\uFFFD");
        assertThat(utf8(body)).isGreaterThan(BODY - 3); // as much kept as fits
        String service = out.getResourceLogs(0).getResource().getAttributes(0).getValue().getStringValue();
        assertThat(utf8(service)).isLessThanOrEqualTo(VALUE);
        assertThat(service).endsWith("…[trimmed from 20000 bytes]");
        assertThat(out.getResourceLogs(0).getResource().getAttributes(1).getValue().getStringValue()).isEqualTo("h");
        assertThat(rec.getAttributesList()).extracting(KeyValue::getKey).containsExactly("tool_parameters", "kept");
        assertThat(utf8(rec.getAttributes(0).getValue().getStringValue())).isLessThanOrEqualTo(VALUE);

        assertThat(limits.counts().body.sum()).isEqualTo(1);
        assertThat(limits.counts().attributeValue.sum()).isEqualTo(2);
        assertThat(limits.counts().attributeKey.sum()).isEqualTo(1);
        assertThat(result.rejected()).isZero();
        assertThat(result.message()).isEqualTo("accepted with changes: 1 log record bodies over"
                + " odin.events.max-body-size (200 bytes) trimmed; 2 attribute values over"
                + " odin.events.max-attribute-value-size (100 bytes) trimmed, the first of key service.name;"
                + " 1 attributes with a key over odin.events.max-attribute-key-size (20 bytes) dropped");
    }

    @Test
    void fourByteCharactersAreNotCutInHalf() {
        String emoji = "🔥".repeat(100); // 4 bytes each
        for (int limit = 60; limit < 68; limit++) {
            String t = EventLimits.trim(ByteString.copyFromUtf8(emoji), limit);
            assertThat(utf8(t)).isLessThanOrEqualTo(limit);
            assertThat(t).doesNotContain("\uFFFD").startsWith("🔥").contains("…[trimmed from 400 bytes]");
        }
        // a limit too small for the marker beside half the text: a plain cut
        assertThat(EventLimits.trim(ByteString.copyFromUtf8(emoji), 9)).isEqualTo("🔥🔥");
    }

    @Test
    void mapsArraysAndBytesAreLimitedToo() {
        AnyValue array = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                .addAllValues(java.util.Collections.nCopies(100, Otlp.value("abcdef")))).build();
        AnyValue map = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addAllValues(Otlp.attrs("short", "s", "long", "z".repeat(500)))).build();
        AnyValue bytes = AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[300])).build();
        AnyValue bodyMap = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addAllValues(Otlp.attrs("a", "q".repeat(300)))).build();
        ExportLogsServiceRequest r = request(List.of(), bodyMap, List.of(
                KeyValue.newBuilder().setKey("array").setValue(array).build(),
                KeyValue.newBuilder().setKey("map").setValue(map).build(),
                KeyValue.newBuilder().setKey("bytes").setValue(bytes).build()));
        LogRecord rec = run(r, new ExportResult(Signal.LOGS, Transport.HTTP)).getMessage()
                .getBody(ExportLogsServiceRequest.class).getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        // the body map is one line: its JSON, trimmed
        assertThat(rec.getBody().getStringValue()).startsWith("{\"a\":\"qqq").endsWith(" bytes]");
        assertThat(utf8(rec.getBody().getStringValue())).isLessThanOrEqualTo(BODY);
        assertThat(rec.getAttributes(0).getValue().getStringValue()).startsWith("[\"abcdef\",").endsWith(" bytes]");
        // a map attribute is entries of its own: only the long child is trimmed
        List<KeyValue> children = rec.getAttributes(1).getValue().getKvlistValue().getValuesList();
        assertThat(children.get(0).getValue().getStringValue()).isEqualTo("s");
        assertThat(children.get(1).getValue().getStringValue()).endsWith("…[trimmed from 500 bytes]");
        assertThat(utf8(rec.getAttributes(2).getValue().getStringValue())).isLessThanOrEqualTo(VALUE);
        assertThat(rec.getAttributes(2).getValue().getStringValue()).startsWith("AAAA").endsWith("from 400 bytes]");
    }

    @Test
    void scopeNameEventNameAndSeverityTextAreAttributeValues() {
        ExportLogsServiceRequest r = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder()
                        .setName("n".repeat(1000)).setVersion("1"))
                        .addLogRecords(LogRecord.newBuilder().setEventName("e".repeat(1000))
                                .setSeverityText("s".repeat(1000))))).build();
        ExportLogsServiceRequest out = run(r, new ExportResult(Signal.LOGS, Transport.HTTP)).getMessage()
                .getBody(ExportLogsServiceRequest.class);
        ScopeLogs sl = out.getResourceLogs(0).getScopeLogs(0);
        assertThat(utf8(sl.getScope().getName())).isLessThanOrEqualTo(VALUE);
        assertThat(sl.getScope().getVersion()).isEqualTo("1");
        assertThat(utf8(sl.getLogRecords(0).getEventName())).isLessThanOrEqualTo(VALUE);
        assertThat(utf8(sl.getLogRecords(0).getSeverityText())).isLessThanOrEqualTo(VALUE);
        assertThat(limits.counts().attributeValue.sum()).isEqualTo(3);
    }
}
