package dev.odin.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.odin.config.OdinProperties;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.LabelPairAdapter;
import dev.odin.receiver.otlp.OtlpJson;
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
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LokiMapperTest {

    private static final Path FIXTURES = dev.odin.testing.Fixtures.DIR;

    private static LokiMapper mapper(Consumer<LokiProperties> config) {
        LokiProperties c = new OdinProperties().getLoki();
        config.accept(c);
        return new LokiMapper(c, Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC));
    }

    private static Map<String, String> metadata(EntryAdapter e) {
        Map<String, String> md = new LinkedHashMap<>();
        for (LabelPairAdapter p : e.getStructuredMetadataList()) {
            assertThat(md.put(p.getName(), p.getValue())).as("metadata name %s twice", p.getName()).isNull();
        }
        return md;
    }

    /**
     * The captured chat session mapped, and then stored the way Loki stores it (an entry with the
     * timestamp and line of one already in its stream is dropped), is exactly what a real Loki 3.4
     * returned for it, detected_level (added by Loki) aside.
     */
    @Test
    void claudeCodeChatSessionMatchesWhatLokiStored() throws Exception {
        LokiMapper m = mapper(c -> { });
        Map<String, List<Object[]>> stored = new LinkedHashMap<>();
        for (String f : new String[] {"v1_logs_0001", "v1_logs_0004", "v1_logs_0005"}) {
            ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
            new OtlpJson(OtlpJson.Limits.DEFAULTS).merge(Files.readAllBytes(FIXTURES.resolve("claude-code/http-json-chat/" + f + ".json")), b);
            for (MappedLogs.Stream s : m.map(b.build()).streams()) {
                List<Object[]> list = stored.computeIfAbsent(s.labels().toString(), k -> new ArrayList<>());
                for (EntryAdapter e : s.entries()) {
                    String ts = Long.toString(e.getTimestamp().getSeconds() * 1_000_000_000L + e.getTimestamp().getNanos());
                    if (list.stream().noneMatch(x -> x[0].equals(ts) && x[1].equals(e.getLine()))) {
                        list.add(new Object[] {ts, e.getLine(), metadata(e)});
                    }
                }
            }
        }
        JsonNode expected = new ObjectMapper().readTree(FIXTURES.resolve("loki/http-json-chat.expected-query.json")
                .toFile()).get("data").get("result");
        assertThat(stored).hasSize(expected.size());
        for (JsonNode stream : expected) {
            Map<String, String> labels = new java.util.TreeMap<>();
            stream.get("stream").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
            List<Object[]> ours = stored.get(labels.toString());
            assertThat(ours).as("stream %s", labels).isNotNull().hasSize(stream.get("values").size());
            Iterator<Object[]> it = ours.iterator();
            for (JsonNode v : stream.get("values")) {
                Object[] o = it.next();
                assertThat(o[0]).isEqualTo(v.get(0).asText());
                assertThat(o[1]).isEqualTo(v.get(1).asText());
                Map<String, String> md = new java.util.TreeMap<>();
                v.get(2).get("structuredMetadata").fields().forEachRemaining(f -> md.put(f.getKey(), f.getValue().asText()));
                md.remove("detected_level");
                assertThat(new java.util.TreeMap<>((Map<String, String>) o[2])).as("metadata of %s at %s", o[1], o[0])
                        .isEqualTo(md);
            }
        }
    }

    private static ExportLogsServiceRequest request(List<KeyValue> resource, InstrumentationScope scope, LogRecord... records) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(resource))
                .addScopeLogs(ScopeLogs.newBuilder().setScope(scope).addAllLogRecords(List.of(records)))).build();
    }

    @Test
    void everyPartOfARecord() {
        LogRecord r = LogRecord.newBuilder().setTimeUnixNano(5).setObservedTimeUnixNano(7)
                .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN).setSeverityText("WARN")
                .setTraceId(ByteString.fromHex("0102030405060708090a0b0c0d0e0f10")).setSpanId(ByteString.fromHex("1112131415161718"))
                .setFlags(1).setEventName("tool_result")
                .setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(KeyValue.newBuilder().setKey("z").setValue(Otlp.value(1L)))
                        .addValues(KeyValue.newBuilder().setKey("a").setValue(Otlp.value("x")))))
                .addAllAttributes(Otlp.attrs("event.name", "ignored", "duration_ms", "190", "success", true))
                .addAttributes(KeyValue.newBuilder().setKey("http").setValue(AnyValue.newBuilder().setKvlistValue(
                        KeyValueList.newBuilder().addValues(KeyValue.newBuilder().setKey("status.code").setValue(Otlp.value(200L))))))
                .addAttributes(KeyValue.newBuilder().setKey("tags").setValue(AnyValue.newBuilder().setArrayValue(
                        ArrayValue.newBuilder().addValues(Otlp.value("a")).addValues(Otlp.value(2L)))))
                .build();
        MappedLogs mapped = mapper(c -> { }).map(request(Otlp.attrs("service.name", "svc", "k8s.pod.name", "pod-1",
                "host.name", "h1"), InstrumentationScope.newBuilder().setName("lib").setVersion("1")
                .addAllAttributes(Otlp.attrs("lib.mode", "fast")).build(), r));
        MappedLogs.Stream s = mapped.streams().get(0);
        assertThat(s.selector()).isEqualTo("{k8s_pod_name=\"pod-1\", service_name=\"svc\"}");
        EntryAdapter e = s.entries().get(0);
        assertThat(e.getTimestamp().getNanos()).isEqualTo(5);
        assertThat(e.getLine()).isEqualTo("{\"a\":\"x\",\"z\":1}");
        assertThat(new ArrayList<>(metadata(e).entrySet())).extracting(Object::toString).containsExactly(
                "duration_ms=190", "success=true", "http_status_code=200", "tags=[\"a\",2]", "observed_timestamp=7",
                "severity_number=13", "severity_text=WARN", "trace_id=0102030405060708090a0b0c0d0e0f10",
                "span_id=1112131415161718", "flags=1", "event_name=tool_result", "host_name=h1", "lib_mode=fast",
                "scope_name=lib", "scope_version=1");
    }

    @Test
    void serviceNameFallsBackAndTimestampsFallBack() {
        LogRecord noTime = LogRecord.newBuilder().setBody(Otlp.value("hi")).build();
        MappedLogs plain = mapper(c -> { }).map(request(Otlp.attrs("host.name", "h"), InstrumentationScope.getDefaultInstance(), noTime));
        assertThat(plain.streams().get(0).selector()).isEqualTo("{service_name=\"unknown_service\"}");
        assertThat(plain.streams().get(0).entries().get(0).getTimestamp().getSeconds())
                .isEqualTo(Instant.parse("2026-11-22T12:00:00Z").getEpochSecond());
        MappedLogs promoted = mapper(c -> c.setPromote(List.of("app"))).map(request(Otlp.attrs("app", "shop"),
                InstrumentationScope.getDefaultInstance(), LogRecord.newBuilder().setObservedTimeUnixNano(9).build()));
        assertThat(promoted.streams().get(0).selector()).isEqualTo("{app=\"shop\", service_name=\"shop\"}");
        assertThat(promoted.streams().get(0).entries().get(0).getTimestamp().getNanos()).isEqualTo(9);
        assertThat(promoted.streams().get(0).entries().get(0).getLine()).isEmpty();
    }

    @Test
    void lokiCapsTrimPredictablyAndAreCounted() {
        List<Object> res = new ArrayList<>(List.of("service.name", "svc"));
        List<String> promote = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            res.add("label." + (char) ('a' + i));
            res.add("v" + i);
            promote.add("label." + (char) ('a' + i));
        }
        List<Object> attrs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            attrs.add("attr" + i);
            attrs.add("x".repeat(10));
        }
        LokiMapper m = mapper(c -> {
            c.setPromote(promote);
            c.setMaxLineSize(org.springframework.util.unit.DataSize.ofBytes(10));
        });
        MappedLogs mapped = m.map(request(Otlp.attrs(res.toArray()), InstrumentationScope.getDefaultInstance(),
                LogRecord.newBuilder().setTimeUnixNano(1).setBody(Otlp.value("\u00e9".repeat(20)))
                        .addAllAttributes(Otlp.attrs(attrs.toArray())).build()));
        MappedLogs.Stream s = mapped.streams().get(0);
        assertThat(s.labels()).hasSize(15).containsEntry("service_name", "svc").containsEntry("label_a", "v0")
                .containsEntry("label_n", "v13").doesNotContainKey("label_o");
        EntryAdapter e = s.entries().get(0);
        assertThat(e.getStructuredMetadataCount()).isEqualTo(128);
        assertThat(metadata(e)).containsKey("attr0").containsKey("attr127").doesNotContainKey("attr128");
        assertThat(e.getLine()).isEqualTo("\u00e9".repeat(5)); // 10 bytes of UTF-8, no character cut
        assertThat(m.trimmed().streamLabels.sum()).isEqualTo(6);
        assertThat(m.trimmed().metadataEntries.sum()).isEqualTo(1);
        assertThat(m.trimmed().lineSize.sum()).isEqualTo(1);
        LokiMapper small = mapper(c -> c.setMaxMetadataSize(org.springframework.util.unit.DataSize.ofBytes(100)));
        EntryAdapter e2 = small.map(request(Otlp.attrs("service.name", "svc"), InstrumentationScope.getDefaultInstance(),
                LogRecord.newBuilder().addAllAttributes(Otlp.attrs(attrs.toArray())).build())).streams().get(0).entries().get(0);
        assertThat(e2.getStructuredMetadataCount()).isEqualTo(6); // 6 x (5 + 10) bytes fit in 100, 7 do not
        assertThat(small.trimmed().metadataSize.sum()).isEqualTo(1);
    }

    /** Issue 13, finding 5: Loki refuses a whole push with a label value over max_label_value_length (2048). */
    @Test
    void streamLabelValuesAreTrimmedToLokisLabelValueLength() {
        LokiMapper m = mapper(c -> { });
        String big = "ü".repeat(500_000); // 1 MB
        MappedLogs logs = m.map(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", big,
                        "k8s.namespace.name", "short")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setBody(Otlp.value("x")))))
                .build());
        String service = logs.streams().get(0).labels().get("service_name");
        assertThat(service.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2048)
                .isGreaterThan(2040);
        assertThat(service).startsWith("üü").endsWith("…[trimmed from 1000000 bytes]");
        assertThat(logs.streams().get(0).labels().get("k8s_namespace_name")).isEqualTo("short");
        assertThat(m.trimmed().labelValueSize.sum()).isEqualTo(1);
    }

    @Test
    void droppedAttributesAndSelectorEscaping() {
        MappedLogs mapped = mapper(c -> c.setDrop(List.of("user.email", "host.name"))).map(request(
                Otlp.attrs("service.name", "a\"b\\c", "host.name", "h"), InstrumentationScope.getDefaultInstance(),
                LogRecord.newBuilder().addAllAttributes(Otlp.attrs("user.email", "x@y", "k", "v")).build()));
        assertThat(mapped.streams().get(0).selector()).isEqualTo("{service_name=\"a\\\"b\\\\c\"}");
        assertThat(MappedLogs.parseSelector(mapped.streams().get(0).selector())).containsEntry("service_name", "a\"b\\c");
        assertThat(metadata(mapped.streams().get(0).entries().get(0))).containsOnlyKeys("k");
    }
}
