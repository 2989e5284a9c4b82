package dev.odin.receiver.otlp;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bearer-token authentication of the OTLP receivers ({@code odin.auth.*}); docs/security.md.
 *
 * @param tokensFile the tokens file (one {@code token [tenant]} per line; a mounted Kubernetes
 *        Secret); empty: the OTLP receivers take requests without credentials
 * @param reloadInterval how often the tokens file is checked for changes (the auth-tokens timer)
 * @param tenantLabel a label carrying the token's tenant on metric series and Loki streams;
 *        empty adds none (the tenant still selects the Loki tenant, X-Scope-OrgID)
 * @param allowUnauthenticated start even though the receivers listen on a non-loopback address
 *        without a tokens file; off, ODIN refuses to start that way
 */
@ConfigurationProperties(prefix = "odin.auth")
public record AuthProperties(
        @DefaultValue("") String tokensFile,
        @DefaultValue("10s") Duration reloadInterval,
        @DefaultValue("") String tenantLabel,
        @DefaultValue("false") boolean allowUnauthenticated) {

    public AuthProperties {
        if (!tenantLabel.isEmpty() && !tenantLabel.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new IllegalArgumentException("odin.auth.tenant-label '" + tenantLabel
                    + "' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
        }
    }

    public boolean enabled() {
        return !tokensFile.isBlank();
    }
}
