package dev.odin.receiver.alertmanager;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Alertmanager webhook notification (payload version 4). Fields a newer Alertmanager adds
 * ({@code notification_reason}, {@code routeLabels}, ...) are kept in {@link KeepsUnknownFields#extra()}.
 */
public final class WebhookMessage extends KeepsUnknownFields {

    public String version;
    public String receiver;
    public String status;
    /** Required: null when the body has none, which the decoder refuses. */
    public List<Alert> alerts;
    public Map<String, String> groupLabels = new LinkedHashMap<>();
    public Map<String, String> commonLabels = new LinkedHashMap<>();
    public Map<String, String> commonAnnotations = new LinkedHashMap<>();
    public String externalURL;
    public String groupKey;
    public long truncatedAlerts;

    /** One alert of the notification. */
    public static final class Alert extends KeepsUnknownFields {
        public String status;
        public Map<String, String> labels = new LinkedHashMap<>();
        public Map<String, String> annotations = new LinkedHashMap<>();
        public String startsAt;
        public String endsAt;
        public String generatorURL;
        public String fingerprint;

        public String alertname() {
            return labels.getOrDefault("alertname", "");
        }

        public String severity() {
            return labels.getOrDefault("severity", "none");
        }

        public boolean resolved() {
            return "resolved".equals(status);
        }
    }
}
