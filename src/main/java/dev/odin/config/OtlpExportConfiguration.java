package dev.odin.config;

import dev.odin.delivery.QueuedSender;
import dev.odin.exporter.otlp.OtlpExportComponent;
import dev.odin.exporter.otlp.OtlpExportHealthIndicator;
import dev.odin.exporter.otlp.OtlpExportProperties;
import dev.odin.exporter.otlp.OtlpExporter;
import dev.odin.health.DataDirGuard;
import dev.odin.lifecycle.ShutdownProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.context.annotation.Configuration;

/**
 * The OTLP export (odin.otlp-export.*): its {@link OtlpExporter} (sender {@code otlp-export}, made
 * whenever odin.otlp-export.endpoint is set, so a queue left from the last run is delivered) and
 * the Camel component {@code odin-otlp}. Which requests reach it is the routes' choice
 * (routes/otlp-*.yaml); see docs/routes.md.
 */
@Configuration(proxyBeanMethods = false)
public class OtlpExportConfiguration {

    /** odin.otlp-export.endpoint is set (not blank). */
    static final class EndpointSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String endpoint = context.getEnvironment().getProperty("odin.otlp-export.endpoint", "");
            return !endpoint.isBlank();
        }
    }

    /** The exporter, only when odin.otlp-export.endpoint is set. */
    @Bean(destroyMethod = "close")
    @Conditional(EndpointSet.class)
    public OtlpExporter otlpExporter(OdinProperties props, DataDirGuard guard, MeterRegistry registry,
            ObjectProvider<ShutdownProperties> shutdown) throws IOException {
        OtlpExportProperties config = props.getOtlpExport();
        ShutdownProperties s = shutdown.getIfAvailable();
        QueuedSender.Guard writes = (what, action) -> {
            if (what.equals(OtlpExporter.QUEUE_WRITE)) {
                guard.checkFloor(what); // new requests are refused below the floor, as the event queue's
            }
            guard.write(what, () -> {
                action.run();
                return null;
            });
        };
        return new OtlpExporter(config, Path.of(props.getDataDir()), writes, registry, Clock.systemUTC(),
                s == null ? java.time.Duration.ofSeconds(10) : s.flushTimeout());
    }

    /** /health component otlpExport: DEGRADED while exports are retried. */
    @Bean
    @Conditional(EndpointSet.class)
    public OtlpExportHealthIndicator otlpExportHealthIndicator(OtlpExporter otlpExporter) {
        return new OtlpExportHealthIndicator(otlpExporter);
    }

    /** Camel component odin-otlp: odin-otlp:default (odin.otlp-export.*), odin-otlp:traces (odin.traces.otlp-endpoint). */
    @Bean("odin-otlp")
    public OtlpExportComponent odinOtlpComponent(ObjectProvider<OtlpExporter> otlpExporter,
            ObjectProvider<dev.odin.traces.TracesForward> tracesForward) {
        dev.odin.traces.TracesForward traces = tracesForward.getIfAvailable();
        return new OtlpExportComponent(Optional.ofNullable(otlpExporter.getIfAvailable()),
                Optional.ofNullable(traces == null ? null : traces.exporter()));
    }
}
