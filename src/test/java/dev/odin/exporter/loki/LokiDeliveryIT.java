package dev.odin.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.Otlp;
import dev.odin.testing.StandInLoki;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.odin.config.OdinProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Events through ODIN to a stand-in Loki that decodes the real wire format (snappy + push.proto):
 * the mapping of the captured Claude Code session, the OpenTelemetry SDK's log exporters, and
 * delivery through every kind of failure with nothing lost and order kept.
 */
class LokiDeliveryIT extends OdinIntegrationTest {

    private static final StandInLoki LOKI = StandInLoki.open();


    @DynamicPropertySource
    static void loki(DynamicPropertyRegistry registry) {
        registry.add("odin.loki.url", LOKI::url);
        registry.add("odin.loki.tenant", () -> "team-a");
        registry.add("odin.loki.batch-wait", () -> "200ms");
        registry.add("odin.loki.min-backoff", () -> "100ms");
        registry.add("odin.loki.max-backoff", () -> "2s");
    }

    @AfterAll
    static void stopLoki() {
        LOKI.close();
    }

    @Autowired
    private OdinProperties properties;

    @BeforeEach
    void healthy() {
        LOKI.healthy();
    }

    private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static List<StandInLoki.Entry> stream(String selector) {
        return LOKI.streams().getOrDefault(selector, List.of());
    }

    @Test
    void theCapturedSessionArrivesAsLokiStoredIt() throws Exception {
        for (String f : new String[] {"v1_logs_0001", "v1_logs_0004", "v1_logs_0005"}) {
            assertThat(post("/v1/logs", "application/json", fixture("claude-code/http-json-chat/" + f + ".json"))
                    .statusCode()).isEqualTo(200);
        }
        await("the session's 6 distinct events", Duration.ofSeconds(20),
                () -> stream("{service_name=\"claude-code\"}").size() >= 6);
        List<StandInLoki.Entry> stored = stream("{service_name=\"claude-code\"}");
        JsonNode expected = new ObjectMapper().readTree(FIXTURES.resolve("loki/http-json-chat.expected-query.json")
                .toFile()).get("data").get("result").get(0).get("values");
        assertThat(stored).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode v = expected.get(i);
            assertThat(Long.toString(stored.get(i).timestampNanos())).isEqualTo(v.get(0).asText());
            assertThat(stored.get(i).line()).isEqualTo(v.get(1).asText());
            Map<String, String> md = new TreeMap<>();
            v.get(2).get("structuredMetadata").fields().forEachRemaining(x -> md.put(x.getKey(), x.getValue().asText()));
            md.remove("detected_level");
            // what Loki stored, less the prompt attributes ODIN's default privacy rules drop
            md.remove("prompt");
            md.remove("prompt_text");
            assertThat(new TreeMap<>(stored.get(i).metadata())).isEqualTo(md);
        }
        assertThat(LOKI.tenants()).contains("team-a");
    }

    @Test
    void sdkLogExportersOverGrpcAndHttp() throws Exception {
        for (String transport : new String[] {"grpc", "http"}) {
            LogRecordExporter exporter = transport.equals("grpc")
                    ? OtlpGrpcLogRecordExporter.builder().setEndpoint(grpcEndpoint()).build()
                    : OtlpHttpLogRecordExporter.builder().setEndpoint(otlpHttp("/v1/logs")).build();
            SdkLoggerProvider provider = SdkLoggerProvider.builder()
                    .setResource(io.opentelemetry.sdk.resources.Resource.create(Attributes.of(
                            AttributeKey.stringKey("service.name"), "sdk-" + transport,
                            AttributeKey.stringKey("k8s.namespace.name"), "dev")))
                    .addLogRecordProcessor(SimpleLogRecordProcessor.create(exporter)).build();
            Logger logger = provider.get("odin.sdk.test");
            for (int i = 0; i < 5; i++) {
                logger.logRecordBuilder().setBody("claude_code.tool_result").setSeverity(Severity.INFO)
                        .setSeverityText("INFO").setTimestamp(1_795_358_500_000_000_000L + i, TimeUnit.NANOSECONDS)
                        .setAttribute(AttributeKey.stringKey("event.name"), "tool_result")
                        .setAttribute(AttributeKey.longKey("duration_ms"), 190L + i)
                        .setAttribute(AttributeKey.booleanKey("success"), true).emit();
            }
            assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            provider.shutdown().join(10, TimeUnit.SECONDS);
            String selector = "{k8s_namespace_name=\"dev\", service_name=\"sdk-" + transport + "\"}";
            await(transport + " records", Duration.ofSeconds(20), () -> stream(selector).size() >= 5);
            // SimpleLogRecordProcessor exports each record on its own, so requests may overtake each other
            StandInLoki.Entry first = stream(selector).stream()
                    .filter(x -> x.timestampNanos() == 1_795_358_500_000_000_000L).findFirst().orElseThrow();
            assertThat(first.line()).isEqualTo("claude_code.tool_result");
            assertThat(first.timestampNanos()).isEqualTo(1_795_358_500_000_000_000L);
            assertThat(first.metadata()).containsEntry("event_name", "tool_result").containsEntry("duration_ms", "190")
                    .containsEntry("success", "true").containsEntry("severity_number", "9")
                    .containsEntry("severity_text", "INFO").containsEntry("scope_name", "odin.sdk.test");
        }
    }

    private ExportLogsServiceRequest events(String service, int from, int n, String marker) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = from; i < from + n; i++) {
            sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_795_360_000_000_000_000L + i * 1000L)
                    .setBody(Otlp.value((marker != null && i % 5 == 0 ? marker + " " : "") + "event " + i))
                    .addAllAttributes(Otlp.attrs("event.name", "api_request", "seq", (long) i)));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(Otlp.attrs("service.name", service)))
                .addScopeLogs(sl)).build();
    }

    private void send(String service, int from, int n, String marker) throws Exception {
        HttpResponse<byte[]> r = post("/v1/logs", "application/x-protobuf", events(service, from, n, marker).toByteArray());
        assertThat(r.statusCode()).isEqualTo(200); // acknowledged once on disk, whatever Loki does
    }

    private String health() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void nothingIsLostThroughLokiFailures() throws Exception {
        String service = "faults";
        int sent = 0;
        // 429 with Retry-After for the next pushes
        int[] tooMany = {3};
        LOKI.answer(() -> tooMany[0]-- > 0 ? 429 : 204, "1");
        for (int i = 0; i < 10; i++, sent += 10) {
            send(service, sent, 10, null);
        }
        await("three 429s, then delivery", Duration.ofSeconds(30), () -> stream("{service_name=\"faults\"}").size() >= 100);
        assertThat(tooMany[0]).isNegative();
        // 500 until /health and /ready have shown it, then for 10 s more: five times max-backoff, so the
        // retries run at their cap for a while (a fixed minute only repeated that 30 times)
        AtomicBoolean failing = new AtomicBoolean(true);
        LOKI.answer(() -> failing.get() ? 500 : 204, null);
        for (int i = 0; i < 10; i++, sent += 10) {
            send(service, sent, 10, null);
        }
        await("DEGRADED in /health", Duration.ofSeconds(10), () -> {
            try {
                return health().contains("\"DEGRADED\"");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(health()).contains("lastErrors").contains("Loki 500");
        String ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(ready).contains("\"status\":\"READY\"").contains("\"lokiRetrying\":true").contains("\"records\":");
        Thread.sleep(10_000);
        failing.set(false);
        // connection refused
        LOKI.stop();
        for (int i = 0; i < 10; i++, sent += 10) {
            send(service, sent, 10, null);
        }
        Thread.sleep(3000);
        LOKI.reopen();
        // slow answers
        LOKI.delay(1500);
        for (int i = 0; i < 10; i++, sent += 10) {
            send(service, sent, 10, null);
        }
        await("slow batches", Duration.ofSeconds(60), () -> stream("{service_name=\"faults\"}").size() >= 400);
        LOKI.delay(0);
        // a 400 naming bad entries: Loki keeps the good ones, ODIN dead-letters the batch
        LOKI.rejectOnce("BAD");
        send(service, sent, 10, "BAD");
        sent += 10;
        send(service, sent, 10, null);
        sent += 10;
        int expectedStored = sent - 2; // two lines carried the marker
        await("every good record", Duration.ofSeconds(60), () -> stream("{service_name=\"faults\"}").size() >= expectedStored);

        List<StandInLoki.Entry> stored = stream("{service_name=\"faults\"}");
        assertThat(stored).hasSize(expectedStored);
        List<Long> seqs = new ArrayList<>();
        for (StandInLoki.Entry e : stored) {
            seqs.add(Long.valueOf(e.metadata().get("seq")));
        }
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("order at %d", i).isGreaterThan(seqs.get(i - 1));
        }
        assertThat(LOKI.entriesReceived()).isGreaterThanOrEqualTo(expectedStored);
        Path deadLetter = Path.of(properties.getDataDir(), "loki-dead-letter.jsonl");
        // the stand-in stores the good entries before it answers 400: the dead letter comes just after
        await("the dead-letter file", Duration.ofSeconds(20), () -> {
            try {
                return Files.exists(deadLetter) && Files.readAllLines(deadLetter).size() >= 10;
            } catch (IOException e) {
                return false;
            }
        });
        List<String> dead = Files.readAllLines(deadLetter);
        // the refused batch, whole (it may hold the next request too): the bad entries are not lost
        assertThat(dead).hasSizeBetween(10, 20).allMatch(l -> l.contains("\"status\":\"400\""))
                .filteredOn(l -> l.contains("\"line\":\"BAD event ")).hasSize(2);

        await("the queue emptied", Duration.ofSeconds(20), () -> {
            try {
                Exposition x = scrape();
                return Double.valueOf(0.0).equals(x.value("odin_loki_queue_records"))
                        && Double.valueOf(1.0).equals(x.value("odin_loki_batches_failed_total{status=\"400\"}"));
            } catch (Exception ex) {
                return false;
            }
        });
        Exposition e = scrape();
        assertThat(e.value("odin_loki_batches_retried_total{status=\"429\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(e.value("odin_loki_batches_retried_total{status=\"500\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(e.value("odin_loki_batches_retried_total{status=\"connection\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(e.value("odin_loki_batches_failed_total{status=\"400\"}")).isEqualTo(1.0);
        assertThat(e.value("odin_loki_queue_records")).isEqualTo(0.0);
        assertThat(health()).doesNotContain("\"DEGRADED\"");
    }
}
