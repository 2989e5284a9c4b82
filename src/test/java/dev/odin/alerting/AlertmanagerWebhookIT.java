package dev.odin.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.odin.config.OdinProperties;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.OdinIntegrationTest;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The webhook route end to end: credentials, limits and bad bodies; the captured notifications
 * recorded as metrics and events and delivered to every kind of channel once (not once per
 * retry); a failing channel retried while the others deliver; escalation; flapping.
 */
class AlertmanagerWebhookIT extends OdinIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpStandIn WEBHOOK = HttpStandIn.start();
    static final HttpStandIn SLACK = HttpStandIn.start();
    static final HttpStandIn DISCORD = HttpStandIn.start();
    static final HttpStandIn NTFY = HttpStandIn.start();
    static final HttpStandIn FLAKY = HttpStandIn.start();
    static final HttpStandIn ONCALL = HttpStandIn.start();
    static final GreenMail MAIL = new GreenMail(ServerSetupTest.SMTP.dynamicPort());


    @DynamicPropertySource
    static void channels(DynamicPropertyRegistry r) {
        MAIL.start();
        r.add("odin.alerting.webhook.username", () -> "alertmanager");
        r.add("odin.alerting.webhook.password", () -> "s3cret");
        r.add("odin.alerting.webhook.max-body-size", () -> "64KB");
        r.add("odin.alerting.delivery-interval", () -> "100ms");
        r.add("odin.alerting.check-interval", () -> "200ms");
        r.add("odin.alerting.retry.min-backoff", () -> "300ms");
        r.add("odin.alerting.flapping.settle", () -> "2s");
        String[][] channels = {
            {"hook", "WEBHOOK", WEBHOOK.url("/hook")},
            {"slack", "SLACK", SLACK.url("/services/T000/B000/XXX")},
            {"discord", "DISCORD", DISCORD.url("/api/webhooks/1/abc")},
            {"ntfy", "NTFY", NTFY.url("/odin-alerts")},
            {"flaky", "WEBHOOK", FLAKY.url("/flaky")},
            {"oncall", "WEBHOOK", ONCALL.url("/oncall")},
            {"mail", "EMAIL", ""}};
        for (int i = 0; i < channels.length; i++) {
            String p = "odin.alerting.channels[" + i + "].";
            String[] c = channels[i];
            r.add(p + "name", () -> c[0]);
            r.add(p + "type", () -> c[1]);
            r.add(p + "url", () -> c[2]);
        }
        r.add("odin.alerting.channels[1].severities[0]", () -> "critical");
        r.add("odin.alerting.channels[2].matchers[0]", () -> "alertname=~Host.*");
        r.add("odin.alerting.channels[5].escalation-only", () -> "true");
        r.add("odin.alerting.channels[6].email.host", () -> "127.0.0.1");
        r.add("odin.alerting.channels[6].email.port", () -> Integer.toString(MAIL.getSmtp().getPort()));
        r.add("odin.alerting.channels[6].email.to[0]", () -> "oncall@example.org");
        r.add("odin.alerting.channels[6].email.from", () -> "odin@example.org");
        r.add("odin.alerting.escalations[0].severity", () -> "critical");
        r.add("odin.alerting.escalations[0].after", () -> "2s");
        r.add("odin.alerting.escalations[0].repeat", () -> "3s");
        r.add("odin.alerting.escalations[0].channel", () -> "oncall");
    }

    @AfterAll
    static void stop() {
        Stream.of(WEBHOOK, SLACK, DISCORD, NTFY, FLAKY, ONCALL).forEach(HttpStandIn::close);
        MAIL.stop();
    }

    @Autowired
    OdinProperties odin;

    HttpResponse<String> webhook(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(otlpHttp("/alertmanager/webhook")))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String body) throws Exception {
        return webhook(body, "Content-Type", "application/json", "Authorization", basic("alertmanager", "s3cret"));
    }

    static String body(String name) throws Exception {
        return Files.readString(dev.odin.testing.Fixtures.DIR.resolve("alertmanager").resolve(name));
    }

    /** A firing or resolved notification of one alert. */
    static String notification(String alertname, String severity, String status, String startsAt) {
        return "{\"version\":\"4\",\"receiver\":\"test\",\"status\":\"" + status + "\",\"alerts\":[{\"status\":\""
                + status + "\",\"labels\":{\"alertname\":\"" + alertname + "\",\"severity\":\"" + severity
                + "\"},\"annotations\":{\"summary\":\"" + alertname + " summary\"},\"startsAt\":\"" + startsAt
                + "\",\"endsAt\":\"" + ("resolved".equals(status) ? Instant.now() : "0001-01-01T00:00:00Z")
                + "\",\"generatorURL\":\"http://prometheus/graph\"}],\"groupLabels\":{},\"commonLabels\":{},"
                + "\"commonAnnotations\":{},\"externalURL\":\"http://am\",\"groupKey\":\"k\",\"truncatedAlerts\":0}";
    }

    @Test
    void credentialsLimitsAndBadBodiesGetTheirStatus() throws Exception {
        HttpResponse<String> none = webhook(body("firing.json"), "Content-Type", "application/json");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"odin\"");
        assertThat(webhook(body("firing.json"), "Content-Type", "application/json", "Authorization",
                basic("alertmanager", "wrong")).statusCode()).isEqualTo(401);
        assertThat(webhook(body("firing.json"), "Content-Type", "application/json", "Authorization",
                "Bearer s3cret").statusCode()).isEqualTo(401);

        HttpResponse<String> big = post("{\"version\":\"4\",\"pad\":\"" + "x".repeat(70_000) + "\",\"alerts\":[]}");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).contains("limit of 65536 bytes");
        HttpResponse<String> malformed = post("{\"version\":\"4\",\"alerts\":[");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("malformed JSON");
        HttpResponse<String> version = post(body("firing.json").replace("\"version\":\"4\"", "\"version\":\"5\""));
        assertThat(version.statusCode()).isEqualTo(400);
        assertThat(version.body()).contains("unsupported webhook version \\\"5\\\"");
        assertThat(webhook("{}", "Content-Type", "application/x-www-form-urlencoded", "Authorization",
                basic("alertmanager", "s3cret")).statusCode()).isEqualTo(415);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(otlpHttp("/alertmanager/webhook")))
                .header("Authorization", basic("alertmanager", "s3cret")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        assertThat(scrape().value("odin_alertmanager_refused_total{reason=\"unauthorized\"}")).isGreaterThanOrEqualTo(3);
        assertThat(scrape().value("odin_alertmanager_refused_total{reason=\"too_large\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void capturedNotificationsAreRecordedAndEachChannelGetsOneMessage() throws Exception {
        Stream.of(WEBHOOK, SLACK, DISCORD, NTFY, FLAKY).forEach(HttpStandIn::drain);
        String firing = body("firing.json");
        HttpResponse<String> r = post(firing);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(post(firing).statusCode()).isEqualTo(200); // Alertmanager's retry, or its HA twin

        HttpStandIn.Request hook = nextWithTitle(WEBHOOK, "[FIRING:1] HostOutOfMemory");
        JsonNode json = JSON.readTree(hook.body());
        assertThat(json.get("title").asText()).isEqualTo("[FIRING:1] HostOutOfMemory (warning)");
        assertThat(json.get("status").asText()).isEqualTo("firing");
        assertThat(json.get("alerts").get(0).get("fingerprint").asText()).isEqualTo("ce7b78637921ad26");
        assertThat(json.get("text").asText()).contains("Host out of memory (instance node1:9100)");

        HttpStandIn.Request discord = next(DISCORD, "HostOutOfMemory");
        assertThat(JSON.readTree(discord.body()).get("content").asText())
                .startsWith("**[FIRING:1] HostOutOfMemory (warning)**\n");
        HttpStandIn.Request ntfy = next(NTFY, "HostOutOfMemory");
        JsonNode published = JSON.readTree(ntfy.body()); // ntfy's JSON publish API, to the server's root
        assertThat(ntfy.path()).isEqualTo("/");
        assertThat(published.get("topic").asText()).isEqualTo("odin-alerts");
        assertThat(published.get("title").asText()).isEqualTo("[FIRING:1] HostOutOfMemory (warning)");
        assertThat(published.get("priority").asInt()).isEqualTo(4);
        assertThat(published.get("message").asText()).contains("FIRING: HostOutOfMemory");
        MimeMessage mail = null;
        for (int i = 0; i < 100 && mail == null; i++) {
            mail = mails("[FIRING:1] HostOutOfMemory (warning)").stream().findFirst().orElse(null);
            Thread.sleep(100);
        }
        assertThat(mail).as("the e-mail").isNotNull();
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("oncall@example.org");
        assertThat(next(FLAKY, "HostOutOfMemory")).isNotNull();

        // severity first: the warning did not go to the critical-only Slack channel
        Thread.sleep(1000);
        assertThat(mentioning(SLACK, "HostOutOfMemory")).isEmpty();
        assertThat(mentioning(WEBHOOK, "HostOutOfMemory")).as("one message, not one per retry").isEmpty();
        assertThat(mentioning(DISCORD, "HostOutOfMemory")).isEmpty();
        assertThat(mentioning(NTFY, "HostOutOfMemory")).isEmpty();
        assertThat(mails("[FIRING:1] HostOutOfMemory (warning)")).hasSize(1);

        var metrics = scrape();
        assertThat(metrics.value("odin_alerts_received_total{alertname=\"HostOutOfMemory\",severity=\"warning\","
                + "status=\"firing\"}")).isEqualTo(1.0);
        assertThat(metrics.value("odin_alertmanager_notifications_total{receiver=\"gateway\",status=\"firing\"}"))
                .isEqualTo(2.0);
        assertThat(metrics.value("odin_alerts_duplicates_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(metrics.value("odin_alerts_firing{severity=\"warning\"}")).isEqualTo(1.0);
        assertThat(metrics.value("odin_notifications_sent_total{channel=\"hook\"}")).isGreaterThanOrEqualTo(1.0);

        // the critical pair reaches Slack; resolved is marked and clears the gauge
        assertThat(post(body("truncated.json")).statusCode()).isEqualTo(200);
        HttpStandIn.Request slack = next(SLACK, "ClaudeProcessDown");
        assertThat(JSON.readTree(slack.body()).get("text").asText())
                .startsWith("*[FIRING:2] ClaudeProcessDown (critical)*\n");
        assertThat(post(body("resolved.json")).statusCode()).isEqualTo(200);
        HttpStandIn.Request resolved = nextWithTitle(WEBHOOK, "[RESOLVED]");
        assertThat(JSON.readTree(resolved.body()).get("status").asText()).isEqualTo("resolved");
        assertThat(scrape().value("odin_alerts_firing{severity=\"warning\"}")).isEqualTo(0.0);

        // every alert is an event beside Claude Code's, service_name="alertmanager"
        Path events = Path.of(odin.getDataDir(), "events");
        String all;
        try (Stream<Path> files = Files.list(events)) {
            all = files.map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }).reduce("", String::concat);
        }
        assertThat(all).contains("\"labels\":{\"service_name\":\"alertmanager\"}")
                .contains("FIRING HostOutOfMemory [warning]: Host out of memory (instance node1:9100)")
                .contains("RESOLVED HostOutOfMemory [warning]").contains("\"fingerprint\":\"ce7b78637921ad26\"");
        assertThat(all.split("FIRING HostOutOfMemory", -1)).as("one event, not one per retry").hasSize(2);
    }

    private static java.util.List<MimeMessage> mails(String subject) throws Exception {
        java.util.List<MimeMessage> out = new java.util.ArrayList<>();
        for (MimeMessage m : MAIL.getReceivedMessages()) {
            if (subject.equals(m.getSubject())) {
                out.add(m);
            }
        }
        return out;
    }

    /** The next message whose body mentions the text; other tests' messages are skipped. */
    private static HttpStandIn.Request next(HttpStandIn s, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            HttpStandIn.Request r = s.next(Duration.ofMillis(500));
            if (r != null && r.body().contains(text)) {
                return r;
            }
        }
        throw new AssertionError("no message mentioning " + text);
    }

    /** The waiting messages that mention the text. */
    private static java.util.List<HttpStandIn.Request> mentioning(HttpStandIn s, String text) {
        return s.drain().stream().filter(r -> r.body().contains(text)).toList();
    }

    private static HttpStandIn.Request nextWithTitle(HttpStandIn s, String prefix) throws Exception {
        for (int i = 0; i < 10; i++) {
            HttpStandIn.Request r = s.next(Duration.ofSeconds(5));
            if (r != null && JSON.readTree(r.body()).get("title").asText().startsWith(prefix)) {
                return r;
            }
        }
        throw new AssertionError("no message titled " + prefix);
    }

    @Test
    void aFailingChannelIsRetriedAndCountedWhileTheOthersDeliverAtOnce() throws Exception {
        FLAKY.failNext(2);
        long start = System.nanoTime();
        assertThat(post(notification("RetryMe", "info", "firing", "2026-11-22T10:00:00Z")).statusCode()).isEqualTo(200);
        HttpStandIn.Request first = nextWithTitle(WEBHOOK, "[FIRING:1] RetryMe");
        long othersMs = (System.nanoTime() - start) / 1_000_000;
        HttpStandIn.Request retried = nextWithTitle(FLAKY, "[FIRING:1] RetryMe");
        long flakyMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(first).isNotNull();
        assertThat(retried).isNotNull();
        // two failures: backoff 300 ms then 600 ms before the third attempt succeeds
        assertThat(flakyMs).isGreaterThanOrEqualTo(othersMs + 800);
        assertThat(scrape().value("odin_notifications_failed_total{channel=\"flaky\"}")).isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void escalationRepeatsUntilResolved() throws Exception {
        String startsAt = Instant.now().toString();
        assertThat(post(notification("EscalateMe", "critical", "firing", startsAt)).statusCode()).isEqualTo(200);
        HttpStandIn.Request first = nextWithTitle(ONCALL, "[ESCALATED] [FIRING:1] EscalateMe");
        assertThat(JSON.readTree(first.body()).get("escalation").asBoolean()).isTrue();
        HttpStandIn.Request again = nextWithTitle(ONCALL, "[ESCALATED] [FIRING:1] EscalateMe");
        assertThat(again).isNotNull();
        assertThat(post(notification("EscalateMe", "critical", "resolved", startsAt)).statusCode()).isEqualTo(200);
        Thread.sleep(500); // an escalation already queued may still arrive
        ONCALL.drain();
        Thread.sleep(4000);
        assertThat(ONCALL.drain()).as("no escalation after the resolve").isEmpty();
        assertThat(scrape().value("odin_alerts_escalations_total{severity=\"critical\"}")).isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void aFlappingAlertIsHeldThenReleased() throws Exception {
        String[] states = {"firing", "resolved", "firing", "resolved", "firing", "resolved"};
        for (int i = 0; i < states.length; i++) {
            assertThat(post(notification("FlapMe", "info", states[i], "2026-11-22T1" + i + ":00:00Z")).statusCode())
                    .isEqualTo(200);
        }
        // four changes allowed in the window: the first five messages pass, the sixth is held
        // (counted within a second: the release comes 2 s after the last change)
        Thread.sleep(1000);
        assertThat(mentioning(NTFY, "FlapMe")).hasSize(5);
        assertThat(scrape().value("odin_alerts_flapping_held_total")).isGreaterThanOrEqualTo(1.0);
        // it settles (2 s here): channels last heard "firing", it is resolved: they hear that once
        HttpStandIn.Request released = null;
        for (HttpStandIn.Request r; released == null && (r = NTFY.next(Duration.ofSeconds(6))) != null; ) {
            if (JSON.readTree(r.body()).get("title").asText().contains("FlapMe")) {
                released = r;
            }
        }
        assertThat(released).isNotNull();
        assertThat(JSON.readTree(released.body()).get("title").asText()).startsWith("[RESOLVED]");
    }
}
