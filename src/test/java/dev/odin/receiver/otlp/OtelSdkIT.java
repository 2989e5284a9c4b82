package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.JsonExporters;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_31_1.Metrics;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenTelemetry Java SDK, the reference OTLP client, exports every instrument kind to ODIN
 * over gRPC, HTTP/protobuf and HTTP/JSON, with cumulative and with delta temporality; the scrape
 * must show exactly the series a Collector would, values included.
 */
class OtelSdkIT extends OdinIntegrationTest {

    static List<Arguments> transports() {
        return List.of(Arguments.of("grpc", false), Arguments.of("grpc", true), Arguments.of("protobuf", false),
                Arguments.of("protobuf", true), Arguments.of("json", false), Arguments.of("json", true));
    }

    private MetricExporter exporter(String transport, boolean delta) {
        AggregationTemporalitySelector temporality = delta ? AggregationTemporalitySelector.deltaPreferred()
                : AggregationTemporalitySelector.alwaysCumulative();
        switch (transport) {
            case "grpc":
                return OtlpGrpcMetricExporter.builder().setEndpoint(grpcEndpoint()).setCompression("gzip")
                        .setAggregationTemporalitySelector(temporality).build();
            case "protobuf":
                return OtlpHttpMetricExporter.builder().setEndpoint(otlpHttp("/v1/metrics")).setCompression("gzip")
                        .setAggregationTemporalitySelector(temporality).build();
            default:
                return JsonExporters.asJson(OtlpHttpMetricExporter.builder().setEndpoint(otlpHttp("/v1/metrics"))
                        .setAggregationTemporalitySelector(temporality)).build();
        }
    }

    @ParameterizedTest(name = "{0}, delta={1}")
    @MethodSource("transports")
    void everyInstrumentKind(String transport, boolean delta) throws Exception {
        String job = "sdk-" + transport + (delta ? "-delta" : "-cumulative");
        MetricExporter exporter = exporter(transport, delta);
        PeriodicMetricReader reader = PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), job,
                        AttributeKey.stringKey("service.instance.id"), "i-1"))))
                .registerMetricReader(reader)
                .registerView(InstrumentSelector.builder().setName("payload.size").build(),
                        View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram(160, 20)).build())
                .build();
        try {
            Meter meter = provider.get("odin.test");
            Attributes shop = Attributes.of(AttributeKey.stringKey("shop.id"), "a-1");
            LongCounter orders = meter.counterBuilder("orders").setUnit("{order}").setDescription("Orders placed").build();
            DoubleCounter spend = meter.counterBuilder("spend").ofDoubles().setUnit("USD").build();
            LongUpDownCounter depth = meter.upDownCounterBuilder("queue.depth").setUnit("{item}").build();
            DoubleHistogram duration = meter.histogramBuilder("request.duration").setUnit("s")
                    .setExplicitBucketBoundariesAdvice(List.of(0.1, 1.0)).build();
            DoubleHistogram payload = meter.histogramBuilder("payload.size").setUnit("By").build();
            meter.gaugeBuilder("temperature").setUnit("Cel").build().set(21.5, shop);

            orders.add(3, shop);
            spend.add(1.5, shop);
            depth.add(5, shop);
            duration.record(0.05, shop);
            duration.record(0.5, shop);
            payload.record(100, shop);
            assertThat(reader.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            orders.add(2, shop);
            spend.add(2.25, shop);
            depth.add(-2, shop);
            duration.record(0.5, shop);
            duration.record(2, shop);
            payload.record(200, shop);
            CompletableResultCode second = reader.forceFlush().join(10, TimeUnit.SECONDS);
            assertThat(second.isSuccess()).isTrue();
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }

        String l = "instance=\"i-1\",job=\"" + job + "\",otel_scope_name=\"odin.test\",shop_id=\"a-1\"";
        // zero-first is off in integration tests (OdinIntegrationTest); FirstIncrementIT tests it
        Exposition e = scrape();
        assertThat(e.value("orders_total{" + l + "}")).isEqualTo(5.0);
        assertThat(e.value("spend_USD_total{" + l + "}")).isEqualTo(3.75);
        assertThat(e.value("queue_depth{" + l + "}")).isEqualTo(3.0);
        assertThat(e.value("temperature_celsius{" + l + "}")).isEqualTo(21.5);
        assertThat(e.value("request_duration_seconds_bucket{" + l + ",le=\"0.1\"}")).isEqualTo(1.0);
        assertThat(e.value("request_duration_seconds_bucket{" + l + ",le=\"1.0\"}")).isEqualTo(3.0);
        assertThat(e.value("request_duration_seconds_bucket{" + l + ",le=\"+Inf\"}")).isEqualTo(4.0);
        assertThat(e.value("request_duration_seconds_count{" + l + "}")).isEqualTo(4.0);
        assertThat(e.value("request_duration_seconds_sum{" + l + "}")).isEqualTo(3.05);
        assertThat(e.value("payload_size_bytes_count{" + l + "}")).isEqualTo(2.0);
        assertThat(e.value("payload_size_bytes_sum{" + l + "}")).isEqualTo(300.0);
        assertThat(e.text()).contains("# TYPE orders_total counter").contains("# HELP orders_total Orders placed")
                .contains("# TYPE queue_depth gauge").contains("# TYPE request_duration_seconds histogram");
        assertThat(e.metric("target_info").keySet()).anyMatch(k -> k.contains("job=\"" + job + "\"")
                && k.contains("instance=\"i-1\"") && k.contains("telemetry_sdk_language=\"java\""));

        // the exponential histogram is a native histogram in the protobuf exposition
        HttpResponse<byte[]> proto = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + managementPort + "/metrics"))
                .header("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                        + "encoding=delimited").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(proto.headers().firstValue("Content-Type").orElse("")).startsWith("application/vnd.google.protobuf");
        ByteArrayInputStream in = new ByteArrayInputStream(proto.body());
        Metrics.Histogram nativeHistogram = null;
        Metrics.MetricFamily family;
        while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            if (family.getName().equals("payload_size_bytes")) {
                for (Metrics.Metric m : family.getMetricList()) {
                    if (m.getLabelList().stream().anyMatch(p -> p.getName().equals("job") && p.getValue().equals(job))) {
                        nativeHistogram = m.getHistogram();
                    }
                }
            }
        }
        assertThat(nativeHistogram).as("payload_size_bytes for " + job).isNotNull();
        // cumulative: the SDK picks the finest scale at which 100 and 200 share 160 buckets (7);
        // delta: each point holds one value at the SDK's scale 20, reduced to Prometheus' finest (8)
        assertThat(nativeHistogram.getSchema()).isEqualTo(delta ? 8 : 7);
        assertThat(nativeHistogram.getSampleCount()).isEqualTo(2);
        assertThat(nativeHistogram.getSampleSum()).isEqualTo(300.0);
        assertThat(nativeHistogram.getPositiveSpanCount()).isPositive();

        // start times reach OpenMetrics scrapes as _created samples
        HttpResponse<String> om = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + managementPort + "/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(om.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(om.body()).containsPattern("orders_created\\{" + java.util.regex.Pattern.quote(l) + "\\} 1\\d{9}\\.\\d+");
        assertThat(e.text()).doesNotContain("orders_created"); // not in the 0.0.4 text format
    }
}
