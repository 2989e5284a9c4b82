package dev.odin.config;

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
import dev.odin.telemetry.OdinMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.Processor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The beans the event-sink and loki-delivery routes name. Which sink an event reaches is the
 * route's choice, on the exchange property set by {@code selectEventSink}: local files without a
 * Loki URL, Loki's push API with one, or Loki's OTLP endpoint in pass-through mode.
 */
@Configuration(proxyBeanMethods = false)
public class EventSinkConfiguration {

    /** Exchange property the event-sink route chooses on: files, loki or otlp. */
    public static final String SINK_PROPERTY = "odinEventSink";

    @Bean
    public Processor selectEventSink(OdinProperties props) {
        String sink = props.getLoki().getUrl().isBlank() ? "files"
                : props.getLoki().getFormat() == LokiProperties.Format.OTLP ? "otlp" : "loki";
        return exchange -> exchange.setProperty(SINK_PROPERTY, sink);
    }

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
    public LokiMapper lokiMapper(OdinProperties props, OdinMetrics telemetry) {
        LokiMapper mapper = new LokiMapper(props.getLoki(), Clock.systemUTC());
        telemetry.bindTrimmed(mapper.trimmed());
        return mapper;
    }

    @Bean
    public Processor mapLogsForLoki(LokiMapper mapper, AuthProperties auth) {
        return exchange -> {
            ExportResult result = exchange.getProperty(ExportResult.PROPERTY, ExportResult.class);
            exchange.getMessage().setBody(mapper.map(exchange.getMessage().getBody(ExportLogsServiceRequest.class),
                    auth.tenantLabel(), result == null ? "" : result.tenant()));
        };
    }

    /** Every write of events and delivery state under odin.data-dir; also /health component dataDir. */
    @Bean
    public DataDirGuard dataDir(OdinProperties props, AdmissionProperties admission, MeterRegistry registry)
            throws IOException {
        return DataDirGuard.of(Path.of(props.getDataDir()), props.getDataDirMinFree().toBytes(),
                admission.retryAfter().toMillis(), registry);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${odin.loki.url:}'.isBlank()")
    public EventFiles eventFiles(OdinProperties props, OdinMetrics telemetry) throws IOException {
        EventFiles files = new EventFiles(Path.of(props.getDataDir()).resolve("events"),
                props.getEvents().getMaxFileSize().toBytes(), props.getEvents().getRetentionDays(), Clock.systemUTC());
        telemetry.bindEventFiles(files);
        return files;
    }

    @Bean
    public Processor writeEventFiles(ObjectProvider<EventFiles> files, OdinMetrics telemetry, DataDirGuard guard) {
        return exchange -> {
            dev.odin.exporter.loki.MappedLogs logs = exchange.getMessage().getBody(dev.odin.exporter.loki.MappedLogs.class);
            telemetry.eventsWritten(guard.write(DataDirGuard.EVENTS, () -> files.getObject().write(logs)));
        };
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("!'${odin.loki.url:}'.isBlank()")
    public LokiSink lokiSink(OdinProperties props, OdinMetrics telemetry, DataDirGuard guard) throws IOException {
        return new LokiSink(props.getLoki(), Path.of(props.getDataDir()), Clock.systemUTC(), telemetry, guard);
    }

    @Bean
    @ConditionalOnExpression("!'${odin.loki.url:}'.isBlank()")
    public LokiHealthIndicator lokiHealthIndicator(LokiSink sink) {
        return new LokiHealthIndicator(sink);
    }

    @Bean
    public Processor enqueueForLoki(ObjectProvider<LokiSink> sink) {
        return exchange -> sink.getObject().enqueue().process(exchange);
    }

    @Bean
    public Processor enqueueOtlpForLoki(ObjectProvider<LokiSink> sink) {
        return exchange -> sink.getObject().enqueueOtlp().process(exchange);
    }

    /** A no-op without Loki: the timer route is there either way. */
    @Bean
    public Processor deliverToLoki(ObjectProvider<LokiSink> sink) {
        return exchange -> {
            LokiSink s = sink.getIfAvailable();
            if (s != null) {
                s.deliver().process(exchange);
            }
        };
    }
}
