package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.TokensFile;
import dev.odin.testing.Otlp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 13, findings 1 and 3, over the real listeners: every spelling of a guarded path is either
 * refused as ambiguous or guarded; unauthenticated, oversized and slow bodies cost no thread and
 * are not read; the other clients and /metrics go on being served meanwhile.
 */
class ReceiverEdgeIT extends OdinIntegrationTest {

    static final String TOKEN = "edge-token-0123456789abcdef";
    static final String WEBHOOK_AUTH = "Basic " + Base64.getEncoder()
            .encodeToString("am:s3cret".getBytes(StandardCharsets.UTF_8));
    private static final Path TOKENS = TokensFile.create(TOKEN + " team-edge");


    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.auth.tokens-file", TOKENS::toString);
        registry.add("odin.alerting.webhook.username", () -> "am");
        registry.add("odin.alerting.webhook.password", () -> "s3cret");
        registry.add("odin.http.body-timeout", () -> "3s");
    }

    @AfterAll
    static void stop() throws IOException {
        Files.deleteIfExists(TOKENS);
    }

    static byte[] metrics(String name) {
        return Otlp.request(Otlp.attrs("service.name", "edge-it"), Otlp.sum(name, "1", true, Otlp.CUMULATIVE,
                Otlp.point(Otlp.attrs(), Otlp.T0, Otlp.T0 + Otlp.SECOND, 1))).toByteArray();
    }

    /** The sum of a metric's samples that carry all the given label="value" pairs. */
    static double sum(dev.odin.testing.Exposition e, String name, String... labels) {
        double total = 0;
        for (var s : e.metric(name).entrySet()) {
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= s.getKey().contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                total += Double.parseDouble(s.getValue());
            }
        }
        return total;
    }

    /** One request over a fresh connection; the status code. */
    int send(int port, String target, byte[] body, String... headers) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            List<String> h = new ArrayList<>(List.of(headers));
            h.add("Content-Length: " + body.length);
            c.head("POST", target, h.toArray(String[]::new)).body(body);
            return c.status();
        }
    }

    @Test
    void ambiguousSpellingsOfAPathAreRefusedOnEveryListener() throws Exception {
        byte[] body = metrics("edge_ambiguous");
        String[] ambiguous = {"/v1;x/metrics", "/v1/metrics;x", "/v1;/metrics", "/v1//metrics", "//v1/metrics",
            "/v1/./metrics", "/v1/../v1/metrics", "/x/../v1/metrics", "/v1/%2e%2e/v1/metrics", "/v1%2fmetrics",
            "/v1/metrics%3bx", "/v1/%252e/metrics", "/v1\\metrics", "/v1/%5cmetrics",
            "/alertmanager/webhook;x", "/alertmanager;x/webhook", "/alertmanager//webhook"};
        for (String target : ambiguous) {
            // with and without credentials: the firewall answers first
            assertThat(send(httpPort, target, body, "Content-Type: application/x-protobuf"))
                    .as("no token: " + target).isEqualTo(400);
            assertThat(send(httpPort, target, body, "Content-Type: application/x-protobuf",
                    "Authorization: Bearer " + TOKEN)).as("token: " + target).isEqualTo(400);
        }
        for (String target : new String[] {"/metrics;x", "/metrics/..;/health", "//metrics", "/health/%2e%2e/metrics"}) {
            try (RawHttp c = new RawHttp(managementPort)) {
                c.head("GET", target);
                assertThat(c.status()).as("management " + target).isEqualTo(400);
            }
        }
        try (RawHttp c = new RawHttp(managementPort)) {
            c.head("GET", "/metrics");
            assertThat(c.status()).isEqualTo(200);
        }
        assertThat(sum(scrape(), "odin_http_requests_rejected_total", "reason", "semicolon")).isPositive();
    }

    @Test
    void everyRoutedSpellingOfAGuardedPathNeedsCredentials() throws Exception {
        byte[] body = metrics("edge_spelling_total");
        String[] routed = {"/v1/metrics", "/%76%31/metrics", "/v1/%6detrics", "/v1/metrics/", "/v1/", "/v1",
            "/v1/anything"};
        for (String target : routed) {
            assertThat(send(httpPort, target, body, "Content-Type: application/x-protobuf"))
                    .as("no token: " + target).isEqualTo(401);
            assertThat(send(httpPort, target, body, "Content-Type: application/x-protobuf",
                    "Authorization: Bearer wrong-token")).as("wrong token: " + target).isEqualTo(401);
            assertThat(send(httpPort, target, body, "Content-Type: application/x-protobuf",
                    "Odin-Tenant: someone-else")).as("own tenant header: " + target).isEqualTo(401);
        }
        // the decoded spelling is routed to the receiver, and with a token it is served
        assertThat(send(httpPort, "/%76%31/metrics", body, "Content-Type: application/x-protobuf",
                "Authorization: Bearer " + TOKEN)).isEqualTo(200);
        String json = "{\"receiver\":\"x\",\"status\":\"firing\",\"alerts\":[]}";
        for (String target : new String[] {"/alertmanager/webhook", "/alertmanager/%77ebhook", "/alertmanager/webhook/",
            "/alertmanager/other", "/%61lertmanager/webhook"}) {
            assertThat(send(httpPort, target, json.getBytes(StandardCharsets.UTF_8), "Content-Type: application/json"))
                    .as("webhook without credentials: " + target).isEqualTo(401);
            // an OTLP token is no webhook credential
            assertThat(send(httpPort, target, json.getBytes(StandardCharsets.UTF_8), "Content-Type: application/json",
                    "Authorization: Bearer " + TOKEN)).as("webhook with an OTLP token: " + target).isEqualTo(401);
        }
        // any other path on the receiver port needs credentials too (deny by default)
        assertThat(send(httpPort, "/somewhere", body, "Content-Type: application/x-protobuf")).isEqualTo(401);
    }

    @Test
    void anUnauthenticatedBodyIsNeverRead() throws Exception {
        try (RawHttp c = new RawHttp(httpPort)) {
            c.head("POST", "/v1/metrics", "Content-Type: application/x-protobuf", "Transfer-Encoding: chunked");
            c.body("1000\r\n".getBytes());
            c.body(new byte[4096]);
            assertThat(c.status()).isEqualTo(401);
            assertThat(c.lastHead()).containsIgnoringCase("Connection: close");
            c.bodyText();
            assertThat(c.closedByServer(3000)).as("the connection is closed, the rest is not read").isTrue();
        }
        // a slow unauthenticated sender is answered at once, not after its body
        try (RawHttp c = new RawHttp(httpPort)) {
            c.head("POST", "/v1/logs", "Content-Type: application/x-protobuf", "Content-Length: 1000000");
            c.body(new byte[1]);
            assertThat(c.status()).isEqualTo(401);
            c.bodyText();
            assertThat(c.closedByServer(3000)).isTrue();
        }
    }

    @Test
    void aHugeChunkedBodyIsCutOffAtTheLimit() throws Exception {
        long sent = 0;
        byte[] chunk = new byte[65536];
        byte[] chunkHead = (Integer.toHexString(chunk.length) + "\r\n").getBytes();
        try (RawHttp c = new RawHttp(httpPort)) {
            c.head("POST", "/v1/metrics", "Content-Type: application/x-protobuf", "Transfer-Encoding: chunked",
                    "Authorization: Bearer " + TOKEN);
            // 600 MB offered; the server stops reading at its 8 MB limit and closes
            while (sent < 600L << 20 && c.tryBody(chunkHead) && c.tryBody(chunk) && c.tryBody("\r\n".getBytes())) {
                sent += chunk.length;
                if (sent > 64L << 20) {
                    break;
                }
            }
            assertThat(c.status()).isEqualTo(413);
        }
        assertThat(sent).as("bytes the client could push before the server closed").isLessThan(64L << 20);
        assertThat(sum(scrape(), "odin_http_bodies_refused_total", "receiver", "metrics", "reason", "too_large"))
                .isPositive();
    }

    @Test
    void slowBodiesHoldNoThreadAndLockNobodyOut() throws Exception {
        // 68 senders from four other addresses, each with headers and then one byte: more than
        // Tomcat's 64 threads; 16 per address are taken in, the 17th of each is told to come back
        List<RawHttp> slow = new ArrayList<>();
        int refusedAtOnce = 0;
        try {
            for (int a = 2; a <= 5; a++) {
                for (int i = 0; i < 17; i++) {
                    RawHttp c = new RawHttp(httpPort, "127.0.0." + a);
                    c.head("POST", "/v1/metrics", "Content-Type: application/x-protobuf", "Content-Length: 1000",
                            "Authorization: Bearer " + TOKEN);
                    c.body(new byte[1]);
                    slow.add(c);
                }
            }
            Thread.sleep(1500); // the refusals are on their way; the others wait for their bodies
            for (RawHttp c : slow) {
                if (c.socket.getInputStream().available() > 0) {
                    assertThat(c.status()).isEqualTo(429);
                    assertThat(c.lastHead()).contains("Retry-After: ");
                    refusedAtOnce++;
                }
            }
            assertThat(refusedAtOnce).isEqualTo(4);
            // everyone else is served meanwhile
            long t0 = System.nanoTime();
            assertThat(send(httpPort, "/v1/metrics", metrics("edge_while_slow_total"),
                    "Content-Type: application/x-protobuf", "Authorization: Bearer " + TOKEN)).isEqualTo(200);
            assertThat(send(httpPort, "/alertmanager/webhook",
                    "{\"receiver\":\"x\",\"status\":\"firing\",\"alerts\":[]}".getBytes(StandardCharsets.UTF_8),
                    "Content-Type: application/json", "Authorization: " + WEBHOOK_AUTH)).isIn(200, 400);
            HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                    + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            // and each slow sender is cut off at the body deadline (3 s here) and its connection closed
            int timedOut = 0;
            for (RawHttp c : slow) {
                c.socket.setSoTimeout(10_000);
                if (c.lastHead().isEmpty()) {
                    assertThat(c.status()).isEqualTo(408);
                    assertThat(c.lastHead()).containsIgnoringCase("Connection: close");
                    timedOut++;
                }
            }
            assertThat(timedOut).isEqualTo(64);
        } finally {
            for (RawHttp c : slow) {
                c.close();
            }
        }
        assertThat(sum(scrape(), "odin_http_bodies_refused_total", "receiver", "metrics", "reason", "timeout"))
                .isGreaterThanOrEqualTo(64);
    }
}
