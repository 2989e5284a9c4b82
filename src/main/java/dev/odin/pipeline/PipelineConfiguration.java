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

    /**
     * The executor a tee's {@code wireTap} names ({@code executorService: teeExecutor}): a few
     * threads and a bounded queue; a copy that finds the queue full is dropped and counted in
     * {@code odin_tee_dropped_total}, so a slow or dead tee endpoint neither holds requests in
     * memory without bound nor slows the request it copies (Camel's default wireTap pool would run
     * it on the caller's thread once its 1,000-entry queue is full). Bound in Camel's registry
     * only: an Executor bean would replace Spring Boot's task executor, which platform-http needs.
     */
    @Bean(destroyMethod = "shutdownNow")
    public TeeExecutor teeExecutor(TeeProperties props, MeterRegistry registry) {
        return new TeeExecutor(props.threads(), props.queueSize(), registry);
    }

    /** Registered when the context is created, before any route runs. */
    @Bean
    public org.apache.camel.spring.boot.CamelContextConfiguration teeConverters(TeeExecutor tees) {
        return new org.apache.camel.spring.boot.CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                TeeConverters.register(camel.getTypeConverterRegistry());
                camel.getRegistry().bind(TeeExecutor.NAME, java.util.concurrent.ExecutorService.class, tees.pool());
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
            }
        };
    }
}
