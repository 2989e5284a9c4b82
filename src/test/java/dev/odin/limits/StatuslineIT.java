package dev.odin.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.usage.TokenUsage;
import dev.odin.usage.UsageEvent;
import dev.odin.usage.UsageRecorder;
import dev.odin.usage.UsageUsers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * POST /api/statusline on the OTLP/HTTP port with the JSON Claude Code documents: the gauges
 * as /metrics shows them, the answer (today's spend and the block from the usage history, the
 * limits), the refusals (400, 413 at the limit's edge, 415, 405), the series cap, /api/limits.
 */
@TestPropertySource(properties = {"odin.limits.max-body-size=4KB", "odin.limits.max-series=2",
    "odin.claude.timezone=UTC"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatuslineIT extends OdinIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static byte[] example;

    @Autowired
    UsageRecorder recorder;

    @Autowired
    UsageUsers users;

    @BeforeAll
    static void read() throws Exception {
        example = Files.readAllBytes(Path.of("src/test/resources/statusline/statusline-input.json"));
    }

    HttpResponse<byte[]> statusline(byte[] body, String... headers) throws Exception {
        return post("/api/statusline", "application/json", body, headers);
    }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    @Order(1)
    void theDocumentedJsonBecomesGaugesAndALine() throws Exception {
        // a request of this machine, today, in the usage history: $1.10
        Instant at = Instant.now().minus(10, ChronoUnit.MINUTES);
        recorder.record(List.of(new UsageEvent(at, UsageEvent.TRANSCRIPT, "it-laptop", "/src/odin", "s-1",
                "claude-opus-4-8", new TokenUsage(100, 20, 0, 0, 0), new BigDecimal("1.10"), "msg-1", "req-1", "",
                "")));
        HttpResponse<byte[]> r = statusline(example, "X-Odin-Machine", "it-laptop", "X-Odin-User", "alice");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode a = json(r);
        String user = users.configured("alice");
        assertThat(user).isNotEqualTo("alice"); // user.email's rule hashes by default
        assertThat(a.get("machine").asText()).isEqualTo("it-laptop");
        assertThat(a.get("user").asText()).isEqualTo(user);
        assertThat(a.get("today").get("costUsd").decimalValue()).isEqualByComparingTo("1.10");
        JsonNode block = a.get("block");
        Instant end = at.truncatedTo(ChronoUnit.HOURS).plus(5, ChronoUnit.HOURS);
        assertThat(block.get("endTime").asText()).isEqualTo(end.toString());
        long left = block.get("remainingMinutes").asLong();
        assertThat(left).isBetween(Duration.between(Instant.now(), end).toMinutes() - 1,
                Duration.between(at, end).toMinutes());
        assertThat(a.get("line").asText()).isEqualTo("$1.10 today \u00b7 block $1.10 (" + StatuslineIntake.duration(left)
                + " left) \u00b7 5h 24% \u00b7 7d 41%");
        assertThat(a.get("limits").toString()).isEqualTo("[{\"window\":\"five_hour\",\"usedRatio\":0.235,"
                + "\"resetsAt\":\"2100-01-01T00:00:00Z\"},{\"window\":\"seven_day\",\"usedRatio\":0.412,"
                + "\"resetsAt\":\"2100-01-06T00:00:00Z\"}]");
        assertThat(a.get("kept").asInt()).isEqualTo(2);

        Exposition m = scrape();
        String labels = "{machine_name=\"it-laptop\",user_id=\"" + user + "\",window=\"five_hour\"}";
        assertThat(m.samples()).containsEntry("claude_code_plan_usage_ratio" + labels, "0.235")
                .containsEntry("claude_code_plan_resets_at_seconds" + labels, "4.1024448E9")
                .containsEntry("claude_code_plan_usage_ratio" + labels.replace("five_hour", "seven_day"), "0.412")
                .containsEntry("claude_code_plan_resets_at_seconds" + labels.replace("five_hour", "seven_day"),
                        "4.1028768E9")
                .containsEntry("odin_claude_statusline_requests_total{outcome=\"ok\"}", "1.0")
                .containsEntry("odin_claude_plan_series", "2.0");
        assertThat(m.text()).contains("# TYPE claude_code_plan_usage_ratio gauge");

        // a newer reading replaces the older
        String newer = new String(example, StandardCharsets.UTF_8).replace("\"used_percentage\": 23.5",
                "\"used_percentage\": 80");
        assertThat(json(statusline(newer.getBytes(StandardCharsets.UTF_8), "X-Odin-Machine", "it-laptop",
                "X-Odin-User", "alice")).get("line").asText()).endsWith(" \u00b7 5h 80% \u00b7 7d 41%");
        assertThat(scrape().samples()).containsEntry("claude_code_plan_usage_ratio" + labels, "0.8");

        HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/api/limits")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(200);
        JsonNode rows = JSON.readTree(api.body()).get("limits");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("window").asText()).isEqualTo("five_hour");
        assertThat(rows.get(0).get("machine").asText()).isEqualTo("it-laptop");
        assertThat(rows.get(0).get("user").asText()).isEqualTo(user);
        assertThat(rows.get(0).get("usedRatio").decimalValue()).isEqualByComparingTo("0.8");
        assertThat(rows.get(0).get("resetsAt").asText()).isEqualTo("2100-01-01T00:00:00Z");
    }

    @Test
    @Order(2)
    void pastTheSeriesCapAReadingIsCountedNotKept() throws Exception {
        HttpResponse<byte[]> r = statusline(example, "X-Odin-Machine", "another-machine", "X-Odin-User", "bob");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("kept").asInt()).isZero();
        assertThat(json(r).get("line").asText()).endsWith("5h 24% \u00b7 7d 41%"); // still answered
        Exposition m = scrape();
        assertThat(m.samples()).containsEntry("odin_claude_plan_series_dropped_total", "2.0");
        assertThat(m.metric("claude_code_plan_usage_ratio").keySet()).noneMatch(k -> k.contains("another-machine"));
    }

    @Test
    void aStatuslineWithoutLimitsIsAnsweredAndKeepsNothing() throws Exception {
        HttpResponse<byte[]> r = statusline("{\"model\": {\"display_name\": \"Opus 4.8\"}}".getBytes());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("kept").asInt()).isZero();
        assertThat(json(r).get("line").asText()).doesNotContain("5h").contains(" today");
    }

    @Test
    void slowSendersHoldAtMostTheReadsCapAndOthersAreToldToRetry() throws Exception {
        // four clients that promise a body and never send it: each holds an OTLP/HTTP thread
        // reading (until the connection timeout); the fifth is refused at once, not queued
        java.util.List<java.net.Socket> slow = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", httpPort);
                s.getOutputStream().write(("POST /api/statusline HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            HttpResponse<byte[]> busy = null;
            for (int attempt = 0; attempt < 100; attempt++) {
                busy = statusline(example);
                if (busy.statusCode() == 503) {
                    break;
                }
                Thread.sleep(50); // the four reads may not have begun yet
            }
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(new String(busy.body())).contains("too many statusline requests at once");
            assertThat(scrape().value("odin_claude_statusline_requests_total{outcome=\"busy\"}")).isGreaterThanOrEqualTo(1.0);
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
        // the slow ones gone, their slots come back
        HttpResponse<byte[]> ok = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            ok = statusline(example);
            if (ok.statusCode() == 200) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    @Test
    void malformedJsonIs400WithTheReason() throws Exception {
        HttpResponse<byte[]> r = statusline("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": \"x\"}}}".getBytes());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new String(r.body())).isEqualTo(
                "{\"error\":\"rate_limits.five_hour.used_percentage is not a number\"}");
        assertThat(statusline("{not json".getBytes()).statusCode()).isEqualTo(400);
        assertThat(new String(statusline("".getBytes()).body())).contains("the body is not a JSON object");
        HttpResponse<byte[]> longName = statusline(example, "X-Odin-Machine", "m".repeat(129));
        assertThat(longName.statusCode()).isEqualTo(400);
        assertThat(new String(longName.body())).contains("X-Odin-Machine is at most 128 printable characters");
        assertThat(scrape().value("odin_claude_statusline_requests_total{outcome=\"malformed\"}")).isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void aBodyOverTheLimitIs413AtTheEdge() throws Exception {
        byte[] exact = padded(4096);
        assertThat(statusline(exact).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> over = statusline(padded(4097));
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(new String(over.body())).isEqualTo("{\"error\":\"the body of 4097 bytes is larger than the limit"
                + " of 4096 bytes (odin.limits.max-body-size)\"}");
        // chunked: no length declared, refused once more than the limit has come
        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(URI.create(otlpHttp("/api/statusline")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(padded(100_000))))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(new String(chunked.body())).contains("more than 4096 bytes");
        assertThat(scrape().value("odin_claude_statusline_requests_total{outcome=\"too_large\"}")).isGreaterThanOrEqualTo(2.0);
    }

    /** {} padded with spaces to n bytes: valid JSON of exactly that size. */
    static byte[] padded(int n) {
        return ("{" + " ".repeat(n - 2) + "}").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void otherContentTypesAndMethodsAreRefused() throws Exception {
        HttpResponse<byte[]> form = post("/api/statusline", "application/x-www-form-urlencoded", example);
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(new String(form.body())).contains("Content-Type: application/json");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(otlpHttp("/api/statusline"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    // --- bin/odin-statusline against this ODIN, and with no ODIN

    static final String OFFLINE = "Opus 4.8 \u00b7 session $1.23 \u00b7 5h 24% \u00b7 7d 41% \u00b7 ODIN unreachable";

    @Test
    void theScriptPrintsOdinsLineWithCurlAndWithPython() throws Exception {
        for (String python : new String[] {"0", "1"}) {
            StatuslineScript.Run run = StatuslineScript.run(example, java.util.Map.of("ODIN_URL",
                    "http://127.0.0.1:" + httpPort, "ODIN_MACHINE", "it-script", "ODIN_USER", "carol",
                    "ODIN_STATUSLINE_PYTHON", python, "ODIN_STATUSLINE_TIMEOUT", "10"));
            assertThat(run.exitCode()).as(run.stderr()).isZero();
            HttpResponse<byte[]> same = statusline(example, "X-Odin-Machine", "it-script", "X-Odin-User", "carol");
            assertThat(run.line()).as("python=" + python).isEqualTo(json(same).get("line").asText());
            assertThat(run.line()).contains(" today").endsWith(" \u00b7 5h 24% \u00b7 7d 41%");
        }
    }

    @Test
    void withOdinDownTheScriptPrintsTheJsonsOwnLineAndExitsZero() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        for (String python : new String[] {"0", "1"}) {
            StatuslineScript.Run run = StatuslineScript.run(example, java.util.Map.of("ODIN_URL",
                    "http://127.0.0.1:" + closed, "ODIN_STATUSLINE_PYTHON", python));
            assertThat(run.exitCode()).isZero();
            assertThat(run.line()).isEqualTo(OFFLINE);
            // garbage in: still a line, still 0
            StatuslineScript.Run garbage = StatuslineScript.run("not json".getBytes(), java.util.Map.of("ODIN_URL",
                    "http://127.0.0.1:" + closed, "ODIN_STATUSLINE_PYTHON", python));
            assertThat(garbage.exitCode()).isZero();
            assertThat(garbage.line()).isEqualTo("ODIN unreachable");
        }
    }

    @Test
    void anOdinThatNeverAnswersCostsTheScriptItsTimeoutOnly() throws Exception {
        try (java.net.ServerSocket hang = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                    while (true) {
                        held.add(hang.accept()); // accepted, read from never, answered never
                    }
                } catch (IOException e) {
                    held.forEach(x -> { try { x.close(); } catch (IOException ignored) { } });
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            for (String python : new String[] {"0", "1"}) {
                StatuslineScript.Run run = StatuslineScript.run(example, java.util.Map.of("ODIN_URL",
                        "http://127.0.0.1:" + hang.getLocalPort(), "ODIN_STATUSLINE_PYTHON", python,
                        "ODIN_STATUSLINE_TIMEOUT", "0.5"));
                assertThat(run.exitCode()).isZero();
                assertThat(run.line()).isEqualTo(OFFLINE);
                // 0.5 s for ODIN plus the shell's (or python's) own start; far below the hang
                assertThat(run.took()).as("python=" + python).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void aRefusalIsShownBesideTheJsonsOwnLine() throws Exception {
        byte[] bad = "{\"model\": {\"display_name\": \"Opus 4.8\"}, \"rate_limits\": {\"five_hour\": 7}}"
                .getBytes(StandardCharsets.UTF_8);
        for (String python : new String[] {"0", "1"}) {
            StatuslineScript.Run run = StatuslineScript.run(bad, java.util.Map.of("ODIN_URL",
                    "http://127.0.0.1:" + httpPort, "ODIN_STATUSLINE_PYTHON", python, "ODIN_STATUSLINE_TIMEOUT", "10"));
            assertThat(run.exitCode()).isZero();
            assertThat(run.line()).isEqualTo("Opus 4.8 \u00b7 ODIN 400");
        }
    }
}
