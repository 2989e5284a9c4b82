package dev.odin.config;

import dev.odin.delivery.QueuedSender;
import dev.odin.health.DataDirGuard;
import dev.odin.lifecycle.ShutdownProperties;
import dev.odin.usage.TranscriptFollower;
import dev.odin.usage.UsageRecorder;
import dev.odin.usage.UsageStore;
import dev.odin.usage.forward.ForwardIntake;
import dev.odin.usage.forward.UsageForwardHealthIndicator;
import dev.odin.usage.forward.UsageForwarder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Many machines (odin.usage-forward.*, docs/usage.md): on a laptop with odin.usage-forward.url
 * set, the {@link UsageForwarder} the transcript follower tells what it counts; on every ODIN the
 * otlp-logs step {@code receiveForwardedUsage} that counts what other ODINs forward.
 */
@Configuration(proxyBeanMethods = false)
public class UsageForwardConfiguration {

    /** odin.usage-forward.url is set (not blank). */
    static final class UrlSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !context.getEnvironment().getProperty("odin.usage-forward.url", "").isBlank();
        }
    }

    /** The forwarder, only when odin.usage-forward.url is set; a queue left from the last run is delivered. */
    @Bean(destroyMethod = "close")
    @Conditional(UrlSet.class)
    public UsageForwarder usageForwarder(OdinProperties props, DataDirGuard guard, MeterRegistry registry,
            Clock usageClock, TranscriptFollower transcriptFollower, ObjectProvider<ShutdownProperties> shutdown)
            throws IOException {
        QueuedSender.Guard writes = (what, action) -> guard.write(what, () -> {
            action.run();
            return null;
        });
        ShutdownProperties s = shutdown.getIfAvailable();
        UsageForwarder forwarder = new UsageForwarder(props.getUsageForward(), Path.of(props.getDataDir()), writes,
                registry, usageClock, s == null ? Duration.ofSeconds(10) : s.flushTimeout());
        transcriptFollower.listen(forwarder);
        return forwarder;
    }

    /** /health component usageForward: DEGRADED while deliveries to the central are retried. */
    @Bean
    @Conditional(UrlSet.class)
    public UsageForwardHealthIndicator usageForwardHealthIndicator(UsageForwarder usageForwarder) {
        return new UsageForwardHealthIndicator(usageForwarder);
    }

    /** Route step (otlp-logs): usage forwarded by other ODINs, counted once per machine and request. */
    @Bean
    public ForwardIntake receiveForwardedUsage(OdinProperties props, UsageStore store, UsageRecorder recorder,
            Clock usageClock, MeterRegistry registry) throws IOException {
        return new ForwardIntake(props.getUsageForward(), store, recorder, usageClock, registry);
    }
}
