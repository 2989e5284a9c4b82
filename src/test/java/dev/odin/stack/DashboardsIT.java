package dev.odin.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.probes.ProbeRunner;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.PrometheusServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * The Grafana dashboards: valid dashboard JSON (schema version, unique panel ids, grid
 * positions inside 24 columns that do not overlap, a datasource and a query on every panel);
 * every PromQL query, with Grafana's variables substituted, runs in a real Prometheus that
 * scrapes an ODIN which received the Claude Code captures and ran its probes, and returns data
 * unless it needs hardware or components this machine lacks; every LogQL query parses with
 * Grafana's own grammar (@grafana/lezer-logql).
 */
class DashboardsIT extends OdinIntegrationTest {

    static final Path DASHBOARDS = Path.of("grafana", "dashboards");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*\\w+\\)");
    /** Series that need what a CI machine has not: a GPU, RAPL, a battery, Loki, firing alerts, channels. */
    static final Pattern MAY_BE_EMPTY = Pattern.compile("nvidia_smi_|node_rapl_|node_power_supply_|node_hwmon_"
            + "|node_thermal_zone_|odin_loki_|ALERTS"
            // computed once a minute from the history; budgets only when configured, blocks only while active
            + "|odin_claude_block_|odin_claude_budget_|odin_claude_day_"
            + "|odin_notifications_|odin_alerts_|odin_otlp_rejected|claude_code_commit|claude_code_pull_request"
            + "|:[a-z_]+:");

    /** Metric names in PromQL: ODIN's, node_exporter's, nvidia_gpu_exporter's, process-exporter's. */
    static final Pattern METRIC = Pattern.compile("(?<![:\\w])((?:node|nvidia_smi|odin|claude_code|namedprocess)_[a-zA-Z0-9_]+)(?![\\w:])");

    static final Map<String, JsonNode> dashboards = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                dashboards.put(f.getFileName().toString(), JSON.readTree(f.toFile()));
            }
        }
    }

    record Query(String dashboard, String panel, String datasource, String expr) {
    }

    static List<Query> queries() {
        List<Query> out = new ArrayList<>();
        dashboards.forEach((name, d) -> {
            for (JsonNode p : d.get("panels")) {
                for (JsonNode t : p.path("targets")) {
                    out.add(new Query(name, p.get("title").asText(), p.get("datasource").get("type").asText(),
                            t.get("expr").asText()));
                }
            }
            for (JsonNode v : d.path("templating").path("list")) {
                Matcher m = LABEL_VALUES.matcher(v.get("query").asText());
                assertThat(m.matches()).as(name + " variable " + v.get("name")).isTrue();
                out.add(new Query(name, "variable " + v.get("name").asText(), "prometheus", m.group(1)));
            }
        });
        return out;
    }

    @Test
    void dashboardsAreValidGrafanaJson() {
        assertThat(dashboards.keySet()).contains("claude-code.json", "system-overview.json", "claude-processes.json",
                "gpu-power.json", "odin.json", "alert-history.json");
        Set<String> uids = new HashSet<>();
        for (Map.Entry<String, JsonNode> e : dashboards.entrySet()) {
            JsonNode d = e.getValue();
            String name = e.getKey();
            assertThat(d.get("schemaVersion").asInt()).as(name).isGreaterThanOrEqualTo(36);
            assertThat(uids.add(d.get("uid").asText())).as(name + " uid").isTrue();
            Set<Integer> ids = new HashSet<>();
            List<int[]> boxes = new ArrayList<>();
            for (JsonNode p : d.get("panels")) {
                assertThat(ids.add(p.get("id").asInt())).as(name + " panel id " + p.get("id")).isTrue();
                JsonNode g = p.get("gridPos");
                int[] box = {g.get("x").asInt(), g.get("y").asInt(), g.get("w").asInt(), g.get("h").asInt()};
                assertThat(box[0] + box[2]).as(name + " " + p.get("title") + " inside 24 columns").isLessThanOrEqualTo(24);
                for (int[] other : boxes) {
                    boolean overlap = box[0] < other[0] + other[2] && other[0] < box[0] + box[2]
                            && box[1] < other[1] + other[3] && other[1] < box[1] + box[3];
                    assertThat(overlap).as(name + " " + p.get("title") + " overlaps another panel").isFalse();
                }
                boxes.add(box);
                if (!p.get("type").asText().equals("row")) {
                    assertThat(p.path("datasource").path("uid").asText()).as(name + " " + p.get("title")).isNotEmpty();
                    assertThat(p.path("targets").size()).as(name + " " + p.get("title") + " targets").isPositive();
                }
            }
        }
        long claudePanels = dashboards.get("claude-code.json").get("panels").findValues("targets").size();
        assertThat(claudePanels).isGreaterThanOrEqualTo(33);
        assertThat(dashboards.get("claude-code.json").get("panels").findValuesAsText("type").stream()
                .filter("row"::equals).count()).isGreaterThanOrEqualTo(8);
        assertThat(dashboards.get("system-overview.json").get("panels").findValues("targets").size())
                .isGreaterThanOrEqualTo(13);
    }

    @Autowired
    @Qualifier("hostProbe")
    ProbeRunner hostProbe;

    @Autowired
    @Qualifier("processProbe")
    ProbeRunner processProbe;

    @Autowired
    dev.odin.usage.UsageRecorder usage;

    @Test
    void everyPromqlQueryRunsInPrometheusAndFindsData() throws Exception {
        ExternalTool.require("prometheus", "prometheus");
        // one live session seen from its transcript and, for half its cost, from telemetry: the
        // telemetry-loss rules' coverage series (docs/usage.md "Telemetry loss")
        java.time.Instant now = java.time.Instant.now();
        dev.odin.usage.TokenUsage tokens = new dev.odin.usage.TokenUsage(1000, 100, 0, 0, 0);
        usage.record(List.of(new dev.odin.usage.UsageEvent(now, dev.odin.usage.UsageEvent.TRANSCRIPT, "dash-it",
                "proj", "dash-it-session", "claude-sonnet-4-6", tokens, new java.math.BigDecimal("1.00"), "msg_dash",
                "req_dash", "dana", "")));
        usage.record(List.of(new dev.odin.usage.UsageEvent(now, dev.odin.usage.UsageEvent.TELEMETRY, "dash-it",
                "proj", "dash-it-session", "claude-sonnet-4-6", tokens, new java.math.BigDecimal("0.50"), null, null,
                "dana", "")));
        for (String f : new String[] {"v1_logs_0001", "v1_metrics_0002", "v1_logs_0004", "v1_logs_0005",
            "v1_metrics_0006"}) {
            String path = f.startsWith("v1_logs") ? "/v1/logs" : "/v1/metrics";
            assertThat(post(path, "application/json", fixture("claude-code/http-json-chat/" + f + ".json")).statusCode())
                    .isEqualTo(200);
        }
        for (String f : new String[] {"v1_logs_0002", "v1_logs_0004", "v1_metrics_0005"}) {
            String path = f.startsWith("v1_logs") ? "/v1/logs" : "/v1/metrics";
            assertThat(post(path, "application/x-protobuf", fixture("claude-code/http-protobuf-tool/" + f + ".pb"))
                    .statusCode()).isEqualTo(200);
        }
        // Claude Code's spans, for the span-metric panels (section "Traces")
        assertThat(post("/v1/traces", "application/json",
                fixture("claude-code-2.1.332-traces/http-json-tool/v1_traces_0003.json")).statusCode()).isEqualTo(200);
        // a statusline with plan limits (bin/odin-statusline), so that the plan-limit panels have data
        assertThat(post("/api/statusline", "application/json",
                Files.readAllBytes(Path.of("src/test/resources/statusline/statusline-input.json"))).statusCode())
                .isEqualTo(200);
        // a refused webhook, so that ODIN's webhook metrics exist as they do once Alertmanager calls
        assertThat(post("/alertmanager/webhook", "application/json", "{not json".getBytes()).statusCode()).isEqualTo(400);
        // a process named claude with a listening socket, so the process panels have data
        Path dir = Files.createTempDirectory("claude-standin");
        Path claude = Files.createSymbolicLink(dir.resolve("claude"), Path.of(System.getProperty("java.home"), "bin", "java"));
        java.net.ServerSocket server = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        Process standIn = new ProcessBuilder(claude.toString(), "-Xmx16m", "-cp",
                Path.of(dev.odin.probes.process.ClaudeStandIn.class.getProtectionDomain().getCodeSource().getLocation()
                        .toURI()).toString(), dev.odin.probes.process.ClaudeStandIn.class.getName(),
                Integer.toString(server.getLocalPort()), "none").redirectErrorStream(true).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(standIn.getInputStream())).readLine())
                    .startsWith("LISTEN");
            hostProbe.runCycle();
            processProbe.runCycle();
            queryEveryPanel();
        } finally {
            standIn.destroyForcibly();
            standIn.waitFor(10, TimeUnit.SECONDS);
            server.close();
        }
    }

    private void queryEveryPanel() throws Exception {
        Path prometheus = ExternalTool.require("prometheus", "prometheus");
        List<Path> rules;
        try (Stream<Path> s = Files.list(Path.of("alerting", "rules"))) {
            rules = s.sorted().toList();
        }
        try (PrometheusServer prom = new PrometheusServer(prometheus, "127.0.0.1:" + managementPort, "/metrics", rules)) {
            prom.awaitTargetUp(Duration.ofSeconds(60));
            liveRepositoryUsage(); // while Prometheus scrapes: the repository and loss panels see the counters grow
            Thread.sleep(1000);
            processProbe.runCycle(); // a second reading: CPU has grown
            Thread.sleep(2500); // a few scrapes, so that rate() has two points
            List<String> empty = new ArrayList<>();
            int checked = 0;
            for (Query q : queries()) {
                if (!q.datasource().equals("prometheus")) {
                    continue;
                }
                String expr = q.expr().replace("$user", ".*").replace("$model", ".*").replace("$machine", ".*")
                        .replace("$__rate_interval", "1m").replace("$__range", "1h").replace("$__interval", "15s");
                JsonNode result = prom.query(expr, null); // a parse error fails here, with Prometheus's message
                checked++;
                if (result.size() == 0 && !MAY_BE_EMPTY.matcher(expr).find()) {
                    empty.add(q.dashboard() + " / " + q.panel() + ": " + expr);
                }
            }
            assertThat(checked).isGreaterThan(60);
            assertThat(empty).as("queries that found no data").isEmpty();
            repositoryAndLossPanelsFindData(prom);

            // the rules: Prometheus loaded them (it would not start otherwise); every series they
            // read must exist in what ODIN exposes, so a misspelt metric name cannot hide there
            Set<String> missing = new java.util.TreeSet<>();
            for (java.util.Map<String, Object> r : AlertRulesTest.rules()) {
                Matcher m = METRIC.matcher(String.valueOf(r.get("expr")));
                while (m.find()) {
                    String metric = m.group(1);
                    if (!MAY_BE_EMPTY.matcher(metric).find() && !metric.equals("up")
                            && prom.query("count(" + metric + ")", null).size() == 0) {
                        missing.add(metric + " (in " + r.getOrDefault("alert", r.get("record")) + ")");
                    }
                }
            }
            assertThat(missing).as("series the rules read that ODIN does not expose").isEmpty();
        }
    }

    static final String REPOSITORY_ROW = "Repositories and telemetry loss";

    /** One more request of the live session, in a repository and branch, half of its cost in telemetry. */
    private void liveRepositoryUsage() throws IOException {
        java.time.Instant now = java.time.Instant.now();
        dev.odin.usage.TokenUsage tokens = new dev.odin.usage.TokenUsage(2000, 200, 0, 0, 0);
        usage.record(List.of(new dev.odin.usage.UsageEvent(now, dev.odin.usage.UsageEvent.TRANSCRIPT, "dash-it",
                "proj", "dash-it-session", "claude-sonnet-4-6", tokens, new java.math.BigDecimal("2.00"), "msg_dash_2",
                "req_dash_2", "dana", "", "github.com/odin/dash", "main")));
        usage.record(List.of(new dev.odin.usage.UsageEvent(now, dev.odin.usage.UsageEvent.TELEMETRY, "dash-it",
                "proj", "dash-it-session", "claude-sonnet-4-6", tokens, new java.math.BigDecimal("1.00"), null, null,
                "dana", "")));
    }

    /**
     * The panels of the repository and telemetry-loss row must find data themselves, their
     * recording rules included: a rule of an interval longer than this test (1 m) is replaced by
     * its expression, so the query runs on what ODIN exposed while Prometheus scraped it.
     */
    private void repositoryAndLossPanelsFindData(PrometheusServer prom) throws Exception {
        Map<String, String> recorded = new LinkedHashMap<>();
        for (java.util.Map<String, Object> r : AlertRulesTest.rules()) {
            if (r.get("record") != null) {
                recorded.put(String.valueOf(r.get("record")), String.valueOf(r.get("expr")).trim());
            }
        }
        Set<String> titles = new HashSet<>();
        boolean inRow = false;
        for (JsonNode p : dashboards.get("claude-code.json").get("panels")) {
            if (p.get("type").asText().equals("row")) {
                inRow = p.get("title").asText().equals(REPOSITORY_ROW);
            } else if (inRow) {
                titles.add(p.get("title").asText());
            }
        }
        assertThat(titles).as("panels of the row " + REPOSITORY_ROW).hasSize(4);
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (Query q : queries()) {
            if (!titles.contains(q.panel())) {
                continue;
            }
            String expr = q.expr().replace("$machine", ".*").replace("$__range", "1h");
            for (var rule : recorded.entrySet()) {
                expr = expr.replaceAll(Pattern.quote(rule.getKey()) + "(\\{[^}]*})?", Matcher.quoteReplacement("(" + rule.getValue() + ")"));
            }
            JsonNode result = prom.query(expr, null);
            assertThat(result.size()).as(q.panel() + ": " + expr).isPositive();
            results.put(q.panel() + " / " + q.expr(), result);
        }
        assertThat(results).hasSize(5);
        // the live session's repository, and its machine's loss: telemetry reported half of it (about
        // 0.5: increase() extrapolates each counter over its own samples), never outside [0, 1]
        assertThat(results.entrySet().stream().filter(e -> e.getKey().startsWith("Spend by repository"))
                .findFirst().orElseThrow().getValue().toString()).contains("\"repository\":\"github.com/odin/dash\"");
        JsonNode loss = results.entrySet().stream().filter(e -> e.getKey().contains("missing_ratio")).findFirst()
                .orElseThrow().getValue();
        assertThat(loss.get(0).path("metric").path("machine").asText()).isEqualTo("dash-it");
        double ratio = Double.parseDouble(loss.get(0).path("value").get(1).asText());
        assertThat(ratio).isBetween(0.0, 1.0);
    }

    @Test
    void everyLogqlQueryParsesWithGrafanasGrammar() throws Exception {
        Path node = ExternalTool.require("node", "nodejs");
        Path dir = Path.of("src", "test", "logql");
        if (!Files.isDirectory(dir.resolve("node_modules/@grafana/lezer-logql"))) {
            String message = "@grafana/lezer-logql is not installed: npm ci --prefix src/test/logql";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + " (.ci/run must run it)");
            }
            Assumptions.abort(message);
        }
        List<String> logql = queries().stream().filter(q -> q.datasource().equals("loki")).map(Query::expr)
                .map(e -> e.replace("$__interval", "1m").replace("$__range", "1h")).toList();
        assertThat(logql).hasSizeGreaterThanOrEqualTo(8);
        Process p = new ProcessBuilder(node.toString(), "parse-logql.mjs").directory(dir.toFile()).start();
        p.getOutputStream().write(JSON.writeValueAsBytes(logql));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(JSON.readTree(out)).as("LogQL the grammar rejects").isEmpty();
        // and the checker does reject what is wrong
        Process bad = new ProcessBuilder(node.toString(), "parse-logql.mjs").directory(dir.toFile()).start();
        bad.getOutputStream().write("[\"{service_name=\\\"x\\\" | \"]".getBytes());
        bad.getOutputStream().close();
        String badOut = new String(bad.getInputStream().readAllBytes());
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(JSON.readTree(badOut)).hasSize(1);
    }
}
