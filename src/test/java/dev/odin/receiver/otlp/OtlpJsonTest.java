package dev.odin.receiver.otlp;

import dev.odin.signal.OtlpRequestException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpJsonTest {

    private static final OtlpJson JSON = new OtlpJson(OtlpJson.Limits.DEFAULTS);
    private static final Path FIXTURES = Path.of("src", "test", "resources", "otlp-json");

    static Stream<Path> fixtures() throws IOException {
        return Files.list(FIXTURES).filter(p -> p.toString().endsWith(".json")).sorted();
    }

    private static Supplier<Message.Builder> builderFor(String name) {
        if (name.contains("metrics")) {
            return ExportMetricsServiceRequest::newBuilder;
        }
        return name.contains("logs") ? ExportLogsServiceRequest::newBuilder : ExportTraceServiceRequest::newBuilder;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyFixtureDecodesAsTheTreePathDecodedIt(Path fixture) throws IOException {
        byte[] body = Files.readAllBytes(fixture);
        Supplier<Message.Builder> builder = builderFor(fixture.getFileName().toString());
        Message.Builder streamed = builder.get();
        JSON.merge(body, streamed);
        Message.Builder tree = builder.get();
        TreeOtlpJson.merge(body, tree);
        assertThat(streamed.build()).isEqualTo(tree.build());
        assertThat(streamed.build().getSerializedSize()).isGreaterThan(100); // something was read
    }

    @Test
    void theFixturesAreThere() throws IOException {
        assertThat(fixtures().count()).isEqualTo(11);
        assertThat(fixtures().filter(p -> p.toString().contains("v1_traces"))).hasSize(2);
    }

    private static ExportTraceServiceRequest traces(String json) {
        ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
        JSON.merge(json.getBytes(StandardCharsets.UTF_8), b);
        return b.build();
    }

    private static ExportMetricsServiceRequest metrics(String json) {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        JSON.merge(json.getBytes(StandardCharsets.UTF_8), b);
        return b.build();
    }

    private static ExportLogsServiceRequest logs(String json) {
        ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
        JSON.merge(json.getBytes(StandardCharsets.UTF_8), b);
        return b.build();
    }

    private static Span span(String spanJson) {
        return traces("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + spanJson + "]}]}]}")
                .getResourceSpans(0).getScopeSpans(0).getSpans(0);
    }

    private static NumberDataPoint gaugePoint(String pointJson) {
        return metrics("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"g\",\"gauge\":{\"dataPoints\":["
                + pointJson + "]}}]}]}]}").getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getGauge()
                .getDataPoints(0);
    }

    private static LogRecord logRecord(String recordJson) {
        return logs("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[" + recordJson + "]}]}]}")
                .getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    }

    private static void refused(Runnable decode, String... messageParts) {
        assertThatThrownBy(decode::run).isInstanceOfSatisfying(OtlpRequestException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }

    @Test
    void idsAreHexInEitherCaseAndOtherBytesBase64() {
        Span s = span("{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"eee19b7ec3c1b174\","
                + "\"parentSpanId\":\"\",\"links\":[{\"traceId\":\"00000000000000000000000000000001\","
                + "\"spanId\":\"0102030405060708\"}],\"attributes\":[{\"key\":\"b\",\"value\":{\"bytesValue\":\"AQID\"}}]}");
        assertThat(s.getTraceId()).isEqualTo(ByteString.copyFrom(HexFormat.of().parseHex("5b8efff798038103d269b633813fc60c")));
        assertThat(s.getSpanId()).isEqualTo(ByteString.copyFrom(HexFormat.of().parseHex("eee19b7ec3c1b174")));
        assertThat(s.getParentSpanId()).isEmpty();
        assertThat(s.getLinks(0).getTraceId().byteAt(15)).isEqualTo((byte) 1);
        assertThat(s.getLinks(0).getSpanId().toByteArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(s.getAttributes(0).getValue().getBytesValue().toByteArray()).containsExactly(1, 2, 3);
        // base64 without padding and in the URL alphabet, as JsonFormat reads it
        assertThat(span("{\"attributes\":[{\"key\":\"b\",\"value\":{\"bytesValue\":\"-_8\"}}]}").getAttributes(0)
                .getValue().getBytesValue().toByteArray()).containsExactly(0xfb, 0xff);
        LogRecord r = logRecord("{\"trace_id\":\"5b8efff798038103d269b633813fc60c\",\"span_id\":\"eee19b7ec3c1b174\"}");
        assertThat(r.getTraceId().size()).isEqualTo(16);
        assertThat(r.getSpanId().size()).isEqualTo(8);
        refused(() -> span("{\"spanId\":\"xyz\"}"), "field 'spanId' of Span", "'xyz' is not a hex string", "line 1");
        refused(() -> span("{\"spanId\":\"abc\"}"), "is not a hex string"); // odd length
        refused(() -> span("{\"spanId\":12}"), "expects a hex string, not a number");
        refused(() -> span("{\"attributes\":[{\"key\":\"b\",\"value\":{\"bytesValue\":\"***\"}}]}"), "is not base64");
    }

    @Test
    void namesInCamelCaseOrSnakeCase() {
        Span camel = span("{\"name\":\"n\",\"startTimeUnixNano\":\"5\",\"droppedAttributesCount\":2,\"traceState\":\"a=b\"}");
        Span snake = span("{\"name\":\"n\",\"start_time_unix_nano\":\"5\",\"dropped_attributes_count\":2,\"trace_state\":\"a=b\"}");
        assertThat(snake).isEqualTo(camel);
        assertThat(camel.getStartTimeUnixNano()).isEqualTo(5);
        assertThat(camel.getDroppedAttributesCount()).isEqualTo(2);
        refused(() -> span("{\"startTimeUnixNano\":\"5\",\"start_time_unix_nano\":\"5\"}"),
                "field 'startTimeUnixNano' of Span is given more than once");
    }

    @Test
    void enumsAsNumbersOrNames() {
        assertThat(span("{\"kind\":2}").getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span("{\"kind\":\"SPAN_KIND_CLIENT\"}").getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(span("{\"kind\":\"3\"}").getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
        // an unknown number is kept (open enum), an unknown name is ignored like an unknown field
        assertThat(span("{\"kind\":42}").getKindValue()).isEqualTo(42);
        assertThat(span("{\"kind\":\"SPAN_KIND_NEW\"}").getKindValue()).isZero();
        assertThat(logRecord("{\"severityNumber\":9,\"severityText\":\"INFO\"}").getSeverityNumber())
                .isEqualTo(SeverityNumber.SEVERITY_NUMBER_INFO);
        refused(() -> span("{\"kind\":1.5}"), "field 'kind' of Span expects an integer");
        refused(() -> span("{\"kind\":{}}"), "expects an enum number or name, not an object");
    }

    @Test
    void integersAsStringsOrNumbers() {
        assertThat(gaugePoint("{\"timeUnixNano\":\"1796143266022000000\",\"asInt\":\"-7\"}").getAsInt()).isEqualTo(-7);
        assertThat(gaugePoint("{\"timeUnixNano\":1796143266022000000,\"asInt\":-7}").getTimeUnixNano())
                .isEqualTo(1796143266022000000L);
        assertThat(gaugePoint("{\"asInt\":\"9223372036854775807\"}").getAsInt()).isEqualTo(Long.MAX_VALUE);
        assertThat(gaugePoint("{\"asInt\":\"-9223372036854775808\"}").getAsInt()).isEqualTo(Long.MIN_VALUE);
        assertThat(gaugePoint("{\"asInt\":1e3}").getAsInt()).isEqualTo(1000);
        assertThat(gaugePoint("{\"asInt\":\"2.0\"}").getAsInt()).isEqualTo(2);
        // fixed64 up to 2^64-1: the long with the same bits
        assertThat(gaugePoint("{\"timeUnixNano\":\"18446744073709551615\"}").getTimeUnixNano()).isEqualTo(-1L);
        assertThat(gaugePoint("{\"timeUnixNano\":18446744073709551615}").getTimeUnixNano()).isEqualTo(-1L);
        refused(() -> gaugePoint("{\"timeUnixNano\":\"18446744073709551616\"}"), "field 'timeUnixNano'", "out of range");
        refused(() -> gaugePoint("{\"timeUnixNano\":\"-1\"}"), "out of range");
        refused(() -> gaugePoint("{\"asInt\":\"9223372036854775808\"}"), "field 'asInt'", "out of range");
        refused(() -> gaugePoint("{\"asInt\":\"1.5\"}"), "expects an integer, not '1.5'");
        refused(() -> gaugePoint("{\"asInt\":\"ten\"}"), "expects an integer, not 'ten'");
        refused(() -> gaugePoint("{\"asInt\":true}"), "expects an integer, not a boolean");
        // uint32 and fixed32
        assertThat(gaugePoint("{\"flags\":4294967295}").getFlags()).isEqualTo(-1);
        refused(() -> gaugePoint("{\"flags\":4294967296}"), "field 'flags'", "out of range");
        refused(() -> gaugePoint("{\"flags\":-1}"), "out of range");
        ExponentialHistogramDataPoint e = metrics("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"e\","
                + "\"exponentialHistogram\":{\"aggregationTemporality\":1,\"dataPoints\":[{\"scale\":-3,\"count\":\"3\","
                + "\"positive\":{\"offset\":-2,\"bucketCounts\":[\"1\",2]}}]}}]}]}]}").getResourceMetrics(0)
                .getScopeMetrics(0).getMetrics(0).getExponentialHistogram().getDataPoints(0);
        assertThat(e.getScale()).isEqualTo(-3);
        assertThat(e.getPositive().getOffset()).isEqualTo(-2);
        assertThat(e.getPositive().getBucketCountsList()).containsExactly(1L, 2L);
        refused(() -> metrics("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"e\","
                + "\"exponentialHistogram\":{\"dataPoints\":[{\"scale\":2147483648}]}}]}]}]}"), "field 'scale'", "out of range");
    }

    @Test
    void doublesIncludingTheNonFiniteStrings() {
        assertThat(gaugePoint("{\"asDouble\":1.5}").getAsDouble()).isEqualTo(1.5);
        assertThat(gaugePoint("{\"asDouble\":3}").getAsDouble()).isEqualTo(3.0);
        assertThat(gaugePoint("{\"asDouble\":\"0.25\"}").getAsDouble()).isEqualTo(0.25);
        assertThat(gaugePoint("{\"asDouble\":\"NaN\"}").getAsDouble()).isNaN();
        assertThat(gaugePoint("{\"asDouble\":\"Infinity\"}").getAsDouble()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(gaugePoint("{\"asDouble\":\"-Infinity\"}").getAsDouble()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Double.doubleToRawLongBits(gaugePoint("{\"asDouble\":-0.0}").getAsDouble()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(Double.doubleToRawLongBits(gaugePoint("{\"asDouble\":\"-0.0\"}").getAsDouble()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(gaugePoint("{\"asDouble\":4.9E-324}").getAsDouble()).isEqualTo(Double.MIN_VALUE);
        assertThat(gaugePoint("{\"asDouble\":0.1}").hasAsDouble()).isTrue();
        refused(() -> gaugePoint("{\"asDouble\":1e400}"), "field 'asDouble'", "out of the range of a double");
        refused(() -> gaugePoint("{\"asDouble\":\"1e400\"}"), "out of the range of a double");
        refused(() -> gaugePoint("{\"asDouble\":\"nan\"}"), "expects a number, not 'nan'");
        refused(() -> gaugePoint("{\"asDouble\":[1]}"), "expects a number, not an array");
    }

    @Test
    void anyValueIsAOneof() {
        AnyValue v = logRecord("{\"body\":{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":{\"arrayValue\":"
                + "{\"values\":[{\"intValue\":\"1\"},{\"doubleValue\":2.5},{\"boolValue\":true},{\"stringValue\":\"s\"},"
                + "{}]}}}]}}}").getBody();
        List<AnyValue> values = v.getKvlistValue().getValues(0).getValue().getArrayValue().getValuesList();
        assertThat(values).hasSize(5);
        assertThat(values.get(0).getIntValue()).isEqualTo(1);
        assertThat(values.get(1).getDoubleValue()).isEqualTo(2.5);
        assertThat(values.get(2).getBoolValue()).isTrue();
        assertThat(values.get(3).getStringValue()).isEqualTo("s");
        assertThat(values.get(4).getValueCase()).isEqualTo(AnyValue.ValueCase.VALUE_NOT_SET);
        assertThat(logRecord("{\"body\":{\"intValue\":\"0\"}}").getBody().getValueCase())
                .isEqualTo(AnyValue.ValueCase.INT_VALUE); // a oneof member set to its default is set
        assertThat(logRecord("{\"body\":{\"stringValue\":null,\"intValue\":\"3\"}}").getBody().getIntValue()).isEqualTo(3);
        refused(() -> logRecord("{\"body\":{\"stringValue\":\"a\",\"intValue\":\"1\"}}"),
                "field 'intValue' of AnyValue cannot be set: another field of its oneof 'value' (stringValue) is set already");
    }

    @Test
    void nullIsAbsentAndUnknownFieldsAreIgnored() {
        Span s = span("{\"name\":null,\"attributes\":null,\"links\":[null,{\"traceState\":\"x\"}],\"status\":null,"
                + "\"somethingNew\":{\"deep\":[1,{\"a\":[]}]},\"another\":[true],\"third\":\"x\",\"kind\":null}");
        assertThat(s).isEqualTo(Span.newBuilder().addLinks(Span.Link.newBuilder().setTraceState("x")).build());
        assertThat(metrics("{\"resourceMetrics\":[{\"schemaUrl\":\"u\",\"future\":{\"x\":1}}]}").getResourceMetrics(0)
                .getSchemaUrl()).isEqualTo("u");
    }

    @Test
    void wrongShapesAreRefusedWithTheFieldAndThePosition() {
        refused(() -> metrics("{\"resourceMetrics\": 5}"),
                "field 'resourceMetrics' of ExportMetricsServiceRequest expects an array, not a number (line 1, column 21)");
        refused(() -> metrics("{\"resourceMetrics\":[5]}"), "field 'resourceMetrics'", "expects an object, not a number");
        refused(() -> span("{\"name\":{}}"), "field 'name' of Span expects a string, not an object");
        refused(() -> span("{\"attributes\":[{\"value\":{\"boolValue\":\"yes\"}}]}"), "expects true or false");
        refused(() -> metrics("[1,2]"), "body is JSON but not an object");
        refused(() -> metrics("\"x\""), "body is JSON but not an object");
        refused(() -> metrics("{\"resourceMetrics\": ["), "body is not valid JSON", "end-of-input");
        refused(() -> metrics("{\"a\":1,}"), "body is not valid JSON");
        refused(() -> metrics("{\"a\":\"\u0001\"}"), "body is not valid JSON");
        refused(() -> JSON.merge(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'},
                ExportMetricsServiceRequest.newBuilder()), "body is not valid JSON", "Invalid UTF-8");
        refused(() -> JSON.merge(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xc3, '"', '}'},
                ExportMetricsServiceRequest.newBuilder()), "body is not valid JSON", "Invalid UTF-8");
        // strings and booleans as JsonFormat reads them
        assertThat(span("{\"name\":5}").getName()).isEqualTo("5");
        assertThat(span("{\"attributes\":[{\"value\":{\"boolValue\":\"true\"}}]}").getAttributes(0).getValue().getBoolValue())
                .isTrue();
    }

    @Test
    void dataAfterTheObjectIsRefused() {
        for (String body : new String[] {"{} xyz", "{}{}", "{}[]", "{} 1", "{}\"a\"", "{}}", "{} null"}) {
            refused(() -> metrics(body), "body has data after the JSON object", "exactly one object");
        }
        assertThat(metrics(" \n{}\r\n\t ")).isEqualTo(ExportMetricsServiceRequest.getDefaultInstance());
        assertThat(metrics("")).isEqualTo(ExportMetricsServiceRequest.getDefaultInstance());
        assertThat(metrics("   ")).isEqualTo(ExportMetricsServiceRequest.getDefaultInstance());
    }

    private static void limitHit(OtlpJson json, String body, String... messageParts) {
        assertThatThrownBy(() -> json.merge(body.getBytes(StandardCharsets.UTF_8), ExportLogsServiceRequest.newBuilder()))
                .isInstanceOfSatisfying(OtlpRequestException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.outcome()).isEqualTo(OtlpJson.LIMIT_OUTCOME);
                    assertThat(e.getMessage()).startsWith("body exceeds a limit of OTLP/JSON (odin.otlp.json.*)")
                            .contains(messageParts).doesNotContain("StreamReadConstraints");
                });
    }

    private static String nestedBody(int maps) {
        StringBuilder b = new StringBuilder("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":");
        for (int i = 0; i < maps; i++) {
            b.append("{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":");
        }
        b.append("{\"intValue\":1}");
        for (int i = 0; i < maps; i++) {
            b.append("}]}}");
        }
        return b.append("}]}]}]}").toString();
    }

    @Test
    void nestingDepthNumbersAndStringsAreBounded() {
        // 7 levels to the log record, 4 per nested map: 30 maps fit in 128 levels, 31 do not
        LogRecord fits = logs(nestedBody(30)).getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        assertThat(fits.getBody().getKvlistValue().getValues(0).getKey()).isEqualTo("k");
        limitHit(JSON, nestedBody(31), "nesting depth (129) exceeds the maximum allowed (128)");
        // unknown fields are parsed (and bounded) too, even though they are ignored
        limitHit(JSON, "{\"x\":" + "[".repeat(200) + "]".repeat(200) + "}", "nesting depth");
        limitHit(JSON, "{\"x\":" + "[{\"y\":".repeat(100_000), "nesting depth");
        refused(() -> logs("[".repeat(100_000)), "body is JSON but not an object");
        OtlpJson small = new OtlpJson(new OtlpJson.Limits(16, 20, 1024));
        small.merge("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"12345678901234567890\"}]}]}]}"
                .getBytes(StandardCharsets.UTF_8), ExportLogsServiceRequest.newBuilder());
        limitHit(small, "{\"x\":123456789012345678901}", "Number value length (21) exceeds the maximum allowed (20)");
        limitHit(small, "{\"resourceLogs\":[{\"schemaUrl\":\"" + "s".repeat(1025) + "\"}]}", "String value length",
                "exceeds the maximum allowed (1024)");
        assertThatThrownBy(() -> new OtlpJson.Limits(4, 100, 1 << 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("depth 4 (at least 8)");
    }

    @Test
    void decodingIsGenericOverTheRequestTypes() throws IOException {
        byte[] body;
        try (InputStream in = getClass().getResourceAsStream("/otlp-json/claude-code--http-json-chat--v1_metrics_0006.json")) {
            body = in.readAllBytes();
        }
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        JSON.merge(body, b);
        assertThat(b.getResourceMetrics(0).getScopeMetrics(0).getMetricsList()).isNotEmpty()
                .anySatisfy(m -> assertThat(m.getSum().getAggregationTemporality())
                        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA));
        // a logs body read as a metrics request is only unknown fields
        ExportMetricsServiceRequest.Builder wrong = ExportMetricsServiceRequest.newBuilder();
        JSON.merge("{\"resourceLogs\":[{}]}".getBytes(StandardCharsets.UTF_8), wrong);
        assertThat(wrong.build()).isEqualTo(ExportMetricsServiceRequest.getDefaultInstance());
    }
}
