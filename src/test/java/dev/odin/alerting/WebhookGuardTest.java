package dev.odin.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.config.AlertingConfiguration;
import dev.odin.config.AlertingProperties;
import dev.odin.config.OdinProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class WebhookGuardTest {

    @TempDir
    Path dir;

    final WebhookMetrics metrics = new WebhookMetrics(new SimpleMeterRegistry());

    MockHttpServletResponse call(WebhookGuard guard, String authorization) throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("POST", WebhookGuard.PATH);
        req.setContentType("application/json");
        req.setContent("{}".getBytes());
        if (authorization != null) {
            req.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse res = new MockHttpServletResponse();
        guard.doFilter(req, res, new MockFilterChain());
        return res;
    }

    @Test
    void bearerTokenFromAFile() throws Exception {
        AlertingProperties p = new AlertingProperties();
        p.getWebhook().setBearerTokenFile(Files.writeString(dir.resolve("token"), "t0ken\n").toString());
        WebhookGuard guard = new AlertingConfiguration().alertmanagerWebhookGuard(p, new OdinProperties(), metrics)
                .getFilter();
        assertThat(call(guard, "Bearer t0ken").getStatus()).isEqualTo(200);
        MockHttpServletResponse wrong = call(guard, "Bearer t0ke");
        assertThat(wrong.getStatus()).isEqualTo(401);
        assertThat(wrong.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(wrong.getContentAsString()).contains("missing or wrong credentials");
        assertThat(call(guard, null).getStatus()).isEqualTo(401);
    }

    @Test
    void refusesToStartOpenOnANetworkUnlessToldTo() throws Exception {
        OdinProperties odin = new OdinProperties();
        odin.setBindAddress("0.0.0.0");
        AlertingProperties p = new AlertingProperties();
        assertThatThrownBy(() -> new AlertingConfiguration().alertmanagerWebhookGuard(p, odin, metrics))
                .hasMessageContaining("would be open to anyone on 0.0.0.0");
        p.getWebhook().setAllowUnauthenticated(true);
        assertThat(call(new AlertingConfiguration().alertmanagerWebhookGuard(p, odin, metrics).getFilter(), null)
                .getStatus()).isEqualTo(200);
        // on loopback (the laptop default) no credentials are needed
        AlertingProperties local = new AlertingProperties();
        assertThat(call(new AlertingConfiguration().alertmanagerWebhookGuard(local, new OdinProperties(), metrics)
                .getFilter(), null).getStatus()).isEqualTo(200);
    }

    @Test
    void anUnreadablePasswordFileStopsStart() {
        AlertingProperties p = new AlertingProperties();
        p.getWebhook().setUsername("am");
        p.getWebhook().setPasswordFile(dir.resolve("missing").toString());
        assertThatThrownBy(() -> new AlertingConfiguration().alertmanagerWebhookGuard(p, new OdinProperties(), metrics))
                .hasMessageContaining("password-file");
    }
}
