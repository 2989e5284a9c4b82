package dev.odin.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.odin.delivery.QueueFullException;
import dev.odin.delivery.QueuedSender;
import dev.odin.signal.Signal;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * The exporter against real peers on loopback: a JDK HTTP server answering as an OTLP/HTTP
 * receiver would (scripted statuses, Retry-After, partial_success), and a grpc-java OTLP server.
 * Delivery is driven with flush(), so no test waits on the sender's timer.
 */
class OtlpExporterTest {

    @TempDir
    Path dir;

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<OtlpExporter> exporters = new ArrayList<>();
    private ScriptedOtlpHttp http;

    /** One request the HTTP stand-in answered: its path, headers and (gunzipped) body. */
    record Received(String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** An answer: status, Retry-After (or null), body. */
    record Answer(int status, String retryAfter, byte[] body) {
    }

    static final class ScriptedOtlpHttp implements AutoCloseable {
        final HttpServer server;
        final List<Received> received = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();

        ScriptedOtlpHttp() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", ex -> {
                byte[] raw = ex.getRequestBody().readAllBytes();
                boolean gzip = "gzip".equals(ex.getRequestHeaders().getFirst("Content-Encoding"));
                byte[] body = gzip ? new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes() : raw;
                received.add(new Received(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body));
                Answer a = script.poll();
                if (a == null) {
                    a = new Answer(200, null, new byte[0]);
                }
                if (a.retryAfter() != null) {
                    ex.getResponseHeaders().add("Retry-After", a.retryAfter());
                }
                ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
                ex.getResponseBody().write(a.body());
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @BeforeEach
    void start() throws IOException {
        http = new ScriptedOtlpHttp();
    }

    @AfterEach
    void stop() throws IOException {
        for (OtlpExporter e : exporters) {
            e.close();
        }
        http.close();
    }

    private OtlpExportProperties config(String endpoint) {
        OtlpExportProperties c = new OtlpExportProperties();
        c.setEndpoint(endpoint);
        c.setMinBackoff(Duration.ofMillis(20));
        c.setMaxBackoff(Duration.ofMillis(1500));
        c.setTimeout(Duration.ofSeconds(5));
        c.setHeaders(Map.of("Authorization", "Bearer sekrit"));
        return c;
    }

    private OtlpExporter exporter(OtlpExportProperties c) throws IOException {
        OtlpExporter e = new OtlpExporter(c, dir.resolve("data-" + exporters.size()), QueuedSender.Guard.NONE, registry,
                Clock.systemUTC(), Duration.ofSeconds(5));
        exporters.add(e);
        return e;
    }

    static ExportMetricsServiceRequest metrics(String service, double... values) {
        Gauge.Builder g = Gauge.newBuilder();
        for (double v : values) {
            g.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(v).setTimeUnixNano(1));
        }
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("g").setGauge(g))))
                .build();
    }

    static ExportLogsServiceRequest logs(String body) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(
                ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
                        .setBody(AnyValue.newBuilder().setStringValue(body))))).build();
    }

    static ExportTraceServiceRequest traces(String name) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(
                ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName(name)))).build();
    }

    private double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void queuedRequestsOfOneSignalAreMergedIntoOneExportWithTheHeadersAndGzip() throws Exception {
        OtlpExporter e = exporter(config(http.url() + "/"));
        ExportMetricsServiceRequest a = metrics("a", 1, 2);
        ExportMetricsServiceRequest b = metrics("b", 3);
        OtlpExportComponent.send(e, a);
        OtlpExportComponent.send(e, b);
        OtlpExportComponent.send(e, logs("hello"));
        OtlpExportComponent.send(e, traces("span"));
        assertThat(e.sender().pending()).isEqualTo(5); // 3 points, 1 record, 1 span

        assertThat(e.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(http.received).extracting(Received::path).containsExactly("/v1/metrics", "/v1/logs", "/v1/traces");
        Received m = http.received.get(0);
        assertThat(m.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(m.header("Content-Type")).isEqualTo("application/x-protobuf");
        assertThat(m.header("Authorization")).isEqualTo("Bearer sekrit");
        assertThat(ExportMetricsServiceRequest.parseFrom(m.body()))
                .isEqualTo(a.toBuilder().addAllResourceMetrics(b.getResourceMetricsList()).build());
        assertThat(ExportLogsServiceRequest.parseFrom(http.received.get(1).body())).isEqualTo(logs("hello"));
        assertThat(ExportTraceServiceRequest.parseFrom(http.received.get(2).body())).isEqualTo(traces("span"));
        assertThat(count("odin.otlp.export.requests", "signal", "metrics", "outcome", "delivered")).isEqualTo(1);
        assertThat(count("odin.delivery.sent", "sender", "otlp-export")).isEqualTo(5);
    }

    @Test
    void aBatchStaysWithinTheByteBoundAndAnOversizedRequestGoesAlone() throws Exception {
        OtlpExportProperties c = config(http.url());
        c.setCompression(OtlpExportProperties.Compression.NONE);
        ExportMetricsServiceRequest small = metrics("small", 1);
        c.setBatchSize(DataSize.ofBytes(small.getSerializedSize() * 2L));
        OtlpExporter e = exporter(c);
        ExportMetricsServiceRequest big = metrics("big", new double[50]);
        for (ExportMetricsServiceRequest r : List.of(small, small, small, big, small)) {
            OtlpExportComponent.send(e, r);
        }
        assertThat(e.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(http.received).extracting(r -> ExportMetricsServiceRequest.parseFrom(r.body()).getResourceMetricsCount())
                .containsExactly(2, 1, 1, 1);
        assertThat(http.received.get(0).header("Content-Encoding")).isNull();
        assertThat(http.received.get(2).body()).isEqualTo(big.toByteArray());
    }

    @Test
    void retryableStatusesAreRetriedHonouringRetryAfterUntilDelivered() throws Exception {
        OtlpExporter e = exporter(config(http.url()));
        http.script.add(new Answer(503, "1", new byte[0]));
        http.script.add(new Answer(429, null, new byte[0]));
        http.script.add(new Answer(502, null, new byte[0]));
        http.script.add(new Answer(504, null, new byte[0]));
        OtlpExportComponent.send(e, logs("once"));
        assertThat(e.flush(Duration.ofSeconds(20))).isTrue();
        assertThat(http.received).hasSize(5)
                .allSatisfy(r -> assertThat(ExportLogsServiceRequest.parseFrom(r.body())).isEqualTo(logs("once")));
        assertThat(count("odin.otlp.export.requests", "signal", "logs", "outcome", "retry")).isEqualTo(4);
        assertThat(count("odin.otlp.export.requests", "signal", "logs", "outcome", "delivered")).isEqualTo(1);
        assertThat(count("odin.delivery.retries", "sender", "otlp-export")).isEqualTo(4);
        assertThat(e.sender().deadLettered()).isZero();
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        assertThat(ExportAnswer.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(ExportAnswer.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(ExportAnswer.retryAfter("soon")).isNull();
        assertThat(ExportAnswer.retryAfter(null)).isNull();
    }

    @Test
    void aPermanentRefusalIsDeadLetteredWithTheRequestAndCountedNotRetried() throws Exception {
        OtlpExporter e = exporter(config(http.url()));
        http.script.add(new Answer(400, null, "bad request".getBytes()));
        http.script.add(new Answer(500, null, new byte[0])); // not retryable in OTLP either
        ExportMetricsServiceRequest refused = metrics("refused", 1, 2, 3);
        OtlpExportComponent.send(e, refused);
        OtlpExportComponent.send(e, traces("also refused"));
        OtlpExportComponent.send(e, logs("taken"));
        assertThat(e.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(http.received).hasSize(3);
        assertThat(count("odin.otlp.export.requests", "signal", "metrics", "outcome", "permanent")).isEqualTo(1);
        assertThat(count("odin.otlp.export.requests", "signal", "traces", "outcome", "permanent")).isEqualTo(1);
        assertThat(count("odin.otlp.export.requests", "signal", "logs", "outcome", "delivered")).isEqualTo(1);
        assertThat(count("odin.delivery.dead.lettered", "sender", "otlp-export", "reason", "permanent")).isEqualTo(4);
        assertThat(count("odin.delivery.retries", "sender", "otlp-export")).isZero();
        List<String> lines = Files.readAllLines(e.sender().deadLetterFile());
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("signal").asText()).isEqualTo("metrics");
        assertThat(first.get("status").asInt()).isEqualTo(400);
        assertThat(first.get("items").asInt()).isEqualTo(3);
        assertThat(first.get("error").asText()).contains("bad request");
        assertThat(ExportMetricsServiceRequest.parseFrom(Base64.getDecoder().decode(first.get("otlp_request_base64")
                .asText()))).isEqualTo(refused);
        assertThat(new ObjectMapper().readTree(lines.get(1)).get("status").asInt()).isEqualTo(500);
    }

    @Test
    void aPartialSuccessIsCountedAndNotRetried() throws Exception {
        OtlpExporter e = exporter(config(http.url()));
        http.script.add(new Answer(200, null, ExportMetricsServiceResponse.newBuilder().setPartialSuccess(
                ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(2).setErrorMessage("too old")).build()
                .toByteArray()));
        OtlpExportComponent.send(e, metrics("p", 1, 2, 3));
        assertThat(e.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(http.received).hasSize(1);
        assertThat(count("odin.otlp.export.requests", "signal", "metrics", "outcome", "partial_success")).isEqualTo(1);
        assertThat(count("odin.otlp.export.rejected", "signal", "metrics")).isEqualTo(2);
        assertThat(e.sender().deadLettered()).isZero();
    }

    @Test
    void aFullQueueRefusesTheRequestWhenNotDroppingAndSignalsNotExportedAreNotQueued() throws Exception {
        OtlpExportProperties c = config(http.url());
        c.setQueueMaxSize(DataSize.ofBytes(200));
        c.setSignals(List.of(Signal.METRICS, Signal.TRACES));
        OtlpExporter e = exporter(c);
        OtlpExportComponent.send(e, logs("not exported"));
        assertThat(e.sender().pending()).isZero();
        OtlpExportComponent.send(e, metrics("fits", 1));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 10; i++) {
                OtlpExportComponent.send(e, metrics("does not fit " + i, 1, 2, 3, 4));
            }
        }).isInstanceOf(QueueFullException.class);
        assertThat(e.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(http.received).isNotEmpty().allSatisfy(r -> assertThat(r.path()).isEqualTo("/v1/metrics"));
        assertThatThrownBy(() -> OtlpExportComponent.send(e, "a string"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noAnswerIsRetriedUntilTheEndpointIsUp() throws Exception {
        int port = http.server.getAddress().getPort();
        http.close();
        OtlpExporter e = exporter(config("http://127.0.0.1:" + port));
        OtlpExportComponent.send(e, traces("waits"));
        assertThat(e.flush(Duration.ofMillis(300))).isFalse();
        assertThat(count("odin.otlp.export.requests", "signal", "traces", "outcome", "retry")).isGreaterThanOrEqualTo(1);
        assertThat(e.sender().pending()).isEqualTo(1);
    }

    @Test
    void grpcDeliversEachSignalWithItsMetadataAndRetriesWhatTheSpecSaysIsRetryable() throws Exception {
        try (GrpcOtlpStandIn grpc = new GrpcOtlpStandIn()) {
            OtlpExportProperties c = config(grpc.endpoint());
            c.setProtocol("grpc");
            OtlpExporter e = exporter(c);
            grpc.failNext(Status.Code.UNAVAILABLE, Status.Code.ABORTED, Status.Code.DEADLINE_EXCEEDED,
                    Status.Code.CANCELLED, Status.Code.OUT_OF_RANGE, Status.Code.DATA_LOSS);
            grpc.failNextWithRetryInfo(50);
            ExportMetricsServiceRequest a = metrics("a", 1);
            ExportMetricsServiceRequest b = metrics("b", 2);
            OtlpExportComponent.send(e, a);
            OtlpExportComponent.send(e, b);
            OtlpExportComponent.send(e, logs("l"));
            OtlpExportComponent.send(e, traces("t"));
            assertThat(e.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(grpc.metrics).containsExactly(a.toBuilder().addAllResourceMetrics(b.getResourceMetricsList()).build());
            assertThat(grpc.logs).containsExactly(logs("l"));
            assertThat(grpc.traces).containsExactly(traces("t"));
            assertThat(grpc.authorizations()).hasSize(10).containsOnly("Bearer sekrit");
            assertThat(count("odin.otlp.export.requests", "signal", "metrics", "outcome", "retry")).isEqualTo(7);
            assertThat(e.sender().deadLettered()).isZero();
        }
    }

    @Test
    void grpcRefusalsAreDeadLetteredAndResourceExhaustedWithoutRetryInfoIsNotRetried() throws Exception {
        try (GrpcOtlpStandIn grpc = new GrpcOtlpStandIn()) {
            OtlpExportProperties c = config(grpc.endpoint());
            c.setProtocol("grpc");
            c.setCompression(OtlpExportProperties.Compression.NONE);
            OtlpExporter e = exporter(c);
            grpc.failNext(Status.Code.RESOURCE_EXHAUSTED, Status.Code.INVALID_ARGUMENT, Status.Code.UNAUTHENTICATED);
            OtlpExportComponent.send(e, logs("exhausted"));
            OtlpExportComponent.send(e, metrics("invalid", 1, 2));
            OtlpExportComponent.send(e, traces("unauthenticated"));
            OtlpExportComponent.send(e, logs("taken"));
            assertThat(e.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(grpc.logs).containsExactly(logs("taken"));
            assertThat(grpc.calls).hasSize(4);
            assertThat(count("odin.delivery.dead.lettered", "sender", "otlp-export", "reason", "permanent")).isEqualTo(4);
            List<String> lines = Files.readAllLines(e.sender().deadLetterFile());
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).contains("RESOURCE_EXHAUSTED").contains("\"status\":429");
            assertThat(lines.get(1)).contains("INVALID_ARGUMENT").contains("\"status\":400");
            assertThat(lines.get(2)).contains("UNAUTHENTICATED").contains("\"status\":401");
        }
    }

    @Test
    void anHttpEndpointOrHeaderThatCannotBeSentRefusesTheStart() {
        assertThatThrownBy(() -> exporter(config("central:4318"))).hasMessageContaining("odin.otlp-export.endpoint")
                .hasMessageContaining("http://host:port");
        OtlpExportProperties badHeader = config(http.url());
        badHeader.setHeaders(Map.of("Host", "elsewhere"));
        assertThatThrownBy(() -> exporter(badHeader)).hasMessageContaining("odin.otlp-export.headers");
        OtlpExportProperties binary = config(http.url());
        binary.setProtocol("grpc");
        binary.setHeaders(Map.of("x-trace-bin", "AAEC"));
        assertThatThrownBy(() -> exporter(binary)).hasMessageContaining("odin.otlp-export.headers");
    }

    @Test
    void aGrpcEndpointWithoutSchemeRefusesTheStart() {
        OtlpExportProperties c = config("central:4317");
        c.setProtocol("grpc");
        assertThatThrownBy(() -> exporter(c)).hasMessageContaining("odin.otlp-export.endpoint")
                .hasMessageContaining("http://host:port");
    }
}
