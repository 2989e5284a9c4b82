package dev.odin.alerting;

import dev.odin.settings.SettingChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.util.unit.DataSize;

/**
 * The Alertmanager webhook and the notification channels ({@code odin.alerting.*});
 * docs/alerting.md explains each setting and the flow.
 */
@ConfigurationProperties(prefix = "odin.alerting")
public class AlertingProperties implements Validator {

    private final Webhook webhook = new Webhook();

    /** The same (fingerprint, status, startsAt) within this window is one notification, not several. */
    private Duration dedupWindow = Duration.ofHours(1);

    /** Alerts whose state ODIN tracks at most (firing, flapping, escalating); past it, the oldest resolved go. */
    private int maxTrackedAlerts = 10_000;

    /** Where notifications go: name, type, url, severities, matchers, templates, headers, timeout, email. */
    private List<Channel> channels = new ArrayList<>();

    /** Re-send unresolved alerts of a severity to a channel: severity, after, repeat, channel. */
    private List<Escalation> escalations = new ArrayList<>();

    private final Flapping flapping = new Flapping();

    private final Retry retry = new Retry();

    /** How often each channel's sender looks at its queue (it also wakes on every new message). */
    private Duration deliveryInterval = Duration.ofMillis(500);

    /** How often escalations and settled flapping alerts are looked for. */
    private Duration checkInterval = Duration.ofSeconds(10);

    public Duration getDeliveryInterval() { return deliveryInterval; }

    public void setDeliveryInterval(Duration deliveryInterval) { this.deliveryInterval = deliveryInterval; }

    public Duration getCheckInterval() { return checkInterval; }

    public void setCheckInterval(Duration checkInterval) { this.checkInterval = checkInterval; }

    public Webhook getWebhook() { return webhook; }

    public Duration getDedupWindow() { return dedupWindow; }

    public void setDedupWindow(Duration dedupWindow) { this.dedupWindow = dedupWindow; }

    public int getMaxTrackedAlerts() { return maxTrackedAlerts; }

    public void setMaxTrackedAlerts(int maxTrackedAlerts) { this.maxTrackedAlerts = maxTrackedAlerts; }

    public List<Channel> getChannels() { return channels; }

    public void setChannels(List<Channel> channels) { this.channels = channels; }

    public List<Escalation> getEscalations() { return escalations; }

    public void setEscalations(List<Escalation> escalations) { this.escalations = escalations; }

    public Flapping getFlapping() { return flapping; }

    public Retry getRetry() { return retry; }

    /** The receiver: POST /alertmanager/webhook on the OTLP/HTTP port. */
    public static class Webhook {
        /** Largest body accepted; larger: 413. */
        private DataSize maxBodySize = DataSize.ofMegabytes(1);
        /** Basic auth user name Alertmanager must send (with the password). */
        private String username = "";
        /** Basic auth password Alertmanager must send (with the user name). */
        private String password = "";
        /** A file holding the password (a Kubernetes secret); wins over password. */
        private String passwordFile = "";
        /** Bearer token Alertmanager must send (http_config.authorization). */
        private String bearerToken = "";
        /** A file holding the bearer token; wins over bearer-token. */
        private String bearerTokenFile = "";
        /**
         * Serve the webhook without credentials on a non-loopback address. Off: ODIN refuses to
         * start that way, since anyone who can reach it could page your on-call.
         */
        private boolean allowUnauthenticated = false;

        public DataSize getMaxBodySize() { return maxBodySize; }

        public void setMaxBodySize(DataSize maxBodySize) { this.maxBodySize = maxBodySize; }

        public String getUsername() { return username; }

        public void setUsername(String username) { this.username = username; }

        public String getPassword() { return password; }

        public void setPassword(String password) { this.password = password; }

        public String getPasswordFile() { return passwordFile; }

        public void setPasswordFile(String passwordFile) { this.passwordFile = passwordFile; }

        public String getBearerToken() { return bearerToken; }

        public void setBearerToken(String bearerToken) { this.bearerToken = bearerToken; }

        public String getBearerTokenFile() { return bearerTokenFile; }

        public void setBearerTokenFile(String bearerTokenFile) { this.bearerTokenFile = bearerTokenFile; }

        public boolean isAllowUnauthenticated() { return allowUnauthenticated; }

        public void setAllowUnauthenticated(boolean allowUnauthenticated) {
            this.allowUnauthenticated = allowUnauthenticated;
        }

        void check(SettingChecks c) {
            c.notNull("maxBodySize", maxBodySize);
        }
    }

    /** Where notifications go. */
    public static class Channel {
        /** What the channel speaks. */
        public enum Type { WEBHOOK, SLACK, DISCORD, NTFY, EMAIL }

        /** The channel's name: the channel label of its metrics, what escalations refer to. */
        private String name;
        private Type type;
        /** The URL to POST to (webhook, slack, discord; for ntfy the topic URL). */
        private String url = "";
        /** Severities this channel takes (empty: all); checked before the matchers. */
        private List<String> severities = new ArrayList<>();
        /** Label matchers, all must hold: {@code team=infra}, {@code env!=dev}, {@code alertname=~Host.*}, {@code job!~test.*}. */
        private List<String> matchers = new ArrayList<>();
        /** Only escalations reach this channel, not the first notification. */
        private boolean escalationOnly = false;
        /** Mustache template of the title (subject); empty: the default. */
        private String titleTemplate = "";
        /** Mustache template of the text; empty: the default. */
        private String bodyTemplate = "";
        /** Extra HTTP headers (an API key, for example). */
        private Map<String, String> headers = new LinkedHashMap<>();
        /** How long one delivery may take. */
        private Duration timeout = Duration.ofSeconds(10);
        private final Email email = new Email();

        public String getName() { return name; }

        public void setName(String name) { this.name = name; }

        public Type getType() { return type; }

        public void setType(Type type) { this.type = type; }

        public String getUrl() { return url; }

        public void setUrl(String url) { this.url = url; }

        public List<String> getSeverities() { return severities; }

        public void setSeverities(List<String> severities) { this.severities = severities; }

        public List<String> getMatchers() { return matchers; }

        public void setMatchers(List<String> matchers) { this.matchers = matchers; }

        public boolean isEscalationOnly() { return escalationOnly; }

        public void setEscalationOnly(boolean escalationOnly) { this.escalationOnly = escalationOnly; }

        public String getTitleTemplate() { return titleTemplate; }

        public void setTitleTemplate(String titleTemplate) { this.titleTemplate = titleTemplate; }

        public String getBodyTemplate() { return bodyTemplate; }

        public void setBodyTemplate(String bodyTemplate) { this.bodyTemplate = bodyTemplate; }

        public Map<String, String> getHeaders() { return headers; }

        public void setHeaders(Map<String, String> headers) { this.headers = headers; }

        public Duration getTimeout() { return timeout; }

        public void setTimeout(Duration timeout) { this.timeout = timeout; }

        public Email getEmail() { return email; }

        void check(SettingChecks c) {
            c.notBlank("name", name).notNull("type", type).notNull("timeout", timeout);
        }
    }

    /** SMTP settings of an e-mail channel. */
    public static class Email {
        private String host = "";
        private int port = 25;
        private String username = "";
        private String password = "";
        /** STARTTLS required (port 587). */
        private boolean starttls = false;
        /** TLS from the first byte (port 465). */
        private boolean ssl = false;
        private String from = "odin@localhost";
        private List<String> to = new ArrayList<>();

        public String getHost() { return host; }

        public void setHost(String host) { this.host = host; }

        public int getPort() { return port; }

        public void setPort(int port) { this.port = port; }

        public String getUsername() { return username; }

        public void setUsername(String username) { this.username = username; }

        public String getPassword() { return password; }

        public void setPassword(String password) { this.password = password; }

        public boolean isStarttls() { return starttls; }

        public void setStarttls(boolean starttls) { this.starttls = starttls; }

        public boolean isSsl() { return ssl; }

        public void setSsl(boolean ssl) { this.ssl = ssl; }

        public String getFrom() { return from; }

        public void setFrom(String from) { this.from = from; }

        public List<String> getTo() { return to; }

        public void setTo(List<String> to) { this.to = to; }
    }

    /** Re-send unresolved alerts of a severity to an escalation channel. */
    public static class Escalation {
        private String severity;
        /** How long an alert may fire before it is escalated. */
        private Duration after = Duration.ofMinutes(30);
        /** Escalated again this often until resolved. */
        private Duration repeat = Duration.ofHours(1);
        /** The channel escalations go to. */
        private String channel;

        public String getSeverity() { return severity; }

        public void setSeverity(String severity) { this.severity = severity; }

        public Duration getAfter() { return after; }

        public void setAfter(Duration after) { this.after = after; }

        public Duration getRepeat() { return repeat; }

        public void setRepeat(Duration repeat) { this.repeat = repeat; }

        public String getChannel() { return channel; }

        public void setChannel(String channel) { this.channel = channel; }

        void check(SettingChecks c) {
            c.notBlank("severity", severity).notNull("after", after).notNull("repeat", repeat)
                    .notBlank("channel", channel);
        }
    }

    /** An alert that changes state too often is held back from channels until it settles. */
    public static class Flapping {
        /** More state changes than this within the window: flapping. 0 turns detection off. */
        private int maxTransitions = 4;
        /** The window state changes are counted in. */
        private Duration window = Duration.ofHours(1);
        /** A flapping alert is released once it has not changed for this long. */
        private Duration settle = Duration.ofMinutes(15);

        public int getMaxTransitions() { return maxTransitions; }

        public void setMaxTransitions(int maxTransitions) { this.maxTransitions = maxTransitions; }

        public Duration getWindow() { return window; }

        public void setWindow(Duration window) { this.window = window; }

        public Duration getSettle() { return settle; }

        public void setSettle(Duration settle) { this.settle = settle; }

        void check(SettingChecks c) {
            c.min("maxTransitions", maxTransitions, 0).notNull("window", window).notNull("settle", settle);
        }
    }

    /** Retries of failed channel deliveries. */
    public static class Retry {
        /** The first retry's delay after a failed delivery; it doubles up to max-backoff. */
        private Duration minBackoff = Duration.ofSeconds(1);
        /** The longest delay between retries (a Retry-After in seconds may ask for more). */
        private Duration maxBackoff = Duration.ofMinutes(5);
        /** Attempts before a notification is given up (dead-lettered, counted in odin_notifications_dropped_total). */
        private int maxAttempts = 12;
        /** A notification still failing this long after it was queued is given up (dead-lettered), whatever its attempts. */
        private Duration maxAge = Duration.ofHours(1);
        /** Each channel's dead-letter file at most; past it the file becomes dead-letter.jsonl.1 (the previous one goes). */
        private DataSize deadLetterMaxSize = DataSize.ofMegabytes(16);
        /** Notifications waiting per channel, on disk, at most. */
        private DataSize queueMaxSize = DataSize.ofMegabytes(64);

        public Duration getMinBackoff() { return minBackoff; }

        public void setMinBackoff(Duration minBackoff) { this.minBackoff = minBackoff; }

        public Duration getMaxBackoff() { return maxBackoff; }

        public void setMaxBackoff(Duration maxBackoff) { this.maxBackoff = maxBackoff; }

        public int getMaxAttempts() { return maxAttempts; }

        public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }

        public DataSize getQueueMaxSize() { return queueMaxSize; }

        public Duration getMaxAge() { return maxAge; }

        public void setMaxAge(Duration maxAge) { this.maxAge = maxAge; }

        public DataSize getDeadLetterMaxSize() { return deadLetterMaxSize; }

        public void setDeadLetterMaxSize(DataSize deadLetterMaxSize) { this.deadLetterMaxSize = deadLetterMaxSize; }

        public void setQueueMaxSize(DataSize queueMaxSize) { this.queueMaxSize = queueMaxSize; }

        void check(SettingChecks c) {
            c.notNull("minBackoff", minBackoff).notNull("maxBackoff", maxBackoff).min("maxAttempts", maxAttempts, 1)
                    .notNull("maxAge", maxAge).notNull("deadLetterMaxSize", deadLetterMaxSize)
                    .notNull("queueMaxSize", queueMaxSize);
        }
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == AlertingProperties.class;
    }

    /** Run by ConfigurationPropertiesBinder once the whole group is bound; nested groups check their own fields. */
    @Override
    public void validate(Object target, Errors errors) {
        SettingChecks c = new SettingChecks(errors);
        webhook.check(c.in("webhook"));
        c.notNull("dedupWindow", dedupWindow).min("maxTrackedAlerts", maxTrackedAlerts, 100)
                .each("channels", channels, Channel::check).each("escalations", escalations, Escalation::check);
        flapping.check(c.in("flapping"));
        retry.check(c.in("retry"));
        c.notNull("deliveryInterval", deliveryInterval).notNull("checkInterval", checkInterval);
    }
}
