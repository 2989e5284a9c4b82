package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Exposition;
import dev.odin.testing.OdinIntegrationTest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Claude Code requests captured on the wire, replayed over OTLP/HTTP, must produce exactly
 * the series shared/spec/claude-code.md lists, with the labels and values they carry.
 */
class ClaudeCodeFixturesIT extends OdinIntegrationTest {

    @Test
    void httpJsonChatSession() throws Exception {
        for (String f : new String[] {"v1_logs_0001", "v1_metrics_0002", "v1_logs_0004", "v1_logs_0005",
                "v1_metrics_0006"}) {
            String path = f.startsWith("v1_logs") ? "/v1/logs" : "/v1/metrics";
            HttpResponse<byte[]> r = post(path, "application/json", fixture("claude-code/http-json-chat/" + f + ".json"));
            assertThat(r.statusCode()).as(f).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(new String(r.body())).isEqualTo("{}");
        }
        String session = "d683e3b7-f07d-4de5-95be-5a01c109ef6d";
        String[] common = common(session, "testbox");
        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put(key("claude_code_session_count_total", common, "start_type", "fresh"), 1.0);
        String[] model = {"model", "claude-sonnet-4-5", "query_source", "main"};
        expected.put(key("claude_code_cost_usage_USD_total", common, model), 0.006554999999999999);
        expected.put(key("claude_code_token_usage_tokens_total", common, model, "type", "input"), 1200.0);
        expected.put(key("claude_code_token_usage_tokens_total", common, model, "type", "output"), 42.0);
        expected.put(key("claude_code_token_usage_tokens_total", common, model, "type", "cacheRead"), 4000.0);
        expected.put(key("claude_code_token_usage_tokens_total", common, model, "type", "cacheCreation"), 300.0);
        expected.put(key("claude_code_active_time_seconds_total", common, "type", "cli"), 2.549);
        expected.put(targetInfo("testbox"), 1.0);
        assertSeries(session, "testbox", expected);
    }

    @Test
    void selfMetricsSitBesideTheTranslatedOnes() throws Exception {
        Exposition before = scrape();
        double written = valueOrZero(before, "odin_events_written_total");
        double received = valueOrZero(before, "odin_otlp_received_total{signal=\"logs\",transport=\"http\"}");
        for (String f : new String[] {"v1_logs_0001", "v1_logs_0004", "v1_logs_0005"}) {
            assertThat(post("/v1/logs", "application/json", fixture("claude-code/http-json-chat/" + f + ".json"))
                    .statusCode()).isEqualTo(200);
        }
        Exposition e = scrape();
        // the three captured requests hold 8 events (5, 1 and 2); without Loki they go to the event files
        assertThat(e.value("odin_otlp_received_total{signal=\"logs\",transport=\"http\"}")).isEqualTo(received + 8);
        assertThat(e.value("odin_events_written_total")).isEqualTo(written + 8);
        assertThat(e.value("odin_otlp_requests_total{outcome=\"ok\",signal=\"logs\",transport=\"http\"}")).isGreaterThanOrEqualTo(3.0);
        assertThat(e.samples().keySet())
                .anyMatch(k -> k.startsWith("camel_exchanges_total{") && k.contains("routeId=\"otlp-logs\""))
                .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"))
                .anyMatch(k -> k.startsWith("odin_series_live"));
    }

    private static double valueOrZero(Exposition e, String key) {
        Double v = e.value(key);
        return v == null ? 0 : v;
    }

    @Test
    void httpProtobufToolSession() throws Exception {
        for (String f : new String[] {"v1_logs_0002", "v1_logs_0004", "v1_metrics_0005"}) {
            String path = f.startsWith("v1_logs") ? "/v1/logs" : "/v1/metrics";
            HttpResponse<byte[]> r = post(path, "application/x-protobuf", fixture("claude-code/http-protobuf-tool/" + f + ".pb"));
            assertThat(r.statusCode()).as(f).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
            assertThat(r.body()).isEmpty(); // an Export*ServiceResponse with nothing to report
        }
        String session = "cb784d3c-2d6b-4fc1-9054-bceac8da47ff";
        String[] common = common(session, "laptop-b");
        String[] model = {"model", "claude-sonnet-4-5"};
        String[] query = {"model", "claude-sonnet-4-5", "query_source", "main"};
        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put(key("claude_code_session_count_total", common, "start_type", "fresh"), 1.0);
        expected.put(key("claude_code_lines_of_code_count_total", common, model, "type", "added"), 4.0);
        expected.put(key("claude_code_lines_of_code_count_total", common, model, "type", "removed"), 0.0);
        expected.put(key("claude_code_cost_usage_USD_total", common, query), 0.011009999999999999);
        expected.put(key("claude_code_token_usage_tokens_total", common, query, "type", "input"), 2100.0);
        expected.put(key("claude_code_token_usage_tokens_total", common, query, "type", "output"), 119.0);
        expected.put(key("claude_code_token_usage_tokens_total", common, query, "type", "cacheRead"), 6000.0);
        expected.put(key("claude_code_token_usage_tokens_total", common, query, "type", "cacheCreation"), 300.0);
        expected.put(key("claude_code_code_edit_tool_decision_total", common, "decision", "accept", "language", "Python",
                "source", "config", "tool_name", "Write"), 1.0);
        expected.put(key("claude_code_active_time_seconds_total", common, "type", "cli"), 0.647);
        expected.put(targetInfo("laptop-b"), 1.0);
        assertSeries(session, "laptop-b", expected);
    }

    /** What every Claude Code data point carries, translated. */
    private static String[] common(String session, String machine) {
        return new String[] {"anthropic_custom_base_url", "true", "anthropic_provider", "firstParty",
            "job", "claude-code", "machine_name", machine, "otel_scope_name", "com.anthropic.claude_code",
            "otel_scope_version", "2.1.330", "session_id", session, "terminal_type", "xterm",
            "user_id", "12dbf2941b6e8d9d83807323ad83ffa77e47c9a217714801ed53bfdf0d0eb29c"};
    }

    private static String targetInfo(String machine) {
        return key("target_info", new String[] {"host_arch", "amd64", "job", "claude-code", "machine_name", machine,
            "os_type", "linux", "os_version", "6.18.44-fc-v669", "service_version", "2.1.330"});
    }

    /** name{labels} with the labels sorted by name, as the exposition writes them. */
    private static String key(String name, Object... labelArraysAndPairs) {
        TreeMap<String, String> labels = new TreeMap<>();
        List<String> flat = new ArrayList<>();
        for (Object o : labelArraysAndPairs) {
            if (o instanceof String[]) {
                flat.addAll(List.of((String[]) o));
            } else {
                flat.add((String) o);
            }
        }
        for (int i = 0; i < flat.size(); i += 2) {
            labels.put(flat.get(i), flat.get(i + 1));
        }
        StringBuilder sb = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    /**
     * The values, and nothing else for the session (zero-first is off in integration tests;
     * FirstIncrementIT tests it).
     */
    private void assertSeries(String session, String machine, Map<String, Double> expected) throws Exception {
        Exposition second = scrape();
        Map<String, Double> actual = new LinkedHashMap<>();
        second.samples().forEach((k, v) -> {
            if (k.contains("session_id=\"" + session + "\"")
                    || (k.startsWith("target_info") && k.contains("machine_name=\"" + machine + "\""))) {
                actual.put(k, Double.valueOf(v));
            }
        });
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
    }
}
