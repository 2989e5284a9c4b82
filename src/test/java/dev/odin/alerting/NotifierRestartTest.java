package dev.odin.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookMessage;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a restart of ODIN keeps: an alert that fires across it is still escalated on time (and
 * not early, and not twice), and a message queued for a channel that was down is delivered
 * afterwards. "Restart" here is what ODIN does at start: new objects over the same data directory.
 */
class NotifierRestartTest {

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final HttpStandIn oncall = HttpStandIn.start();
    final HttpStandIn team = HttpStandIn.start();


    @AfterEach
    void stop() {
        oncall.close();
        team.close();
    }

    AlertingProperties props() {
        AlertingProperties p = new AlertingProperties();
        AlertingProperties.Channel t = new AlertingProperties.Channel();
        t.setName("team");
        t.setType(AlertingProperties.Channel.Type.WEBHOOK);
        t.setUrl(team.url("/team"));
        AlertingProperties.Channel o = new AlertingProperties.Channel();
        o.setName("oncall");
        o.setType(AlertingProperties.Channel.Type.WEBHOOK);
        o.setUrl(oncall.url("/oncall"));
        o.setEscalationOnly(true);
        p.setChannels(List.of(t, o));
        AlertingProperties.Escalation e = new AlertingProperties.Escalation();
        e.setSeverity("critical");
        e.setAfter(Duration.ofMinutes(30));
        e.setRepeat(Duration.ofHours(1));
        e.setChannel("oncall");
        p.setEscalations(List.of(e));
        p.getRetry().setMinBackoff(Duration.ZERO);
        return p;
    }

    AlertBook book(AlertingProperties p) throws Exception {
        return new AlertBook(dir.resolve("state.json"), clock, p.getDedupWindow().toMillis(), 1000,
                p.getFlapping().getMaxTransitions(), p.getFlapping().getWindow().toMillis(),
                p.getFlapping().getSettle().toMillis());
    }

    Notifier notifier(AlertingProperties p, AlertBook book) throws Exception {
        return new Notifier(p, book, dir.resolve("outbox"), new WebhookMetrics(new SimpleMeterRegistry()), clock);
    }

    @Test
    void escalationAndQueuedMessagesSurviveARestart() throws Exception {
        AlertingProperties p = props();
        WebhookMessage m = WebhookDecoder.parse(Files.readAllBytes(dev.odin.testing.Fixtures.DIR.resolve("alertmanager")
                .resolve("truncated.json")));
        team.failNext(1_000); // the team channel is down before the restart
        AlertBook book = book(p);
        Notifier before = notifier(p, book);
        before.notify(m, book.commit(book.fresh(m.alerts)));
        before.deliver().process(null);
        clock.advance(Duration.ofMinutes(20));
        before.escalate().process(null);
        Thread.sleep(300);
        assertThat(oncall.drain()).as("not escalated before 30 min").isEmpty();
        before.close();

        team.failNext(0);
        AlertBook book2 = book(p);
        Notifier after = notifier(p, book2);
        after.deliver().process(null);
        HttpStandIn.Request queued = team.next(Duration.ofSeconds(10));
        assertThat(queued).as("the message queued before the restart").isNotNull();
        assertThat(new ObjectMapper().readTree(queued.body()).get("title").asText())
                .isEqualTo("[FIRING:2] ClaudeProcessDown (critical)");

        clock.advance(Duration.ofMinutes(10)); // 30 min since the alert began firing
        after.escalate().process(null);
        after.deliver().process(null);
        HttpStandIn.Request escalation = oncall.next(Duration.ofSeconds(10));
        assertThat(escalation).isNotNull();
        assertThat(new ObjectMapper().readTree(escalation.body()).get("title").asText())
                .isEqualTo("[ESCALATED] [FIRING:2] ClaudeProcessDown (critical)");
        after.escalate().process(null);
        after.deliver().process(null);
        Thread.sleep(300);
        assertThat(oncall.drain()).as("once per repeat interval").isEmpty();
        after.close();

        // and again after a second restart, one repeat interval later, until resolved
        AlertBook book3 = book(p);
        Notifier third = notifier(p, book3);
        clock.advance(Duration.ofHours(1));
        third.escalate().process(null);
        third.deliver().process(null);
        assertThat(oncall.next(Duration.ofSeconds(10))).isNotNull();
        for (WebhookMessage.Alert a : m.alerts) {
            a.status = "resolved";
        }
        third.notify(m, book3.commit(book3.fresh(m.alerts)));
        clock.advance(Duration.ofHours(2));
        third.escalate().process(null);
        third.deliver().process(null);
        Thread.sleep(300);
        assertThat(oncall.drain()).as("resolved: no more escalations").isEmpty();
        third.close();
    }
}
