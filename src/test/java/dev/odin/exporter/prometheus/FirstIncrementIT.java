package dev.odin.exporter.prometheus;

import static dev.odin.testing.Otlp.DELTA;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.odin.testing.Exposition;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.PrometheusServer;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The first increment survives other readers: while a real Prometheus scrapes ODIN every second,
 * a second Prometheus (an HA pair) scrapes beside it and a curl-like loop reads /metrics every
 * 100 ms, plain and filtered. Twenty one-delta sessions must still add up in increase() in both
 * Prometheus servers, because a new series is held at 0 for a time, not for one scrape.
 */
@TestPropertySource(properties = {"odin.metrics.series-expiry=1h", "odin.metrics.zero-first=true",
    "odin.metrics.zero-first-window=3s"})
class FirstIncrementIT extends OdinIntegrationTest {

    private static final String NAME = "claude_code_cost_usage_USD_total";
    private static final String SELECTOR = NAME + "{machine_name=\"first-increment-it\"}";

    @Test
    void increaseSeesEveryFirstIncrementWithOtherScrapersBeside() throws Exception {
        Path binary = ExternalTool.require("prometheus", "prometheus");
        String target = "127.0.0.1:" + managementPort;
        try (PrometheusServer first = new PrometheusServer(binary, target, "/metrics");
                PrometheusServer second = new PrometheusServer(binary, target, "/metrics")) {
            first.awaitTargetUp(Duration.ofSeconds(60));
            second.awaitTargetUp(Duration.ofSeconds(60));

            // the curl loop: what it saw of each session (0 first, then the value)
            Map<String, Set<String>> seen = new ConcurrentHashMap<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger loops = new AtomicInteger();
            Thread curl = new Thread(() -> curlLoop(running, loops, seen), "curl-loop");
            curl.setDaemon(true);
            curl.start();

            BigDecimal total = BigDecimal.ZERO;
            try {
                long now = System.currentTimeMillis() * 1_000_000L;
                for (int i = 0; i < 20; i++) {
                    double cost = 0.05 + i * 0.0375;
                    total = total.add(BigDecimal.valueOf(cost));
                    List<KeyValue> p = attrs("session.id", "first-" + i, "model", "claude-sonnet-4-5",
                            "machine.name", "first-increment-it");
                    assertThat(post("/v1/metrics", "application/x-protobuf", request(attrs("service.name",
                            "claude-code"), sum("claude_code.cost.usage", "USD", true, DELTA,
                            point(p, now - 1_000_000_000L, now, cost))).toByteArray()).statusCode()).isEqualTo(200);
                    Thread.sleep(250);
                }
                // until both have scraped every session's value (the window is 3 s)
                awaitAllValues(first);
                awaitAllValues(second);
            } finally {
                running.set(false);
                curl.join(5_000);
            }

            for (PrometheusServer prometheus : List.of(first, second)) {
                double at = prometheus.value("timestamp(up{job=\"odin\"})", null);
                double increase = prometheus.value("sum(increase(" + SELECTOR + "[2m]))", at);
                assertThat(increase).as("increase() with other scrapers beside")
                        .isCloseTo(total.doubleValue(), within(total.doubleValue() * 0.02));
            }
            // the loop really competed: it read every session at 0 and later at its value
            assertThat(loops.get()).isGreaterThan(50);
            assertThat(seen).hasSize(20);
            seen.forEach((session, values) -> assertThat(values).as(session).contains("0.0").hasSizeGreaterThan(1));
        }
    }

    private static void awaitAllValues(PrometheusServer prometheus) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Double n = prometheus.value("count(" + SELECTOR + " > 0)", null);
            if (n != null && n == 20.0) {
                // one scrape more, so that the evaluation time is a scrape after all of them
                Thread.sleep(1_500);
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never saw all 20 values: " + prometheus.log());
    }

    private void curlLoop(AtomicBoolean running, AtomicInteger loops, Map<String, Set<String>> seen) {
        String base = "http://127.0.0.1:" + managementPort + "/metrics";
        while (running.get()) {
            String url = loops.get() % 2 == 0 ? base : base + "?includedNames=" + NAME;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10)).header("Accept", "text/plain").build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    new Exposition(r.body()).metric(NAME).forEach((k, v) -> {
                        int at = k.indexOf("session_id=\"first-");
                        if (at >= 0 && k.contains("machine_name=\"first-increment-it\"")) {
                            String session = k.substring(at + 12, k.indexOf('"', at + 12));
                            seen.computeIfAbsent(session, s -> ConcurrentHashMap.newKeySet()).add(v);
                        }
                    });
                }
                loops.incrementAndGet();
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // a failed read is no competitor; keep looping
            }
        }
    }
}
