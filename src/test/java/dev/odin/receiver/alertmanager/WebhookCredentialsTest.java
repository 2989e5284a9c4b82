package dev.odin.receiver.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.config.AlertingConfiguration;
import dev.odin.alerting.AlertingProperties;
import dev.odin.config.OdinProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook's credentials as configured; the HTTP side is in ReceiverPathsIT. */
class WebhookCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void bearerTokenFromAFile() throws Exception {
        AlertingProperties p = new AlertingProperties();
        p.getWebhook().setBearerTokenFile(Files.writeString(dir.resolve("token"), "t0ken\n").toString());
        WebhookCredentials c = new AlertingConfiguration().webhookCredentials(p, new OdinProperties());
        assertThat(c.required()).isTrue();
        assertThat(c.matches("Bearer t0ken")).isTrue();
        assertThat(c.matches("Bearer t0ke")).isFalse();
        assertThat(c.matches("Bearer t0ken0")).isFalse();
        assertThat(c.matches(null)).isFalse();
        assertThat(c.challenge()).startsWith("Bearer");
    }

    @Test
    void basicAuth() throws Exception {
        AlertingProperties p = new AlertingProperties();
        p.getWebhook().setUsername("am");
        p.getWebhook().setPassword("s3cret");
        WebhookCredentials c = new AlertingConfiguration().webhookCredentials(p, new OdinProperties());
        assertThat(c.matches("Basic " + Base64.getEncoder().encodeToString("am:s3cret".getBytes()))).isTrue();
        assertThat(c.matches("Basic " + Base64.getEncoder().encodeToString("am:s3cre".getBytes()))).isFalse();
        assertThat(c.challenge()).startsWith("Basic");
    }

    @Test
    void refusesToStartOpenOnANetworkUnlessToldTo() throws Exception {
        OdinProperties odin = new OdinProperties();
        odin.setBindAddress("0.0.0.0");
        AlertingProperties p = new AlertingProperties();
        assertThatThrownBy(() -> new AlertingConfiguration().webhookCredentials(p, odin))
                .hasMessageContaining("would be open to anyone on 0.0.0.0");
        p.getWebhook().setAllowUnauthenticated(true);
        assertThat(new AlertingConfiguration().webhookCredentials(p, odin).required()).isFalse();
        // on loopback (the laptop default) no credentials are needed
        assertThat(new AlertingConfiguration().webhookCredentials(new AlertingProperties(), new OdinProperties())
                .required()).isFalse();
    }

    @Test
    void anUnreadablePasswordFileStopsStart() {
        AlertingProperties p = new AlertingProperties();
        p.getWebhook().setUsername("am");
        p.getWebhook().setPasswordFile(dir.resolve("missing").toString());
        assertThatThrownBy(() -> new AlertingConfiguration().webhookCredentials(p, new OdinProperties()))
                .hasMessageContaining("password-file");
    }
}
