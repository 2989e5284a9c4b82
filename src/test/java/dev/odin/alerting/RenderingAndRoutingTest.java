package dev.odin.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookMessage;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RenderingAndRoutingTest {

    static WebhookMessage fixture(String name) throws Exception {
        return WebhookDecoder.parse(Files.readAllBytes(dev.odin.testing.Fixtures.DIR.resolve("alertmanager").resolve(name)));
    }

    @Test
    void defaultMessageForAFiringAlert() throws Exception {
        WebhookMessage m = fixture("firing.json");
        Notification n = new MessageRenderer("", "").render(m, m.alerts, false);
        assertThat(n.title()).isEqualTo("[FIRING:1] HostOutOfMemory (warning)");
        assertThat(n.body()).contains("FIRING: HostOutOfMemory [warning]")
                .contains("Host out of memory (instance node1:9100)")
                .contains("Node memory is filling up (< 10% left)")
                .contains("alertname=HostOutOfMemory").contains("instance=node1:9100")
                .contains("Since: 2026-11-22T14:41:21.470072072Z")
                .contains("Source: http://127.0.0.1:9090/graph?g0.expr=node_memory_MemAvailable_bytes")
                .contains("Alertmanager: http://127.0.0.1:9093");
        assertThat(n.status()).isEqualTo("firing");
        assertThat(n.alerts()).hasSize(1);
    }

    @Test
    void resolvedAndEscalatedMessagesAreMarked() throws Exception {
        WebhookMessage m = fixture("resolved.json");
        Notification n = new MessageRenderer("", "").render(m, m.alerts, false);
        assertThat(n.title()).startsWith("[RESOLVED] HostOutOfMemory");
        assertThat(n.body()).contains("RESOLVED: HostOutOfMemory").contains("Resolved at: ");
        assertThat(n.status()).isEqualTo("resolved");
        WebhookMessage f = fixture("truncated.json");
        Notification e = new MessageRenderer("", "").render(f, f.alerts, true);
        assertThat(e.title()).isEqualTo("[ESCALATED] [FIRING:2] ClaudeProcessDown (critical)");
        assertThat(e.escalation()).isTrue();
    }

    @Test
    void customTemplates() throws Exception {
        WebhookMessage m = fixture("truncated.json");
        Notification n = new MessageRenderer("{{count}} x {{alertname}}",
                "{{#alerts}}{{labels.0.value}}|{{annotations.summary}};{{/alerts}}").render(m, m.alerts, false);
        assertThat(n.title()).isEqualTo("2 x ClaudeProcessDown");
        assertThat(n.body()).isEqualTo("ClaudeProcessDown|claude process missing on host1;"
                + "ClaudeProcessDown|claude process missing on host2;");
    }

    @Test
    void severityFirstThenMatchers() {
        Map<String, String> critical = Map.of("alertname", "HostDown", "severity", "critical", "team", "infra");
        Map<String, String> warning = Map.of("alertname", "HostDown", "severity", "warning", "team", "infra");
        assertThat(new Matchers(List.of("critical"), List.of()).matches(critical)).isTrue();
        assertThat(new Matchers(List.of("critical"), List.of()).matches(warning)).isFalse();
        assertThat(new Matchers(List.of(), List.of("team=infra", "alertname=~Host.*")).matches(warning)).isTrue();
        assertThat(new Matchers(List.of(), List.of("team!=infra")).matches(warning)).isFalse();
        assertThat(new Matchers(List.of(), List.of("alertname!~Host")).matches(warning)).isTrue();
        assertThat(new Matchers(List.of(), List.of("alertname=~Host")).matches(warning)).isFalse(); // anchored
        assertThat(new Matchers(List.of(), List.of("env=\"\"")).matches(warning)).isTrue(); // absent is empty
        assertThatThrownBy(() -> new Matchers(List.of(), List.of("nonsense"))).hasMessageContaining("not a label matcher");
    }
}
