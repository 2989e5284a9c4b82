package dev.odin.lifecycle;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How ODIN stops on SIGTERM ({@code odin.shutdown.*}); docs/security.md.
 *
 * @param drainDelay how long /ready answers 503 while the receivers still take requests, so that
 *        Kubernetes stops routing here before they close (5s in the cluster manifests)
 * @param requestTimeout how long requests in flight get to finish once the receivers stop
 * @param flushTimeout how long the event queue gets to reach Loki; the rest stays on disk
 */
@ConfigurationProperties(prefix = "odin.shutdown")
public record ShutdownProperties(
        @DefaultValue("0s") Duration drainDelay,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("10s") Duration flushTimeout) {
}
