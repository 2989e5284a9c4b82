package dev.odin.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.OdinProcess;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * ODIN A (this test's application) forwards what the OpenTelemetry SDK sends it to ODIN B (a
 * second ODIN, its own process) over OTLP/HTTP protobuf. B is down while A receives: A answers
 * the SDK at once (the requests are on disk), retries, and once B is up everything arrives
 * exactly once (delta sums add up to the exact totals, each log line once, each span counted
 * once) and A's queue drains. A's privacy rules (user.email hashed in metrics, prompt dropped
 * from events) hold at B, whose own rules are set to leave both alone.
 */
class OtlpExportIT extends OdinIntegrationTest {

    static final int B_HTTP = freePort();
    static final int B_MGMT = freePort();
    static final int B_GRPC = freePort();
    static OdinProcess b;

    @Autowired
    OtlpExporter exporter;

    @DynamicPropertySource
    static void exportToB(DynamicPropertyRegistry r) {
        r.add("odin.otlp-export.endpoint", () -> "http://127.0.0.1:" + B_HTTP);
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

    @AfterAll
    static void stopB() throws InterruptedException {
        if (b != null) {
            b.close();
        }
    }

    private Exposition scrapeB() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + B_MGMT + "/metrics"))
                .header("Accept", "text/plain").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new Exposition(r.body());
    }

    @Test
    void everythingReceivedDuringTheOutageArrivesOnceWithThePrivacyRulesApplied() throws Exception {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "export-it", AttributeKey.stringKey("service.instance.id"),
                "laptop-1")));
        Attributes who = Attributes.of(AttributeKey.stringKey("user.email"), "dev@example.com",
                AttributeKey.stringKey("shop"), "a");

        // B is down: the SDK's exports to A still succeed, A queues them
        PeriodicMetricReader reader = PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
                .setEndpoint(otlpHttp("/v1/metrics")).setAggregationTemporalitySelector(
                        AggregationTemporalitySelector.deltaPreferred()).build())
                .setInterval(Duration.ofHours(1)).build();
        SdkMeterProvider meters = SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build();
        SdkLoggerProvider loggers = SdkLoggerProvider.builder().setResource(resource).addLogRecordProcessor(
                SimpleLogRecordProcessor.create(OtlpHttpLogRecordExporter.builder()
                        .setEndpoint(otlpHttp("/v1/logs")).build())).build();
        SdkTracerProvider tracers = SdkTracerProvider.builder().setResource(resource).addSpanProcessor(
                SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder().setEndpoint(otlpHttp("/v1/traces"))
                        .build())).build();
        try {
            LongCounter orders = meters.get("export.test").counterBuilder("export.orders").build();
            orders.add(3, who);
            assertThat(reader.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            orders.add(4, who);
            assertThat(reader.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            for (int i = 0; i < 3; i++) {
                loggers.get("export.test").logRecordBuilder().setBody("export-it prompt " + i)
                        .setAttribute(AttributeKey.stringKey("event.name"), "user_prompt")
                        .setAttribute(AttributeKey.stringKey("prompt"), "the secret prompt " + i)
                        .setAttribute(AttributeKey.stringKey("keep.me"), "kept " + i).emit();
            }
            for (int i = 0; i < 5; i++) {
                tracers.get("export.test").spanBuilder("span " + i).startSpan().end();
            }
            assertThat(loggers.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            assertThat(tracers.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        } finally {
            meters.shutdown().join(10, TimeUnit.SECONDS);
            loggers.shutdown().join(10, TimeUnit.SECONDS);
            tracers.shutdown().join(10, TimeUnit.SECONDS);
        }
        // A took everything: its own series (the main path) and its queue
        Exposition a = scrape();
        Map<String, String> aOrders = a.metric("export_orders_total");
        assertThat(aOrders).hasSize(1);
        String aKey = aOrders.keySet().iterator().next();
        assertThat(Double.valueOf(aOrders.get(aKey))).isEqualTo(7.0);
        String hashed = label(aKey, "user_email");
        assertThat(hashed).isNotEqualTo("dev@example.com").isNotEmpty();
        Await.until("A retrying its exports to B", Duration.ofSeconds(30),
                () -> scrape().value("odin_delivery_retries_total{sender=\"otlp-export\"}") != null
                        && scrape().value("odin_delivery_retries_total{sender=\"otlp-export\"}") >= 1);
        // every item A received is queued (the SDK adds its own metrics, otel.sdk.*, to ours)
        double received = 0;
        for (String signal : List.of("metrics", "logs", "traces")) {
            received += a.value("odin_otlp_received_total{signal=\"" + signal + "\",transport=\"http\"}");
        }
        assertThat(received).isGreaterThanOrEqualTo(10);
        assertThat(exporter.sender().pending()).isEqualTo((long) received);

        // B comes up, its own privacy rules set to leave user.email and prompt alone
        Path bData = Path.of("target/test-data/otlp-export-b-" + System.nanoTime());
        // launched on the ports A exports to (its fields name others: B is awaited on B_MGMT here)
        b = OdinProcess.launch(bData, bData, Map.of(), "--server.port=" + B_HTTP,
                "--management.server.port=" + B_MGMT, "--odin.otlp.grpc.port=" + B_GRPC,
                "--odin.metrics.zero-first=false", "--odin.claude.transcripts-dir=target/test-data/no-transcripts",
                "--odin.privacy.metrics[0].attribute=odin.nothing", "--odin.privacy.metrics[0].action=DROP",
                "--odin.privacy.events[0].attribute=odin.nothing", "--odin.privacy.events[0].action=DROP",
                // no trace store: the spans this ODIN receives are counted as discarded (asserted below)
                "--odin.traces.store.enabled=false");
        Await.until("B ready", Duration.ofSeconds(240), () -> {
            assertThat(b.alive()).as("B is running").isTrue();
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + B_MGMT + "/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        Await.until("A's export queue drained into B", Duration.ofSeconds(60), () -> exporter.sender().pending() == 0);

        Exposition e = scrapeB();
        Map<String, String> bOrders = e.metric("export_orders_total");
        assertThat(bOrders).hasSize(1);
        String bKey = bOrders.keySet().iterator().next();
        assertThat(Double.valueOf(bOrders.get(bKey))).isEqualTo(7.0); // 3 + 4: each delta once
        assertThat(label(bKey, "user_email")).isEqualTo(hashed);
        assertThat(label(bKey, "job")).isEqualTo("export-it");
        assertThat(label(bKey, "instance")).isEqualTo("laptop-1");
        assertThat(label(bKey, "shop")).isEqualTo("a");
        assertThat(e.text()).doesNotContain("dev@example.com");
        assertThat(e.value("odin_otlp_discarded_total{reason=\"no_trace_sink\",signal=\"traces\"}")).isEqualTo(5.0);

        List<String> lines = eventLines(bData.resolve("events"));
        List<String> ours = lines.stream().filter(l -> l.contains("export-it prompt")).toList();
        assertThat(ours).hasSize(3);
        for (int i = 0; i < 3; i++) {
            int n = i;
            assertThat(ours).filteredOn(l -> l.contains("export-it prompt " + n)).hasSize(1).first().asString()
                    .contains("kept " + n);
        }
        assertThat(String.join("\n", lines)).doesNotContain("the secret prompt");

        Exposition after = scrape();
        assertThat(after.value("odin_otlp_export_requests_total{outcome=\"delivered\",sender=\"otlp-export\",signal=\"metrics\"}")).isNotNull();
        assertThat(after.value("odin_otlp_export_requests_total{outcome=\"delivered\",sender=\"otlp-export\",signal=\"logs\"}")).isNotNull();
        assertThat(after.value("odin_otlp_export_requests_total{outcome=\"delivered\",sender=\"otlp-export\",signal=\"traces\"}")).isNotNull();
        assertThat(after.value("odin_delivery_sent_total{sender=\"otlp-export\"}")).isEqualTo(received);
        assertThat(after.value("odin_delivery_queue_records{sender=\"otlp-export\"}")).isEqualTo(0.0);
    }

    private static String label(String seriesKey, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[{,]" + name + "=\"([^\"]*)\"").matcher(seriesKey);
        return m.find() ? m.group(1) : null;
    }

    private static List<String> eventLines(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return lines;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        return lines;
    }
}
