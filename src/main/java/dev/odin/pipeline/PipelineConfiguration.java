package dev.odin.pipeline;

import dev.odin.telemetry.OdinMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Beans the routes call to shape what flows through them: the per-record event filter
 * ({@code events}), the tees' error step ({@code tee}), and the type converters that let a
 * camel-http endpoint send on an OTLP request or an Alertmanager notification.
 */
@Configuration(proxyBeanMethods = false)
public class PipelineConfiguration {

    @Bean
    public EventFilter events(OdinMetrics telemetry) {
        return new EventFilter(telemetry);
    }

    @Bean
    public Tees tee(MeterRegistry registry) {
        return new Tees(registry);
    }

    /** Registered when the context is created, before any route runs. */
    @Bean
    public org.apache.camel.spring.boot.CamelContextConfiguration teeConverters() {
        return new org.apache.camel.spring.boot.CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                TeeConverters.register(camel.getTypeConverterRegistry());
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
            }
        };
    }
}
