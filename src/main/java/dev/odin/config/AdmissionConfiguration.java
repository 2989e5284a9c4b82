package dev.odin.config;

import dev.odin.alerting.AlertingProperties;
import dev.odin.lifecycle.ShutdownProperties;
import dev.odin.receiver.otlp.AdmissionProperties;
import dev.odin.receiver.otlp.HttpIntakeProperties;
import dev.odin.receiver.otlp.AdmissionControl;
import dev.odin.receiver.otlp.HeapWatch;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import dev.odin.receiver.otlp.BodyIntake;
import dev.odin.receiver.otlp.Reception;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletRequestListener;
import dev.odin.lifecycle.GracefulShutdown;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.receiver.otlp.ExportResponses;
import dev.odin.exporter.loki.LokiSinks;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.receiver.otlp.ExportResponses;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The admission limiter in front of every receiver (the HTTP filter, the same limiter the gRPC
 * receiver asks, its health component) and the graceful shutdown that closes it.
 */
@Configuration(proxyBeanMethods = false)
public class AdmissionConfiguration {

    @Bean
    public HeapWatch heapWatch() {
        return new HeapWatch();
    }

    @Bean
    public AdmissionControl admissionControl(AdmissionProperties props, HeapWatch heap,
            ObjectProvider<LokiSinks> loki, MeterRegistry registry) {
        return new AdmissionControl(props, heap, () -> {
            LokiSinks sinks = loki.getIfAvailable();
            return sinks == null ? 0 : sinks.fill();
        }, registry);
    }

    /**
     * Reads and admits every receiver's body (dev.odin.receiver.otlp.BodyIntake), after Spring Security,
     * on the first dispatch and on the one it asks for once the body is in.
     */
    @Bean
    public FilterRegistrationBean<BodyIntake> bodyIntake(dev.odin.receiver.otlp.OtlpGuard guard, AlertingProperties alerting,
            HttpIntakeProperties http, AdmissionControl admission,
            ExportResponses responses, WebhookMetrics webhookMetrics, MeterRegistry registry) {
        long webhookMax = alerting.getWebhook().getMaxBodySize().toBytes();
        BodyIntake intake = new BodyIntake(
                guard,
                new BodyIntake.Limits(webhookMax, webhookMax), http.bodyTimeout(), new Reception(http.maxReceiving(), http.maxReceivingPerClient(),
                        http.maxReceivingBytes().toBytes()), admission, responses, webhookMetrics, registry);
        FilterRegistrationBean<BodyIntake> reg = new FilterRegistrationBean<>(intake);
        reg.addUrlPatterns("/v1/*", "/alertmanager/*");
        reg.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        reg.setAsyncSupported(true);
        // after Spring Security's chain (SecurityProperties.DEFAULT_FILTER_ORDER, -100)
        reg.setOrder(0);
        return reg;
    }

    /** Gives a request's admission back when it is complete. */
    @Bean
    public ServletListenerRegistrationBean<ServletRequestListener> admissionRelease() {
        return new ServletListenerRegistrationBean<>(BodyIntake.releaser());
    }

    @Bean
    public GracefulShutdown gracefulShutdown(ShutdownProperties props, AdmissionControl admission,
            ObjectProvider<OtlpGrpcServer> grpc, ObjectProvider<LokiSinks> loki) {
        return new GracefulShutdown(props, admission, grpc, loki);
    }

    /** /health component "admission": DEGRADED (still 200) while refusing for memory or queue. */
    @Bean
    public HealthIndicator admissionHealthIndicator(AdmissionControl admission) {
        return () -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("inFlightRequests", admission.inFlightRequests());
            details.put("inFlightBytes", admission.inFlightBytes());
            details.put("liveHeapRatio", Math.round(admission.liveHeapRatio() * 1000) / 1000.0);
            details.put("refused", admission.refusedTotal());
            boolean memory = admission.overMemory();
            boolean queue = admission.queueOverLimit();
            if (!memory && !queue) {
                return Health.up().withDetails(details).build();
            }
            details.put("refusing", memory ? "over the heap limit" : "event queue over its limit");
            return Health.status("DEGRADED").withDetails(details).build();
        };
    }
}
