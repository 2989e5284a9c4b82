package dev.odin.config;

import dev.odin.exporter.files.EventFiles;
import dev.odin.health.HealthRegistry;
import dev.odin.health.endpoint.HealthzEndpoint;
import dev.odin.health.endpoint.ReadyEndpoint;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.health.endpoint.HealthzEndpoint;
import dev.odin.health.endpoint.ReadyEndpoint;
import dev.odin.exporter.loki.LokiSinks;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * /health, /healthz and /ready: the components that report their health (receivers, sinks; the
 * probes register theirs in {@link ProbeConfiguration}) and the two plain endpoints.
 */
@Configuration(proxyBeanMethods = false)
public class HealthConfiguration {

    private static final List<String> HTTP_ROUTES = List.of("otlp-http-metrics", "otlp-http-logs", "otlp-http-traces");

    @Bean
    public HealthRegistry healthRegistry(HealthContributorRegistry contributors) {
        return new HealthRegistry(contributors);
    }

    @Bean
    public HealthzEndpoint healthzEndpoint(CamelContext camel) {
        return new HealthzEndpoint(camel);
    }

    @Bean
    public ReadyEndpoint readyEndpoint(ApplicationAvailability availability, CamelContext camel,
            ObjectProvider<LokiSinks> sink, ObjectProvider<OtlpGrpcServer> grpc,
            ObjectProvider<dev.odin.receiver.otlp.AdmissionControl> admission,
            ObjectProvider<dev.odin.health.DataDirGuard> dataDir) {
        return new ReadyEndpoint(availability, camel, sink, grpc, admission, dataDir);
    }

    /** The OTLP/gRPC receiver: UP while its port is bound. */
    @Bean
    @ConditionalOnProperty(name = "odin.otlp.grpc.enabled", matchIfMissing = true)
    public HealthIndicator otlpGrpcHealthIndicator(ObjectProvider<OtlpGrpcServer> grpc) {
        return () -> {
            OtlpGrpcServer s = grpc.getIfAvailable();
            return s != null && s.running() ? Health.up().withDetail("port", s.port()).build()
                    : Health.down().withDetail("reason", "not bound (starting or stopping)").build();
        };
    }

    /** The OTLP/HTTP receiver: UP while its routes run. */
    @Bean
    public HealthIndicator otlpHttpHealthIndicator(CamelContext camel) {
        return () -> {
            Health.Builder b = Health.up();
            for (String id : HTTP_ROUTES) {
                ServiceStatus status = camel.getRouteController().getRouteStatus(id);
                b.withDetail(id, status == null ? "absent" : status.name());
                if (status != null && !status.isStarted()) {
                    b.down();
                }
            }
            return b.build();
        };
    }

    /** The local event files (the sink when no Loki is configured). */
    @Bean
    @ConditionalOnExpression("'${odin.loki.url:}'.isBlank()")
    public HealthIndicator eventFilesHealthIndicator(EventFiles files, dev.odin.health.DataDirGuard dataDir) {
        return () -> {
            String failure = dataDir.failures().get(dev.odin.health.DataDirGuard.EVENTS);
            Health.Builder b = dataDir.acceptingWrites() ? Health.up()
                    : Health.down().withDetail("reason", failure != null ? failure
                            : "the data dir is below odin.data-dir-min-free: new events are refused");
            return b.withDetail("directory", files.directory().toString()).build();
        };
    }
}
