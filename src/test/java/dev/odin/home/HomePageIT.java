package dev.odin.home;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.odin.health.ComponentHealth;
import dev.odin.health.HealthRegistry;
import dev.odin.testing.Await;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinIntegrationTest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The management port's home page and /api/status on a running ODIN: OTLP sent over HTTP shows
 * up as requests and items received; a Loki that answers 503 (its message naming a hostile
 * service name, as Loki's refusals quote stream labels) shows as a retrying sender with its
 * backlog and last error, escaped; once Loki takes the batch the backlog is gone and the items
 * are counted as sent. Then the page in a real headless Chromium at a phone's and a desktop's
 * width, with screenshots in target/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HomePageIT extends OdinIntegrationTest {

    static final String HOSTILE = "<script>alert('odin')</script>";
    private static final AtomicBoolean LOKI_DOWN = new AtomicBoolean(true);
    private static final AtomicInteger LOKI_TAKEN = new AtomicInteger();
    private static final HttpServer LOKI = loki();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    private HealthRegistry components;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.loki.url", () -> "http://127.0.0.1:" + LOKI.getAddress().getPort());
        r.add("odin.loki.batch-wait", () -> "50ms");
        r.add("odin.loki.min-backoff", () -> "100ms");
        r.add("odin.loki.max-backoff", () -> "200ms");
    }

    /** A Loki that refuses with 503, quoting a client's service name, until told otherwise. */
    private static HttpServer loki() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            s.createContext("/", ex -> {
                ex.getRequestBody().readAllBytes();
                if (LOKI_DOWN.get()) {
                    byte[] msg = ("ingester for stream {service_name=\"" + HOSTILE + "\"} is unavailable")
                            .getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(503, msg.length);
                    ex.getResponseBody().write(msg);
                } else {
                    LOKI_TAKEN.incrementAndGet();
                    ex.sendResponseHeaders(204, -1);
                }
                ex.close();
            });
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        LOKI.stop(0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status() throws Exception {
        HttpResponse<String> r = get("/api/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    private static JsonNode row(JsonNode rows, String field, String value, String protocol) {
        for (JsonNode n : rows) {
            if (n.path(field).asText().equals(value) && (protocol == null || n.path("protocol").asText()
                    .equals(protocol))) {
                return n;
            }
        }
        throw new AssertionError("no row " + value + " " + protocol + " in " + rows);
    }

    @Test
    @Order(1)
    void theHomePageShowsWhatCameInAndTheBacklogOfALokiThatIsDown() throws Exception {
        byte[] metrics = Files.readAllBytes(Path.of("src/test/resources/otlp-json/"
                + "claude-code--http-json-chat--v1_metrics_0002.json")); // 1 data point
        byte[] logs = Files.readAllBytes(Path.of("src/test/resources/otlp-json/"
                + "claude-code--http-json-chat--v1_logs_0001.json")); // 5 log records
        assertThat(post("/v1/metrics", "application/json", metrics).statusCode()).isEqualTo(200);
        assertThat(post("/v1/metrics", "application/json", metrics).statusCode()).isEqualTo(200);
        assertThat(post("/v1/logs", "application/json", logs).statusCode()).isEqualTo(200);

        // the page is built at most once a second: wait for the one that has it all
        Await.until("the Loki sender retrying with its backlog", Duration.ofSeconds(20), () -> {
            JsonNode loki = row(status().path("sending"), "sender", "loki", null);
            return loki.path("state").asText().equals("retrying") && loki.path("queued").asLong() == 5
                    && !loki.path("lastError").isNull();
        });
        JsonNode s = status();
        JsonNode m = row(s.path("receiving"), "receiver", "OTLP metrics", "HTTP");
        assertThat(m.path("requests").asLong()).isEqualTo(2);
        assertThat(m.path("requestsRecent").asLong()).isEqualTo(2);
        assertThat(m.path("items").asLong()).isEqualTo(2);
        assertThat(m.path("itemsAre").asText()).isEqualTo("data points");
        assertThat(m.path("refused").asLong()).isZero();
        assertThat(m.path("lastReceived").isTextual()).isTrue();
        JsonNode l = row(s.path("receiving"), "receiver", "OTLP logs", "HTTP");
        assertThat(l.path("requests").asLong()).isEqualTo(1);
        assertThat(l.path("items").asLong()).isEqualTo(5);
        JsonNode grpc = row(s.path("receiving"), "receiver", "OTLP logs", "gRPC");
        assertThat(grpc.path("requests").asLong()).isZero();
        assertThat(grpc.path("lastReceived").isNull()).isTrue();
        JsonNode loki = row(s.path("sending"), "sender", "loki", null);
        assertThat(loki.path("sent").asLong()).isZero();
        assertThat(loki.path("lastSuccess").isNull()).isTrue();
        assertThat(loki.path("queuedBytes").asLong()).isPositive();
        assertThat(loki.path("lastError").path("message").asText()).contains("503").contains(HOSTILE);
        assertThat(s.path("links").path("docs").asText())
                .isEqualTo("https://github.com/odin-observability/odin/tree/main/docs");
        assertThat(s.path("uptimeSeconds").asLong()).isNotNegative();
        for (ComponentHealth probe : components.all()) {
            JsonNode p = row(s.path("probes"), "probe", probe.name(), null);
            assertThat(p.path("status").asText()).isIn("UP", "DEGRADED", "ABSENT", "UNKNOWN");
        }
        assertThat(row(s.path("components"), "component", "loki", null).path("status").asText())
                .isEqualTo("DEGRADED");

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
        String html = page.body();
        assertThat(html)
                .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .contains("<td>OTLP metrics<span class=\"proto\">HTTP</span></td><td class=\"n\">2 <span"
                        + " class=\"dim\">/ 2</span></td><td class=\"n\">2 <span class=\"dim\">/ 2</span>"
                        + "<span class=\"proto\">data points</span></td>")
                .contains("<td>OTLP logs<span class=\"proto\">HTTP</span></td><td class=\"n\">1 <span"
                        + " class=\"dim\">/ 1</span></td><td class=\"n\">5 <span class=\"dim\">/ 5</span>")
                .contains("Listening, nothing yet: OTLP metrics (gRPC), OTLP logs (gRPC), OTLP traces (gRPC),"
                        + " OTLP traces (HTTP)")
                .contains("<td>loki</td><td class=\"s retrying\">retrying</td><td class=\"n\">5 ")
                .contains("{service_name=&quot;&lt;script&gt;alert(&#39;odin&#39;)&lt;/script&gt;&quot;}")
                .doesNotContain("<script")
                .contains("<a href=\"usage\">Usage</a>", "<a href=\"health\">Health</a>",
                        "<a href=\"metrics\">Metrics</a>", "<a href=\"ready\">Ready</a>",
                        "<a href=\"api/usage\">Usage API</a>", "<a href=\"api/status\">Status JSON</a>",
                        "<a href=\"https://github.com/odin-observability/odin/tree/main/docs\">Docs</a>");
        for (ComponentHealth probe : components.all()) {
            assertThat(html).contains("<tr><td>" + probe.name());
        }
        assertThat(html).contains("version development build (not run from the jar) · up ");
        // no input: a query is ignored, not reflected; anything but GET is refused
        assertThat(get("/?name=%3Cscript%3E").body()).doesNotContain("<script");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/")).POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        // the links it names answer
        for (String link : new String[] {"/usage", "/health", "/metrics", "/ready", "/api/usage", "/healthz"}) {
            assertThat(get(link).statusCode()).as(link).isEqualTo(200);
        }
    }

    @Test
    @Order(2)
    void thePageInChromiumAtAPhonesAndADesktopsWidth() throws Exception {
        Path chromium = ExternalTool.require("chromium", "chromium");
        String url = "http://127.0.0.1:" + managementPort + "/";
        String dom = chromium(chromium, "--dump-dom", url);
        assertThat(dom).contains("<h2>Receiving</h2>").contains("<h2>Sending</h2>").contains("<h2>Probes</h2>")
                .contains("<h2>Last errors</h2>").doesNotContain("<script");
        int[][] sizes = {{412, 915}, {1280, 900}};
        for (int[] size : sizes) {
            Path shot = Path.of("target", "home-page-" + size[0] + ".png");
            Files.deleteIfExists(shot);
            chromium(chromium, "--window-size=" + size[0] + "," + size[1], "--screenshot=" + shot.toAbsolutePath(),
                    url);
            BufferedImage image = ImageIO.read(shot.toFile());
            assertThat(image.getWidth()).isEqualTo(size[0]);
            assertThat(image.getHeight()).isEqualTo(size[1]);
            assertThat(pixels(image, 0xd9, 0x77, 0x57)).as("the title's ODIN (#d97757) at %d px", size[0])
                    .isGreaterThan(50);
            assertThat(pixels(image, 0xb2, 0x6a, 0x00)).as("the retrying sender's colour (#b26a00) at %d px",
                    size[0]).isGreaterThan(20);
        }
    }

    @Test
    @Order(3)
    void onceLokiTakesTheBatchTheBacklogIsGoneAndTheItemsCountAsSent() throws Exception {
        LOKI_DOWN.set(false);
        Await.until("the Loki sender idle with its items sent", Duration.ofSeconds(20), () -> {
            JsonNode loki = row(status().path("sending"), "sender", "loki", null);
            return loki.path("state").asText().equals("idle") && loki.path("sent").asLong() == 5;
        });
        JsonNode loki = row(status().path("sending"), "sender", "loki", null);
        assertThat(loki.path("queued").asLong()).isZero();
        assertThat(loki.path("sentRecent").asLong()).isEqualTo(5);
        assertThat(loki.path("lastSuccess").isTextual()).isTrue();
        assertThat(LOKI_TAKEN.get()).isPositive();
        assertThat(get("/").body()).contains("<td>loki</td><td class=\"s idle\">idle</td><td class=\"n\">0 ");
    }

    private static int pixels(BufferedImage image, int r0, int g0, int b0) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (Math.abs((rgb >> 16) - r0) < 12 && Math.abs(((rgb >> 8) & 0xff) - g0) < 12
                        && Math.abs((rgb & 0xff) - b0) < 12) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String chromium(Path chromium, String... args) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        String[] cmd = new String[args.length + 5];
        cmd[0] = chromium.toString();
        cmd[1] = "--headless=new";
        cmd[2] = "--no-sandbox"; // CI runs as root
        cmd[3] = "--disable-gpu";
        cmd[4] = "--user-data-dir=" + profile;
        System.arraycopy(args, 0, cmd, 5, args.length);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
