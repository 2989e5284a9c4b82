package dev.odin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real Prometheus (Debian's) on a free loopback port, scraping one target every second. */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    public PrometheusServer(Path binary, String target, String metricsPath, String... features) throws Exception {
        this(binary, target, metricsPath, java.util.List.of(), features);
    }

    /** @param ruleFiles rule files Prometheus loads and evaluates (absolute paths are safest) */
    public PrometheusServer(Path binary, String target, String metricsPath, java.util.List<Path> ruleFiles,
            String... features) throws Exception {
        dir = Files.createTempDirectory("odin-prometheus");
        port = freePort();
        StringBuilder rules = new StringBuilder();
        if (!ruleFiles.isEmpty()) {
            rules.append("rule_files:\n");
            ruleFiles.forEach(f -> rules.append("  - '").append(f.toAbsolutePath()).append("'\n"));
        }
        Files.writeString(dir.resolve("prometheus.yml"), rules + String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: odin",
                "    honor_labels: true",
                "    metrics_path: " + metricsPath,
                "    static_configs:",
                "      - targets: ['" + target + "']",
                ""));
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn");
        for (String f : features) {
            pb.command().add("--enable-feature=" + f);
        }
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile());
        process = pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("prometheus.log"));
    }

    /** Waits until the target has been scraped successfully at least once. */
    public void awaitTargetUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode r = query("up", null);
                if (r.size() > 0 && r.get(0).get("value").get(1).asText().equals("1")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + log());
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("target never came up; prometheus log:\n" + log());
    }

    /** Instant query; @return data.result */
    public JsonNode query(String promql, Double atUnixSeconds) throws IOException, InterruptedException {
        String url = "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (atUnixSeconds == null ? "" : "&time=" + atUnixSeconds);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IOException("query " + promql + " failed: " + r.body());
        }
        return body.get("data").get("result");
    }

    /** The single value of an instant vector or scalar query, or null when the result is empty. */
    public Double value(String promql, Double atUnixSeconds) throws IOException, InterruptedException {
        JsonNode result = query(promql, atUnixSeconds);
        if (result.isArray()) {
            if (result.size() == 0) {
                return null;
            }
            if (result.size() > 1) {
                throw new IllegalStateException(promql + " returned " + result.size() + " series: " + result);
            }
            return Double.valueOf(result.get(0).get("value").get(1).asText());
        }
        return Double.valueOf(result.get(1).asText());
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
