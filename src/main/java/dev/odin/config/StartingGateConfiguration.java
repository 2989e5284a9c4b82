package dev.odin.config;

import dev.odin.receiver.otlp.StartingGate;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The receivers' paths answer 503 "retry later" until the application is ready
 * ({@link StartingGate}): never the 404 a not-yet-started route would give, which OTLP clients
 * (another ODIN's OTLP export among them) drop for good.
 */
@Configuration(proxyBeanMethods = false)
public class StartingGateConfiguration {

    @Bean
    public StartingGate startingGate() {
        return new StartingGate();
    }

    @Bean
    public FilterRegistrationBean<StartingGate> startingGateFilter(StartingGate gate) {
        FilterRegistrationBean<StartingGate> reg = new FilterRegistrationBean<>(gate);
        reg.addUrlPatterns("/v1/*", "/alertmanager/*", "/api/statusline");
        reg.setDispatcherTypes(DispatcherType.REQUEST);
        reg.setAsyncSupported(true);
        reg.setOrder(Ordered.HIGHEST_PRECEDENCE); // before the security chain and the body intake
        return reg;
    }

    /** Opened once Spring, Camel (the routes) and the start-up checks are through. */
    @Bean
    public ApplicationListener<ApplicationReadyEvent> openStartingGate(StartingGate gate) {
        return event -> gate.open();
    }
}
