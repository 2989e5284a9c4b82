package dev.odin.config;

import dev.odin.lifecycle.PeriodicTask;
import dev.odin.limits.LimitsEndpoint;
import dev.odin.limits.LimitsProperties;
import dev.odin.limits.PlanLimits;
import dev.odin.limits.StatuslineFilter;
import dev.odin.limits.StatuslineIntake;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import dev.odin.limits.UsageSummary;
import dev.odin.usage.ClaudeProperties;
import dev.odin.usage.UsageStore;
import dev.odin.usage.UsageUsers;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Plan limits from Claude Code's statusline (dev.odin.limits): the gauges, the steps of
 * routes/claude-limits.yaml (POST /api/statusline on the OTLP/HTTP port, guarded by
 * SecurityConfiguration and the StartingGate), their expiry and GET /api/limits.
 */
@Configuration(proxyBeanMethods = false)
public class LimitsConfiguration {

    @Bean
    public PlanLimits planLimits(OdinProperties odin, MeterRegistry registry, Clock usageClock) {
        LimitsProperties p = odin.getLimits();
        return new PlanLimits(registry, usageClock, p.getMaxSeries(), p.getStaleAfter());
    }

    /** Route step (claude-limits): the statusline in, the gauges and the answer out. */
    @Bean
    public StatuslineIntake statusline(OdinProperties odin, ClaudeProperties claude, PlanLimits limits,
            UsageStore store, UsageUsers users, MeterRegistry registry, Clock usageClock) {
        ZoneId zone = claude.timezone().isBlank() ? ZoneId.systemDefault() : ZoneId.of(claude.timezone());
        String machine = claude.machine().isBlank() ? hostName() : claude.machine();
        String user = users.configured(claude.user().isBlank() ? System.getProperty("user.name", "") : claude.user());
        return new StatuslineIntake(limits, new UsageSummary(store, usageClock, zone),
                odin.getLimits().getMaxBodySize().toBytes(), machine, user, users::configured, usageClock, registry);
    }

    /**
     * Method, content type and size of POST /api/statusline, after Spring Security's chain
     * (SecurityProperties.DEFAULT_FILTER_ORDER, -100) and before Camel reads the body.
     */
    @Bean
    public FilterRegistrationBean<StatuslineFilter> statuslineFilter(StatuslineIntake intake, OdinProperties odin) {
        FilterRegistrationBean<StatuslineFilter> reg = new FilterRegistrationBean<>(
                new StatuslineFilter(intake, odin.getLimits().getMaxBodySize().toBytes(),
                        odin.getLimits().getMaxConcurrentReads()));
        reg.addUrlPatterns("/api/statusline");
        reg.setDispatcherTypes(DispatcherType.REQUEST);
        reg.setOrder(0);
        return reg;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Plan-limit series whose window reset or that went stale go, once a minute. */
    @Bean
    public PeriodicTask planLimitsExpiry(PlanLimits limits) {
        return new PeriodicTask("plan-limits-expiry", Duration.ofMinutes(1), limits::expire);
    }

    @Bean
    public LimitsEndpoint limitsApiEndpoint(PlanLimits limits) {
        return new LimitsEndpoint(limits);
    }
}
