#!/usr/bin/env python3
"""Writes grafana/dashboards/*.json from the panel lists below (python3 grafana/generate.py).
The JSON files are what Grafana loads and what DashboardsIT checks; edit here, then regenerate."""
import json, os

PROM = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
SEL = 'user_id=~"$user", model=~"$model", machine_name=~"$machine"'
SELNM = 'user_id=~"$user", machine_name=~"$machine"'


def dashboard(uid, title, sections, variables=(), tags=()):
    panels, pid, y = [], 1, 0
    for section, items in sections:
        panels.append({"id": pid, "type": "row", "title": section, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        pid += 1
        y += 1
        x, rowh = 0, 0
        for it in items:
            kind, title_, w, h, targets = it[0], it[1], it[2], it[3], it[4]
            unit = it[5] if len(it) > 5 else None
            if x + w > 24:
                x, y = 0, y + rowh
                rowh = 0
            # Claude Code's and Alertmanager's events are in Loki; everything else in Prometheus
            ds = LOKI if any("{service_name" in t for t in targets) else PROM
            p = {"id": pid, "type": kind, "title": title_, "datasource": ds,
                 "gridPos": {"h": h, "w": w, "x": x, "y": y},
                 "targets": [{"refId": chr(65 + i), "expr": t, "datasource": ds} for i, t in enumerate(targets)],
                 "fieldConfig": {"defaults": {"unit": unit} if unit else {}, "overrides": []},
                 "options": {}}
            if kind == "logs":
                p["options"] = {"showTime": True, "wrapLogMessage": True}
            panels.append(p)
            pid += 1
            x += w
            rowh = max(rowh, h)
        y += rowh
    templating = []
    for name, query in variables:
        templating.append({"name": name, "type": "query", "datasource": PROM, "query": query,
                           "definition": query, "includeAll": True, "multi": True, "allValue": ".*",
                           "current": {"text": "All", "value": "$__all"}, "refresh": 2})
    return {"uid": uid, "title": title, "tags": ["odin"] + list(tags), "schemaVersion": 39, "version": 1,
            "editable": True, "time": {"from": "now-24h", "to": "now"}, "refresh": "1m",
            "timezone": "browser", "templating": {"list": templating}, "annotations": {"list": []},
            "panels": panels}


CC_VARS = [("user", "label_values(claude_code_session_count_total, user_id)"),
           ("model", "label_values(claude_code_cost_usage_USD_total, model)"),
           ("machine", "label_values(claude_code_session_count_total, machine_name)")]
# Traces (span metrics named as the Collector's spanmetrics connector names them) and the
# Claude Code events of errors, refusals, compaction and subagents (docs/claude-code.md "Traces")
LLM = 'span_name="claude_code.llm_request", model=~"$model"'
TOOLSPANS = 'span_name=~"claude_code.tool.execution|claude_code.tool.blocked_on_user"'
CC = '{service_name="claude-code"}'
TRACE_SECTIONS = [
    ("Traces (span metrics)", [
        ("timeseries", "LLM request latency p50 / p95 by model", 12, 8, [
            'histogram_quantile(0.5, sum by (le, model) (rate(traces_span_metrics_duration_seconds_bucket{%s}[$__rate_interval])))' % LLM,
            'histogram_quantile(0.95, sum by (le, model) (rate(traces_span_metrics_duration_seconds_bucket{%s}[$__rate_interval])))' % LLM], "s"),
        ("timeseries", "Time to first token p50 / p95 by model", 12, 8, [
            'histogram_quantile(0.5, sum by (le, model) (rate(claude_code_llm_request_ttft_seconds_bucket{model=~"$model"}[$__rate_interval])))',
            'histogram_quantile(0.95, sum by (le, model) (rate(claude_code_llm_request_ttft_seconds_bucket{model=~"$model"}[$__rate_interval])))'], "s"),
        ("timeseries", "Tool time vs time blocked on the user (per hour)", 12, 8, [
            'sum by (span_name) (increase(traces_span_metrics_duration_seconds_sum{%s}[1h]))' % TOOLSPANS], "s"),
        ("bargauge", "Tool time and time blocked on the user by tool (range)", 12, 8, [
            'sum by (tool_name, span_name) (increase(traces_span_metrics_duration_seconds_sum{%s}[$__range]))' % TOOLSPANS], "s"),
        ("timeseries", "LLM requests per hour by model and success", 12, 8, [
            'sum by (model, success) (increase(traces_span_metrics_calls_total{%s}[1h]))' % LLM]),
        ("timeseries", "Permission decisions per hour", 12, 8, [
            'sum by (decision) (increase(traces_span_metrics_calls_total{span_name="claude_code.tool.blocked_on_user"}[1h]))']),
    ]),
    ("Events: API errors, refusals, compaction, subagents", [
        ("timeseries", "API errors, exhausted retries and refusals per hour", 12, 8, [
            'sum by (event_name) (count_over_time(%s | event_name=~"api_error|api_retries_exhausted|api_refusal" [1h]))' % CC]),
        ("timeseries", "Compactions and completed subagents per hour", 12, 8, [
            'sum by (event_name) (count_over_time(%s | event_name=~"compaction|subagent_completed" [1h]))' % CC]),
        ("logs", "Exhausted retries and refusals (trace_id links to the trace)", 12, 8, [
            '%s | event_name=~"api_retries_exhausted|api_refusal"' % CC]),
        ("logs", "Compactions and subagents", 12, 8, [
            '%s | event_name=~"compaction|subagent_completed"' % CC]),
    ]),
]

# Cost by repository and branch (transcripts, docs/usage.md "Repositories and branches") and the
# share of the transcripts' cost telemetry did not report (alerting/rules/claude-telemetry-loss.yml)
REPO = 'odin_claude_repository_cost_usd_total{source="transcript", machine=~"$machine"}'
REPO_SECTIONS = [
    ("Repositories and telemetry loss", [
        ("bargauge", "Spend by repository (range, transcripts)", 8, 8, [
            'topk(15, sum by (repository) (increase(%s[$__range])))' % REPO], "currencyUSD"),
        ("timeseries", "Spend per hour by repository and branch", 16, 8, [
            'topk(10, sum by (repository, branch) (increase(%s[1h])))' % REPO], "currencyUSD"),
        ("timeseries", "Telemetry missing share of the transcripts' cost (1 h) by machine", 12, 8, [
            'machine:odin_claude_telemetry_missing_ratio:1h{machine=~"$machine"}'], "percentunit"),
        ("timeseries", "Transcript cost per hour and sessions without telemetry by machine", 12, 8, [
            'machine:odin_claude_telemetry_coverage_transcript_usd:increase1h{machine=~"$machine"}',
            'sum by (machine) (odin_claude_sessions_without_telemetry{machine=~"$machine"})']),
    ]),
]

COST = 'claude_code_cost_usage_USD_total{%s}' % SEL
TOK = 'claude_code_token_usage_tokens_total{%s}' % SEL
GROW = 'max_over_time(%s[$__range]) - min_over_time(%s[$__range])'
# the seed stack's dashboard title and uid (docs/migrate-from-collector.md): its bookmarks and links keep working
claude = dashboard("claude-code-monitoring", "Claude Code Monitoring", [
    ("Overview", [
        ("stat", "Spend (range)", 4, 4, ['sum(%s)' % (GROW % (COST, COST))], "currencyUSD"),
        ("stat", "Spend (24 h)", 4, 4, ['sum(user_id_model:claude_code_cost_usage_usd:increase24h{user_id=~"$user", model=~"$model"})'], "currencyUSD"),
        ("stat", "Sessions (range)", 4, 4, ['count(count by (session_id) (claude_code_session_count_total{%s}))' % SELNM]),
        ("stat", "Tokens (range)", 4, 4, ['sum(%s)' % (GROW % (TOK, TOK))], "short"),
        ("stat", "Lines changed (range)", 4, 4, ['sum(max_over_time(claude_code_lines_of_code_count_total{%s}[$__range]))' % SEL]),
        ("stat", "Active time (range)", 4, 4, ['sum(max_over_time(claude_code_active_time_seconds_total{%s}[$__range]))' % SELNM], "s"),
    ]),
    ("Usage, budgets and 5-hour blocks (transcripts and telemetry, docs/usage.md)", [
        ("stat", "Spend today", 4, 4, ['sum(odin_claude_day_spent_usd{machine=~"$machine"})'], "currencyUSD"),
        ("stat", "Projected by midnight", 4, 4, ['sum(odin_claude_day_projected_usd{machine=~"$machine"})'], "currencyUSD"),
        ("stat", "Active block", 4, 4, ['sum(odin_claude_block_cost_usd{machine=~"$machine"})'], "currencyUSD"),
        ("stat", "Block burn rate (USD/h)", 4, 4, ['sum(odin_claude_block_burn_rate_usd_per_hour{machine=~"$machine"})'], "currencyUSD"),
        ("stat", "Block projected at its end", 4, 4, ['sum(odin_claude_block_projected_cost_usd{machine=~"$machine"})'], "currencyUSD"),
        ("stat", "Sessions (24 h)", 4, 4, ['max(odin_claude_sessions{window="24h"})']),
        ("bargauge", "Budgets: spent and projected", 8, 8, ['odin_claude_budget_spent_usd / odin_claude_budget_usd', 'odin_claude_budget_projected_usd / odin_claude_budget_usd'], "percentunit"),
        ("timeseries", "Spend per hour by machine", 8, 8, ['machine:odin_claude_usage_cost_usd:rate1h{machine=~"$machine"}'], "currencyUSD"),
        ("timeseries", "Tokens per minute by type", 8, 8, ['sum by (type) (machine_type:odin_claude_usage_tokens:rate5m{machine=~"$machine"})'], "short"),
        ("bargauge", "Tokens by source and type", 12, 8, ['sum by (source, type) (odin_claude_usage_tokens_total{machine=~"$machine"})'], "short"),
        ("timeseries", "Telemetry cost minus ODIN's prices", 12, 8, ['odin_claude_cost_crosscheck_difference_usd'], "currencyUSD"),
    ]),
    ("Trends", [
        ("timeseries", "Spend per hour", 12, 8, ['sum by (model) (increase(claude_code_cost_usage_USD_total{%s}[1h]))' % SEL], "currencyUSD"),
        ("timeseries", "Tokens per hour by type", 12, 8, ['sum by (type) (increase(claude_code_token_usage_tokens_total{%s}[1h]))' % SEL], "short"),
    ]),
    ("Sessions and activity", [
        ("timeseries", "Active time: CLI vs user", 8, 8, ['sum by (type) (increase(claude_code_active_time_seconds_total{%s}[1h]))' % SELNM], "s"),
        ("timeseries", "Sessions started per hour", 8, 8, ['sum(increase(claude_code_session_count_total{%s}[1h]))' % SELNM]),
        ("timeseries", "Prompts per hour", 8, 8, ['sum(count_over_time({service_name="claude-code"} | event_name="user_prompt" [1h]))']),
        ("timeseries", "Tool calls per hour by tool", 12, 8, ['sum by (tool_name) (count_over_time({service_name="claude-code"} | event_name="tool_result" [1h]))']),
        ("bargauge", "Sessions by machine", 12, 8, ['count by (machine_name) (count by (machine_name, session_id) (claude_code_session_count_total{%s}))' % SELNM]),
    ]),
    ("Cost analysis", [
        ("piechart", "Spend by model", 6, 8, ['sum by (model) (%s)' % (GROW % (COST, COST))], "currencyUSD"),
        ("piechart", "Spend by user", 6, 8, ['sum by (user_id) (%s)' % (GROW % (COST, COST))], "currencyUSD"),
        ("piechart", "Spend by machine", 6, 8, ['sum by (machine_name) (%s)' % (GROW % (COST, COST))], "currencyUSD"),
        ("stat", "Cost per 1k tokens", 6, 8, ['1000 * sum(%s) / sum(%s)' % (GROW % (COST, COST), GROW % (TOK, TOK))], "currencyUSD"),
        ("stat", "Cache hit ratio", 6, 6, ['sum(%s) / sum(%s)' % (GROW % (TOK.replace('}', ', type="cacheRead"}'), TOK.replace('}', ', type="cacheRead"}')),
                                                               GROW % (TOK.replace('}', ', type=~"input|cacheRead|cacheCreation"}'), TOK.replace('}', ', type=~"input|cacheRead|cacheCreation"}')))], "percentunit"),
        ("timeseries", "Spend over 24 h by user and model", 18, 6, ['user_id_model:claude_code_cost_usage_usd:increase24h{user_id=~"$user", model=~"$model"}'], "currencyUSD"),
    ]),
    ("Tokens and efficiency", [
        ("bargauge", "Tokens by type", 8, 8, ['sum by (type) (%s)' % (GROW % (TOK, TOK))], "short"),
        ("stat", "Lines per dollar", 8, 8, ['sum(max_over_time(claude_code_lines_of_code_count_total{%s, type="added"}[$__range])) / sum(%s)' % (SEL, GROW % (COST, COST))]),
        ("stat", "Output / input tokens", 8, 8, ['sum(%s) / sum(%s)' % (GROW % (TOK.replace('}', ', type="output"}'), TOK.replace('}', ', type="output"}')), GROW % (TOK.replace('}', ', type="input"}'), TOK.replace('}', ', type="input"}')))], "percentunit"),
        ("timeseries", "Code edit decisions", 12, 8, ['sum by (decision) (increase(claude_code_code_edit_tool_decision_total{%s}[1h]))' % SELNM]),
        ("timeseries", "Lines added and removed per hour", 12, 8, ['sum by (type) (increase(claude_code_lines_of_code_count_total{%s}[1h]))' % SEL]),
    ]),
    ("Performance (from events)", [
        ("timeseries", "API latency p50 / p95", 12, 8, ['quantile_over_time(0.5, {service_name="claude-code"} | event_name="api_request" | unwrap duration_ms [5m]) by (model)',
                                                         'quantile_over_time(0.95, {service_name="claude-code"} | event_name="api_request" | unwrap duration_ms [5m]) by (model)'], "ms"),
        ("timeseries", "API errors by status", 12, 8, ['sum by (status_code) (count_over_time({service_name="claude-code"} | event_name="api_error" [5m]))']),
        ("timeseries", "Tool durations p95", 12, 8, ['quantile_over_time(0.95, {service_name="claude-code"} | event_name="tool_result" | unwrap duration_ms [5m]) by (tool_name)'], "ms"),
        ("timeseries", "Tool failures", 12, 8, ['sum by (tool_name) (count_over_time({service_name="claude-code"} | event_name="tool_result" | success="false" [5m]))']),
    ]),
    ("Insights", [
        ("table", "Most expensive sessions", 12, 8, ['topk(10, sum by (session_id, user_id, machine_name) (%s))' % (GROW % (COST, COST))], "currencyUSD"),
        ("stat", "Average cost per session", 6, 8, ['sum(%s) / count(count by (session_id) (claude_code_cost_usage_USD_total{%s}))' % (GROW % (COST, COST), SEL)], "currencyUSD"),
        ("stat", "Commits and pull requests", 6, 8, ['sum(max_over_time(claude_code_commit_count_total{%s}[$__range])) or vector(0)' % SELNM,
                                                     'sum(max_over_time(claude_code_pull_request_count_total{%s}[$__range])) or vector(0)' % SELNM]),
    ]),
    ("Events", [
        ("logs", "Recent API errors", 12, 8, ['{service_name="claude-code"} | event_name="api_error"']),
        ("logs", "Recent prompts", 12, 8, ['{service_name="claude-code"} | event_name="user_prompt"']),
    ]),
    # from bin/odin-statusline (docs/usage.md "Plan limits"); user_id there is the login, not Claude Code's
    # user.id, so only $machine filters
    ("Plan limits", [
        ("timeseries", "Plan window used", 12, 8, ['max by (window, machine_name, user_id) (claude_code_plan_usage_ratio{machine_name=~"$machine"})'], "percentunit"),
        ("bargauge", "Plan window used now", 6, 8, ['max by (window, user_id) (claude_code_plan_usage_ratio{machine_name=~"$machine"})'], "percentunit"),
        ("stat", "Time to reset", 6, 8, ['min by (window, user_id) (claude_code_plan_resets_at_seconds{machine_name=~"$machine"}) - time()'], "s"),
        ("timeseries", "Plan used at reset at the current burn rate", 12, 8, ['window_machine_name_user_id:claude_code_plan_usage_ratio:at_reset{machine_name=~"$machine"}'], "percentunit"),
        ("timeseries", "Plan burn rate per hour", 12, 8, ['window_machine_name_user_id:claude_code_plan_usage_ratio:burn1h{machine_name=~"$machine"}'], "percentunit"),
    ]),
] + TRACE_SECTIONS + REPO_SECTIONS, CC_VARS, ["claude-code"])

system = dashboard("odin-system", "System overview", [
    ("Health", [
        ("table", "Component health", 12, 8, ['odin_probe_success', 'up{job="odin"}']),
        ("stat", "Active alerts", 6, 8, ['sum(ALERTS{alertstate="firing"}) or vector(0)']),
        ("stat", "Firing by severity (Alertmanager)", 6, 8, ['sum by (severity) (odin_alerts_firing)']),
    ]),
    ("Machine", [
        ("timeseries", "CPU busy", 8, 8, ['1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))'], "percentunit"),
        ("timeseries", "Memory used", 8, 8, ['1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'], "percentunit"),
        ("bargauge", "Disk used", 8, 8, ['1 - node_filesystem_avail_bytes / node_filesystem_size_bytes'], "percentunit"),
        ("timeseries", "Network", 8, 8, ['sum by (instance) (rate(node_network_receive_bytes_total[$__rate_interval]))', 'sum by (instance) (rate(node_network_transmit_bytes_total[$__rate_interval]))'], "Bps"),
        ("timeseries", "Disk I/O", 8, 8, ['sum by (instance) (rate(node_disk_read_bytes_total[$__rate_interval]))', 'sum by (instance) (rate(node_disk_written_bytes_total[$__rate_interval]))'], "Bps"),
        ("timeseries", "Load", 8, 8, ['node_load1', 'node_load5'])]),
    ("GPU and power", [
        ("timeseries", "GPU temperature", 6, 8, ['nvidia_smi_temperature_gpu'], "celsius"),
        ("timeseries", "GPU power", 6, 8, ['nvidia_smi_power_draw_watts'], "watt"),
        ("timeseries", "GPU utilisation", 6, 8, ['nvidia_smi_utilization_gpu_ratio'], "percentunit"),
        ("timeseries", "CPU package power (RAPL)", 6, 8, ['rate(node_rapl_package_joules_total[$__rate_interval])'], "watt")]),
    ("Events", [
        ("logs", "Recent error events", 24, 8, ['{service_name=~".+"} | detected_level=~"error|ERROR"'])]),
])

processes = dashboard("odin-processes", "Claude Code processes", [
    ("Group", [
        ("stat", "Processes", 6, 6, ['namedprocess_namegroup_num_procs{groupname="claude"}']),
        ("timeseries", "CPU", 9, 6, ['sum by (mode) (rate(namedprocess_namegroup_cpu_seconds_total{groupname="claude"}[$__rate_interval]))'], "percentunit"),
        ("timeseries", "Memory", 9, 6, ['namedprocess_namegroup_memory_bytes{groupname="claude"}'], "bytes")]),
    ("Per process", [
        ("timeseries", "CPU by pid", 12, 8, ['sum by (pid) (rate(odin_process_cpu_seconds_total{groupname="claude"}[$__rate_interval]))'], "percentunit"),
        ("timeseries", "Resident memory by pid", 12, 8, ['odin_process_resident_memory_bytes{groupname="claude"}'], "bytes"),
        ("timeseries", "Threads by pid", 8, 8, ['odin_process_threads{groupname="claude"}']),
        ("timeseries", "Open fds by pid", 8, 8, ['odin_process_open_fds{groupname="claude"}']),
        ("table", "Listening ports", 8, 8, ['odin_process_listening_port{groupname="claude"}'])]),
    ("Network and restarts", [
        ("timeseries", "TCP connections by state", 12, 8, ['odin_process_tcp_connections{groupname="claude"}']),
        ("timeseries", "Starts and exits", 12, 8, ['increase(odin_process_starts_total{groupname="claude"}[1h])', 'increase(odin_process_exits_total{groupname="claude"}[1h])'])]),
])

gpu = dashboard("odin-gpu-power", "GPU and power", [
    ("GPU", [
        ("timeseries", "Temperature", 8, 8, ['nvidia_smi_temperature_gpu'], "celsius"),
        ("timeseries", "Power draw and limit", 8, 8, ['nvidia_smi_power_draw_watts', 'nvidia_smi_power_limit_watts'], "watt"),
        ("timeseries", "Utilisation", 8, 8, ['nvidia_smi_utilization_gpu_ratio', 'nvidia_smi_utilization_memory_ratio'], "percentunit"),
        ("timeseries", "Memory used", 8, 8, ['nvidia_smi_memory_used_bytes'], "bytes"),
        ("timeseries", "Clocks", 8, 8, ['nvidia_smi_clocks_current_sm_clock_hz', 'nvidia_smi_clocks_current_memory_clock_hz'], "hertz"),
        ("state-timeline", "Slowdown reasons", 8, 8, ['nvidia_smi_clocks_event_reasons_hw_thermal_slowdown', 'nvidia_smi_clocks_event_reasons_sw_power_cap'])]),
    ("Power", [
        ("timeseries", "RAPL power by zone", 12, 8, ['rate(node_rapl_package_joules_total[$__rate_interval])', 'rate(node_rapl_dram_joules_total[$__rate_interval])'], "watt"),
        ("timeseries", "Battery", 12, 8, ['node_power_supply_capacity', 'node_power_supply_power_watt'])]),
])

odin = dashboard("odin-self", "ODIN", [
    ("Pipelines", [
        ("timeseries", "OTLP items received", 12, 8, ['sum by (signal, transport) (rate(odin_otlp_received_total[$__rate_interval]))']),
        ("timeseries", "Requests by outcome", 12, 8, ['sum by (outcome) (rate(odin_otlp_requests_total[$__rate_interval]))']),
        ("timeseries", "Refused and dropped", 12, 8, ['sum by (reason) (rate(odin_otlp_rejected_total[$__rate_interval]))', 'sum by (reason) (rate(odin_series_dropped_total[$__rate_interval]))']),
        ("stat", "Live series", 6, 8, ['odin_series_live']),
        ("stat", "Scrape time", 6, 8, ['scrape_duration_seconds{job="odin"}'], "s")]),
    ("Events and probes", [
        ("timeseries", "Events written", 12, 8, ['rate(odin_events_written_total[$__rate_interval])', 'rate(odin_loki_records_sent_total[$__rate_interval])']),
        ("timeseries", "Loki queue", 12, 8, ['odin_loki_queue_records', 'odin_loki_queue_oldest_age_seconds']),
        ("timeseries", "Probe cycle time", 24, 8, ['odin_probe_duration_seconds'], "s")]),
    ("Traces", [
        ("timeseries", "Spans stored and not stored", 12, 8, ['rate(odin_traces_store_spans_total[$__rate_interval])', 'sum by (reason) (rate(odin_traces_store_dropped_spans_total[$__rate_interval]))']),
        ("timeseries", "Span metrics overflow (cardinality limit reached)", 12, 8, ['rate(odin_traces_span_metrics_overflow_total[$__rate_interval])'])]),
])

alerts = dashboard("odin-alerts", "Alert history", [
    ("Alerts", [
        ("timeseries", "Alerts received by severity", 12, 8, ['sum by (severity, status) (increase(odin_alerts_received_total[1h]))']),
        ("timeseries", "Firing now", 12, 8, ['odin_alerts_firing']),
        ("timeseries", "Notifications by channel", 12, 8, ['sum by (channel) (increase(odin_notifications_sent_total[1h]))', 'sum by (channel) (increase(odin_notifications_failed_total[1h]))']),
        ("timeseries", "Alert events per hour", 12, 8, ['sum by (alertname) (count_over_time({service_name="alertmanager"} [1h]))']),
        ("logs", "Alert history", 24, 10, ['{service_name="alertmanager"}'])]),
])

out = os.path.join(os.path.dirname(__file__), "dashboards")
for name, d in [("claude-code", claude), ("system-overview", system), ("claude-processes", processes),
                ("gpu-power", gpu), ("odin", odin), ("alert-history", alerts)]:
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(d, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(name, sum(1 for p in d["panels"] if p["type"] != "row"), "panels")
