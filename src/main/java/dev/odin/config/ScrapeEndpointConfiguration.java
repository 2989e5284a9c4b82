package dev.odin.config;

import dev.odin.exporter.prometheus.exposition.ScrapeAdmission;
import dev.odin.exporter.prometheus.exposition.ScrapeWriter;
import dev.odin.series.SeriesCollector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.prometheus.metrics.config.PrometheusPropertiesLoader;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.Map;
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
 * ingest and other scrapes go on. How many threads scrapes may hold is capped in total and per
 * client address (ScrapeAdmission: odin.metrics.scrape-max-concurrent, scrape-max-per-client; over
 * it: 429 with Retry-After, counted in odin_scrape_refused_total{reason}), and a write the client
 * does not take for server.tomcat.connection-timeout fails, which frees the thread.
 */
@Configuration(proxyBeanMethods = false)
public class ScrapeEndpointConfiguration {

    @Bean
    public OdinScrapeEndpoint prometheusEndpoint(PrometheusRegistry registry, PrometheusProperties properties,
            SeriesCollector collector, OdinProperties odin, MeterRegistry meters) {
        Properties exporter = new Properties();
        exporter.putAll(properties.getProperties());
        ScrapeAdmission admission = new ScrapeAdmission(odin.getMetrics().getScrapeMaxConcurrent(),
                odin.getMetrics().getScrapeMaxPerClient());
        Map<ScrapeAdmission.Refusal, Counter> refused = new EnumMap<>(ScrapeAdmission.Refusal.class);
        for (ScrapeAdmission.Refusal r : ScrapeAdmission.Refusal.values()) {
            refused.put(r, Counter.builder("odin.scrape.refused").tag("reason", r.label())
                    .description("Scrapes of /metrics answered 429: the client's or the total limit of scrapes at once")
                    .register(meters));
        }
        Gauge.builder("odin.scrape.in.flight", admission, ScrapeAdmission::inFlight)
                .description("Scrapes of /metrics being written now").register(meters);
        return new OdinScrapeEndpoint(registry, exporter, collector, admission, refused);
    }

    @WebEndpoint(id = "prometheus")
    public static class OdinScrapeEndpoint extends PrometheusScrapeEndpoint {

        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OdinScrapeEndpoint.class);

        private final ScrapeWriter writer;
        private final ScrapeAdmission admission;
        private final Map<ScrapeAdmission.Refusal, Counter> refused;

        public OdinScrapeEndpoint(PrometheusRegistry registry, Properties exporterProperties,
                SeriesCollector collector, ScrapeAdmission admission, Map<ScrapeAdmission.Refusal, Counter> refused) {
            super(registry, exporterProperties);
            this.admission = admission;
            this.refused = refused;
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
            ServletRequestAttributes servlet = currentRequest();
            HttpServletResponse response = servlet == null ? null : servlet.getResponse();
            try {
                if (response == null) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
                    writer.write(f, included, out);
                    return new WebEndpointResponse<>(out.toByteArray(), format);
                }
                String client = client(servlet.getRequest());
                ScrapeAdmission.Refusal refusal = admission.tryAcquire(client);
                if (refusal != null) {
                    refused.get(refusal).increment();
                    response.setHeader("Retry-After", "1");
                    byte[] why = ("too many scrapes at once (" + refusal.label() + "); retry later\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    return new WebEndpointResponse<>(why, 429);
                }
                try {
                    return stream(f, format, included, response);
                } finally {
                    admission.release(client);
                }
            } catch (IOException e) {
                throw new IllegalStateException("writing the scrape failed", e);
            }
        }

        private WebEndpointResponse<byte[]> stream(ScrapeWriter.Format f, PrometheusOutputFormat format,
                Predicate<String> included, HttpServletResponse response) throws IOException {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(format.getProducedMimeType().toString());
            OutputStream out = response.getOutputStream();
            try {
                writer.write(f, included, out);
            } catch (IOException gone) {
                // the client went away mid-scrape (a scrape timeout), or did not take a write for
                // server.tomcat.connection-timeout: nothing left to answer
                log.debug("scrape abandoned: {}", gone.toString());
            }
            return new WebEndpointResponse<>(null, format);
        }

        /** The address the connection comes from (no proxy header: anyone could send one). */
        private static String client(HttpServletRequest request) {
            String address = request.getRemoteAddr();
            return address == null ? "" : address;
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

        private static ServletRequestAttributes currentRequest() {
            RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
            return attributes instanceof ServletRequestAttributes servlet && servlet.getResponse() != null ? servlet
                    : null;
        }
    }
}
