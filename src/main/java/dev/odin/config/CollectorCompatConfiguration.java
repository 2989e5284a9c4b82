package dev.odin.config;

import dev.odin.compat.CollectorCompatProperties;
import dev.odin.compat.CollectorHealth;
import dev.odin.compat.CompatConnectors;
import dev.odin.compat.CompatPortFilter;
import dev.odin.health.endpoint.ReadyEndpoint;
import dev.odin.signal.RefusedStartException;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneId;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Collector compatibility ({@code odin.collector-compat.enabled}): the Collector's ports as
 * extra connectors of the management server (this runs in its child context, where its Tomcat
 * is made), and the filter that lets them answer only what the Collector answered there.
 * Registered in META-INF/spring/...ManagementContextConfiguration.imports, and on purpose not a
 * {@code @Configuration}: the component scan of dev.odin would put it into the application's
 * context as well, and both servers would try to bind the ports. Imported without the
 * {@code @ManagementContextConfiguration} annotation it is of type ANY: the management context,
 * whether a child (its own port) or the application's (the same port).
 */
@ConditionalOnProperty(prefix = "odin.collector-compat", name = "enabled", havingValue = "true")
public class CollectorCompatConfiguration {

    @Bean
    public CompatConnectors compatConnectors(OdinProperties odin, TlsProperties tls, Environment environment) {
        CollectorCompatProperties compat = odin.getCollectorCompat();
        int metrics = compat.getMetricsPort();
        int health = compat.getHealthPort();
        String m = Settings.named("odin.collector-compat.metrics-port");
        String h = Settings.named("odin.collector-compat.health-port");
        if (metrics != 0 && metrics == health) {
            throw new RefusedStartException(m + " and " + h + " are both " + metrics + ": give each its own port");
        }
        int management = environment.getProperty("management.server.port", Integer.class, -1);
        int otlpHttp = environment.getProperty("server.port", Integer.class, -1);
        int grpc = odin.getOtlp().getGrpc().getPort();
        for (int[] p : new int[][] {{metrics, 0}, {health, 1}}) {
            if (p[0] != 0 && (p[0] == management || p[0] == otlpHttp || p[0] == grpc)) {
                throw new RefusedStartException((p[1] == 0 ? m : h) + " " + p[0] + " is already ODIN's "
                        + (p[0] == management ? "management" : p[0] == otlpHttp ? "OTLP/HTTP" : "OTLP/gRPC")
                        + " port: set it to the Collector's (" + (p[1] == 0 ? 8889 : 13133) + ") or another free one");
            }
        }
        // the compat ports are connectors of the management server and are let through its
        // security chain (no token for /metrics, as on the management port): with the management
        // endpoints on the OTLP port's server they would sit behind the receivers' tokens, and
        // with the management server off there is none to add them to
        if (management < 0 || (management > 0 && management == otlpHttp)) {
            throw new RefusedStartException(Settings.named("odin.collector-compat.enabled") + " needs the management"
                    + " server on its own port, but " + Settings.named("management.server.port") + " is "
                    + (management < 0 ? "off (" + management + ")" : "the OTLP/HTTP port " + management)
                    + ": set it to a port of its own (8080)");
        }
        if (tls.enabled() && tls.management()) {
            throw new RefusedStartException(Settings.named("odin.collector-compat.enabled") + " serves plain HTTP on "
                    + metrics + " and " + health + ", as the Collector did, but the management port is on TLS"
                    + " (odin.tls.management): turn one of them off");
        }
        return new CompatConnectors(odin.getBindAddress(), metrics, health);
    }

    @Bean
    public WebServerFactoryCustomizer<TomcatServletWebServerFactory> compatPorts(CompatConnectors connectors) {
        return connectors::addTo;
    }

    @Bean
    public CollectorHealth collectorHealth(ReadyEndpoint ready, ApplicationAvailability availability,
            ApplicationContext context) {
        CollectorHealth health = new CollectorHealth(() -> {
            try {
                return ready.ready().getStatus() == 200;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, Clock.systemUTC(), ZoneId.systemDefault());
        if (availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC) {
            health.becameReady(java.time.Instant.now());
        }
        // readiness is published in the application's context, not in this child one
        if (context.getParent() instanceof ConfigurableApplicationContext parent) {
            parent.addApplicationListener(new ReadinessListener(health));
        }
        return health;
    }

    @Bean
    public FilterRegistrationBean<CompatPortFilter> compatPortFilter(CompatConnectors connectors,
            CollectorHealth health) {
        FilterRegistrationBean<CompatPortFilter> r = new FilterRegistrationBean<>(
                new CompatPortFilter(connectors::metricsPort, connectors::healthPort, health));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE);
        r.addUrlPatterns("/*");
        return r;
    }

    /** Notes when the application starts accepting traffic: the extension's upSince. */
    static final class ReadinessListener implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

        private final CollectorHealth health;

        ReadinessListener(CollectorHealth health) {
            this.health = health;
        }

        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                health.becameReady(java.time.Instant.ofEpochMilli(event.getTimestamp()));
            }
        }
    }
}
