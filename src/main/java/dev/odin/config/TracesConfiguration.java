package dev.odin.config;

import dev.odin.delivery.QueuedSender;
import dev.odin.exporter.otlp.OtlpExportProperties;
import dev.odin.exporter.otlp.OtlpExporter;
import dev.odin.exporter.prometheus.MetricsTranslator;
import dev.odin.health.DataDirGuard;
import dev.odin.lifecycle.PeriodicTask;
import dev.odin.lifecycle.ShutdownProperties;
import dev.odin.signal.Signal;
import dev.odin.traces.SpanMetrics;
import dev.odin.traces.TraceSteps;
import dev.odin.traces.TraceStore;
import dev.odin.traces.TracesEndpoint;
import dev.odin.traces.TracesForward;
import dev.odin.traces.TracesProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The traces pipeline's beans (odin.traces.*, routes/otlp-traces.yaml): step bean {@code traces}
 * (span metrics, trace store), the store's retention, GET /api/traces/{id}, and the forward's
 * exporter (sender traces-export, behind {@code odin-otlp:traces}) while odin.traces.otlp-endpoint is set.
 */
@Configuration(proxyBeanMethods = false)
public class TracesConfiguration {

    /** odin.traces.otlp-endpoint is set (not blank). */
    static final class ForwardSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !context.getEnvironment().getProperty("odin.traces.otlp-endpoint", "").isBlank();
        }
    }

    @Bean
    @ConditionalOnProperty(name = "odin.traces.store.enabled", matchIfMissing = true)
    public TraceStore traceStore(OdinProperties props, DataDirGuard guard, MeterRegistry registry) {
        TracesProperties.Store s = props.getTraces().getStore();
        QueuedSender.Guard writes = (what, action) -> guard.write(what, () -> {
            guard.checkFloor(what);
            action.run();
            return null;
        });
        return new TraceStore(Path.of(props.getDataDir()).resolve("traces"), s.getRetention(),
                s.getMaxSize().toBytes(), Clock.systemUTC(), writes, registry);
    }

    /** Retention of the trace store: at start, then hourly. */
    @Bean
    @ConditionalOnProperty(name = "odin.traces.store.enabled", matchIfMissing = true)
    public PeriodicTask traceStoreRetention(TraceStore store) {
        return new PeriodicTask("traces-retention", Duration.ofHours(1), store::clean);
    }

    @Bean
    @ConditionalOnProperty(name = "odin.traces.store.enabled", matchIfMissing = true)
    public TracesEndpoint tracesEndpoint(TraceStore store) {
        return new TracesEndpoint(store);
    }

    @Bean
    public TraceSteps traces(OdinProperties props, MetricsTranslator translateMetrics,
            ObjectProvider<TraceStore> store, MeterRegistry registry) {
        SpanMetrics spanMetrics = new SpanMetrics(props.getTraces().getMetricsCardinalityLimit(), () -> {
            java.time.Instant now = Clock.systemUTC().instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        });
        return new TraceSteps(spanMetrics, translateMetrics, store.getIfAvailable(), registry);
    }

    /** The forward's exporter (sender traces-export), only when odin.traces.otlp-endpoint is set. */
    @Bean(destroyMethod = "close")
    @Conditional(ForwardSet.class)
    public TracesForward tracesForward(OdinProperties props, DataDirGuard guard, MeterRegistry registry,
            ObjectProvider<ShutdownProperties> shutdown) throws IOException {
        TracesForward.checkEndpoint(props.getTraces().getOtlpEndpoint());
        OtlpExportProperties config = new OtlpExportProperties();
        config.setEndpoint(props.getTraces().getOtlpEndpoint());
        config.setSignals(List.of(Signal.TRACES));
        config.setHeaders(props.getTraces().getOtlpHeaders());
        ShutdownProperties s = shutdown.getIfAvailable();
        QueuedSender.Guard writes = (what, action) -> {
            if (what.equals(OtlpExporter.QUEUE_WRITE)) {
                guard.checkFloor(what);
            }
            guard.write(what, () -> {
                action.run();
                return null;
            });
        };
        return new TracesForward(new OtlpExporter("traces-export", config, Path.of(props.getDataDir()), writes,
                registry, Clock.systemUTC(), s == null ? Duration.ofSeconds(10) : s.flushTimeout()));
    }
}
