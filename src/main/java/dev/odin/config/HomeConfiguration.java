package dev.odin.config;

import dev.odin.delivery.QueuedSender;
import dev.odin.exporter.loki.LokiSink;
import dev.odin.exporter.loki.LokiSinks;
import dev.odin.exporter.otlp.OtlpExporter;
import dev.odin.exporter.remotewrite.RemoteWriter;
import dev.odin.health.ComponentHealth;
import dev.odin.health.HealthRegistry;
import dev.odin.home.Activity;
import dev.odin.home.HomeEndpoints;
import dev.odin.home.OtlpPortAnswers;
import dev.odin.home.StatusReport;
import dev.odin.lifecycle.PeriodicTask;
import dev.odin.receiver.otlp.OtlpGrpcServer;
import dev.odin.traces.TracesForward;
import dev.odin.usage.forward.UsageForwarder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The management port's home page and /api/status (dev.odin.home), fed by the senders of the
 * sinks that are configured, the /health components and the probes; and the OTLP/HTTP port's
 * plain-text answers on {@code /} and in place of the Whitelabel error page.
 */
@Configuration(proxyBeanMethods = false)
public class HomeConfiguration {

    private final AtomicInteger managementPort = new AtomicInteger();

    @Bean
    public StatusReport statusReport(MeterRegistry registry, HealthContributorRegistry contributors,
            HealthRegistry components, ObjectProvider<LokiSinks> loki, ObjectProvider<OtlpExporter> otlpExport,
            ObjectProvider<UsageForwarder> forward, ObjectProvider<RemoteWriter> remoteWrite,
            ObjectProvider<TracesForward> tracesForward) {
        return new StatusReport(registry, Clock.systemUTC(), contributors,
                () -> (Collection<ComponentHealth>) components.all(), () -> {
                    List<QueuedSender> senders = new ArrayList<>();
                    // stream(): there may be more than one of a kind (the traces forward is an OtlpExporter too)
                    loki.stream().forEach(sinks -> sinks.all().stream().map(LokiSink::sender).forEach(senders::add));
                    otlpExport.stream().forEach(e -> senders.add(e.sender()));
                    forward.stream().forEach(f -> senders.add(f.sender()));
                    remoteWrite.stream().forEach(w -> senders.add(w.sender()));
                    tracesForward.stream().forEach(t -> senders.add(t.exporter().sender()));
                    return senders;
                });
    }

    /** Samples the counters the home page shows "in the last minutes" of. */
    @Bean
    public PeriodicTask homeActivity(StatusReport statusReport) {
        return new PeriodicTask("home-activity", Activity.SAMPLE_PERIOD, statusReport.activity()::sample);
    }

    @Bean
    public HomeEndpoints homeEndpoints(StatusReport statusReport) {
        return new HomeEndpoints(statusReport::build, Clock.systemUTC());
    }

    @Bean
    public HomeEndpoints.Page homePageEndpoint(HomeEndpoints homeEndpoints) {
        return new HomeEndpoints.Page(homeEndpoints);
    }

    @Bean
    public HomeEndpoints.Api statusApiEndpoint(HomeEndpoints homeEndpoints) {
        return new HomeEndpoints.Api(homeEndpoints);
    }

    @Bean
    public OtlpPortAnswers otlpPortAnswers(ObjectProvider<OtlpGrpcServer> grpc) {
        return new OtlpPortAnswers(() -> {
            OtlpGrpcServer s = grpc.getIfAvailable();
            return s == null ? 0 : s.port();
        }, managementPort::get);
    }

    /** The management port as bound (0 in the settings: a free one). */
    @Bean
    public ApplicationListener<WebServerInitializedEvent> managementPortListener() {
        return e -> {
            if ("management".equals(e.getApplicationContext().getServerNamespace())) {
                managementPort.set(e.getWebServer().getPort());
            }
        };
    }
}
