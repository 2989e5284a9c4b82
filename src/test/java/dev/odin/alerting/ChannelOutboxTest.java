package dev.odin.alerting;

import dev.odin.delivery.DiskQueue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.receiver.alertmanager.WebhookMessage;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.testing.Await;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;

/**
 * A channel's outbox when the service refuses: a message it can never take is dead-lettered
 * after one attempt and the next message goes through; a 503 is retried and delivered; retries
 * end after max-attempts (counted across restarts) or max-age; a broken queue record does not
 * block the channel; the dead-letter file stays bounded. The clock is moved by hand, so backoff
 * waits for nothing but the test.
 */
class ChannelOutboxTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final HttpStandIn hook = HttpStandIn.start();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Notifier> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Notifier n : started) {
            n.close();
        }
        hook.close();
    }

    AlertingProperties props(int maxAttempts) {
        AlertingProperties p = new AlertingProperties();
        AlertingProperties.Channel c = new AlertingProperties.Channel();
        c.setName("hook");
        c.setType(AlertingProperties.Channel.Type.WEBHOOK);
        c.setUrl(hook.url("/hook"));
        p.setChannels(List.of(c));
        p.getRetry().setMinBackoff(Duration.ofSeconds(1));
        p.getRetry().setMaxBackoff(Duration.ofSeconds(4));
        p.getRetry().setMaxAttempts(maxAttempts);
        return p;
    }

    Notifier notifier(AlertingProperties p) throws Exception {
        AlertBook book = new AlertBook(dir.resolve("state.json"), clock, p.getDedupWindow().toMillis(), 1000,
                p.getFlapping().getMaxTransitions(), p.getFlapping().getWindow().toMillis(),
                p.getFlapping().getSettle().toMillis());
        Notifier n = new Notifier(p, book, dir.resolve("outbox"), new WebhookMetrics(registry), clock);
        started.add(n);
        return n;
    }

    static void send(Notifier n, String alertname) throws Exception {
        WebhookMessage m = ChannelEncodingTest.alert(alertname, "warning", alertname + " summary");
        n.notify(m, m.alerts);
    }

    /** Kicks the channel (moving the clock past any backoff) until the condition holds. */
    void deliverUntil(Notifier n, String what, Await.Check check) throws Exception {
        Await.until(what, Duration.ofSeconds(10), () -> {
            if (check.holds()) {
                return true;
            }
            clock.advance(Duration.ofSeconds(5));
            n.deliver().process(null);
            return false;
        });
    }

    Path deadLetter() {
        return dir.resolve("outbox").resolve("hook").resolve("dead-letter.jsonl");
    }

    List<JsonNode> deadLetters() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(deadLetter())) {
            for (String line : Files.readAllLines(deadLetter())) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    double deadLettered(String reason) {
        Counter c = registry.find("odin.alert.notifications.dead.lettered").tags("channel", "hook", "reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    double count(String name) {
        Counter c = registry.find(name).tags("channel", "hook").counter();
        return c == null ? 0 : c.count();
    }

    static String title(HttpStandIn.Request r) throws Exception {
        return JSON.readTree(r.body()).get("title").asText();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 413})
    void aMessageTheChannelCanNeverTakeIsDeadLetteredAtOnceAndTheNextIsDelivered(int status) throws Exception {
        Notifier n = notifier(props(12));
        hook.failNext(1, status);
        send(n, "First");
        send(n, "Second");
        // the counters move once the channel's thread has the answer: wait for them, not only the answer
        deliverUntil(n, "the second message", () -> hook.answered() >= 2 && count("odin.notifications.sent") >= 1);

        HttpStandIn.Request delivered = hook.next(Duration.ofSeconds(5));
        assertThat(title(delivered)).isEqualTo("[FIRING:1] Second (warning)");
        assertThat(hook.answered()).as("one attempt for the refused message, one for the next").isEqualTo(2);
        List<JsonNode> dead = deadLetters();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("channel").asText()).isEqualTo("hook");
        assertThat(dead.get(0).get("reason").asText()).isEqualTo("http_" + status);
        assertThat(dead.get(0).get("attempts").asInt()).isEqualTo(1);
        assertThat(dead.get(0).get("error").asText()).isEqualTo("HTTP " + status + " from hook: boom");
        assertThat(dead.get(0).get("notification").get("title").asText()).isEqualTo("[FIRING:1] First (warning)");
        assertThat(deadLettered("http_" + status)).isEqualTo(1.0);
        assertThat(count("odin.notifications.dropped")).isEqualTo(1.0);
        assertThat(count("odin.notifications.sent")).isEqualTo(1.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> status0 = (Map<String, Object>) n.status().get("hook");
        assertThat(status0).containsEntry("deadLettered", 1L).containsEntry("queued", 0L);
        assertThat(status0.get("deadLetterFile").toString()).endsWith("dead-letter.jsonl");
    }

    @Test
    void a503IsRetriedWithBackoffThenDelivered() throws Exception {
        Notifier n = notifier(props(12));
        hook.failNext(2, 503);
        send(n, "Flaky");
        n.deliver().process(null);
        Await.until("the first attempt", Duration.ofSeconds(5), () -> hook.answered() == 1);
        n.deliver().process(null); // within the backoff: no attempt
        Thread.sleep(200);
        assertThat(hook.answered()).isEqualTo(1);

        deliverUntil(n, "the delivery", () -> hook.answered() >= 3 && count("odin.notifications.sent") >= 1);
        assertThat(title(hook.next(Duration.ofSeconds(5)))).isEqualTo("[FIRING:1] Flaky (warning)");
        assertThat(hook.answered()).isEqualTo(3);
        assertThat(count("odin.notifications.failed")).isEqualTo(2.0);
        assertThat(count("odin.notifications.sent")).isEqualTo(1.0);
        assertThat(deadLetters()).isEmpty();
        assertThat(Files.exists(dir.resolve("outbox").resolve("hook").resolve("head-attempts")))
                .as("forgotten once delivered").isFalse();
    }

    @Test
    void retriesEndAfterMaxAttemptsCountedAcrossRestarts() throws Exception {
        AlertingProperties p = props(3);
        hook.failNext(1_000, 503);
        Notifier first = notifier(p);
        send(first, "Down");
        first.deliver().process(null);
        Await.until("attempt 1", Duration.ofSeconds(5), () -> hook.answered() == 1);
        first.close();
        started.remove(first);

        Notifier second = notifier(p); // a restart: attempt 2, not attempt 1 again
        second.deliver().process(null);
        Await.until("attempt 2", Duration.ofSeconds(5), () -> hook.answered() == 2);
        second.close();
        started.remove(second);
        assertThat(deadLetters()).isEmpty();

        Notifier third = notifier(p);
        third.deliver().process(null);
        Await.until("attempt 3 and the dead letter", Duration.ofSeconds(5), () -> deadLettered("max_attempts") == 1);
        assertThat(hook.answered()).isEqualTo(3);
        JsonNode dead = deadLetters().get(0);
        assertThat(dead.get("reason").asText()).isEqualTo("max_attempts");
        assertThat(dead.get("attempts").asInt()).isEqualTo(3);
        assertThat(dead.get("error").asText()).isEqualTo("HTTP 503 from hook: boom");

        hook.failNext(0);
        send(third, "Next");
        deliverUntil(third, "the next message", () -> hook.answered() >= 4);
        assertThat(title(hook.next(Duration.ofSeconds(5)))).isEqualTo("[FIRING:1] Next (warning)");
    }

    @Test
    void retriesEndWhenTheMessageIsMaxAgeOld() throws Exception {
        Notifier n = notifier(props(12));
        hook.failNext(1_000, 503);
        send(n, "Old");
        n.deliver().process(null);
        Path attempts = dir.resolve("outbox").resolve("hook").resolve("head-attempts");
        Await.until("attempt 1 recorded", Duration.ofSeconds(5), () -> Files.exists(attempts));
        clock.advance(Duration.ofMinutes(61));
        Await.until("the dead letter", Duration.ofSeconds(5), () -> {
            n.deliver().process(null);
            return deadLettered("max_age") == 1;
        });
        assertThat(hook.answered()).isEqualTo(2);
        assertThat(deadLetters().get(0).get("enqueuedAt").asText()).isEqualTo("2026-11-22T10:00:00Z");
    }

    @Test
    void anUnreadableQueueRecordIsDeadLetteredAndDoesNotBlockTheChannel() throws Exception {
        try (DiskQueue q = new DiskQueue(dir.resolve("outbox").resolve("hook"), 1 << 20, true, clock)) {
            q.append((byte) 1, 1, "{not json".getBytes(StandardCharsets.UTF_8));
        }
        Notifier n = notifier(props(12));
        send(n, "AfterTheBrokenOne");
        deliverUntil(n, "the message after the broken record", () -> hook.answered() >= 1);
        assertThat(title(hook.next(Duration.ofSeconds(5)))).isEqualTo("[FIRING:1] AfterTheBrokenOne (warning)");
        JsonNode dead = deadLetters().get(0);
        assertThat(dead.get("reason").asText()).isEqualTo("unreadable");
        assertThat(new String(java.util.Base64.getDecoder().decode(dead.get("payloadBase64").asText()),
                StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(deadLettered("unreadable")).isEqualTo(1.0);
    }

    @Test
    void theDeadLetterFileIsBounded() throws Exception {
        AlertingProperties p = props(12);
        p.getRetry().setDeadLetterMaxSize(DataSize.ofKilobytes(4));
        Notifier n = notifier(p);
        hook.failNext(20, 400);
        for (int i = 0; i < 20; i++) {
            send(n, "Refused" + i);
        }
        deliverUntil(n, "twenty dead letters", () -> deadLettered("http_400") == 20);
        Path older = deadLetter().resolveSibling("dead-letter.jsonl.1");
        assertThat(Files.size(deadLetter())).isLessThanOrEqualTo(4096);
        assertThat(Files.size(older)).isLessThanOrEqualTo(4096);
        List<String> lines = Files.readAllLines(deadLetter());
        assertThat(lines.get(lines.size() - 1)).contains("[FIRING:1] Refused19 (warning)");
        assertThat(Files.readAllLines(older).size() + lines.size()).isLessThan(20);
    }
}
