package dev.odin.alerting;

import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.odin.receiver.alertmanager.WebhookMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a channel's title and text from Mustache templates (jmustache): the channel's own
 * when configured, otherwise the defaults in {@code alerting/templates/} (summary, description,
 * labels, the generator link; resolved ones marked). Templates see: {@code status},
 * {@code resolved}, {@code escalation}, {@code count}, {@code alertname}, {@code severity},
 * {@code receiver}, {@code externalURL}, and {@code alerts} each with {@code status},
 * {@code resolved}, {@code alertname}, {@code severity}, {@code summary}, {@code description},
 * {@code labels} ({@code name}, {@code value}), {@code annotations}, {@code startsAt},
 * {@code endsAt}, {@code generatorURL}, {@code fingerprint}. Values are escaped for the
 * channel's service (Slack's {@code & < >}, Discord's mentions); the template text is not.
 */
final class MessageRenderer {

    private static final Mustache.Compiler MUSTACHE = Mustache.compiler().escapeHTML(false).defaultValue("")
            .emptyStringIsFalse(true);
    static final String DEFAULT_TITLE = resource("title.mustache").strip();
    static final String DEFAULT_BODY = resource("body.mustache");

    private final Template title;
    private final Template body;

    MessageRenderer(String titleTemplate, String bodyTemplate) {
        this(titleTemplate, bodyTemplate, Escapers.NONE);
    }

    /**
     * @param escaper what every {@code {{value}}} (alert data) goes through for this channel's
     *     service ({@link ChannelText#escaper}); the templates' own text is left as written, and
     *     {@code {{{value}}}} opts a value out
     */
    MessageRenderer(String titleTemplate, String bodyTemplate, Mustache.Escaper escaper) {
        Mustache.Compiler compiler = MUSTACHE.withEscaper(escaper);
        this.title = compiler.compile(titleTemplate == null || titleTemplate.isBlank() ? DEFAULT_TITLE : titleTemplate);
        this.body = compiler.compile(bodyTemplate == null || bodyTemplate.isBlank() ? DEFAULT_BODY : bodyTemplate);
    }

    Notification render(WebhookMessage m, List<WebhookMessage.Alert> alerts, boolean escalation) {
        Map<String, Object> model = model(m, alerts, escalation);
        String status = (Boolean) model.get("resolved") ? "resolved" : "firing";
        List<Map<String, Object>> raw = new ArrayList<>();
        for (WebhookMessage.Alert a : alerts) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("status", a.status);
            r.put("labels", a.labels);
            r.put("annotations", a.annotations);
            r.put("startsAt", a.startsAt);
            r.put("endsAt", a.endsAt);
            r.put("generatorURL", a.generatorURL);
            r.put("fingerprint", a.fingerprint);
            raw.add(r);
        }
        return new Notification(title.execute(model).strip(), body.execute(model).strip(), status,
                (String) model.get("severity"), escalation, m.receiver, m.externalURL, raw);
    }

    static Map<String, Object> model(WebhookMessage m, List<WebhookMessage.Alert> alerts, boolean escalation) {
        Map<String, Object> model = new LinkedHashMap<>();
        boolean allResolved = alerts.stream().allMatch(WebhookMessage.Alert::resolved);
        long firing = alerts.stream().filter(a -> !a.resolved()).count();
        WebhookMessage.Alert first = alerts.get(0);
        model.put("status", allResolved ? "resolved" : "firing");
        model.put("resolved", allResolved);
        model.put("escalation", escalation);
        model.put("count", allResolved ? alerts.size() : firing);
        model.put("alertname", alerts.stream().map(WebhookMessage.Alert::alertname).distinct().count() == 1
                ? first.alertname() : first.alertname() + " and others");
        model.put("severity", alerts.stream().map(WebhookMessage.Alert::severity).distinct().count() == 1
                ? first.severity() : worst(alerts));
        model.put("receiver", m.receiver);
        model.put("externalURL", m.externalURL);
        List<Map<String, Object>> list = new ArrayList<>();
        for (WebhookMessage.Alert a : alerts) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("status", a.status);
            x.put("resolved", a.resolved());
            x.put("alertname", a.alertname());
            x.put("severity", a.severity());
            x.put("summary", a.annotations.getOrDefault("summary", ""));
            x.put("description", a.annotations.getOrDefault("description", ""));
            List<Map<String, String>> labels = new ArrayList<>();
            a.labels.forEach((k, v) -> labels.add(Map.of("name", k, "value", v)));
            x.put("labels", labels);
            x.put("annotations", a.annotations);
            x.put("startsAt", a.startsAt);
            x.put("endsAt", a.endsAt);
            x.put("generatorURL", a.generatorURL == null ? "" : a.generatorURL);
            x.put("fingerprint", a.fingerprint);
            list.add(x);
        }
        model.put("alerts", list);
        return model;
    }

    private static String worst(List<WebhookMessage.Alert> alerts) {
        for (String s : new String[] {"critical", "error", "warning", "info"}) {
            if (alerts.stream().anyMatch(a -> a.severity().equals(s))) {
                return s;
            }
        }
        return alerts.get(0).severity();
    }

    private static String resource(String name) {
        try (InputStream in = MessageRenderer.class.getResourceAsStream("/alerting/templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("default template " + name + " missing from the jar", e);
        }
    }
}
