package dev.odin.alerting;

import dev.odin.receiver.alertmanager.WebhookMessage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertBookTest {

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(1_800_000_000_000L));

    AlertBook book() throws Exception {
        // dedup 1 h, flapping: more than 2 changes in 1 h, settled after 10 min
        return new AlertBook(dir.resolve("state.json"), clock, 3_600_000, 1000, 2, 3_600_000, 600_000);
    }

    static WebhookMessage.Alert alert(String fingerprint, String status, String severity, String startsAt) {
        WebhookMessage.Alert a = new WebhookMessage.Alert();
        a.fingerprint = fingerprint;
        a.status = status;
        a.startsAt = startsAt;
        a.endsAt = "resolved".equals(status) ? "2026-11-22T11:00:00Z" : "0001-01-01T00:00:00Z";
        a.labels = new java.util.LinkedHashMap<>(Map.of("alertname", "A" + fingerprint, "severity", severity));
        return a;
    }

    @Test
    void theSameNotificationWithinTheWindowIsADuplicate() throws Exception {
        AlertBook book = book();
        WebhookMessage.Alert a = alert("f1", "firing", "critical", "2026-11-22T10:00:00Z");
        assertThat(book.commit(book.fresh(List.of(a)))).hasSize(1);
        assertThat(book.fresh(List.of(alert("f1", "firing", "critical", "2026-11-22T10:00:00Z")))).isEmpty();
        // the same alert twice in one notification (an HA pair merged upstream) is one
        assertThat(book.fresh(List.of(alert("f2", "firing", "critical", "x"), alert("f2", "firing", "critical", "x"))))
                .hasSize(1);
        // a new state or a new start is not a duplicate
        assertThat(book.fresh(List.of(alert("f1", "resolved", "critical", "2026-11-22T10:00:00Z")))).hasSize(1);
        assertThat(book.fresh(List.of(alert("f1", "firing", "critical", "2026-11-22T12:00:00Z")))).hasSize(1);
        clock.advance(Duration.ofMinutes(61));
        assertThat(book.fresh(List.of(alert("f1", "firing", "critical", "2026-11-22T10:00:00Z")))).hasSize(1);
    }

    @Test
    void firingBySeverityFollowsResolves() throws Exception {
        AlertBook book = book();
        book.commit(List.of(alert("f1", "firing", "critical", "t1"), alert("f2", "firing", "warning", "t1"),
                alert("f3", "firing", "critical", "t1")));
        assertThat(book.firingBySeverity()).containsEntry("critical", 2L).containsEntry("warning", 1L);
        book.commit(List.of(alert("f1", "resolved", "critical", "t1")));
        assertThat(book.firingBySeverity()).containsEntry("critical", 1L);
    }

    @Test
    void escalationIsDueAfterItsDelayThenEveryRepeatUntilResolved() throws Exception {
        AlertBook book = book();
        book.commit(List.of(alert("f1", "firing", "critical", "t1"), alert("f2", "firing", "warning", "t1")));
        assertThat(book.dueForEscalation("critical", 300_000, 600_000)).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        List<AlertBook.Tracked> due = book.dueForEscalation("critical", 300_000, 600_000);
        assertThat(due).extracting(t -> t.fingerprint).containsExactly("f1");
        book.escalated(due);
        clock.advance(Duration.ofMinutes(9));
        assertThat(book.dueForEscalation("critical", 300_000, 600_000)).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(book.dueForEscalation("critical", 300_000, 600_000)).hasSize(1);
        book.commit(List.of(alert("f1", "resolved", "critical", "t1")));
        clock.advance(Duration.ofHours(1));
        assertThat(book.dueForEscalation("critical", 300_000, 600_000)).isEmpty();
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        AlertBook book = book();
        book.commit(List.of(alert("f1", "firing", "critical", "t1")));
        clock.advance(Duration.ofMinutes(5));
        book.escalated(book.dueForEscalation("critical", 300_000, 600_000));

        AlertBook again = book();
        assertThat(again.firingBySeverity()).containsEntry("critical", 1L);
        assertThat(again.fresh(List.of(alert("f1", "firing", "critical", "t1")))).isEmpty();
        assertThat(again.dueForEscalation("critical", 300_000, 600_000)).isEmpty();
        clock.advance(Duration.ofMinutes(10));
        assertThat(again.dueForEscalation("critical", 300_000, 600_000)).hasSize(1);
        assertThat(again.get("f1").escalations).isEqualTo(1);
    }

    @Test
    void aDamagedStateFileIsSetAsideNotFatal() throws Exception {
        Files.writeString(dir.resolve("state.json"), "{broken");
        AlertBook book = book();
        assertThat(book.firingBySeverity()).isEmpty();
        assertThat(dir.resolve("state.json.damaged")).exists();
    }

    @Test
    void aFlappingAlertIsHeldBackUntilItSettlesThenSentOnce() throws Exception {
        AlertBook book = book();
        String[] states = {"firing", "resolved", "firing", "resolved", "firing"};
        int notified = 0;
        for (int i = 0; i < states.length; i++) {
            notified += book.commit(List.of(alert("f1", states[i], "warning", "t" + i))).size();
            clock.advance(Duration.ofMinutes(2));
        }
        // the first three reach channels; the fourth change makes it flap: held from then on
        assertThat(notified).isEqualTo(3);
        assertThat(book.get("f1").held).isTrue();
        assertThat(book.held()).isEqualTo(1);
        assertThat(book.releaseSettled()).isEmpty(); // not settled yet
        clock.advance(Duration.ofMinutes(10));
        List<WebhookMessage.Alert> released = book.releaseSettled();
        // channels last heard "firing"; it is firing now: nothing to say, but it is released
        assertThat(released).isEmpty();
        assertThat(book.get("f1").held).isFalse();
        // flapping again, settling on resolved: channels hear "resolved" once
        for (String s : new String[] {"resolved", "firing", "resolved"}) {
            book.commit(List.of(alert("f1", s, "warning", "u" + s)));
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(book.get("f1").held).isTrue();
        clock.advance(Duration.ofMinutes(11));
        assertThat(book.releaseSettled()).extracting(a -> a.status).containsExactly("resolved");
        assertThat(book.releaseSettled()).isEmpty();
    }
}
