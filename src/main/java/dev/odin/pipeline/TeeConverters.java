package dev.odin.pipeline;

import dev.odin.receiver.alertmanager.WebhookDecoder;
import dev.odin.receiver.alertmanager.WebhookMessage;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConverter;
import org.apache.camel.spi.TypeConverterRegistry;
import org.apache.camel.support.TypeConverterSupport;

/**
 * Camel type converters for what the routes hold, so that a {@code to:} or {@code wireTap:} of an
 * HTTP endpoint (camel-http) can send it on as it is: an {@code Export*ServiceRequest} (metrics,
 * logs, traces) as its protobuf bytes, the body of OTLP/HTTP with Content-Type
 * {@code application/x-protobuf}; an Alertmanager notification ({@link WebhookMessage}) as its
 * JSON, the body of a webhook with Content-Type {@code application/json}. Each converts to
 * {@code byte[]} and {@code InputStream} (the notification also to {@code String}). The
 * Content-Type is the route's to set (docs/routes.md, the tee recipes).
 */
public final class TeeConverters {

    private TeeConverters() {
    }

    /** The OTLP requests, from any receiver, to protobuf bytes. */
    static final Class<?>[] OTLP = {ExportLogsServiceRequest.class, ExportMetricsServiceRequest.class,
            ExportTraceServiceRequest.class};

    /** Adds the converters to a Camel context's registry. */
    public static void register(TypeConverterRegistry registry) {
        TypeConverter otlp = new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
                return bytes(type, ((com.google.protobuf.Message) value).toByteArray());
            }
        };
        for (Class<?> from : OTLP) {
            registry.addTypeConverter(byte[].class, from, otlp);
            registry.addTypeConverter(InputStream.class, from, otlp);
        }
        TypeConverter webhook = new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
                byte[] json = WebhookDecoder.json((WebhookMessage) value);
                return type == String.class ? type.cast(new String(json, StandardCharsets.UTF_8)) : bytes(type, json);
            }
        };
        registry.addTypeConverter(byte[].class, WebhookMessage.class, webhook);
        registry.addTypeConverter(InputStream.class, WebhookMessage.class, webhook);
        registry.addTypeConverter(String.class, WebhookMessage.class, webhook);
    }

    private static <T> T bytes(Class<T> type, byte[] bytes) {
        if (type == byte[].class) {
            return type.cast(bytes);
        }
        if (type == InputStream.class) {
            return type.cast(new ByteArrayInputStream(bytes));
        }
        return null;
    }
}
