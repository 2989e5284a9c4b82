package dev.odin.config;

import dev.odin.exporter.prometheus.exposition.ScrapeWriter;
import dev.odin.series.SeriesCollector;
import io.prometheus.metrics.config.PrometheusPropertiesLoader;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusProperties;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.boot.actuate.metrics.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.actuate.metrics.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.lang.Nullable;
import org.springframework.util.MimeType;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The scrape endpoint (/metrics): Spring Boot's, with its content negotiation (Accept: text
 * 0.0.4, OpenMetrics 1.0.0, protobuf) and {@code includedNames} filter, but streamed: the body is written
 * to the response while it is made (ScrapeWriter), never held whole in memory. OpenMetrics scrapes
 * carry {@code _created} samples (the start times of counters, histograms and summaries), as the
 * Collector's exporter writes them; the library switch for that would also put them into the
 * 0.0.4 text format, where no Prometheus client writes them.
 *
 * <p>A slow client holds one management-server thread while it reads (the writer blocks on the
 * socket with a 64 KiB buffer); the series' locks are held only while one series is read, so
 * ingest and other scrapes go on.
 */
@Configuration(proxyBeanMethods = false)
public class ScrapeEndpointConfiguration {

    @Bean
    public OdinScrapeEndpoint prometheusEndpoint(PrometheusRegistry registry, PrometheusProperties properties,
            SeriesCollector collector) {
        Properties exporter = new Properties();
        exporter.putAll(properties.getProperties());
        return new OdinScrapeEndpoint(registry, exporter, collector);
    }

    @WebEndpoint(id = "prometheus")
    public static class OdinScrapeEndpoint extends PrometheusScrapeEndpoint {

        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OdinScrapeEndpoint.class);

        private final ScrapeWriter writer;

        public OdinScrapeEndpoint(PrometheusRegistry registry, Properties exporterProperties,
                SeriesCollector collector) {
            super(registry, exporterProperties);
            io.prometheus.metrics.config.PrometheusProperties config = exporterProperties == null
                    ? PrometheusPropertiesLoader.load() : PrometheusPropertiesLoader.load(exporterProperties);
            ExpositionFormats formats = ExpositionFormats.init(config.getExporterProperties());
            this.writer = new ScrapeWriter(collector, registry, formats.getPrometheusTextFormatWriter(),
                    new OpenMetricsTextFormatWriter(true, false), formats.getPrometheusProtobufWriter(),
                    Boolean.TRUE.equals(config.getExporterProperties().getIncludeCreatedTimestamps()));
        }

        /**
         * Within a request: writes the scrape to the response and returns a response without a
         * body (the one written is the body). Outside one (a direct call): the bytes.
         */
        @Override
        @ReadOperation(producesFrom = PrometheusOutputFormat.class)
        public WebEndpointResponse<byte[]> scrape(PrometheusOutputFormat format, @Nullable Set<String> includedNames) {
            Predicate<String> included = includedNames == null ? null : includedNames::contains;
            ScrapeWriter.Format f = format(format);
            HttpServletResponse response = currentResponse();
            try {
                if (response == null) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
                    writer.write(f, included, out);
                    return new WebEndpointResponse<>(out.toByteArray(), format);
                }
                MimeType type = format.getProducedMimeType();
                response.setStatus(HttpServletResponse.SC_OK);
                response.setContentType(type.toString());
                OutputStream out = response.getOutputStream();
                try {
                    writer.write(f, included, out);
                } catch (IOException gone) {
                    // the client went away mid-scrape (a scrape timeout): nothing left to answer
                    log.debug("scrape abandoned: {}", gone.toString());
                }
                return new WebEndpointResponse<>(null, format);
            } catch (IOException e) {
                throw new IllegalStateException("writing the scrape failed", e);
            }
        }

        private static ScrapeWriter.Format format(PrometheusOutputFormat format) {
            switch (format) {
                case CONTENT_TYPE_OPENMETRICS_100:
                    return ScrapeWriter.Format.OPENMETRICS;
                case CONTENT_TYPE_PROTOBUF:
                    return ScrapeWriter.Format.PROTOBUF;
                default:
                    return ScrapeWriter.Format.TEXT;
            }
        }

        private static HttpServletResponse currentResponse() {
            RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
            return attributes instanceof ServletRequestAttributes ? ((ServletRequestAttributes) attributes).getResponse()
                    : null;
        }
    }
}
