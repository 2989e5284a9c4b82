package dev.odin.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.OdinIntegrationTest;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Debian's Alertmanager 0.25, configured with the example in alerting/alertmanager/ (only the
 * URL, the password file and the timings changed), sends its real webhooks to ODIN: an alert
 * posted to its API arrives firing and then resolved, is counted, and reaches the channel once
 * each time.
 */
class RealAlertmanagerIT extends OdinIntegrationTest {

    static final Path EXAMPLE = Path.of("alerting", "alertmanager", "alertmanager.yml");
    static final HttpStandIn CHANNEL = HttpStandIn.start();


    @DynamicPropertySource
    static void webhook(DynamicPropertyRegistry r) {
        r.add("odin.alerting.webhook.username", () -> "alertmanager");
        r.add("odin.alerting.webhook.password", () -> "from-the-file");
        r.add("odin.alerting.delivery-interval", () -> "100ms");
        r.add("odin.alerting.channels[0].name", () -> "team");
        r.add("odin.alerting.channels[0].type", () -> "WEBHOOK");
        r.add("odin.alerting.channels[0].url", () -> CHANNEL.url("/team"));
    }

    @AfterAll
    static void stop() {
        CHANNEL.close();
    }

    @Test
    void theExampleConfigurationIsValid() throws Exception {
        Path amtool = ExternalTool.require("amtool", "prometheus-alertmanager");
        Process p = new ProcessBuilder(amtool.toString(), "check-config", EXAMPLE.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void realWebhooksArriveFiringThenResolved() throws Exception {
        Path alertmanager = ExternalTool.require("prometheus-alertmanager", "prometheus-alertmanager");
        Path dir = Files.createTempDirectory("alertmanager");
        Path password = Files.writeString(dir.resolve("password"), "from-the-file\n");
        String config = Files.readString(EXAMPLE)
                .replace("http://odin:4318/alertmanager/webhook", otlpHttp("/alertmanager/webhook"))
                .replace("/etc/alertmanager/secrets/odin-webhook-password", password.toString())
                .replace("group_wait: 30s", "group_wait: 1s").replace("group_interval: 5m", "group_interval: 1s");
        Path configFile = Files.writeString(dir.resolve("alertmanager.yml"), config);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("alertmanager.log");
        Process am = new ProcessBuilder(alertmanager.toString(), "--config.file=" + configFile,
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String api = "http://127.0.0.1:" + port + "/api/v2/alerts";
            String startsAt = Instant.now().toString();
            String labels = "{\"alertname\":\"ClaudeCodeDown\",\"severity\":\"critical\",\"instance\":\"laptop\"}";
            postAlert(api, labels, startsAt, Instant.now().plus(Duration.ofHours(1)).toString(), am, log);

            HttpStandIn.Request firing = CHANNEL.next(Duration.ofSeconds(30));
            assertThat(firing).as("the firing notification, through Alertmanager").isNotNull();
            assertThat(new ObjectMapper().readTree(firing.body()).get("title").asText())
                    .isEqualTo("[FIRING:1] ClaudeCodeDown (critical)");

            postAlert(api, labels, startsAt, Instant.now().minusSeconds(1).toString(), am, log);
            HttpStandIn.Request resolved = CHANNEL.next(Duration.ofSeconds(30));
            assertThat(resolved).as("the resolved notification").isNotNull();
            assertThat(new ObjectMapper().readTree(resolved.body()).get("title").asText())
                    .isEqualTo("[RESOLVED] ClaudeCodeDown (critical)");
            Thread.sleep(2500); // two more group intervals: nothing new to say, nothing sent
            assertThat(CHANNEL.drain()).isEmpty();

            var metrics = scrape();
            assertThat(metrics.value("odin_alerts_received_total{alertname=\"ClaudeCodeDown\",severity=\"critical\","
                    + "status=\"firing\"}")).isEqualTo(1.0);
            assertThat(metrics.value("odin_alerts_received_total{alertname=\"ClaudeCodeDown\",severity=\"critical\","
                    + "status=\"resolved\"}")).isEqualTo(1.0);
            assertThat(metrics.value("odin_alertmanager_notifications_total{receiver=\"odin\",status=\"resolved\"}"))
                    .isEqualTo(1.0);
            assertThat(metrics.value("odin_alerts_firing{severity=\"critical\"}")).isEqualTo(0.0);
        } finally {
            am.destroy();
            am.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void postAlert(String api, String labels, String startsAt, String endsAt, Process am, Path log)
            throws Exception {
        String body = "[{\"labels\":" + labels + ",\"annotations\":{\"summary\":\"claude is not running on laptop\"},"
                + "\"startsAt\":\"" + startsAt + "\",\"endsAt\":\"" + endsAt + "\","
                + "\"generatorURL\":\"http://prometheus:9090/graph\"}]";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                return;
            } catch (java.net.ConnectException e) {
                if (!am.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("Alertmanager did not start: " + Files.readString(log));
                }
                Thread.sleep(200);
            }
        }
    }
}
