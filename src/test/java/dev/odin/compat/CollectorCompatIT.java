package dev.odin.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.OdinProcess;
import dev.odin.testing.TokensFile;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The seed's verification checklist, ODIN's half: with odin.collector-compat.enabled, the
 * Collector's ports answer as the Collector's did (:13133/ the health_check extension's JSON,
 * :8889/metrics the exposition with the Claude Code series of the captured sessions), nothing
 * else is served there, and the management port is as it was. A tokens file is set: the data
 * still needs its token, the read-only compat ports are as open as the management port.
 */
class CollectorCompatIT extends OdinIntegrationTest {

    static final String TOKEN = "compat-token-0123456789abcdef";
    private static final Path TOKENS = TokensFile.create("# tokens for CollectorCompatIT", TOKEN + " team-a");
    static final int METRICS_PORT;
    static final int HEALTH_PORT;

    static {
        try {
            METRICS_PORT = OdinProcess.freePort();
            HEALTH_PORT = OdinProcess.freePort();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The extension's body while ready: upSince in Go's RFC 3339 with nanoseconds, uptime a Go duration. */
    static final Pattern AVAILABLE = Pattern.compile("\\{\"status\":\"Server available\",\"upSince\":\""
            + "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d*[1-9])?(?:Z|[+-]\\d\\d:\\d\\d))\",\"uptime\":\""
            + "((?:\\d+h)?(?:\\d+m)?\\d+(?:\\.\\d*[1-9])?(?:s|ms|µs|ns))\"}");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.auth.tokens-file", TOKENS::toString);
        registry.add("odin.collector-compat.enabled", () -> "true");
        registry.add("odin.collector-compat.metrics-port", () -> METRICS_PORT);
        registry.add("odin.collector-compat.health-port", () -> HEALTH_PORT);
    }

    @AfterAll
    static void stop() throws Exception {
        Files.deleteIfExists(TOKENS);
    }

    @Autowired
    ApplicationContext context;

    private HttpResponse<String> get(int port, String path) throws Exception {
        return send(port, path, "GET", null);
    }

    private HttpResponse<String> send(int port, String path, String method, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void theHealthPortAnswersAsTheHealthCheckExtension() throws Exception {
        HttpResponse<String> r = get(HEALTH_PORT, "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().allValues("Content-Type")).containsExactly("application/json");
        Matcher m = AVAILABLE.matcher(r.body());
        assertThat(m.matches()).as(r.body()).isTrue();
        Instant upSince = OffsetDateTime.parse(m.group(1)).toInstant();
        assertThat(upSince).isBefore(Instant.now().plusSeconds(1));
        // the extension's handler is mounted on "/", which Go's ServeMux matches for every path
        for (String path : new String[] {"/health", "/metrics", "/v1/metrics", "/?verbose"}) {
            HttpResponse<String> other = get(HEALTH_PORT, path);
            assertThat(other.statusCode()).as(path).isEqualTo(200);
            assertThat(AVAILABLE.matcher(other.body()).matches()).as(path + " " + other.body()).isTrue();
        }
        HttpResponse<String> head = send(HEALTH_PORT, "/", "HEAD", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS"}) {
            HttpResponse<String> no = send(HEALTH_PORT, "/", method, null);
            assertThat(no.statusCode()).as(method).isEqualTo(405);
            assertThat(no.headers().firstValue("Allow")).as(method).hasValue("GET, HEAD");
        }
    }

    /** The compat ports run on the management connector's threads: no pool of their own. */
    @Test
    void theCompatPortsAddNoThreadPool() throws Exception {
        assertThat(get(HEALTH_PORT, "/").statusCode()).isEqualTo(200);
        assertThat(get(METRICS_PORT, "/metrics").statusCode()).isEqualTo(200);
        java.util.List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        // Tomcat names a connector's own pool http-nio-<address>-<port or auto-N>-exec-<n>
        assertThat(names).anyMatch(n -> n.startsWith("http-nio-") && n.contains("-exec-"));
        assertThat(names).noneMatch(n -> n.contains("-" + HEALTH_PORT + "-exec-") || n.contains("-" + METRICS_PORT + "-exec-"));
    }

    @Test
    void theHealthPortSaysNotAvailableWhileOdinIsNotReady() throws Exception {
        Instant before = Instant.now();
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        try {
            assertThat(get(managementPort, "/ready").statusCode()).isEqualTo(503);
            HttpResponse<String> r = get(HEALTH_PORT, "/");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().allValues("Content-Type")).containsExactly("application/json");
            assertThat(r.body()).isEqualTo(
                    "{\"status\":\"Server not available\",\"upSince\":\"0001-01-01T00:00:00Z\",\"uptime\":\"\"}");
        } finally {
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
        }
        HttpResponse<String> again = get(HEALTH_PORT, "/");
        assertThat(again.statusCode()).isEqualTo(200);
        Matcher m = AVAILABLE.matcher(again.body());
        assertThat(m.matches()).as(again.body()).isTrue();
        // ready again: upSince starts over, as the extension's does
        assertThat(OffsetDateTime.parse(m.group(1)).toInstant()).isAfterOrEqualTo(before.minusMillis(1));
    }

    @Test
    void theMetricsPortServesTheExpositionAndNothingElse() throws Exception {
        HttpResponse<String> compat = send(METRICS_PORT, "/metrics", "GET", "text/plain");
        HttpResponse<String> management = send(managementPort, "/metrics", "GET", "text/plain");
        assertThat(compat.statusCode()).isEqualTo(200);
        assertThat(compat.headers().firstValue("Content-Type")).isEqualTo(management.headers().firstValue("Content-Type"));
        assertThat(new Exposition(compat.body()).samples().keySet()).contains("odin_scrape_in_flight");
        HttpResponse<String> open = send(METRICS_PORT, "/metrics", "GET",
                "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(open.headers().firstValue("Content-Type")).hasValue(
                "application/openmetrics-text;version=1.0.0;charset=utf-8");
        assertThat(open.body()).endsWith("# EOF\n");
        for (String path : new String[] {"/", "/health", "/ready", "/usage", "/api/usage", "/metrics/", "/metrics;x",
                "/v1/metrics", "/alertmanager/webhook", "/error"}) {
            HttpResponse<String> r = get(METRICS_PORT, path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).isEqualTo("404 page not found\n");
        }
        // the management port is unaffected
        assertThat(get(managementPort, "/health").statusCode()).isEqualTo(200);
        assertThat(get(managementPort, "/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void aBodySentToACompatPortIsNotReadAndTheConnectionCloses() throws Exception {
        try (Socket s = new Socket("127.0.0.1", HEALTH_PORT)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 405");
        }
    }

    @Test
    void theCapturedSessionsShowOnTheCompatPortAsTheCollectorShowedThem() throws Exception {
        String token = "Bearer " + TOKEN;
        // the data path keeps its credentials
        assertThat(post("/v1/metrics", "application/json", fixture("claude-code/http-json-chat/v1_metrics_0002.json"))
                .statusCode()).isEqualTo(401);
        for (String f : new String[] {"v1_metrics_0002", "v1_metrics_0006"}) {
            assertThat(post("/v1/metrics", "application/json", fixture("claude-code/http-json-chat/" + f + ".json"),
                    "Authorization", token).statusCode()).as(f).isEqualTo(200);
        }
        for (String f : new String[] {"v1_metrics_0005"}) {
            assertThat(post("/v1/metrics", "application/x-protobuf", fixture("claude-code/http-protobuf-tool/" + f + ".pb"),
                    "Authorization", token).statusCode()).as(f).isEqualTo(200);
        }
        Exposition e = new Exposition(send(METRICS_PORT, "/metrics", "GET", "text/plain").body());
        // the sums over the two sessions, per metric, as a migrating user's saved queries take them
        assertThat(sum(e, "claude_code_cost_usage_USD_total")).isEqualTo(0.006554999999999999 + 0.011009999999999999);
        assertThat(sum(e, "claude_code_token_usage_tokens_total")).isEqualTo(1200 + 42 + 4000 + 300 + 2100 + 119 + 6000 + 300.0);
        assertThat(sum(e, "claude_code_session_count_total")).isEqualTo(2.0);
        assertThat(sum(e, "claude_code_active_time_seconds_total")).isEqualTo(2.549 + 0.647);
        CollectorSeries.assertCollectorLines(e.text());
    }

    /** The seed's ServiceMonitor, as a real Prometheus: it scrapes :8889/metrics and sums the sessions. */
    @Test
    void aPrometheusScrapingTheCompatPortSeesTheSessions() throws Exception {
        java.nio.file.Path binary = dev.odin.testing.ExternalTool.require("prometheus", "prometheus");
        String token = "Bearer " + TOKEN;
        for (String f : new String[] {"v1_metrics_0002", "v1_metrics_0006"}) {
            assertThat(post("/v1/metrics", "application/json", fixture("claude-code/http-json-chat/" + f + ".json"),
                    "Authorization", token).statusCode()).as(f).isEqualTo(200);
        }
        assertThat(post("/v1/metrics", "application/x-protobuf", fixture("claude-code/http-protobuf-tool/v1_metrics_0005.pb"),
                "Authorization", token).statusCode()).isEqualTo(200);
        try (dev.odin.testing.PrometheusServer prometheus = new dev.odin.testing.PrometheusServer(binary,
                "127.0.0.1:" + METRICS_PORT, "/metrics")) {
            prometheus.awaitTargetUp(Duration.ofSeconds(60));
            String sessions = "{session_id=~\"d683e3b7-f07d-4de5-95be-5a01c109ef6d|cb784d3c-2d6b-4fc1-9054-bceac8da47ff\"}";
            Double count = null;
            for (int i = 0; i < 60 && count == null; i++) {
                count = prometheus.value("sum(claude_code_session_count_total" + sessions + ")", null);
                if (count == null) {
                    Thread.sleep(500);
                }
            }
            assertThat(count).as(prometheus.log()).isEqualTo(2.0);
            assertThat(prometheus.value("sum(claude_code_token_usage_tokens_total" + sessions + ")", null))
                    .isEqualTo(14061.0);
            assertThat(prometheus.value("count(target_info{job=\"claude-code\",machine_name=~\"testbox|laptop-b\"})",
                    null)).isEqualTo(2.0);
        }
    }

    /** The sum of a metric's samples of the two captured sessions. */
    private static double sum(Exposition e, String name) {
        return e.metric(name).entrySet().stream()
                .filter(s -> s.getKey().contains("d683e3b7-f07d-4de5-95be-5a01c109ef6d")
                        || s.getKey().contains("cb784d3c-2d6b-4fc1-9054-bceac8da47ff"))
                .map(s -> Double.valueOf(s.getValue())).reduce(0.0, Double::sum); // as PromQL's sum adds
    }
}
