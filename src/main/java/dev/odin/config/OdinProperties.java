package dev.odin.config;

import dev.odin.prometheus.NamingStrategy;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code odin.*} setting, typed and validated at start-up. Each one can be set by an
 * environment variable through Spring's relaxed binding ({@code odin.metrics.series-expiry} is
 * {@code ODIN_METRICS_SERIESEXPIRY}); docs/configuration.md lists them all.
 */
@Validated
@ConfigurationProperties(prefix = "odin")
public class OdinProperties {

    /** Address every listener binds to; 0.0.0.0 in a cluster, loopback on a laptop. */
    @NotBlank
    private String bindAddress = "127.0.0.1";

    @Valid
    private final Otlp otlp = new Otlp();

    @Valid
    private final Metrics metrics = new Metrics();

    public String getBindAddress() {
        return bindAddress;
    }

    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    public Otlp getOtlp() {
        return otlp;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    /** The OTLP receivers. The HTTP receiver listens on Spring Boot's {@code server.port}. */
    public static class Otlp {
        @Valid
        private final Grpc grpc = new Grpc();

        /** Largest request body accepted on the wire (compressed or not); larger gets 413. */
        @NotNull
        private DataSize maxRequestSize = DataSize.ofMegabytes(8);

        /** Largest body after gzip decoding; decoding stops at this size and answers 413. */
        @NotNull
        private DataSize maxDecompressedSize = DataSize.ofMegabytes(32);

        public Grpc getGrpc() {
            return grpc;
        }

        public DataSize getMaxRequestSize() {
            return maxRequestSize;
        }

        public void setMaxRequestSize(DataSize maxRequestSize) {
            this.maxRequestSize = maxRequestSize;
        }

        public DataSize getMaxDecompressedSize() {
            return maxDecompressedSize;
        }

        public void setMaxDecompressedSize(DataSize maxDecompressedSize) {
            this.maxDecompressedSize = maxDecompressedSize;
        }
    }

    public static class Grpc {
        private boolean enabled = true;

        /** 0 picks a free port (tests). */
        @Min(0)
        private int port = 4317;

        /** Largest message after decompression (grpc-java enforces it while inflating). */
        @NotNull
        private DataSize maxMessageSize = DataSize.ofMegabytes(32);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public DataSize getMaxMessageSize() {
            return maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }
    }

    /** OTLP metrics to Prometheus series. */
    public static class Metrics {
        /** How metric names are translated; the default matches the Collector's exporter. */
        @NotNull
        private NamingStrategy naming = NamingStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES;

        /** Keep runs of '_' in label names (the Collector exporter's current behaviour). */
        private boolean keepUnderscoreRuns = false;

        /** Add otel_scope_name, otel_scope_version, otel_scope_schema_url and otel_scope_* labels. */
        private boolean scopeLabels = true;

        /** Copy every resource attribute onto every series (resource_to_telemetry_conversion). */
        private boolean resourceToLabels = false;

        /** Publish a target_info series per (job, instance) with the other resource attributes. */
        private boolean targetInfo = true;

        /** A series that receives no point for this long is removed. */
        @NotNull
        private Duration seriesExpiry = Duration.ofMinutes(30);

        /** How often the expiry sweep runs (the series-expiry route's timer). */
        @NotNull
        private Duration expiryCheckInterval = Duration.ofSeconds(10);

        /** Expose counters born from a delta at 0 for one scrape first, so increase() sees all of it. */
        private boolean zeroFirst = true;

        /** Hard cap on live series across all metrics (target_info included). */
        @Min(1)
        private int maxSeries = 200_000;

        /** Hard cap on live series of one metric name. */
        @Min(1)
        private int maxSeriesPerMetric = 50_000;

        /** A data point with a longer label value is rejected (characters). */
        @Min(1)
        private int maxLabelValueLength = 4096;

        /** Attributes to drop per metric so that series merge. */
        @Valid
        private List<DropRule> dropAttributes = new ArrayList<>();

        public NamingStrategy getNaming() {
            return naming;
        }

        public void setNaming(NamingStrategy naming) {
            this.naming = naming;
        }

        public boolean isKeepUnderscoreRuns() {
            return keepUnderscoreRuns;
        }

        public void setKeepUnderscoreRuns(boolean keepUnderscoreRuns) {
            this.keepUnderscoreRuns = keepUnderscoreRuns;
        }

        public boolean isScopeLabels() {
            return scopeLabels;
        }

        public void setScopeLabels(boolean scopeLabels) {
            this.scopeLabels = scopeLabels;
        }

        public boolean isResourceToLabels() {
            return resourceToLabels;
        }

        public void setResourceToLabels(boolean resourceToLabels) {
            this.resourceToLabels = resourceToLabels;
        }

        public boolean isTargetInfo() {
            return targetInfo;
        }

        public void setTargetInfo(boolean targetInfo) {
            this.targetInfo = targetInfo;
        }

        public Duration getSeriesExpiry() {
            return seriesExpiry;
        }

        public void setSeriesExpiry(Duration seriesExpiry) {
            this.seriesExpiry = seriesExpiry;
        }

        public Duration getExpiryCheckInterval() {
            return expiryCheckInterval;
        }

        public void setExpiryCheckInterval(Duration expiryCheckInterval) {
            this.expiryCheckInterval = expiryCheckInterval;
        }

        public boolean isZeroFirst() {
            return zeroFirst;
        }

        public void setZeroFirst(boolean zeroFirst) {
            this.zeroFirst = zeroFirst;
        }

        public int getMaxSeries() {
            return maxSeries;
        }

        public void setMaxSeries(int maxSeries) {
            this.maxSeries = maxSeries;
        }

        public int getMaxSeriesPerMetric() {
            return maxSeriesPerMetric;
        }

        public void setMaxSeriesPerMetric(int maxSeriesPerMetric) {
            this.maxSeriesPerMetric = maxSeriesPerMetric;
        }

        public int getMaxLabelValueLength() {
            return maxLabelValueLength;
        }

        public void setMaxLabelValueLength(int maxLabelValueLength) {
            this.maxLabelValueLength = maxLabelValueLength;
        }

        public List<DropRule> getDropAttributes() {
            return dropAttributes;
        }

        public void setDropAttributes(List<DropRule> dropAttributes) {
            this.dropAttributes = dropAttributes;
        }
    }

    /** Drop these attribute keys from the data points of metrics whose OTLP name matches. */
    public static class DropRule {
        /** OTLP metric name; a trailing '*' matches any name with that prefix. */
        @NotBlank
        private String metric;

        private List<String> attributes = new ArrayList<>();

        public String getMetric() {
            return metric;
        }

        public void setMetric(String metric) {
            this.metric = metric;
        }

        public List<String> getAttributes() {
            return attributes;
        }

        public void setAttributes(List<String> attributes) {
            this.attributes = attributes;
        }
    }
}
