package dev.odin.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the Collector's prometheus exporter (contrib exporter/prometheusexporter, defaults:
 * suffixes added, resource_to_telemetry_conversion off) writes for the captured http-json-chat
 * session, line for line as client_golang's text format writes it: labels sorted, the three
 * otel_scope_* labels always present (otel_scope_schema_url="" when the scope has none), job from
 * service.name, no instance (Claude Code sets no service.instance.id), target_info with the other
 * resource attributes, integral values without a decimal point.
 *
 * <p>ODIN's lines differ in two ways only, both gone once Prometheus has ingested them (an empty
 * label is no label; 1 and 1.0 are the same float): it leaves out otel_scope_schema_url="" and
 * writes 1200.0 where Go writes 1200. {@link #ingested} is that ingestion; docs/metrics.md
 * "Compared with the Collector's Prometheus exporter" lists the differences.
 */
final class CollectorSeries {

    static final String COMMON = "anthropic_custom_base_url=\"true\",anthropic_provider=\"firstParty\",job=\"claude-code\","
            + "machine_name=\"testbox\"";
    static final String SCOPE = "otel_scope_name=\"com.anthropic.claude_code\",otel_scope_schema_url=\"\","
            + "otel_scope_version=\"2.1.330\"";
    static final String SESSION = "session_id=\"d683e3b7-f07d-4de5-95be-5a01c109ef6d\",terminal_type=\"xterm\"";
    static final String USER = "user_id=\"12dbf2941b6e8d9d83807323ad83ffa77e47c9a217714801ed53bfdf0d0eb29c\"";
    static final String MODEL = "model=\"claude-sonnet-4-5\"," + SCOPE + ",query_source=\"main\"," + SESSION;

    /** The Collector's lines for the session (HELP and TYPE as written, samples as written). */
    static final List<String> COLLECTOR = List.of(
            "# HELP claude_code_active_time_seconds_total Total active time in seconds",
            "# TYPE claude_code_active_time_seconds_total counter",
            "claude_code_active_time_seconds_total{" + COMMON + "," + SCOPE + "," + SESSION + ",type=\"cli\"," + USER
                    + "} 2.549",
            "# HELP claude_code_cost_usage_USD_total Cost of the Claude Code session",
            "# TYPE claude_code_cost_usage_USD_total counter",
            "claude_code_cost_usage_USD_total{" + COMMON + "," + MODEL + "," + USER + "} 0.006554999999999999",
            "# HELP claude_code_session_count_total Count of CLI sessions started",
            "# TYPE claude_code_session_count_total counter",
            "claude_code_session_count_total{" + COMMON + "," + SCOPE + "," + SESSION.replace(",terminal_type",
                    ",start_type=\"fresh\",terminal_type") + "," + USER + "} 1",
            "# HELP claude_code_token_usage_tokens_total Number of tokens used",
            "# TYPE claude_code_token_usage_tokens_total counter",
            "claude_code_token_usage_tokens_total{" + COMMON + "," + MODEL + ",type=\"cacheCreation\"," + USER + "} 300",
            "claude_code_token_usage_tokens_total{" + COMMON + "," + MODEL + ",type=\"cacheRead\"," + USER + "} 4000",
            "claude_code_token_usage_tokens_total{" + COMMON + "," + MODEL + ",type=\"input\"," + USER + "} 1200",
            "claude_code_token_usage_tokens_total{" + COMMON + "," + MODEL + ",type=\"output\"," + USER + "} 42",
            "# HELP target_info Target metadata",
            "# TYPE target_info gauge",
            "target_info{host_arch=\"amd64\",job=\"claude-code\",machine_name=\"testbox\",os_type=\"linux\","
                    + "os_version=\"6.18.44-fc-v669\",service_version=\"2.1.330\"} 1");

    private CollectorSeries() {
    }

    /**
     * ODIN's exposition holds, for the session and its target, exactly the Collector's lines as
     * Prometheus ingests them: every HELP and TYPE line verbatim, every sample the same series
     * with the same value, and no other sample of the session.
     */
    static void assertCollectorLines(String odinExposition) {
        List<String> odin = odinExposition.lines().toList();
        Set<String> expected = new LinkedHashSet<>();
        for (String line : COLLECTOR) {
            if (line.startsWith("#")) {
                assertThat(odin).as("the Collector's metadata line").contains(line);
            } else {
                expected.add(ingested(line));
            }
        }
        Set<String> actual = new LinkedHashSet<>();
        for (String line : odin) {
            if (!line.startsWith("#") && (line.contains("d683e3b7-f07d-4de5-95be-5a01c109ef6d")
                    || line.startsWith("target_info{") && line.contains("machine_name=\"testbox\""))) {
                actual.add(ingested(line));
            }
        }
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * A sample line as Prometheus stores it: the name, the labels with a value (sorted), the value
     * as a float. Label values here hold no escaped quotes or commas (the fixture's do not).
     */
    static String ingested(String line) {
        int open = line.indexOf('{');
        int close = line.lastIndexOf('}');
        String name = line.substring(0, open);
        TreeMap<String, String> labels = new TreeMap<>();
        for (String pair : splitPairs(line.substring(open + 1, close))) {
            int eq = pair.indexOf('=');
            String value = pair.substring(eq + 2, pair.length() - 1);
            if (!value.isEmpty()) {
                labels.put(pair.substring(0, eq), value);
            }
        }
        double value = Double.parseDouble(line.substring(close + 1).trim());
        return name + labels + " " + value;
    }

    private static List<String> splitPairs(String labels) {
        List<String> out = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < labels.length(); i++) {
            char c = labels.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(labels.substring(start, i));
                start = i + 1;
            }
        }
        if (start < labels.length()) {
            out.add(labels.substring(start));
        }
        return out;
    }
}
