package dev.odin.config;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Properties;
import java.util.Set;
import org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusProperties;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.boot.actuate.metrics.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.actuate.metrics.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.lang.Nullable;

/**
 * The scrape endpoint (/metrics). Spring Boot's own, except that OpenMetrics scrapes carry
 * {@code _created} samples (the start times of counters, histograms and summaries), as the
 * Collector's exporter writes them; the library switch for that would also put them into the
 * 0.0.4 text format, where no Prometheus client writes them.
 */
@Configuration(proxyBeanMethods = false)
public class ScrapeEndpointConfiguration {

    @Bean
    public OdinScrapeEndpoint prometheusEndpoint(PrometheusRegistry registry, PrometheusProperties properties) {
        Properties exporter = new Properties();
        exporter.putAll(properties.getProperties());
        return new OdinScrapeEndpoint(registry, exporter);
    }

    @WebEndpoint(id = "prometheus")
    public static class OdinScrapeEndpoint extends PrometheusScrapeEndpoint {

        private final PrometheusRegistry registry;
        private final OpenMetricsTextFormatWriter openMetrics = new OpenMetricsTextFormatWriter(true, false);

        public OdinScrapeEndpoint(PrometheusRegistry registry, Properties exporterProperties) {
            super(registry, exporterProperties);
            this.registry = registry;
        }

        @Override
        @ReadOperation(producesFrom = PrometheusOutputFormat.class)
        public WebEndpointResponse<byte[]> scrape(PrometheusOutputFormat format, @Nullable Set<String> includedNames) {
            if (format != PrometheusOutputFormat.CONTENT_TYPE_OPENMETRICS_100) {
                return super.scrape(format, includedNames);
            }
            MetricSnapshots snapshots = includedNames == null ? registry.scrape() : registry.scrape(includedNames::contains);
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            try {
                openMetrics.write(out, snapshots);
            } catch (IOException e) {
                throw new IllegalStateException("writing OpenMetrics failed", e);
            }
            return new WebEndpointResponse<>(out.toByteArray(), format);
        }
    }
}
