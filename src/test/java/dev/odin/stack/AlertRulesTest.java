package dev.odin.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Prometheus rules in alerting/rules/: promtool accepts them and their unit tests in
 * alerting/tests/ pass; every alert has a summary, a description and a runbook link to a section
 * that exists, and a firing and a quiet case in the tests; every recording rule a value check.
 */
class AlertRulesTest {

    static final Path RULES = Path.of("alerting", "rules");
    static final Path TESTS = Path.of("alerting", "tests");

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rules() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path f : files(RULES)) {
            Map<String, Object> doc = new Yaml().load(Files.readString(f));
            for (Map<String, Object> g : (List<Map<String, Object>>) doc.get("groups")) {
                out.addAll((List<Map<String, Object>>) g.get("rules"));
            }
        }
        return out;
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    @Test
    void promtoolChecksAndTestsTheRules() throws Exception {
        Path promtool = ExternalTool.require("promtool", "prometheus");
        List<String> check = new ArrayList<>(List.of(promtool.toString(), "check", "rules"));
        files(RULES).forEach(p -> check.add(p.toString()));
        assertThat(run(check.toArray(new String[0]))).doesNotContain("FAILED");
        List<String> test = new ArrayList<>(List.of(promtool.toString(), "test", "rules"));
        files(TESTS).forEach(p -> test.add(p.toString()));
        String out = run(test.toArray(new String[0]));
        assertThat(out).doesNotContain("FAILED");
        assertThat(out.split("SUCCESS", -1)).hasSize(files(TESTS).size() + 1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertIsDocumentedAndTestedBothWays() throws Exception {
        String runbook = Files.readString(Path.of("docs", "runbook.md"));
        Set<String> firing = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        Set<String> recordingChecked = new HashSet<>();
        for (Path f : files(TESTS)) {
            Map<String, Object> doc = new Yaml().load(Files.readString(f));
            for (Map<String, Object> t : (List<Map<String, Object>>) doc.get("tests")) {
                for (Map<String, Object> a : (List<Map<String, Object>>) t.getOrDefault("alert_rule_test", List.of())) {
                    List<?> exp = (List<?>) a.get("exp_alerts");
                    (exp == null || exp.isEmpty() ? quiet : firing).add((String) a.get("alertname"));
                }
                for (Map<String, Object> e : (List<Map<String, Object>>) t.getOrDefault("promql_expr_test", List.of())) {
                    recordingChecked.add(((String) e.get("expr")).trim());
                }
            }
        }
        int alerts = 0;
        for (Map<String, Object> r : rules()) {
            if (r.containsKey("record")) {
                // the record itself, or an expression over it (round() around a rate, say)
                java.util.regex.Pattern name = java.util.regex.Pattern.compile("(?<![\\w:])"
                        + java.util.regex.Pattern.quote((String) r.get("record")) + "(?![\\w:])");
                assertThat(recordingChecked).as("a value check of " + r.get("record"))
                        .anyMatch(e -> name.matcher(e).find());
                continue;
            }
            alerts++;
            String name = (String) r.get("alert");
            Map<String, String> ann = (Map<String, String>) r.get("annotations");
            assertThat(ann).as(name).containsKeys("summary", "description", "runbook_url");
            assertThat(((Map<String, String>) r.get("labels")).get("severity")).as(name)
                    .isIn("critical", "warning", "info");
            assertThat(ann.get("runbook_url")).isEqualTo("docs/runbook.md#" + name.toLowerCase());
            assertThat(runbook).as("a runbook section for " + name).contains("\n## " + name + "\n");
            assertThat(firing).as("a firing case for " + name).contains(name);
            assertThat(quiet).as("a quiet case for " + name).contains(name);
        }
        assertThat(alerts).isGreaterThanOrEqualTo(38);
        assertThat(rules().stream().filter(r -> ((String) r.getOrDefault("alert", "")).startsWith("Gpu")).count())
                .isGreaterThanOrEqualTo(11);
    }
}
