package dev.odin.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.OdinProcess;
import dev.odin.testing.Otlp;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A full export queue (the endpoint is down, drop-oldest-when-full off, the default) refuses the
 * request with 503 + Retry-After before the translation: what the client is told to send again
 * counts in no series, so its retry counts each delta once.
 */
class OtlpExportQueueFullIT extends OdinIntegrationTest {

    @DynamicPropertySource
    static void tinyQueueToNowhere(DynamicPropertyRegistry r) {
        int closed;
        try {
            closed = OdinProcess.freePort(); // nothing listens there
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        r.add("odin.otlp-export.endpoint", () -> "http://127.0.0.1:" + closed);
        r.add("odin.otlp-export.queue-max-size", () -> "4KB");
    }

    private String health() throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort
                + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private com.fasterxml.jackson.databind.JsonNode export() throws Exception {
        com.fasterxml.jackson.databind.JsonNode h = new com.fasterxml.jackson.databind.ObjectMapper().readTree(health());
        assertThat(h.path("components").has("otlpExport")).as(h.toString()).isTrue();
        return h.path("components").path("otlpExport");
    }

    @Test
    void aFullQueueAnswers503AndTheRefusedRequestCountsNowhere() throws Exception {
        int accepted = 0;
        HttpResponse<byte[]> refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            ExportMetricsServiceRequest r = Otlp.request(Otlp.attrs("service.name", "queue-full-it",
                    "padding", "x".repeat(300)), Otlp.sum("full.queue.requests", "", true, Otlp.DELTA,
                    Otlp.point(Otlp.attrs(), Otlp.T0 + i * Otlp.SECOND, Otlp.T0 + (i + 1) * Otlp.SECOND, 1)));
            HttpResponse<byte[]> answer = post("/v1/metrics", "application/x-protobuf", r.toByteArray());
            if (answer.statusCode() == 200) {
                accepted++;
            } else {
                refused = answer;
            }
        }
        assertThat(refused).as("a refusal within 100 requests of a 4KB queue").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(accepted).isPositive();
        var series = scrape().metric("full_queue_requests_total");
        assertThat(series).hasSize(1);
        assertThat(Double.valueOf(series.values().iterator().next())).isEqualTo(accepted);

        // the endpoint is down: /health shows the export DEGRADED, with its backlog and last error
        dev.odin.testing.Await.until("otlpExport DEGRADED in /health", java.time.Duration.ofSeconds(30),
                () -> "DEGRADED".equals(export().path("status").asText()));
        com.fasterxml.jackson.databind.JsonNode details = export().path("details");
        assertThat(details.path("queuedItems").asLong()).as(details.toString()).isEqualTo(accepted);
        assertThat(details.path("lastErrors").toString()).contains("no answer from");
    }
}
