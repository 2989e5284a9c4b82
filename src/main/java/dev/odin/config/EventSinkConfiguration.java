package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import dev.odin.events.EventsProperties;
import dev.odin.exporter.loki.LokiProperties;
import dev.odin.receiver.otlp.AdmissionProperties;
import dev.odin.receiver.otlp.AuthProperties;
import dev.odin.exporter.files.EventFiles;
import dev.odin.health.DataDirGuard;
import dev.odin.events.EventLimits;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.concurrent.atomic.LongAdder;
import dev.odin.exporter.loki.LokiHealthIndicator;
import dev.odin.exporter.loki.LokiMapper;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.signal.ExportResult;
import dev.odin.exporter.files.EventFiles;
import dev.odin.exporter.files.EventFilesComponent;
import dev.odin.events.EventLimits;
import dev.odin.exporter.loki.LokiComponent;
import dev.odin.exporter.loki.LokiMapper;
import dev.odin.exporter.loki.LokiSinks;
import dev.odin.telemetry.OdinMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The event sinks as Camel endpoints, all there whatever odin.loki.url says: {@code odin-loki}
 * (the configured Loki, {@code odin-loki:default}, and others by name) and {@code odin-files}
 * ({@code odin-files:events}). Which sink an event reaches is the routes' choice (the event-sink
 * route in routes/otlp-logs.yaml); see docs/routes.md.
 */
@Configuration(proxyBeanMethods = false)
public class EventSinkConfiguration {

    /** Route step (otlp-logs): the odin.events length limits, before any sink. */
    @Bean
    public EventLimits limitEventLengths(OdinProperties props, MeterRegistry registry) {
        EventsProperties e = props.getEvents();
        EventLimits limits;
        try {
            limits = new EventLimits(e.getMaxBodySize().toBytes(), e.getMaxAttributeValueSize().toBytes(),
                    e.getMaxAttributeKeySize().toBytes());
        } catch (IllegalArgumentException x) {
            throw new RefusedStartException(x.getMessage());
        }
        EventLimits.Counts c = limits.counts();
        for (var what : java.util.Map.of("body", c.body, "attribute_value", c.attributeValue, "attribute_key",
                c.attributeKey).entrySet()) {
            FunctionCounter.builder("odin.events.trimmed", what.getValue(), LongAdder::doubleValue)
                    .description("Event bodies and attribute values trimmed, and attributes with over-long keys"
                            + " dropped, to the odin.events length limits").tag("what", what.getKey())
                    .register(registry);
        }
        return limits;
    }

    @Bean
    public LokiMapper lokiMapper(OdinProperties props, MeterRegistry registry) {
        LokiMapper mapper = new LokiMapper(props.getLoki(), Clock.systemUTC());
        bindTrimmed(mapper.trimmed(), registry);
        return mapper;
    }

    /** Every write of events and delivery state under odin.data-dir; also /health component dataDir. */
    @Bean
    public DataDirGuard dataDir(OdinProperties props, AdmissionProperties admission, MeterRegistry registry)
            throws IOException {
        return DataDirGuard.of(Path.of(props.getDataDir()), props.getDataDirMinFree().toBytes(),
                admission.retryAfter().toMillis(), registry);
    }

    /** The local event files: made when a route first sends to odin-files:events (or /health asks). */
    @Bean(destroyMethod = "close")
    @Lazy
    public EventFiles eventFiles(OdinProperties props, MeterRegistry registry) throws IOException {
        EventFiles files = new EventFiles(Path.of(props.getDataDir()).resolve("events"),
                props.getEvents().getMaxFileSize().toBytes(), props.getEvents().getRetentionDays(), Clock.systemUTC());
        bindFiledByArrival(files, registry);
        return files;
    }

    /** Camel component odin-files. */
    @Bean("odin-files")
    public EventFilesComponent odinFilesComponent(ObjectProvider<EventFiles> files, LokiMapper mapper,
            AuthProperties auth, OdinMetrics telemetry, DataDirGuard guard) {
        return new EventFilesComponent(files::getObject, mapper, auth.tenantLabel(), telemetry, guard);
    }

    /** Every Loki: the default one (when odin.loki.url is set) and those the routes name. */
    @Bean(destroyMethod = "close")
    public LokiSinks lokiSinks(OdinProperties props, OdinMetrics telemetry, DataDirGuard guard,
            MeterRegistry registry, ObjectProvider<HealthContributorRegistry> health) throws IOException {
        return new LokiSinks(props.getLoki(), Path.of(props.getDataDir()), telemetry, guard, registry, health);
    }

    /** Camel component odin-loki. */
    @Bean("odin-loki")
    public LokiComponent odinLokiComponent(LokiSinks sinks, LokiMapper mapper, AuthProperties auth,
            OdinProperties props) {
        return new LokiComponent(sinks, mapper, auth.tenantLabel(), props.getLoki());
    }

    /** Log records trimmed to fit one of Loki's caps, as odin_loki_trimmed_total{cap}. */
    private static void bindTrimmed(LokiMapper.Trimmed t, MeterRegistry registry) {
        for (var cap : java.util.Map.of("stream_labels", t.streamLabels, "metadata_entries", t.metadataEntries,
                "metadata_size", t.metadataSize, "line_size", t.lineSize, "label_value_size", t.labelValueSize).entrySet()) {
            FunctionCounter.builder("odin.loki.trimmed", cap.getValue(), LongAdder::doubleValue)
                    .description("Log records trimmed to fit one of Loki's caps, by cap").tag("cap", cap.getKey())
                    .register(registry);
        }
    }

    /** Events filed under their arrival day instead of their own, as odin_events_filed_by_arrival_total{reason}. */
    private static void bindFiledByArrival(EventFiles files, MeterRegistry registry) {
        EventFiles.FiledByArrival f = files.filedByArrival();
        for (var e : java.util.Map.of("too_old", f.tooOld, "too_far_ahead", f.tooFarAhead).entrySet()) {
            FunctionCounter.builder("odin.events.filed.by.arrival", e.getValue(), LongAdder::doubleValue)
                    .description("Events written to the arrival day's file because their own day was before the"
                            + " retention or more than a day ahead, by reason")
                    .tag("reason", e.getKey()).register(registry);
        }
    }
}
