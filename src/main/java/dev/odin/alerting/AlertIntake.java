package dev.odin.alerting;

import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookException;
import dev.odin.receiver.alertmanager.WebhookMessage;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.time.Clock;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Processor;

/**
 * The steps of route alertmanager-webhook, called as {@code bean: {ref: alertIntake, method: ...}}.
 * {@link #decode}: the body as a notification. {@link #prepare}: which alerts are new (not a retry
 * or the other HA Alertmanager's copy), as OTLP log records for the event sink.
 * {@link #commit}: once the events are stored, remember the alerts (state, flapping), count them,
 * queue the notifications, answer 200. Nothing is remembered before the events are stored, so a
 * failure (a 5xx, {@link #fail}) leaves Alertmanager's retry to do it all again.
 */
public final class AlertIntake {

    /** Exchange property: the {@link Prepared} notification, from prepare to commit. */
    public static final String PREPARED = "odinPreparedAlerts";

    /** A notification and those of its alerts that are new, between prepare and commit. */
    public record Prepared(WebhookMessage message, List<WebhookMessage.Alert> fresh) {
    }

    private final AlertBook book;
    private final WebhookMetrics metrics;
    private final Notifier notifier;
    private final Clock clock;

    public AlertIntake(AlertBook book, WebhookMetrics metrics, Notifier notifier, Clock clock) {
        this.book = book;
        this.metrics = metrics;
        this.notifier = notifier;
        this.clock = clock;
    }

    /**
     * Step 1. Body in: the webhook body (bytes or stream, read within the size limit); body out:
     * the {@link WebhookMessage}. A body that is not a version 4 notification throws a
     * {@link WebhookException} (400). No header or property.
     */
    public WebhookMessage decode(byte[] body) {
        return WebhookDecoder.parse(body);
    }

    /**
     * Step 2. Body in: {@link WebhookMessage}; body out: the new alerts as an
     * {@code ExportLogsServiceRequest} for the event sink, without any resource logs when no
     * alert is new (the route's filter {@code ${body.resourceLogsCount} > 0} skips the sink).
     * Writes the exchange property {@value #PREPARED} for {@link #commit}.
     */
    public ExportLogsServiceRequest prepare(WebhookMessage m, Exchange exchange) {
        List<WebhookMessage.Alert> fresh = book.fresh(m.alerts);
        for (int i = fresh.size(); i < m.alerts.size(); i++) {
            metrics.duplicate();
        }
        exchange.setProperty(PREPARED, new Prepared(m, fresh));
        return fresh.isEmpty() ? ExportLogsServiceRequest.getDefaultInstance() : AlertEvents.of(m, fresh, clock.millis());
    }

    /**
     * Step 3, after the sink took the events. Body in: anything; body out: the JSON answer (200),
     * every header replaced by the response's. Reads the exchange property {@value #PREPARED}.
     */
    public void commit(@ExchangeProperty(PREPARED) Prepared prepared, Exchange exchange) throws Exception {
        WebhookMessage m = prepared.message();
        List<WebhookMessage.Alert> fresh = prepared.fresh();
        // fresh again: the other Alertmanager of an HA pair may have committed the same alerts
        // since prepare(); then this copy stores a second event but notifies no one
        List<WebhookMessage.Alert> toNotify = book.fresh(fresh);
        List<WebhookMessage.Alert> notify = book.commit(toNotify);
        for (int i = notify.size(); i < toNotify.size(); i++) {
            metrics.flappingHeld();
        }
        notifier.notify(m, notify);
        for (WebhookMessage.Alert a : toNotify) {
            metrics.alert(a.alertname(), a.severity(), a.status);
        }
        metrics.notification(m.status, m.receiver);
        java.util.Map<String, Long> firing = book.firingBySeverity();
        for (String s : new String[] {"critical", "warning", "info", "none"}) {
            metrics.firing(s, firing.getOrDefault(s, 0L));
        }
        firing.forEach(metrics::firing);
        respond(exchange, 200, "{\"status\":\"success\",\"alerts\":" + m.alerts.size() + ",\"new\":"
                + toNotify.size() + "}");
    }

    /**
     * The step of routeConfiguration alertmanager-errors (onException): 400 for what Alertmanager
     * sent wrong, 503/500 so that it retries. Reads the exchange property
     * {@code CamelExceptionCaught}; body out: the JSON error, headers replaced by the response's.
     */
    public void fail(Exchange exchange) throws Exception {
        failure().process(exchange);
    }

    /** The route's onException step: 400 for what Alertmanager sent wrong, 503/500 so that it retries. */
    public Processor failure() {
        return exchange -> {
            Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            int status;
            String message;
            if (t instanceof WebhookException w) {
                status = w.status();
                message = w.getMessage();
                metrics.refused("invalid");
            } else if (t instanceof dev.odin.delivery.QueueFullException) {
                status = 503;
                message = "the event queue is full; retry later";
                metrics.refused("queue_full");
            } else {
                status = 500;
                message = "internal error, retry: " + (t == null ? "unknown" : t.toString());
                metrics.refused("failed");
                org.slf4j.LoggerFactory.getLogger(AlertIntake.class).warn("webhook failed", t);
            }
            respond(exchange, status, "{\"status\":\"error\",\"error\":"
                    + WebhookDecoder.JSON.writeValueAsString(message) + "}");
        };
    }

    /** Answers without the exchange's headers, which would otherwise leak into the HTTP response. */
    private static void respond(Exchange exchange, int status, String json) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json);
    }
}
