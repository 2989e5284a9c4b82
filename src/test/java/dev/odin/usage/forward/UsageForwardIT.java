package dev.odin.usage.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Await;
import dev.odin.testing.Exposition;
import dev.odin.testing.OdinProcess;
import dev.odin.testing.TokensFile;
import dev.odin.usage.TokenUsage;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two ODIN processes: a laptop (transcripts in a temp dir, odin.usage-forward.url set) and a
 * central (authentication on). The central is down while the laptop counts, and the laptop is
 * restarted with its backlog queued; once the central is up the backlog arrives once and the
 * central's /api/usage and metrics show the laptop's usage exactly as the laptop counts it. A
 * replayed batch adds nothing, before and after a restart of the central; unauthenticated,
 * malformed and oversized posts are refused and change nothing.
 */
class UsageForwardIT {

    private static final String MODEL = "claude-sonnet-4-5-20250929";
    private static final String TOKEN = "laptop-secret-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path root = Path.of("target/test-data/usage-forward-" + System.nanoTime()).toAbsolutePath();
    private final Path transcripts = root.resolve("transcripts");
    private final Path project = transcripts.resolve("-home-u-proj");
    private final int centralHttp = port();
    private final int centralMgmt = port();
    private final int centralGrpc = port();
    private final Path tokens = TokensFile.create(TOKEN + " team-a");
    private OdinProcess laptop;
    private OdinProcess central;

    private static int port() {
        try {
            return OdinProcess.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (laptop != null) {
            laptop.close();
        }
        if (central != null) {
            central.close();
        }
    }

    static String assistant(String session, Instant time, String msg, String req, long in, long out, long write5m,
            long read) {
        return "{\"parentUuid\":\"p\",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/u/proj\","
                + "\"sessionId\":\"" + session + "\",\"version\":\"2.1.332\",\"gitBranch\":\"main\",\"message\":{\"id\":\""
                + msg + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + MODEL + "\",\"content\":"
                + "[{\"type\":\"text\"}],\"stop_reason\":null,\"usage\":{\"input_tokens\":" + in
                + ",\"cache_creation_input_tokens\":" + write5m + ",\"cache_read_input_tokens\":" + read
                + ",\"output_tokens\":" + out + "}},\"requestId\":\"" + req + "\",\"type\":\"assistant\",\"uuid\":\"u-"
                + msg + out + "\",\"timestamp\":\"" + time + "\"}\n";
    }

    private OdinProcess startLaptop() throws Exception {
        return OdinProcess.start(root.resolve("laptop"), List.of("-XX:TieredStopAtLevel=1"),
                "--odin.claude.transcripts-dir=" + transcripts, "--odin.claude.poll-interval=200ms",
                "--odin.claude.machine=laptop-1", "--odin.claude.user=dev",
                "--odin.usage-forward.url=http://127.0.0.1:" + centralHttp,
                "--odin.usage-forward.token=" + TOKEN, "--odin.usage-forward.max-backoff=500ms");
    }

    private OdinProcess startCentral() throws Exception {
        Path data = root.resolve("central");
        OdinProcess c = OdinProcess.launch(data, data, Map.of(), "--server.port=" + centralHttp,
                "--management.server.port=" + centralMgmt, "--odin.otlp.grpc.port=" + centralGrpc,
                "--odin.auth.tokens-file=" + tokens, "--odin.otlp.max-request-size=64KB",
                "--odin.claude.transcripts-dir=" + root.resolve("no-transcripts"), "--odin.claude.machine=central");
        Await.until("the central ready", Duration.ofSeconds(180), () -> {
            assertThat(c.alive()).as("the central is running: %s", c.log).isTrue();
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + centralMgmt + "/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        return c;
    }

    private JsonNode get(int mgmtPort, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmtPort + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private Exposition scrape(int mgmtPort) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmtPort + "/metrics"))
                .header("Accept", "text/plain").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new Exposition(r.body());
    }

    private static double value(Exposition e, String key) {
        Double v = e.value(key);
        return v == null ? 0 : v;
    }

    /** The row of {@code machine} in /api/usage?group=machine, or null. */
    private JsonNode machineRow(int mgmtPort, String machine) throws Exception {
        for (JsonNode row : get(mgmtPort, "/api/usage?group=machine&timezone=UTC").get("rows")) {
            if (row.get("machine").asText().equals(machine)) {
                return row;
            }
        }
        return null;
    }

    private HttpResponse<String> post(byte[] body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + centralHttp + "/v1/logs"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-protobuf");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theBacklogOfAnOutageAndARestartArrivesOnceAndReplaysAddNothing() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        Files.createDirectories(project);
        // msg_1: a streaming partial (10 output tokens), then the final line (120); msg_2 once
        Files.writeString(project.resolve("s1.jsonl"), assistant("s1", t, "msg_1", "req_1", 4, 10, 6502, 11150)
                + assistant("s1", t, "msg_1", "req_1", 4, 120, 6502, 11150)
                + assistant("s1", t.plusSeconds(5), "msg_2", "req_2", 7, 300, 0, 17652));

        // the central is down: the laptop counts, queues and retries
        laptop = startLaptop();
        Await.until("3 records queued and retried", Duration.ofSeconds(60), () -> {
            Exposition e = scrape(laptop.managementPort);
            return value(e, "odin_usage_forward_records_total{outcome=\"queued\"}") == 3
                    && value(e, "odin_delivery_retries_total{sender=\"usage-forward\"}") >= 1;
        });

        // the laptop restarted while the central is still down: the backlog is kept, new usage joins it
        laptop.terminate();
        assertThat(laptop.awaitExit(Duration.ofSeconds(60))).as("exited").isNotEqualTo(-1);
        Files.writeString(project.resolve("s2.jsonl"), assistant("s2", t.plusSeconds(10), "msg_3", "req_3", 2, 50, 100,
                0));
        laptop = startLaptop();
        Await.until("4 records in the laptop's queue", Duration.ofSeconds(60), () -> value(scrape(laptop.managementPort),
                "odin_delivery_queue_records{sender=\"usage-forward\"}") == 4);

        // the central comes up: everything arrives, once
        central = startCentral();
        Await.until("the laptop's queue drained", Duration.ofSeconds(60), () -> value(scrape(laptop.managementPort),
                "odin_delivery_queue_records{sender=\"usage-forward\"}") == 0);
        JsonNode own = machineRow(laptop.managementPort, "laptop-1");
        JsonNode row = machineRow(centralMgmt, "laptop-1");
        assertThat(row).as("laptop-1 on the central").isNotNull();
        assertThat(row.get("inputTokens").asLong()).isEqualTo(4 + 7 + 2);
        assertThat(row.get("outputTokens").asLong()).isEqualTo(120 + 300 + 50);
        assertThat(row.get("cacheCreationTokens").asLong()).isEqualTo(6502 + 100);
        assertThat(row.get("cacheReadTokens").asLong()).isEqualTo(11150 + 17652);
        assertThat(row.get("totalCost").decimalValue()).isPositive().isEqualTo(own.get("totalCost").decimalValue());
        assertThat(row).isEqualTo(own);
        Exposition c = scrape(centralMgmt);
        String series = "odin_claude_usage_tokens_total{machine=\"laptop-1\",model=\"" + MODEL
                + "\",project=\"-home-u-proj\",source=\"transcript\",type=\"%s\"}";
        assertThat(c.value(String.format(series, "output"))).isEqualTo(470.0);
        assertThat(c.value(String.format(series, "cacheRead"))).isEqualTo(28802.0);
        assertThat(c.value("odin_usage_forward_received_records_total{outcome=\"counted\"}")).isEqualTo(4.0);
        assertThat(c.value("odin_usage_forward_received_records_total{outcome=\"repeat\"}")).isEqualTo(0.0);

        // a replayed batch (msg_1's partial and final totals, msg_2) adds nothing; one older than the window neither
        BigDecimal cost1 = new BigDecimal("0.0301395"); // claimed by the replay; a repeat's cost is never added
        byte[] replay = ForwardedUsage.encode(List.of(
                item(t, "msg_1", "req_1", new TokenUsage(4, 10, 6502, 0, 11150), new BigDecimal("0.0288")),
                item(t, "msg_1", "req_1", new TokenUsage(4, 120, 6502, 0, 11150), cost1),
                item(t.plusSeconds(5), "msg_2", "req_2", new TokenUsage(7, 300, 0, 0, 17652), null),
                item(t.minus(Duration.ofDays(40)), "msg_old", "req_old", new TokenUsage(1, 1, 0, 0, 0), BigDecimal.ONE)))
                .toByteArray();
        HttpResponse<String> r = post(replay, TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(machineRow(centralMgmt, "laptop-1")).isEqualTo(own);
        c = scrape(centralMgmt);
        assertThat(c.value("odin_usage_forward_received_records_total{outcome=\"repeat\"}")).isEqualTo(3.0);
        assertThat(c.value("odin_usage_forward_received_records_total{outcome=\"too_old\"}")).isEqualTo(1.0);
        assertThat(c.value(String.format(series, "output"))).isEqualTo(470.0);

        // refused: without the token, a body that is not OTLP, a malformed forwarded record, an oversized body
        assertThat(post(replay, null).statusCode()).isEqualTo(401);
        assertThat(post(replay, "wrong").statusCode()).isEqualTo(401);
        assertThat(post(new byte[] {(byte) 0xff, 0x01, 0x02}, TOKEN).statusCode()).isEqualTo(400);
        ExportLogsServiceRequest noId = ForwardedUsage.encode(List.of(item(t, "", "req_x",
                new TokenUsage(1000, 1000, 0, 0, 0), BigDecimal.TEN)));
        HttpResponse<String> bad = post(noId.toByteArray(), TOKEN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("forwarded usage record 0: attribute message.id is missing");
        assertThat(post(new byte[80 * 1024], TOKEN).statusCode()).isEqualTo(413);
        assertThat(machineRow(centralMgmt, "laptop-1")).isEqualTo(own);

        // the central restarted: what it counted is still known, a replay still adds nothing
        central.terminate();
        assertThat(central.awaitExit(Duration.ofSeconds(60))).as("exited").isNotEqualTo(-1);
        central = startCentral();
        assertThat(machineRow(centralMgmt, "laptop-1")).isEqualTo(own);
        r = post(replay, TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(machineRow(centralMgmt, "laptop-1")).isEqualTo(own);
        c = scrape(centralMgmt);
        assertThat(c.value("odin_usage_forward_received_records_total{outcome=\"counted\"}")).isEqualTo(0.0);
        assertThat(c.value("odin_usage_forward_received_records_total{outcome=\"repeat\"}")).isEqualTo(3.0);
        assertThat(c.value("odin_usage_forward_dedup_requests")).isEqualTo(3.0);

        // and new usage on the laptop still arrives
        Files.writeString(project.resolve("s2.jsonl"), assistant("s2", t.plusSeconds(20), "msg_4", "req_4", 1, 9, 0, 0),
                StandardOpenOption.APPEND);
        Await.until("msg_4 on the central", Duration.ofSeconds(60),
                () -> machineRow(centralMgmt, "laptop-1").get("outputTokens").asLong() == 479);
        assertThat(machineRow(centralMgmt, "laptop-1")).isEqualTo(machineRow(laptop.managementPort, "laptop-1"));
    }

    private static ForwardedUsage.Item item(Instant time, String msg, String req, TokenUsage total, BigDecimal cost) {
        return new ForwardedUsage.Item(time, "laptop-1", "dev", "", "-home-u-proj", "s1", MODEL, msg, req, total, cost);
    }
}
