package dev.odin.receiver.alertmanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Parses the webhook body (route step {@code alertIntake.decode}) (read within the size limit by {@link dev.odin.receiver.otlp.BodyIntake}) into a
 * {@link WebhookMessage}. Lenient about what it does not know, strict about what it needs: a
 * version other than 4, no alerts list, an alert without status, labels or a valid startsAt is a
 * 400 with a message saying which.
 */
public final class WebhookDecoder {

    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    /** A notification as JSON again (the fields ODIN does not know included), for a tee. */
    public static byte[] json(WebhookMessage m) {
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an Alertmanager notification could not be written as JSON", e);
        }
    }

    public static WebhookMessage parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new WebhookException(400, "empty body: expected an Alertmanager webhook notification (JSON)");
        }
        WebhookMessage m;
        try {
            m = JSON.readValue(body, WebhookMessage.class);
        } catch (JsonProcessingException e) {
            throw new WebhookException(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookException(400, "unreadable body: " + e.getMessage());
        }
        if (m == null) {
            throw new WebhookException(400, "the body is JSON null, not a notification");
        }
        if (!"4".equals(m.version)) {
            throw new WebhookException(400, "unsupported webhook version " + (m.version == null ? "(none)"
                    : "\"" + m.version + "\"") + ": ODIN understands version \"4\" (Alertmanager 0.x)");
        }
        if (m.alerts == null) {
            throw new WebhookException(400, "no alerts list in the notification");
        }
        noNullValues(m.groupLabels, "groupLabels");
        noNullValues(m.commonLabels, "commonLabels");
        noNullValues(m.commonAnnotations, "commonAnnotations");
        for (int i = 0; i < m.alerts.size(); i++) {
            WebhookMessage.Alert a = m.alerts.get(i);
            if (a == null) {
                throw new WebhookException(400, "alerts[" + i + "] is null");
            }
            if (!"firing".equals(a.status) && !"resolved".equals(a.status)) {
                throw new WebhookException(400, "alerts[" + i + "].status is " + a.status
                        + ": expected firing or resolved");
            }
            if (a.labels == null || a.labels.isEmpty()) {
                throw new WebhookException(400, "alerts[" + i + "] has no labels");
            }
            noNullValues(a.labels, "alerts[" + i + "].labels");
            noNullValues(a.annotations, "alerts[" + i + "].annotations");
            try {
                Instant.parse(a.startsAt);
            } catch (DateTimeParseException | NullPointerException e) {
                throw new WebhookException(400, "alerts[" + i + "].startsAt is not an RFC 3339 time: " + a.startsAt);
            }
            if (a.fingerprint == null || a.fingerprint.isEmpty()) {
                a.fingerprint = Fingerprints.of(a.labels);
            }
            if (a.annotations == null) {
                a.annotations = new java.util.LinkedHashMap<>();
            }
        }
        return m;
    }

    /** Alertmanager's label and annotation values are strings; a JSON null is not one. */
    private static void noNullValues(java.util.Map<String, String> map, String where) {
        if (map == null) {
            return;
        }
        for (java.util.Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new WebhookException(400, where + "." + e.getKey() + " is null, not a string");
            }
        }
    }
}
