package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.LargeOtlpJson;
import dev.odin.testing.OdinProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, finding 4 (JSON): one sender of a 7 MB OTLP/JSON request exhausted the gateway's 256 MB
 * heap. Here two senders post a valid 7 MB request again and again to ODIN run with the shipped
 * JVM settings: every answer is 200 (or a retryable 503), the process lives, /metrics answers.
 */
class LargeJsonRequestsIT {

    private static final int SENDERS = 2;
    private static final int REQUESTS_EACH = 5;

    @Test
    void twoSendersOfSevenMegabyteJsonRequestsDoNotExhaustTheHeap() throws Exception {
        byte[] body = LargeOtlpJson.jsonOfAbout(7L * 1024 * 1024);
        assertThat(body.length).isBetween(6_500_000, 8 * 1024 * 1024); // under the 8 MB wire limit
        Path data = Path.of("target", "test-data", "large-json-" + UUID.randomUUID());
        try (OdinProcess odin = OdinProcess.start(data,
                List.of("-XX:+UseParallelGC", "-Xms64m", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError"))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            Thread[] senders = new Thread[SENDERS];
            for (int s = 0; s < SENDERS; s++) {
                senders[s] = new Thread(() -> {
                    for (int i = 0; i < REQUESTS_EACH; i++) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + odin.httpPort + "/v1/metrics"))
                                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            answers.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
                            boolean retryable = r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent();
                            if (r.statusCode() != 200 && !retryable) {
                                wrong.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            wrong.add(e.toString());
                        }
                    }
                }, "json-sender-" + s);
                senders[s].start();
            }
            for (Thread t : senders) {
                t.join(Duration.ofMinutes(3).toMillis());
            }
            assertThat(wrong).as("answers other than 200 or a retryable 503").isEmpty();
            assertThat(answers.get(200)).as("answers: %s", answers).isNotNull();
            assertThat(odin.alive()).isTrue();
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + odin.managementPort + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).header("Accept", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("claude_code_token_usage")
                    .contains("odin_otlp_requests_total{outcome=\"ok\",signal=\"metrics\",transport=\"http\"}");
            assertThat(odin.output()).doesNotContain("OutOfMemoryError");
            System.out.println("answers " + answers + ", peak RSS " + odin.peakRssBytes() / 1048576 + " MB");
        }
    }
}
