package dev.odin.receiver.otlp;

import static dev.odin.testing.Otlp.DELTA;
import static dev.odin.testing.Otlp.SECOND;
import static dev.odin.testing.Otlp.T0;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.gauge;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.Status;
import dev.odin.testing.Exposition;
import dev.odin.testing.LogCapture;
import dev.odin.testing.OdinIntegrationTest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Hostile and broken input: each gets its documented answer, nothing is half-applied, and the
 * service keeps serving. Limits are lowered here so that the tests stay small.
 */
@TestPropertySource(properties = {"odin.otlp.max-request-size=1MB", "odin.otlp.max-decompressed-size=4MB",
    "odin.otlp.grpc.max-message-size=2MB", "odin.metrics.max-series-per-metric=5000",
    "odin.metrics.max-series=20000", "odin.otlp.json.max-nesting-depth=24"})
class BadInputIT extends OdinIntegrationTest {

    private static final String PROTOBUF = "application/x-protobuf";

    @AfterEach
    void stillServing() throws Exception {
        HttpResponse<byte[]> ok = post("/v1/metrics", PROTOBUF, request(attrs("service.name", "alive"),
                gauge("alive", "", point(attrs(), 0, T0, 1))).toByteArray());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(scrape().metric("alive")).isNotEmpty();
    }

    private static Status status(HttpResponse<byte[]> r) throws IOException {
        return Status.parseFrom(r.body());
    }

    @Test
    void malformedProtobufIs400WithAMessage() throws Exception {
        HttpResponse<byte[]> r = post("/v1/metrics", PROTOBUF, new byte[] {0x0a, 0x7f, 0x01, 0x02});
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(PROTOBUF);
        assertThat(status(r).getCode()).isEqualTo(3);
        assertThat(status(r).getMessage()).startsWith("body is not a protobuf OTLP metrics request");
    }

    @Test
    void malformedJsonIs400WithAMessage() throws Exception {
        for (String body : new String[] {"{\"resourceMetrics\": [", "[1,2]", "{\"resourceMetrics\": 5}",
                "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"xyz\"}]}]}]}"}) {
            String path = body.contains("resourceLogs") ? "/v1/logs" : "/v1/metrics";
            HttpResponse<byte[]> r = post(path, "application/json", body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).as(body).contains("\"code\":3").contains("\"message\":\"");
        }
    }

    @Test
    void dataAfterTheJsonObjectIs400() throws Exception {
        for (String body : new String[] {"{} xyz", "{}{}", "{\"resourceMetrics\":[]} {\"resourceMetrics\":[]}",
                "{}]", "{} 5", "{}\"x\""}) {
            HttpResponse<byte[]> r = post("/v1/metrics", "application/json", body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).as(body)
                    .contains("\"code\":3").contains("after the JSON object");
        }
        // white space after the object is not data
        assertThat(post("/v1/metrics", "application/json", "{}\r\n \t".getBytes()).statusCode()).isEqualTo(200);
    }

    @Test
    void jsonPastItsLimitsIs400AndCounted() throws Exception {
        StringBuilder deep = new StringBuilder("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":");
        for (int i = 0; i < 5; i++) {
            deep.append("{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":");
        }
        deep.append("{}").append("}]}}".repeat(5)).append("}]}]}]}"); // 8 + 4 * 5 + 1 = 29 levels
        HttpResponse<byte[]> r = post("/v1/logs", "application/json", deep.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"code\":3")
                .contains("body exceeds a limit of OTLP/JSON (odin.otlp.json.*): Document nesting depth (25) exceeds the maximum allowed (24)");
        HttpResponse<byte[]> number = post("/v1/metrics", "application/json",
                ("{\"x\":" + "1".repeat(101) + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(new String(number.body(), StandardCharsets.UTF_8)).contains("Number value length (101)");
        Exposition e = scrape();
        assertThat(e.value("odin_otlp_requests_total{outcome=\"json_limit\",signal=\"logs\",transport=\"http\"}")).isEqualTo(1.0);
        assertThat(e.value("odin_otlp_requests_total{outcome=\"json_limit\",signal=\"metrics\",transport=\"http\"}")).isEqualTo(1.0);
    }

    @Test
    void formEncodedBodyIs415WithoutTheBodyInTheLog() throws Exception {
        String marker = "form-marker-" + System.nanoTime();
        byte[] body = ("{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"stringValue\":\"" + marker + "\"}}]}}]}").getBytes(StandardCharsets.UTF_8);
        try (LogCapture logs = LogCapture.root()) {
            // what curl -d @file sends
            HttpResponse<byte[]> r = post("/v1/metrics", "application/x-www-form-urlencoded", body);
            assertThat(r.statusCode()).isEqualTo(415);
            // answered in JSON, readable in a terminal; the body was not read
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(r.headers().firstValue("Connection")).hasValue("close");
            String answer = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(answer).contains("\"code\":12")
                    .contains("unsupported Content-Type 'application/x-www-form-urlencoded'")
                    .contains("application/x-protobuf").contains("application/json").contains("--data-binary")
                    .doesNotContain(marker);
            HttpResponse<byte[]> multipart = post("/v1/logs", "multipart/form-data; boundary=x", body);
            assertThat(multipart.statusCode()).isEqualTo(415);
            assertThat(logs.text()).doesNotContain(marker);
            // before: a WARN with the whole body twice (Camel parsed the form and failed on it)
            assertThat(logs.lines(ch.qos.logback.classic.Level.WARN)).allSatisfy(l -> assertThat(l)
                    .doesNotContainIgnoringCase("parameter").doesNotContainIgnoringCase("Content-Type"));
        }
        assertThat(scrape().value("odin_otlp_requests_total{outcome=\"unsupported_media_type\",signal=\"metrics\","
                + "transport=\"http\"}")).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void unknownContentTypeIs415() throws Exception {
        HttpResponse<byte[]> r = post("/v1/metrics", "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("unsupported Content-Type 'text/plain'");
        HttpResponse<byte[]> none = post("/v1/traces", null, new byte[0]);
        assertThat(none.statusCode()).isEqualTo(415);
        HttpResponse<byte[]> enc = post("/v1/metrics", PROTOBUF, new byte[] {1}, "Content-Encoding", "br");
        assertThat(enc.statusCode()).isEqualTo(415);
        assertThat(status(enc).getMessage()).contains("unsupported Content-Encoding 'br'");
    }

    @Test
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(otlpHttp("/v1/metrics"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void emptyRequestsSucceed() throws Exception {
        assertThat(post("/v1/metrics", PROTOBUF, new byte[0]).statusCode()).isEqualTo(200);
        assertThat(post("/v1/logs", "application/json", "{}".getBytes()).statusCode()).isEqualTo(200);
        assertThat(post("/v1/traces", "application/json", new byte[0]).statusCode()).isEqualTo(200);
    }

    @Test
    void bodyOverTheWireLimitIs413() throws Exception {
        byte[] big = new byte[1024 * 1024 + 1];
        HttpResponse<byte[]> r = post("/v1/metrics", PROTOBUF, big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(status(r).getMessage()).contains("larger than the limit of 1048576 bytes");
        // the same without a Content-Length (chunked): refused while reading
        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(URI.create(otlpHttp("/v1/metrics")))
                .header("Content-Type", PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.statusCode()).isEqualTo(413);
    }

    @Test
    void gzipBombIsRefusedWithoutInflatingIt() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 1024; i++) {
                out.write(zeros); // 1 GiB of zeros, about 1 MB compressed
            }
        }
        byte[] bomb = gz.toByteArray();
        assertThat(bomb.length).isLessThan(1024 * 1024);
        long before = usedHeapAfterGc();
        HttpResponse<byte[]> r = post("/v1/metrics", PROTOBUF, bomb, "Content-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(status(r).getMessage()).contains("decodes to more than the limit of 4194304 bytes");
        assertThat(usedHeapAfterGc() - before).isLessThan(64L * 1024 * 1024);
        // a small gzip body is fine
        ByteArrayOutputStream ok = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(ok)) {
            out.write(request(attrs("service.name", "gz"), gauge("gz", "", point(attrs(), 0, T0, 4))).toByteArray());
        }
        assertThat(post("/v1/metrics", PROTOBUF, ok.toByteArray(), "Content-Encoding", "gzip").statusCode()).isEqualTo(200);
        assertThat(scrape().metric("gz").values()).containsExactly("4.0");
        HttpResponse<byte[]> broken = post("/v1/metrics", PROTOBUF, new byte[] {1, 2, 3}, "Content-Encoding", "gzip");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(status(broken).getMessage()).startsWith("body is not valid gzip");
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void nonFiniteValuesGetPartialSuccess() throws Exception {
        ExportMetricsServiceRequest req = request(attrs("service.name", "nan"),
                gauge("nan.gauge", "", point(attrs(), 0, T0, Double.NaN)),
                sum("nan.delta", "", true, DELTA, point(attrs(), T0, T0 + SECOND, Double.POSITIVE_INFINITY),
                        point(attrs("ok", "1"), T0, T0 + SECOND, 2)));
        HttpResponse<byte[]> r = post("/v1/metrics", PROTOBUF, req.toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        ExportMetricsServiceResponse resp = ExportMetricsServiceResponse.parseFrom(r.body());
        assertThat(resp.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
        assertThat(resp.getPartialSuccess().getErrorMessage())
                .isEqualTo("1 data points rejected: metric 'nan.delta': delta Infinity on a monotonic sum would corrupt its running total");
        scrape();
        Exposition e = scrape();
        assertThat(e.metric("nan_gauge").values()).containsExactly("NaN");
        assertThat(e.metric("nan_delta_total").values()).containsExactly("2.0");
    }

    @Test
    void megabyteLabelValueIsRefusedAlone() throws Exception {
        ExportMetricsServiceRequest req = request(attrs("service.name", "big"),
                gauge("big.label", "", point(attrs("v", "x".repeat(900_000)), 0, T0, 1), point(attrs("v", "small"), 0, T0, 2)));
        HttpResponse<byte[]> r = post("/v1/metrics", PROTOBUF, req.toByteArray());
        ExportMetricsServiceResponse resp = ExportMetricsServiceResponse.parseFrom(r.body());
        assertThat(resp.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
        assertThat(resp.getPartialSuccess().getErrorMessage()).contains("attribute 'v' is 900000 characters");
        assertThat(scrape().metric("big_label").keySet()).singleElement().asString().contains("v=\"small\"");
    }

    @Test
    void hundredThousandDistinctLabelValuesHitTheCap() throws Exception {
        long rejected = 0;
        for (int batch = 0; batch < 10; batch++) {
            NumberDataPoint[] points = new NumberDataPoint[10_000];
            for (int i = 0; i < points.length; i++) {
                points[i] = point(attrs("request.id", "r-" + batch + "-" + i), 0, T0, i);
            }
            HttpResponse<byte[]> r = post("/v1/metrics", PROTOBUF,
                    request(attrs("service.name", "wide"), gauge("wide.gauge", "", points)).toByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            rejected += ExportMetricsServiceResponse.parseFrom(r.body()).getPartialSuccess().getRejectedDataPoints();
        }
        assertThat(rejected).isEqualTo(95_000);
        Exposition e = scrape();
        assertThat(e.metric("wide_gauge")).hasSize(5000);
        assertThat(e.value("odin_series_dropped_total{reason=\"metric_limit\"}")).isEqualTo(95_000.0);
        assertThat(e.value("odin_otlp_rejected_total{reason=\"series_limit\",signal=\"metrics\"}")).isEqualTo(95_000.0);
        assertThat(e.value("odin_series_live")).isLessThanOrEqualTo(20_000.0);
    }


    @Test
    void grpcAnswersWithStatusCodes() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        try {
            MethodDescriptor<byte[], ExportMetricsServiceResponse> raw = MetricsServiceGrpc.getExportMethod()
                    .toBuilder(dev.odin.receiver.otlp.RawBytesMarshaller.INSTANCE, ProtoUtils.marshaller(ExportMetricsServiceResponse.getDefaultInstance())).build();
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT,
                    new byte[] {0x0a, 0x7f, 0x01}))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).startsWith("request is not a protobuf OTLP metrics request");
                    });
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT,
                    new byte[3 * 1024 * 1024]))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED));
            // an empty request is a success, a partial one says what was refused
            ExportMetricsServiceResponse empty = ClientCalls.blockingUnaryCall(channel,
                    MetricsServiceGrpc.getExportMethod(), CallOptions.DEFAULT, ExportMetricsServiceRequest.getDefaultInstance());
            assertThat(empty.hasPartialSuccess()).isFalse();
            ExportMetricsServiceResponse partial = ClientCalls.blockingUnaryCall(channel,
                    MetricsServiceGrpc.getExportMethod(), CallOptions.DEFAULT, request(attrs("service.name", "g"),
                            gauge("...", "", point(attrs(), 0, T0, 1)), gauge("grpc.ok", "", point(attrs(), 0, T0, 1))));
            assertThat(partial.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
            assertThat(partial.getPartialSuccess().getErrorMessage()).contains("translates to an empty name");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
