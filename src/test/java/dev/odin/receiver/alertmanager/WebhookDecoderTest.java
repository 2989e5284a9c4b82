package dev.odin.receiver.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WebhookDecoderTest {

    static final Path FIXTURES = dev.odin.testing.Fixtures.DIR.resolve("alertmanager");

    static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(FIXTURES.resolve(name));
    }

    @Test
    void theCapturedBodiesParse() throws Exception {
        WebhookMessage firing = WebhookDecoder.parse(fixture("firing.json"));
        assertThat(firing.version).isEqualTo("4");
        assertThat(firing.status).isEqualTo("firing");
        assertThat(firing.receiver).isEqualTo("gateway");
        assertThat(firing.alerts).hasSize(1);
        WebhookMessage.Alert a = firing.alerts.get(0);
        assertThat(a.alertname()).isEqualTo("HostOutOfMemory");
        assertThat(a.severity()).isEqualTo("warning");
        assertThat(a.fingerprint).isEqualTo("ce7b78637921ad26");
        assertThat(a.endsAt).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(a.annotations).containsEntry("summary", "Host out of memory (instance node1:9100)");
        assertThat(firing.groupKey).isEqualTo("{}:{alertname=\"HostOutOfMemory\", instance=\"node1:9100\"}");

        WebhookMessage resolved = WebhookDecoder.parse(fixture("resolved.json"));
        assertThat(resolved.status).isEqualTo("resolved");
        assertThat(resolved.alerts.get(0).resolved()).isTrue();

        WebhookMessage truncated = WebhookDecoder.parse(fixture("truncated.json"));
        assertThat(truncated.alerts).hasSize(2);
        assertThat(truncated.truncatedAlerts).isEqualTo(1);
    }

    @Test
    void fieldsOfNewerAlertmanagersAreKept() throws Exception {
        String body = new String(fixture("firing.json"), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"notification_reason\":\"new_alerts\",\"routeLabels\":{\"team\":\"x\"},")
                .replace("\"fingerprint\":", "\"silencedBy\":[],\"fingerprint\":");
        WebhookMessage m = WebhookDecoder.parse(body.getBytes(StandardCharsets.UTF_8));
        assertThat(m.extra()).containsEntry("notification_reason", "new_alerts").containsKey("routeLabels");
        assertThat(m.alerts.get(0).extra()).containsKey("silencedBy");
        assertThat(WebhookDecoder.JSON.writeValueAsString(m)).contains("\"notification_reason\":\"new_alerts\"");
    }

    @Test
    void badBodiesAre400sWithAMessage() {
        assertStatus("", 400, "empty body");
        assertStatus("{not json", 400, "malformed JSON");
        assertStatus("null", 400, "null");
        assertStatus("{\"version\":\"3\",\"alerts\":[]}", 400, "unsupported webhook version \"3\"");
        assertStatus("{\"alerts\":[]}", 400, "unsupported webhook version (none)");
        assertStatus("{\"version\":\"4\"}", 400, "no alerts list");
        assertStatus("{\"version\":\"4\",\"alerts\":[{\"status\":\"sleeping\",\"labels\":{\"a\":\"b\"}}]}", 400,
                "alerts[0].status is sleeping");
        assertStatus("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{}}]}", 400,
                "alerts[0] has no labels");
        assertStatus("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},"
                + "\"startsAt\":\"yesterday\"}]}", 400, "alerts[0].startsAt is not an RFC 3339 time");
        assertStatus("[1,2]", 400, "malformed JSON");
        // JSON nulls as label values (found by ReceiverFuzzIT): a 400, not a 500
        assertStatus("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":null},"
                + "\"startsAt\":\"2026-11-22T10:00:00Z\"}]}", 400, "alerts[0].labels.a is null, not a string");
        assertStatus("{\"version\":\"4\",\"commonLabels\":{\"x\":null},\"alerts\":[]}", 400,
                "commonLabels.x is null");
    }

    @Test
    void anAlertWithoutFingerprintGetsOneFromItsLabels() {
        WebhookMessage m = WebhookDecoder.parse(("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\","
                + "\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"2026-11-22T10:00:00Z\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(m.alerts.get(0).fingerprint).hasSize(16).isEqualTo(Fingerprints.of(java.util.Map.of("alertname", "X")));
    }

    private static void assertStatus(String body, int status, String message) {
        assertThatThrownBy(() -> WebhookDecoder.parse(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(WebhookException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.getMessage()).contains(message);
                });
    }
}
