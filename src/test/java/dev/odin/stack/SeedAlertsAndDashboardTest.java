package dev.odin.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The seed stack's verification checklist (issue 19), the half about rules and dashboards: a user
 * moving from the OpenTelemetry Collector deployment keeps the alert names and severities their
 * Alertmanager routes and silences match (each with promtool tests that fire and stay quiet, and
 * pass), the PrometheusRule named {@code claude-code-alerts}, and the dashboard "Claude Code
 * Monitoring" with its uid in a ConfigMap the Grafana sidecar loads. (:13133 and :8889 are the
 * collector compatibility mode's tests.)
 */
class SeedAlertsAndDashboardTest {

    /** The seed's alerts and their severities, as its PrometheusRule claude-code-alerts had them. */
    static final Map<String, String> SEED_ALERTS = Map.of("ClaudeCodeHighDailySpend", "warning",
            "ClaudeCodeCriticalDailySpend", "critical", "ClaudeCodeNoActivity", "info", "OTelCollectorDown", "critical");
    /** ODIN's names before issue 19: gone, so that nothing fires twice under two names. */
    static final Set<String> FORMER_NAMES = Set.of("ClaudeCodeDailySpendHigh", "ClaudeCodeDailySpendCritical",
            "ClaudeCodeNoActivityToday", "OdinUnreachable");
    static final Path RULES = Path.of("alerting", "rules", "claude-code.yml");
    static final Path KUSTOMIZATION = Path.of("k8s", "base", "kustomization.yaml");

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> groups(Map<String, Object> doc) {
        return (List<Map<String, Object>>) doc.get("groups");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRulesHaveTheSeedsFourAlertsWithTheirSeveritiesOnceEach() throws IOException {
        Map<String, List<String>> severities = new HashMap<>();
        for (Map<String, Object> r : AlertRulesTest.rules()) {
            if (r.containsKey("alert")) {
                severities.computeIfAbsent((String) r.get("alert"), k -> new ArrayList<>())
                        .add(((Map<String, String>) r.get("labels")).get("severity"));
            }
        }
        SEED_ALERTS.forEach((name, severity) -> assertThat(severities.get(name)).as(name).containsExactly(severity));
        assertThat(severities.keySet()).doesNotContainAnyElementsOf(FORMER_NAMES);

        // in the seed's group, in the Claude Code rules file
        Map<String, Object> group = groups(new Yaml().load(Files.readString(RULES))).stream()
                .filter(g -> "claude-code-alerts".equals(g.get("name"))).findFirst().orElseThrow();
        assertThat(((List<Map<String, Object>>) group.get("rules")).stream().map(r -> (String) r.get("alert")))
                .containsAll(SEED_ALERTS.keySet());
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachSeedAlertHasPromtoolTestsThatFireWithItsSeverityAndStayQuietAndPass() throws Exception {
        List<Path> files = new ArrayList<>();
        Set<String> quiet = new HashSet<>();
        Map<String, Set<String>> firingSeverity = new HashMap<>();
        for (Path f : AlertRulesTest.files(AlertRulesTest.TESTS)) {
            Map<String, Object> doc = new Yaml().load(Files.readString(f));
            if (!((List<String>) doc.get("rule_files")).contains("../rules/claude-code.yml")) {
                continue;
            }
            files.add(f);
            for (Map<String, Object> t : (List<Map<String, Object>>) doc.get("tests")) {
                for (Map<String, Object> a : (List<Map<String, Object>>) t.getOrDefault("alert_rule_test", List.of())) {
                    String name = (String) a.get("alertname");
                    List<Map<String, Object>> exp = (List<Map<String, Object>>) a.get("exp_alerts");
                    if (exp == null || exp.isEmpty()) {
                        quiet.add(name);
                    }
                    for (Map<String, Object> e : exp == null ? List.<Map<String, Object>>of() : exp) {
                        firingSeverity.computeIfAbsent(name, k -> new HashSet<>())
                                .add(((Map<String, String>) e.get("exp_labels")).get("severity"));
                    }
                }
            }
        }
        SEED_ALERTS.forEach((name, severity) -> {
            assertThat(firingSeverity.get(name)).as("a firing case of " + name).containsExactly(severity);
            assertThat(quiet).as("a quiet case of " + name).contains(name);
        });

        Path promtool = ExternalTool.require("promtool", "prometheus");
        List<String> command = new ArrayList<>(List.of(promtool.toString(), "test", "rules"));
        files.forEach(f -> command.add(f.toString()));
        String out = AlertRulesTest.run(command.toArray(new String[0]));
        assertThat(out).doesNotContain("FAILED");
        assertThat(out.split("SUCCESS", -1)).hasSize(files.size() + 1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleIsNamedClaudeCodeAlertsWithTheSeedsAlerts() throws IOException {
        Map<String, Object> doc = new Yaml().load(Files.readString(Path.of("k8s", "base", "prometheusrule.yaml")));
        Map<String, Object> metadata = (Map<String, Object>) doc.get("metadata");
        assertThat(doc.get("kind")).isEqualTo("PrometheusRule");
        assertThat(metadata.get("name")).isEqualTo("claude-code-alerts");
        assertThat((Map<String, String>) metadata.get("labels")).containsEntry("release", "kube-prometheus-stack");
        Map<String, String> alerts = new LinkedHashMap<>();
        for (Map<String, Object> g : groups((Map<String, Object>) doc.get("spec"))) {
            if (g.get("name").equals("claude-code-alerts")) {
                for (Map<String, Object> r : (List<Map<String, Object>>) g.get("rules")) {
                    if (r.containsKey("alert")) {
                        alerts.put((String) r.get("alert"), ((Map<String, String>) r.get("labels")).get("severity"));
                    }
                }
            }
        }
        assertThat(alerts).containsAllEntriesOf(SEED_ALERTS);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDashboardConfigMapCarriesTheSidecarLabelAndTheSeedsTitleAndUid() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(KUSTOMIZATION));
        List<Map<String, Object>> generators = (List<Map<String, Object>>) kustomization.get("configMapGenerator");
        Map<String, Object> gen = generators.stream()
                .filter(g -> ((List<String>) g.get("files")).stream().anyMatch(f -> f.endsWith("/claude-code.json")))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap carries claude-code.json"));
        Map<String, Object> options = (Map<String, Object>) gen.get("options");
        assertThat((Map<String, String>) options.get("labels")).as("the label Grafana's sidecar selects")
                .containsEntry("grafana_dashboard", "1");
        // a hashed name leaves the previous ConfigMap behind, and the sidecar loads its copy too
        assertThat(options.get("disableNameSuffixHash")).isEqualTo(true);

        ObjectMapper json = new ObjectMapper();
        long bytes = 0;
        Map<String, JsonNode> byUid = new HashMap<>();
        for (String f : (List<String>) gen.get("files")) {
            assertThat(f).as("a ConfigMap key is the file name; no key=path renames").doesNotContain("=");
            Path file = KUSTOMIZATION.getParent().resolve(f).normalize();
            bytes += Files.size(file);
            JsonNode d = json.readTree(file.toFile());
            assertThat(byUid.put(d.get("uid").asText(), d)).as("one dashboard per uid: " + f).isNull();
        }
        JsonNode claude = byUid.get("claude-code-monitoring");
        assertThat(claude).as("the dashboard with the seed's uid").isNotNull();
        assertThat(claude.get("title").asText()).isEqualTo("Claude Code Monitoring");
        assertThat(byUid.values().stream().filter(d -> d.get("title").asText().equals("Claude Code Monitoring")))
                .hasSize(1);
        // kubectl apply keeps the whole object in an annotation, at most 256 KiB
        assertThat(bytes).as("the dashboards ConfigMap stays applicable with kubectl apply").isLessThan(200 * 1024);
    }
}
