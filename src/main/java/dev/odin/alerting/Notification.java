package dev.odin.alerting;

import java.util.List;
import java.util.Map;

/**
 * One message for one channel, rendered, as it waits in the channel's queue on disk.
 *
 * @param alerts the alerts as Alertmanager sent them (the generic webhook forwards them)
 */
public record Notification(String title, String body, String status, String severity, boolean escalation,
        String receiver, String externalURL, List<Map<String, Object>> alerts) {
}
