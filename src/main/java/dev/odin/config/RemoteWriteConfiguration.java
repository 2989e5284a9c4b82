package dev.odin.config;

import dev.odin.exporter.remotewrite.RemoteWriteProperties;
import dev.odin.exporter.remotewrite.RemoteWriter;
import dev.odin.health.DataDirGuard;
import dev.odin.lifecycle.PeriodicTask;
import dev.odin.series.SeriesStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Prometheus remote write, when odin.remote-write.url is set: the writer (its queue and sender)
 * and the timer that snapshots the store into it every odin.remote-write.interval.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(RemoteWriteConfiguration.UrlSet.class)
public class RemoteWriteConfiguration {

    /** odin.remote-write.url (or ODIN_REMOTEWRITE_URL) is not blank. */
    static final class UrlSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !Binder.get(context.getEnvironment()).bind("odin.remote-write.url", String.class).orElse("")
                    .isBlank();
        }
    }

    @Bean(destroyMethod = "close")
    public RemoteWriter remoteWriter(OdinProperties props, SeriesStore store, DataDirGuard guard,
            MeterRegistry registry) throws IOException {
        String version = RemoteWriter.class.getPackage().getImplementationVersion();
        return new RemoteWriter(props.getRemoteWrite(), store, Path.of(props.getDataDir()), guard, registry,
                Clock.systemUTC(), version == null ? "dev" : version);
    }

    /** The store, whole, into the remote-write queue every odin.remote-write.interval. */
    @Bean
    public PeriodicTask remoteWriteSnapshot(RemoteWriter writer, OdinProperties props) {
        RemoteWriteProperties p = props.getRemoteWrite();
        return new PeriodicTask("remote-write", p.getInterval(), writer::snapshot);
    }
}
