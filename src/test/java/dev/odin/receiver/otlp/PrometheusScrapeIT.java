package dev.odin.receiver.otlp;

import static dev.odin.testing.Otlp.CUMULATIVE;
import static dev.odin.testing.Otlp.DELTA;
import static dev.odin.testing.Otlp.attrs;
import static dev.odin.testing.Otlp.expHistogram;
import static dev.odin.testing.Otlp.expPoint;
import static dev.odin.testing.Otlp.gauge;
import static dev.odin.testing.Otlp.histogram;
import static dev.odin.testing.Otlp.histogramPoint;
import static dev.odin.testing.Otlp.point;
import static dev.odin.testing.Otlp.request;
import static dev.odin.testing.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.odin.testing.Await;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.PrometheusServer;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A real Prometheus scrapes ODIN every second and answers PromQL. The headline check: twenty
 * short Claude Code sessions, each sending one delta of cost under its own session.id, add up to
 * the true spend in increase(), which the Collector path undercounts because each session's
 * series is born holding its value.
 */
@TestPropertySource(properties = {"odin.metrics.series-expiry=1h", "odin.metrics.zero-first=true",
    "odin.metrics.zero-first-window=3s"})
class PrometheusScrapeIT extends OdinIntegrationTest {

    private static final List<KeyValue> CLAUDE = attrs("service.name", "claude-code", "service.version", "2.1.330");
    private static final InstrumentationScope SCOPE = InstrumentationScope.newBuilder()
            .setName("com.anthropic.claude_code").setVersion("2.1.330").build();

    @Test
    void promqlSeesEveryCentOfShortSessions() throws Exception {
        Path binary = ExternalTool.require("prometheus", "prometheus");
        try (PrometheusServer prometheus = new PrometheusServer(binary, "127.0.0.1:" + managementPort, "/metrics",
                "native-histograms")) {
            prometheus.awaitTargetUp(Duration.ofSeconds(60));

            BigDecimal total = BigDecimal.ZERO;
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < 20; i++) {
                double cost = 0.05 + i * 0.0375; // 0.05 .. 0.7625 USD
                total = total.add(BigDecimal.valueOf(cost));
                List<KeyValue> point = attrs("session.id", "session-" + i, "model", "claude-sonnet-4-5",
                        "user.id", "u-1", "machine.name", "prom-it");
                assertThat(post("/v1/metrics", "application/x-protobuf", request(CLAUDE, SCOPE,
                        sum("claude_code.cost.usage", "USD", true, DELTA, point(point, now - 1_000_000_000L, now, cost)))
                        .toByteArray()).statusCode()).isEqualTo(200);
                Thread.sleep(250); // sessions trickle in, as they do
            }
            // a cumulative counter, a gauge, an explicit and an exponential histogram beside them
            assertThat(post("/v1/metrics", "application/x-protobuf", request(attrs("service.name", "api"),
                    sum("http.requests", "{request}", true, CUMULATIVE, point(attrs("code", "200"), now - 60_000_000_000L, now, 1234)),
                    gauge("system.cpu.utilization", "1", point(attrs("cpu", "0"), 0, now, 0.375)),
                    histogram("http.server.request.duration", "s", CUMULATIVE,
                            histogramPoint(attrs(), now - 60_000_000_000L, now, 12.5, new double[] {0.1, 1}, 10, 20, 5)),
                    expHistogram("payload.size", "By", CUMULATIVE,
                            expPoint(attrs(), now - 60_000_000_000L, now, 2, 1, 900, 10, 3, 4))).toByteArray())
                    .statusCode()).isEqualTo(200);

            // later, once a scrape shows every session past its zero-first window (not a fixed minute:
            // increase() over the zero-born series is exact whenever that is), evaluated at that
            // newest scrape so the window's end is a sample
            double expected = total.doubleValue();
            double[] newest = new double[1];
            Await.until("a scrape with all 20 sessions' costs", Duration.ofSeconds(90), () -> {
                newest[0] = prometheus.value("timestamp(up{job=\"odin\"})", null);
                Double sum = prometheus.value("sum(claude_code_cost_usage_USD_total)", newest[0]);
                return sum != null && Math.abs(sum - expected) <= 1e-9;
            });
            double at = newest[0];
            double increase = prometheus.value("sum(increase(claude_code_cost_usage_USD_total[5m]))", at);
            assertThat(increase).isCloseTo(total.doubleValue(), within(total.doubleValue() * 0.02));
            assertThat(prometheus.value("count(claude_code_cost_usage_USD_total)", at)).isEqualTo(20.0);
            assertThat(prometheus.value("sum(claude_code_cost_usage_USD_total)", at))
                    .isCloseTo(total.doubleValue(), within(1e-9));
            assertThat(prometheus.value("claude_code_cost_usage_USD_total{session_id=\"session-3\","
                    + "job=\"claude-code\",otel_scope_name=\"com.anthropic.claude_code\",machine_name=\"prom-it\"}", at))
                    .isEqualTo(0.05 + 3 * 0.0375); // exactly the double that was sent

            assertThat(prometheus.value("http_requests_total{job=\"api\",code=\"200\"}", at)).isEqualTo(1234.0);
            assertThat(prometheus.value("system_cpu_utilization_ratio{job=\"api\",cpu=\"0\"}", at)).isEqualTo(0.375);
            assertThat(prometheus.value("http_server_request_duration_seconds_bucket{job=\"api\",le=\"1.0\"}", at))
                    .isEqualTo(30.0);
            assertThat(prometheus.value("http_server_request_duration_seconds_count{job=\"api\"}", at)).isEqualTo(35.0);
            assertThat(prometheus.value("histogram_count(payload_size_bytes{job=\"api\"})", at)).isEqualTo(8.0);
            assertThat(prometheus.value("histogram_sum(payload_size_bytes{job=\"api\"})", at)).isEqualTo(900.0);
            assertThat(prometheus.value("target_info{job=\"claude-code\",service_version=\"2.1.330\"}", at)).isEqualTo(1.0);
            assertThat(prometheus.value("odin_otlp_requests_total{signal=\"metrics\",transport=\"http\",outcome=\"ok\"}", at))
                    .isEqualTo(21.0);
        }
    }
}
