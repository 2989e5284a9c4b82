package dev.odin.exporter.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.remotewrite.wire.v1.WriteRequest;
import dev.odin.remotewrite.wire.v2.Request;
import dev.odin.series.GaugeSeries;
import dev.odin.series.LabelSet;
import dev.odin.series.MetricFamily;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.testing.HttpStandIn;
import dev.odin.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

class RemoteWriterTest {

    @TempDir
    Path dir;
    final HttpStandIn receiver = HttpStandIn.start();
    final MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_795_358_400_000L));
    final SeriesStore store = new SeriesStore(new StoreLimits(1000, 1000, 10, Duration.ofMinutes(5), false), clock);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemoteWriter writer;

    @AfterEach
    void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
        receiver.close();
    }

    RemoteWriter writer(RemoteWriteProperties p) throws Exception {
        p.setUrl(receiver.url("/api/v1/write"));
        p.setMinBackoff(Duration.ofMillis(5));
        p.setMaxBackoff(Duration.ofMillis(50));
        writer = new RemoteWriter(p, store, dir, null, registry, java.time.Clock.systemUTC(), "1.2.3");
        return writer;
    }

    void gauge(String n, double v) throws Exception {
        MetricFamily g = store.family("temp", MetricFamily.Type.GAUGE, "Temperature");
        store.series(g, LabelSet.of("n", n), false, GaugeSeries::create).set(v, 1);
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void version1WithItsHeadersTenantAndBasicAuth() throws Exception {
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setTenant("team-a");
        p.setUsername("odin");
        p.setPassword("s3cret");
        p.getHeaders().put("X-Extra", "yes");
        p.getHeaders().put("Content-Type", "text/plain"); // ODIN's own wins
        writer(p);
        gauge("a", 21.5);
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();

        HttpStandIn.Request r = receiver.next(Duration.ofSeconds(5));
        assertThat(r.header("Content-Encoding")).isEqualTo("snappy");
        assertThat(r.header("Content-Type")).isEqualTo("application/x-protobuf");
        assertThat(r.header("X-Prometheus-Remote-Write-Version")).isEqualTo("0.1.0");
        assertThat(r.header("User-Agent")).isEqualTo("odin/1.2.3");
        assertThat(r.header("X-Scope-OrgID")).isEqualTo("team-a");
        assertThat(r.header("X-Extra")).isEqualTo("yes");
        assertThat(r.header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("odin:s3cret".getBytes(StandardCharsets.UTF_8)));
        WriteRequest w = WriteRequest.parseFrom(Snappy.uncompress(r.bytes()));
        assertThat(w.getTimeseries(0).getSamples(0).getValue()).isEqualTo(21.5);
        assertThat(w.getTimeseries(0).getSamples(0).getTimestamp())
                .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
        assertThat(counter("odin.remote.write.samples")).isEqualTo(1);
        assertThat(registry.get("odin.remote.write.series").gauge().value()).isEqualTo(1);
        assertThat(counter("odin.delivery.sent", "sender", "remote-write")).isEqualTo(1);
        // credentials are added at send time, never written into the queue
        try (var files = Files.walk(dir.resolve("remote-write-queue"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain("s3cret");
            }
        }
    }

    @Test
    void bearerTokenFileIsReadAtEachRequest() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "first\n");
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setBearerTokenFile(token.toString());
        p.setUsername("ignored");
        writer(p);
        gauge("a", 1);
        writer.snapshot();
        writer.sender().flush(Duration.ofSeconds(10));
        assertThat(receiver.next(Duration.ofSeconds(5)).header("Authorization")).isEqualTo("Bearer first");
        Files.writeString(token, "second");
        writer.snapshot();
        writer.sender().flush(Duration.ofSeconds(10));
        assertThat(receiver.next(Duration.ofSeconds(5)).header("Authorization")).isEqualTo("Bearer second");
    }

    @Test
    void version2WhereTheReceiverTakesIt() throws Exception {
        receiver.respondWithHeader("X-Prometheus-Remote-Write-Samples-Written", "1");
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setProtocol("2.0");
        writer(p);
        gauge("a", 3);
        writer.snapshot();
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        for (HttpStandIn.Request r : receiver.drain()) {
            assertThat(r.header("Content-Type")).isEqualTo("application/x-protobuf;proto=io.prometheus.write.v2.Request");
            assertThat(r.header("X-Prometheus-Remote-Write-Version")).isEqualTo("2.0.0");
            Request v2 = Request.parseFrom(Snappy.uncompress(r.bytes()));
            assertThat(v2.getSymbolsList()).startsWith("", "__name__", "temp", "n", "a");
            assertThat(v2.getTimeseries(0).getSamples(0).getValue()).isEqualTo(3);
            assertThat(v2.getSymbols(v2.getTimeseries(0).getMetadata().getHelpRef())).isEqualTo("Temperature");
        }
        assertThat(receiver.answered()).isEqualTo(2);
        assertThat(writer.fellBack()).isFalse();
    }

    @Test
    void a415FallsBackTo1ForThatRequestAndAfterCountedOnce() throws Exception {
        receiver.respondWithHeader("X-Prometheus-Remote-Write-Samples-Written", "1");
        receiver.failNext(1, 415);
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setProtocol("2.0");
        writer(p);
        gauge("a", 3);
        writer.snapshot();
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        List<HttpStandIn.Request> got = receiver.drain();
        // the refused 2.0 request, then the same data as 1.0, then the second snapshot as 1.0
        assertThat(receiver.answered()).isEqualTo(3);
        assertThat(got).hasSize(2).allSatisfy(r -> {
            assertThat(r.header("Content-Type")).isEqualTo("application/x-protobuf");
            assertThat(r.header("X-Prometheus-Remote-Write-Version")).isEqualTo("0.1.0");
        });
        assertThat(WriteRequest.parseFrom(Snappy.uncompress(got.get(0).bytes())).getTimeseries(0).getSamples(0)
                .getValue()).isEqualTo(3);
        assertThat(writer.fellBack()).isTrue();
        assertThat(counter("odin.remote.write.protocol.fallbacks")).isEqualTo(1);
        assertThat(counter("odin.delivery.sent", "sender", "remote-write")).isEqualTo(2);
    }

    @Test
    void a400To2ThatTheSameDataAs1PassesFallsBackA400ToBothIsDropped() throws Exception {
        receiver.respondWithHeader("X-Prometheus-Remote-Write-Samples-Written", "1");
        receiver.failNext(2, 400); // the 2.0 request and its 1.0 retry: refused for good
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setProtocol("2.0");
        writer(p);
        gauge("a", 3);
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        assertThat(receiver.answered()).isEqualTo(2);
        assertThat(writer.fellBack()).isFalse();
        assertThat(counter("odin.delivery.dead.lettered", "sender", "remote-write", "reason", "permanent"))
                .isEqualTo(1);

        receiver.failNext(1, 400); // 2.0 refused, 1.0 taken: a 1.0 receiver
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        assertThat(receiver.answered()).isEqualTo(4);
        assertThat(receiver.drain()).extracting(r -> r.header("X-Prometheus-Remote-Write-Version"))
                .containsExactly("0.1.0");
        assertThat(writer.fellBack()).isTrue();
        assertThat(counter("odin.remote.write.protocol.fallbacks")).isEqualTo(1);
    }

    @Test
    void a2xxWithoutTheWrittenHeadersIsA1Receiver() throws Exception {
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setProtocol("2.0");
        writer(p);
        gauge("a", 3);
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        List<HttpStandIn.Request> got = receiver.drain();
        assertThat(got).extracting(r -> r.header("X-Prometheus-Remote-Write-Version")).containsExactly("2.0.0",
                "0.1.0");
        assertThat(writer.fellBack()).isTrue();
    }

    @Test
    void another4xxIsDroppedDeadLetteredAndCountedTheNextGoesOn() throws Exception {
        receiver.failNext(1, 400);
        writer(new RemoteWriteProperties());
        gauge("a", 1);
        writer.snapshot();
        Thread.sleep(2); // another snapshot time
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        assertThat(receiver.answered()).isEqualTo(2);
        assertThat(receiver.drain()).hasSize(1);
        assertThat(counter("odin.delivery.dead.lettered", "sender", "remote-write", "reason", "permanent"))
                .isEqualTo(1);
        List<String> lines = Files.readAllLines(dir.resolve("remote-write-dead-letter.jsonl"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("\"status\":400").contains("\"samples\":1").contains("boom");
    }

    @Test
    void a429And5xxAreRetriedUntilDelivered() throws Exception {
        receiver.failNext(2, 429);
        writer(new RemoteWriteProperties());
        gauge("a", 1);
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        assertThat(receiver.answered()).isEqualTo(3);
        assertThat(receiver.drain()).hasSize(1);
        assertThat(counter("odin.delivery.retries", "sender", "remote-write")).isEqualTo(2);
        receiver.failNext(1, 503);
        writer.snapshot();
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        assertThat(receiver.drain()).hasSize(1);
        assertThat(counter("odin.delivery.dead.lettered", "sender", "remote-write", "reason", "permanent")).isZero();
    }

    @Test
    void queuedSnapshotsOutliveTheWriter() throws Exception {
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setUrl("http://127.0.0.1:1/api/v1/write"); // nothing listens: stays queued
        writer = new RemoteWriter(p, store, dir, null, registry, java.time.Clock.systemUTC(), "x");
        gauge("a", 42);
        writer.snapshot();
        writer.close();
        writer = null;
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        writer = new RemoteWriter(writerProps(), new SeriesStore(new StoreLimits(10, 10, 10, Duration.ofMinutes(5),
                false), clock), dir, null, again, java.time.Clock.systemUTC(), "x");
        assertThat(writer.sender().flush(Duration.ofSeconds(10))).isTrue();
        HttpStandIn.Request r = receiver.next(Duration.ofSeconds(5));
        assertThat(WriteRequest.parseFrom(Snappy.uncompress(r.bytes())).getTimeseries(0).getSamples(0).getValue())
                .isEqualTo(42);
    }

    @Test
    void aUrlOrHeaderThatCanNeverBeSentRefusesTheStart() {
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setUrl("prometheus:9090/api/v1/write");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RemoteWriter(p, store, dir, null, registry,
                java.time.Clock.systemUTC(), "x")).isInstanceOf(dev.odin.signal.RefusedStartException.class)
                .hasMessageContaining("odin.remote-write.url (ODIN_REMOTEWRITE_URL)");
        RemoteWriteProperties h = writerProps();
        h.getHeaders().put("Connection", "close"); // restricted in java.net.http
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RemoteWriter(h, store, dir, null, registry,
                java.time.Clock.systemUTC(), "x")).isInstanceOf(dev.odin.signal.RefusedStartException.class)
                .hasMessageContaining("odin.remote-write.headers").hasMessageContaining("Connection");
        RemoteWriteProperties u = new RemoteWriteProperties();
        u.setUrl("https://12345:glc_secret@prometheus-prod.grafana.net/api/prom/push");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RemoteWriter(u, store, dir, null, registry,
                java.time.Clock.systemUTC(), "x")).isInstanceOf(dev.odin.signal.RefusedStartException.class)
                .hasMessageContaining("odin.remote-write.username").hasMessageNotContaining("glc_secret");
    }

    RemoteWriteProperties writerProps() {
        RemoteWriteProperties p = new RemoteWriteProperties();
        p.setUrl(receiver.url("/api/v1/write"));
        return p;
    }
}
