package dev.odin.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.OdinProcess;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * ODIN (this test's application) forwards over OTLP/gRPC to a grpc-java OTLP server (the
 * MetricsService, LogsService and TraceService types of opentelemetry-proto) that records what it
 * gets. The server is down while the OpenTelemetry SDK sends to ODIN over gRPC; once it is up
 * every request arrives once, with the privacy rules applied and the configured metadata; an
 * INVALID_ARGUMENT answer dead-letters the request and counts it.
 */
class OtlpExportGrpcIT extends OdinIntegrationTest {

    static final int CENTRAL = freePort();

    @Autowired
    OtlpExporter exporter;

    @DynamicPropertySource
    static void exportToCentral(DynamicPropertyRegistry r) {
        r.add("odin.otlp-export.endpoint", () -> "http://127.0.0.1:" + CENTRAL);
        r.add("odin.otlp-export.protocol", () -> "grpc");
        r.add("odin.otlp-export.headers.Authorization", () -> "Bearer central-token");
        r.add("odin.otlp-export.min-backoff", () -> "100ms");
        r.add("odin.otlp-export.max-backoff", () -> "1s");
    }

    static int freePort() {
        try {
            return OdinProcess.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anOutageOfTheGrpcEndpointLosesNothingAndARefusalIsDeadLettered() throws Exception {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "export-grpc-it")));
        PeriodicMetricReader reader = PeriodicMetricReader.builder(OtlpGrpcMetricExporter.builder()
                .setEndpoint(grpcEndpoint()).build()).setInterval(Duration.ofHours(1)).build();
        SdkMeterProvider meters = SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build();
        SdkLoggerProvider loggers = SdkLoggerProvider.builder().setResource(resource).addLogRecordProcessor(
                SimpleLogRecordProcessor.create(OtlpGrpcLogRecordExporter.builder().setEndpoint(grpcEndpoint())
                        .build())).build();
        SdkTracerProvider tracers = SdkTracerProvider.builder().setResource(resource).addSpanProcessor(
                SimpleSpanProcessor.create(OtlpGrpcSpanExporter.builder().setEndpoint(grpcEndpoint()).build())).build();
        try {
            meters.get("export.grpc").gaugeBuilder("export.temperature").build().set(21.5,
                    Attributes.of(AttributeKey.stringKey("user.email"), "dev@example.com"));
            assertThat(reader.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            for (int i = 0; i < 3; i++) {
                loggers.get("export.grpc").logRecordBuilder().setBody("grpc prompt " + i)
                        .setAttribute(AttributeKey.stringKey("prompt"), "the secret prompt " + i)
                        .setAttribute(AttributeKey.stringKey("keep.me"), "kept " + i).emit();
                tracers.get("export.grpc").spanBuilder("grpc span " + i)
                        .setAttribute(AttributeKey.stringKey("user.email"), "dev@example.com")
                        .setAttribute(AttributeKey.stringKey("prompt"), "the secret prompt " + i).startSpan().end();
            }
            assertThat(loggers.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            assertThat(tracers.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        } finally {
            meters.shutdown().join(10, TimeUnit.SECONDS);
            loggers.shutdown().join(10, TimeUnit.SECONDS);
            tracers.shutdown().join(10, TimeUnit.SECONDS);
        }
        String hashed = scrape().metric("export_temperature").keySet().stream()
                .map(k -> k.replaceAll(".*user_email=\"([^\"]*)\".*", "$1")).findFirst().orElseThrow();
        Await.until("ODIN retrying while the endpoint is down", Duration.ofSeconds(30),
                () -> exporter.sender().retrying());
        long queued = exporter.sender().pending();
        assertThat(queued).isGreaterThanOrEqualTo(7); // 1 point (and the SDK's own), 3 records, 3 spans

        try (GrpcOtlpStandIn central = new GrpcOtlpStandIn(CENTRAL)) {
            Await.until("the queue drained into the endpoint", Duration.ofSeconds(30),
                    () -> exporter.sender().pending() == 0);

            // every point ODIN received arrives once: the SDK sends the gauge twice (the flush and its
            // shutdown, two timestamps) and its own otel.sdk.* metrics; a duplicate would be an equal point
            List<NumberDataPoint> temperature = new ArrayList<>();
            long points = 0;
            for (ExportMetricsServiceRequest r : central.metrics) {
                points += OtlpExportComponent.dataPoints(r);
                r.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList().forEach(sm -> {
                    for (Metric m : sm.getMetricsList()) {
                        if (m.getName().equals("export.temperature")) {
                            temperature.addAll(m.getGauge().getDataPointsList());
                        }
                    }
                }));
            }
            assertThat((double) points).isEqualTo(
                    scrape().value("odin_otlp_received_total{signal=\"metrics\",transport=\"grpc\"}"));
            assertThat(temperature).isNotEmpty().doesNotHaveDuplicates().allSatisfy(p -> {
                assertThat(p.getAsDouble()).isEqualTo(21.5);
                assertThat(p.getAttributesList()).extracting(KeyValue::getKey).containsExactly("user.email");
                assertThat(p.getAttributes(0).getValue().getStringValue()).isEqualTo(hashed)
                        .isNotEqualTo("dev@example.com");
            });

            List<LogRecord> records = new ArrayList<>();
            for (ExportLogsServiceRequest r : central.logs) {
                r.getResourceLogsList().forEach(rl -> rl.getScopeLogsList().forEach(sl -> records.addAll(sl.getLogRecordsList())));
            }
            assertThat(records).extracting(l -> l.getBody().getStringValue())
                    .containsExactlyInAnyOrder("grpc prompt 0", "grpc prompt 1", "grpc prompt 2");
            assertThat(records).allSatisfy(l -> assertThat(l.getAttributesList()).extracting(KeyValue::getKey)
                    .containsExactly("keep.me"));
            long spans = 0;
            for (ExportTraceServiceRequest r : central.traces) {
                spans += r.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
                        .mapToLong(ss -> ss.getSpansCount()).sum();
            }
            assertThat(spans).isEqualTo(3);
            // the trace rules (odin.privacy.traces defaults): user.email hashed as in the metrics, prompt dropped
            for (ExportTraceServiceRequest r : central.traces) {
                r.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
                        .flatMap(ss -> ss.getSpansList().stream()).forEach(span -> {
                            assertThat(span.getAttributesList()).extracting(KeyValue::getKey).containsExactly("user.email");
                            assertThat(span.getAttributes(0).getValue().getStringValue()).isEqualTo(hashed);
                        });
            }
            assertThat(central.authorizations()).isNotEmpty().containsOnly("Bearer central-token");
            assertThat(scrape().value("odin_delivery_sent_total{sender=\"otlp-export\"}")).isEqualTo((double) queued);

            // a refusal for good: dead-lettered, counted, not retried; what follows still goes
            central.failNext(Status.Code.INVALID_ARGUMENT);
            int callsBefore = central.calls.size();
            SdkLoggerProvider more = SdkLoggerProvider.builder().setResource(resource).addLogRecordProcessor(
                    SimpleLogRecordProcessor.create(OtlpGrpcLogRecordExporter.builder().setEndpoint(grpcEndpoint())
                            .build())).build();
            try {
                more.get("export.grpc").logRecordBuilder().setBody("refused by the endpoint").emit();
                assertThat(more.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
                Await.until("the refusal dead-lettered", Duration.ofSeconds(30), () -> exporter.sender().deadLettered() == 1);
                more.get("export.grpc").logRecordBuilder().setBody("taken after the refusal").emit();
                assertThat(more.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            } finally {
                more.shutdown().join(10, TimeUnit.SECONDS);
            }
            Await.until("the next request delivered", Duration.ofSeconds(30), () -> exporter.sender().pending() == 0);
            assertThat(central.calls.size() - callsBefore).isEqualTo(2);
            assertThat(central.logs.get(central.logs.size() - 1).getResourceLogs(0).getScopeLogs(0).getLogRecords(0)
                    .getBody().getStringValue()).isEqualTo("taken after the refusal");
            assertThat(scrape().value("odin_delivery_dead_lettered_total{reason=\"permanent\",sender=\"otlp-export\"}"))
                    .isEqualTo(1.0);
            assertThat(scrape().value("odin_otlp_export_requests_total{outcome=\"permanent\",sender=\"otlp-export\",signal=\"logs\"}"))
                    .isEqualTo(1.0);
            assertThat(Files.readString(exporter.sender().deadLetterFile())).contains("INVALID_ARGUMENT")
                    .contains("\"signal\":\"logs\"");
        }
    }
}
