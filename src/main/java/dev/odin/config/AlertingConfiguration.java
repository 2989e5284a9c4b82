package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import dev.odin.alerting.AlertingProperties;
import dev.odin.alerting.AlertBook;
import dev.odin.alerting.AlertIntake;
import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookCredentials;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.alerting.Notifier;
import dev.odin.lifecycle.PeriodicTask;
import dev.odin.receiver.alertmanager.WebhookCredentials;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.alerting.Notifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.Processor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Alertmanager webhook: its guard (credentials, size), the processors routes/alertmanager.yaml
 * names, the alert state and the notification channels.
 */
@Configuration(proxyBeanMethods = false)
public class AlertingConfiguration {

    @Bean
    public WebhookMetrics webhookMetrics(MeterRegistry registry) {
        return new WebhookMetrics(registry);
    }

    /**
     * Alertmanager's credentials, checked by Spring Security on every path below /alertmanager
     * (SecurityConfiguration); refuses to start with the webhook open on a network address.
     */
    @Bean
    public WebhookCredentials webhookCredentials(AlertingProperties alerting, OdinProperties odin)
            throws IOException {
        AlertingProperties.Webhook w = alerting.getWebhook();
        String password = secret(w.getPassword(), w.getPasswordFile(), "odin.alerting.webhook.password-file");
        String token = secret(w.getBearerToken(), w.getBearerTokenFile(), "odin.alerting.webhook.bearer-token-file");
        String basic = w.getUsername().isBlank() ? null : w.getUsername() + ":" + password;
        WebhookCredentials credentials = new WebhookCredentials(basic, token.isBlank() ? null : token);
        if (!credentials.required() && !w.isAllowUnauthenticated()
                && !InetAddress.getByName(odin.getBindAddress()).isLoopbackAddress()) {
            throw new RefusedStartException("the Alertmanager webhook would be open to anyone on "
                    + odin.getBindAddress() + ": set odin.alerting.webhook.username and password (or password-file),"
                    + " or bearer-token (or bearer-token-file), or odin.alerting.webhook.allow-unauthenticated=true");
        }
        return credentials;
    }

    private static String secret(String value, String file, String key) throws IOException {
        if (file == null || file.isBlank()) {
            return value == null ? "" : value;
        }
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new IllegalStateException(key + " " + file + " cannot be read");
        }
        return Files.readString(p, StandardCharsets.UTF_8).strip();
    }

    @Bean
    public AlertBook alertBook(AlertingProperties p, OdinProperties odin) throws IOException {
        return new AlertBook(Path.of(odin.getDataDir()).resolve("alerting").resolve("state.json"), Clock.systemUTC(),
                p.getDedupWindow().toMillis(), p.getMaxTrackedAlerts(), p.getFlapping().getMaxTransitions(),
                p.getFlapping().getWindow().toMillis(), p.getFlapping().getSettle().toMillis());
    }

    @Bean(destroyMethod = "close")
    public Notifier notifier(AlertingProperties p, OdinProperties odin, AlertBook book, WebhookMetrics metrics)
            throws IOException {
        return new Notifier(p, book, Path.of(odin.getDataDir()).resolve("alerting").resolve("outbox"), metrics,
                Clock.systemUTC());
    }

    @Bean
    public AlertIntake alertIntake(AlertBook book, WebhookMetrics metrics, Notifier notifier) {
        return new AlertIntake(book, metrics, notifier, Clock.systemUTC());
    }

    /** Escalations due, and flapping alerts that settled, every odin.alerting.check-interval. */
    @Bean
    public PeriodicTask alertEscalation(Notifier notifier, AlertingProperties p) {
        return new PeriodicTask("alert-escalation", p.getCheckInterval(), notifier::escalateDue);
    }

    /** The channels in /health: what waits, and the last delivery errors. */
    @Bean
    public HealthIndicator notificationsHealthIndicator(Notifier notifier) {
        return () -> Health.up().withDetails(notifier.status()).build();
    }
}
