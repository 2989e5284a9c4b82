package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import dev.odin.exporter.prometheus.MetricsProperties;
import dev.odin.receiver.otlp.OtlpProperties;
import dev.odin.receiver.otlp.AuthProperties;
import dev.odin.receiver.otlp.OtlpJsonProperties;
import dev.odin.receiver.otlp.AdmissionControl;
import dev.odin.receiver.otlp.GrpcBearerInterceptor;
import dev.odin.receiver.otlp.ExportResponses;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.receiver.otlp.OtlpHttpDecoder;
import dev.odin.receiver.otlp.OtlpHttpResponder;
import dev.odin.receiver.otlp.OtlpJson;
import dev.odin.signal.Signal;
import dev.odin.exporter.prometheus.MetricsTranslator;
import dev.odin.exporter.prometheus.MetricSteps;
import dev.odin.lifecycle.PeriodicTask;
import dev.odin.receiver.otlp.GrpcBearerInterceptor;
import dev.odin.receiver.otlp.ExportResponses;
import dev.odin.receiver.otlp.OtlpHttpResponder;
import dev.odin.receiver.otlp.OtlpJson;
import dev.odin.exporter.prometheus.MetricsTranslator;
import dev.odin.receiver.otlp.OtlpGrpcServices;
import dev.odin.receiver.otlp.OtlpGuard;
import dev.odin.series.SeriesCollector;
import dev.odin.series.SeriesStore;
import dev.odin.series.StoreLimits;
import dev.odin.telemetry.MeterNames;
import dev.odin.telemetry.OdinMetrics;
import dev.odin.receiver.otlp.OtlpTracesIntake;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Configuration;

/**
 * The processor beans the routes in routes/*.yaml refer to by name, and the components behind
 * them. No routing happens here: which bean runs after which is the routes' business.
 */
@Configuration(proxyBeanMethods = false)
public class OdinConfiguration {

    @Bean
    public OdinMetrics odinMetrics(MeterRegistry registry) {
        return new OdinMetrics(registry);
    }

    @Bean
    public SeriesStore seriesStore(OdinProperties props, OdinMetrics telemetry) {
        MetricsProperties m = props.getMetrics();
        SeriesStore store = new SeriesStore(new StoreLimits(m.getMaxSeries(), m.getMaxSeriesPerMetric(), 10_000,
                m.getSeriesExpiry(), m.isZeroFirst(), m.maxSeriesPerTenant(), m.getZeroFirstWindow()),
                Clock.systemUTC());
        telemetry.bindStore(store);
        return store;
    }

    @Bean
    public SeriesCollector seriesCollector(SeriesStore store, PrometheusRegistry prometheusRegistry,
            MeterRegistry meterRegistry) {
        MeterNames meterNames = new MeterNames(meterRegistry);
        SeriesCollector collector = new SeriesCollector(store, meterNames::names);
        store.reservedNames(meterNames::names);
        prometheusRegistry.register(collector);
        return collector;
    }

    @Bean
    public MetricsTranslator translateMetrics(OdinProperties props, SeriesStore store, OdinMetrics telemetry,
            AuthProperties auth) {
        return new MetricsTranslator(props.getMetrics(), store, telemetry, auth.tenantLabel());
    }

    /**
     * The metric steps an operator may put before translateMetrics in the metrics pipeline
     * (metrics.dropMetric, metrics.addLabel: docs/routes.md).
     */
    @Bean
    public MetricSteps metrics() {
        return new MetricSteps();
    }

    /** Series that received no point for odin.metrics.series-expiry go, every odin.metrics.expiry-check-interval. */
    @Bean
    public PeriodicTask seriesExpiry(SeriesStore store, OdinProperties props) {
        return new PeriodicTask("series-expiry", props.getMetrics().getExpiryCheckInterval(), store::expire);
    }

    @Bean
    public ExportResponses exportResponses(OdinMetrics telemetry) {
        return new ExportResponses(telemetry);
    }

    @Bean
    public OtlpJson otlpJson(OtlpJsonProperties json) {
        return new OtlpJson(json.limits());
    }

    @Bean
    public OtlpHttpResponder otlpHttpResponder(ExportResponses responses) {
        return new OtlpHttpResponder(responses);
    }

    @Bean
    public OtlpTracesIntake otlpTraces(OdinMetrics telemetry) {
        return new OtlpTracesIntake(telemetry);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "odin.otlp.grpc.enabled", matchIfMissing = true)
    public OtlpGrpcServer otlpGrpcServer(OtlpGrpcServices services, OtlpGuard guard, OdinProperties props,
            ObjectProvider<GrpcBearerInterceptor> auth, ObjectProvider<SslContext> grpcTls,
            OdinMetrics telemetry, org.springframework.core.env.Environment environment) {
        OtlpProperties.Grpc grpc = props.getOtlp().getGrpc();
        List<ServerInterceptor> interceptors = new ArrayList<>();
        auth.ifAvailable(interceptors::add);
        // the services are the otlp-grpc: routes' (dev.odin.receiver.otlp), served while they run
        OtlpGrpcServer server = new OtlpGrpcServer(services, props.getBindAddress(), grpc.getPort(),
                guard.maxGrpcMessageBytes(), interceptors, grpcTls.getIfAvailable(), grpc.getThreads(),
                grpc.getMaxConcurrentCallsPerConnection());
        // the port actually bound (local.server.port), known once the web server runs
        server.http1Answer(() -> "OTLP/HTTP is on :" + environment.getProperty("local.server.port",
                environment.getProperty("server.port", "4318")),
                telemetry::grpcPortHttp1);
        return server;
    }

    /**
     * Opens the gRPC port once Camel's routes run (a runner comes after the context, and Camel
     * with it, has started); the bean's destroy method closes it first on shutdown. A port that
     * cannot be bound stops the start: an exception here ends {@code SpringApplication.run}, where
     * one from a Camel start hook would only be logged and ignored. Before that, the route set
     * must hold every pipeline the receivers need ({@link RouteSetCheck}).
     */
    @Bean
    public ApplicationRunner startGrpcAfterRoutes(ObjectProvider<OtlpGrpcServer> grpc, OdinProperties props,
            CamelContext camel, org.springframework.core.env.Environment environment) {
        return args -> {
            RouteSetCheck.check(camel, !props.getLoki().getUrl().isBlank(), grpc.getIfAvailable() != null,
                    environment.getProperty("camel.main.routes-include-pattern", ""));
            startGrpc(grpc, props);
        };
    }

    private static void startGrpc(ObjectProvider<OtlpGrpcServer> grpc, OdinProperties props) {
        grpc.ifAvailable(server -> {
            try {
                server.start();
            } catch (IllegalStateException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new RefusedStartException(PortInUseAnalyzer.cannotBind("the OTLP/gRPC port", props.getBindAddress(),
                        props.getOtlp().getGrpc().getPort(), "odin.otlp.grpc.port", cause));
            }
        });
    }
}
