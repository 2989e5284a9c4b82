package dev.odin.config;

import dev.odin.admission.AdmissionControl;
import dev.odin.admission.AdmissionFilter;
import dev.odin.admission.HeapWatch;
import dev.odin.alerting.WebhookGuard;
import dev.odin.lifecycle.GracefulShutdown;
import dev.odin.loki.LokiSink;
import dev.odin.otlp.OtlpGrpcServer;
import dev.odin.otlp.ExportResponses;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
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
            ObjectProvider<LokiSink> loki, MeterRegistry registry) {
        return new AdmissionControl(props, heap, () -> {
            LokiSink sink = loki.getIfAvailable();
            return sink == null ? 0 : sink.queue().fill();
        }, registry);
    }

    @Bean
    public FilterRegistrationBean<AdmissionFilter> admissionFilter(AdmissionControl admission,
            ExportResponses responses) {
        FilterRegistrationBean<AdmissionFilter> reg = new FilterRegistrationBean<>(
                new AdmissionFilter(admission, responses));
        reg.addUrlPatterns("/v1/*", WebhookGuard.PATH);
        reg.setOrder(SecurityConfiguration.AUTH_FILTER_ORDER + 1);
        return reg;
    }

    @Bean
    public GracefulShutdown gracefulShutdown(ShutdownProperties props, AdmissionControl admission,
            ObjectProvider<OtlpGrpcServer> grpc, ObjectProvider<LokiSink> loki) {
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
