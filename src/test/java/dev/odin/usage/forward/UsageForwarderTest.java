package dev.odin.usage.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.delivery.QueuedSender;
import dev.odin.signal.RefusedStartException;
import dev.odin.testing.Await;
import dev.odin.testing.HttpStandIn;
import dev.odin.usage.TokenUsage;
import dev.odin.usage.TranscriptFollower;
import dev.odin.usage.UsageEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The laptop's side: queued durably, sent with the token, retried on 5xx / 429, dropped on other 4xx. */
class UsageForwarderTest {

    @TempDir
    Path dir;
    final HttpStandIn central = HttpStandIn.start();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    UsageForwarder forwarder;

    @AfterEach
    void close() throws Exception {
        if (forwarder != null) {
            forwarder.close();
        }
        central.close();
    }

    UsageForwarder forwarder(String token) throws Exception {
        UsageForwardProperties p = new UsageForwardProperties();
        p.setUrl(central.url("/"));
        p.setToken(token);
        p.setMaxBackoff(Duration.ofMillis(500));
        return new UsageForwarder(p, dir, QueuedSender.Guard.NONE, registry, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    static TranscriptFollower.Counted counted(String msg, String req, long output) {
        UsageEvent e = new UsageEvent(Instant.parse("2026-12-02T02:00:00Z"), UsageEvent.TRANSCRIPT, "laptop", "-p",
                "s1", "claude-opus-4-5", new TokenUsage(0, output, 0, 0, 0), BigDecimal.ONE, msg, req, "dev", "t");
        return new TranscriptFollower.Counted(e, new TokenUsage(3, output, 0, 0, 0), new BigDecimal("0.25"));
    }

    double records(String outcome) {
        return registry.get("odin.usage.forward.records").tag("outcome", outcome).counter().count();
    }

    @Test
    void recordsGoWithTheTokenAsTheRequestsTotalsAndRetriesOn5xxAnd429() throws Exception {
        forwarder = forwarder("s3cret");
        central.failNext(2, 503);
        forwarder.counted(List.of(counted("m1", "r1", 10), counted(null, "r2", 5)));
        forwarder.start();
        HttpStandIn.Request r = central.next(Duration.ofSeconds(20));
        assertThat(r).isNotNull();
        assertThat(r.path()).isEqualTo("/v1/logs");
        assertThat(r.header("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(r.header("Content-Type")).isEqualTo("application/x-protobuf");
        List<ForwardedUsage.Item> items = ForwardedUsage.decode(ExportLogsServiceRequest.parseFrom(r.bytes()));
        assertThat(items).containsExactly(new ForwardedUsage.Item(Instant.parse("2026-12-02T02:00:00Z"), "laptop", "dev",
                "t", "-p", "s1", "claude-opus-4-5", "m1", "r1", new TokenUsage(3, 10, 0, 0, 0), new BigDecimal("0.25")));
        assertThat(central.answered()).isEqualTo(3);
        assertThat(records("queued")).isEqualTo(1.0);
        assertThat(records("no_ids")).isEqualTo(1.0);
        // the sender notes the delivery just after the central has answered it
        Await.until("the delivery noted", Duration.ofSeconds(10), () -> !forwarder.sender().retrying());
        var health = new UsageForwardHealthIndicator(forwarder).health();
        assertThat(health.getStatus().getCode()).isEqualTo("UP");
        assertThat(health.getDetails()).containsEntry("central", central.url("/v1/logs"))
                .containsEntry("queuedRecords", 0L);
        central.failNext(1, 429);
        forwarder.counted(List.of(counted("m2", "r2", 1)));
        assertThat(central.next(Duration.ofSeconds(20))).isNotNull();
        assertThat(registry.get("odin.delivery.retries").tag("sender", "usage-forward").counter().count())
                .isEqualTo(3.0);
    }

    @Test
    void anyOther4xxIsDeadLetteredNotRetried() throws Exception {
        forwarder = forwarder("");
        central.failNext(1, 400);
        forwarder.start();
        forwarder.counted(List.of(counted("m1", "r1", 10)));
        Await.until("dead-lettered", Duration.ofSeconds(20), () -> forwarder.sender().deadLettered() == 1);
        assertThat(new UsageForwardHealthIndicator(forwarder).health().getDetails())
                .containsEntry("deadLetteredBatches", 1L);
        assertThat(Files.readString(dir.resolve("usage-forward-dead-letter.jsonl"))).contains("\"status\":400");
        forwarder.counted(List.of(counted("m2", "r2", 10)));
        HttpStandIn.Request r = central.next(Duration.ofSeconds(20));
        assertThat(r.header("Authorization")).isNull();
        assertThat(ForwardedUsage.decode(ExportLogsServiceRequest.parseFrom(r.bytes())))
                .extracting(ForwardedUsage.Item::messageId).containsExactly("m2");
    }

    @Test
    void aBacklogIsSplitIntoEntriesAndSurvivesARestart() throws Exception {
        forwarder = forwarder("");
        List<TranscriptFollower.Counted> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add(counted("m" + i, "r" + i, i + 1));
        }
        forwarder.counted(many); // not started: stays queued
        assertThat(forwarder.sender().pending()).isEqualTo(2500);
        forwarder.close();
        forwarder = forwarder("");
        forwarder.start();
        List<String> ids = new ArrayList<>();
        Await.until("all delivered", Duration.ofSeconds(30), () -> {
            for (HttpStandIn.Request r : central.drain()) {
                ForwardedUsage.decode(ExportLogsServiceRequest.parseFrom(r.bytes())).forEach(i -> ids.add(i.messageId()));
            }
            return ids.size() >= 2500;
        });
        assertThat(ids).hasSize(2500).doesNotHaveDuplicates();
        assertThat(ids.get(0)).isEqualTo("m0");
        assertThat(ids.get(2499)).isEqualTo("m2499");
    }

    @Test
    void aUrlThatIsNotHttpRefusesTheStart() {
        assertThatThrownBy(() -> UsageForwarder.uri("ftp://central")).isInstanceOf(RefusedStartException.class)
                .hasMessageContaining("odin.usage-forward.url");
        assertThat(UsageForwarder.uri("http://central:4318/").toString()).isEqualTo("http://central:4318/v1/logs");
    }
}
