package dev.odin.alerting;

import dev.odin.receiver.alertmanager.WebhookMessage;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;
import java.util.Map;

/**
 * Alerts as OTLP log records of {@code service.name=alertmanager}, so they go through the same
 * event sink as Claude Code's events (Loki stream {@code {service_name="alertmanager"}}, or the
 * local files) with alertname, severity, status, fingerprint and every label as structured
 * metadata.
 */
final class AlertEvents {

    private AlertEvents() {
    }

    static ExportLogsServiceRequest of(WebhookMessage m, List<WebhookMessage.Alert> alerts, long nowMillis) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        scope.getScopeBuilder().setName("odin.alertmanager");
        for (WebhookMessage.Alert a : alerts) {
            LogRecord.Builder r = LogRecord.newBuilder()
                    .setTimeUnixNano(nowMillis * 1_000_000L)
                    .setObservedTimeUnixNano(nowMillis * 1_000_000L)
                    .setSeverityText(a.resolved() ? "INFO" : severityText(a.severity()))
                    .setSeverityNumber(a.resolved() ? SeverityNumber.SEVERITY_NUMBER_INFO : severityNumber(a.severity()))
                    .setBody(str(line(a)));
            for (Map.Entry<String, String> l : a.labels.entrySet()) {
                r.addAttributes(kv(l.getKey(), l.getValue()));
            }
            r.addAttributes(kv("status", a.status));
            r.addAttributes(kv("fingerprint", a.fingerprint));
            r.addAttributes(kv("starts_at", a.startsAt));
            if (a.resolved() && a.endsAt != null) {
                r.addAttributes(kv("ends_at", a.endsAt));
            }
            if (a.generatorURL != null && !a.generatorURL.isEmpty()) {
                r.addAttributes(kv("generator_url", a.generatorURL));
            }
            if (m.receiver != null) {
                r.addAttributes(kv("receiver", m.receiver));
            }
            String summary = a.annotations.get("summary");
            if (summary != null) {
                r.addAttributes(kv("summary", summary));
            }
            String description = a.annotations.get("description");
            if (description != null) {
                r.addAttributes(kv("description", description));
            }
            scope.addLogRecords(r);
        }
        Resource.Builder resource = Resource.newBuilder().addAttributes(kv("service.name", "alertmanager"));
        if (m.externalURL != null) {
            resource.addAttributes(kv("alertmanager.url", m.externalURL));
        }
        return ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope)).build();
    }

    /** The log line: what a person reads in Grafana's log panel. */
    static String line(WebhookMessage.Alert a) {
        String summary = a.annotations.getOrDefault("summary", a.annotations.getOrDefault("description", ""));
        return (a.resolved() ? "RESOLVED " : "FIRING ") + a.alertname() + " [" + a.severity() + "]"
                + (summary.isEmpty() ? "" : ": " + summary);
    }

    private static String severityText(String severity) {
        switch (severity) {
            case "critical":
                return "ERROR";
            case "warning":
                return "WARN";
            default:
                return "INFO";
        }
    }

    private static SeverityNumber severityNumber(String severity) {
        switch (severity) {
            case "critical":
                return SeverityNumber.SEVERITY_NUMBER_ERROR;
            case "warning":
                return SeverityNumber.SEVERITY_NUMBER_WARN;
            default:
                return SeverityNumber.SEVERITY_NUMBER_INFO;
        }
    }

    private static AnyValue str(String s) {
        return AnyValue.newBuilder().setStringValue(s == null ? "" : s).build();
    }

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(str(v)).build();
    }
}
