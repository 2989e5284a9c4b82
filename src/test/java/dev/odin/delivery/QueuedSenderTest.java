package dev.odin.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queued-retry sender with a scripted transport and a clock moved by hand (its loop is never
 * started: each run is called directly): batches of one kind in order, retry later with backoff
 * and Retry-After, drop permanently into the dead-letter file, bounded attempts, the per-sender
 * metrics, and queue records of the old Loki tenant layout.
 */
class QueuedSenderTest {

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<List<Entry>> sent = new ArrayList<>();
    final Deque<Outcome> answers = new ArrayDeque<>();
    final List<QueuedSender> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (QueuedSender s : open) {
            s.close();
        }
    }

    QueuedSender sender(QueuedSender.Options o) throws Exception {
        QueuedSender s = new QueuedSender(o, batch -> {
            sent.add(batch);
            return answers.isEmpty() ? Outcome.delivered() : answers.removeFirst();
        }, (batch, why, w) -> {
            for (Entry e : batch) {
                w.write(why.reason() + " " + why.attempts() + " " + new String(e.payload(), StandardCharsets.UTF_8)
                        + "\n");
            }
        }, null, registry, clock);
        open.add(s);
        return s;
    }

    QueuedSender.Options options() {
        return new QueuedSender.Options("test", "Remote", dir.resolve("queue"))
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(8), false);
    }

    static Entry entry(String payload, Map<String, String> headers) {
        return Entry.of((byte) 1, headers, payload.getBytes(StandardCharsets.UTF_8), 1);
    }

    static List<String> payloads(List<Entry> batch) {
        return batch.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void entriesGoInOrderInBatchesOfOneKindWithTheirHeaders() throws Exception {
        QueuedSender s = sender(options());
        s.append(entry("a1", Map.of("X-Scope-OrgID", "a")));
        s.append(entry("a2", Map.of("X-Scope-OrgID", "a")));
        s.append(entry("b1", Map.of("X-Scope-OrgID", "b")));
        s.append(entry("n1", Map.of()));
        s.deliverDue();
        assertThat(sent).hasSize(3);
        assertThat(payloads(sent.get(0))).containsExactly("a1", "a2");
        assertThat(sent.get(0).get(0).headers()).containsExactly(Map.entry("X-Scope-OrgID", "a"));
        assertThat(payloads(sent.get(1))).containsExactly("b1");
        assertThat(payloads(sent.get(2))).containsExactly("n1");
        assertThat(sent.get(2).get(0).headers()).isEmpty();
        assertThat(s.pending()).isZero();
        assertThat(counter("odin.delivery.sent", "sender", "test")).isEqualTo(4.0);
        assertThat(registry.find("odin.delivery.queue.records").tags("sender", "test").gauge().value()).isZero();
    }

    @Test
    void aBatchWaitsForItsAgeUnlessItIsFull() throws Exception {
        QueuedSender s = sender(options().batch(1 << 20, 1000, Duration.ofSeconds(2)));
        s.append(entry("young", Map.of()));
        s.deliverDue();
        assertThat(sent).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        s.deliverDue();
        assertThat(sent).hasSize(1);
    }

    @Test
    void retryLaterBacksOffAtLeastWhatRetryAfterAsksThenDeliversInOrder() throws Exception {
        QueuedSender s = sender(options());
        s.append(entry("first", Map.of()));
        s.append(entry("second", Map.of("k", "v")));
        answers.add(Outcome.retryLater(503, "busy", null));
        answers.add(Outcome.retryLater(429, "slow down", Duration.ofSeconds(5)));
        s.deliverDue();
        assertThat(sent).hasSize(1);
        assertThat(s.retrying()).isTrue();
        clock.advance(Duration.ofMillis(999)); // backoff 1 s: not yet
        s.deliverDue();
        assertThat(sent).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        s.deliverDue(); // attempt 2: 429, Retry-After 5 s over a backoff of 2 s
        assertThat(sent).hasSize(2);
        clock.advance(Duration.ofMillis(4999));
        s.deliverDue();
        assertThat(sent).hasSize(2);
        clock.advance(Duration.ofMillis(1));
        s.deliverDue();
        assertThat(sent).hasSize(4);
        assertThat(payloads(sent.get(2))).containsExactly("first");
        assertThat(payloads(sent.get(3))).containsExactly("second");
        assertThat(s.retrying()).isFalse();
        assertThat(counter("odin.delivery.retries", "sender", "test")).isEqualTo(2.0);
        assertThat(s.lastErrors()).hasSize(2).last().asString().contains("Remote 429: slow down (retrying in 5000 ms)");
    }

    @Test
    void dropPermanentlyDeadLettersTheBatchAndTheNextGoesOn() throws Exception {
        Path deadLetter = dir.resolve("dead.jsonl");
        QueuedSender s = sender(options().deadLetter(deadLetter, 0, true));
        s.append(entry("refused", Map.of()));
        s.append(entry("taken", Map.of("k", "v")));
        answers.add(Outcome.dropPermanently(400, null, "bad request"));
        s.deliverDue();
        assertThat(sent).hasSize(2);
        assertThat(Files.readAllLines(deadLetter)).containsExactly("permanent 1 refused");
        assertThat(s.deadLettered()).isEqualTo(1);
        assertThat(counter("odin.delivery.dead.lettered", "sender", "test", "reason", "permanent")).isEqualTo(1.0);
        assertThat(s.pending()).isZero();
    }

    @Test
    void boundedAttemptsEndInTheDeadLetterFileAndSurviveARestart() throws Exception {
        QueuedSender.Options o = options().giveUpAfter(3, Duration.ofDays(1)).deadLetter(dir.resolve("dl"), 0, false);
        QueuedSender first = sender(o);
        first.append(entry("down", Map.of()));
        answers.add(Outcome.retryLater(503, "down", null));
        answers.add(Outcome.retryLater(503, "down", null));
        answers.add(Outcome.retryLater(503, "down", null));
        first.deliverDue();
        first.close();
        open.remove(first);
        QueuedSender second = sender(o); // a restart: attempt 2 next
        second.deliverDue();
        clock.advance(Duration.ofSeconds(2));
        second.deliverDue();
        assertThat(sent).hasSize(3);
        assertThat(Files.readAllLines(dir.resolve("dl"))).containsExactly("max_attempts 3 down");
        assertThat(Files.exists(dir.resolve("queue").resolve("head-attempts"))).isFalse();
    }

    @Test
    void aFullQueueThatRefusesSaysRetryLater() throws Exception {
        QueuedSender s = sender(options().queue(8 * 64 * 1024, false));
        byte[] big = new byte[60 * 1024];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                s.append(Entry.of((byte) 1, Map.of(), big, 1));
            }
        }).isInstanceOf(QueueFullException.class);
    }

    @Test
    void recordsOfTheOldLokiTenantLayoutReadBackWithTheirTenant() throws Exception {
        try (DiskQueue q = new DiskQueue(dir.resolve("queue"), 1 << 20, true, clock)) {
            byte[] tenant = "team-a".getBytes(StandardCharsets.US_ASCII);
            byte[] payload = "old".getBytes(StandardCharsets.UTF_8);
            byte[] wrapped = new byte[1 + tenant.length + payload.length];
            wrapped[0] = (byte) tenant.length;
            System.arraycopy(tenant, 0, wrapped, 1, tenant.length);
            System.arraycopy(payload, 0, wrapped, 1 + tenant.length, payload.length);
            q.append((byte) (1 | 0x40), 1, wrapped);
            q.append((byte) 1, 1, payload);
        }
        QueuedSender s = sender(options());
        s.deliverDue();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).get(0).headers()).containsExactly(Map.entry(Entry.LEGACY_TENANT_HEADER, "team-a"));
        assertThat(payloads(sent.get(0))).containsExactly("old");
        assertThat(sent.get(1).get(0).headers()).isEmpty();
        assertThat(sent.get(1).get(0).type()).isEqualTo((byte) 1);
    }
}
