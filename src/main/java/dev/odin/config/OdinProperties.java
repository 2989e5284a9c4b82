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

    /** Everything ODIN keeps on disk (the Loki queue, event files) lives under this directory. */
    @NotBlank
    private String dataDir = "./data";

    /**
     * New events are refused ("retry later") while the data dir's file system has less than
     * this free, before a write can fail half-way; 0 leaves it to the writes' own errors.
     */
    @NotNull
    private DataSize dataDirMinFree = DataSize.ofMegabytes(64);

    @Valid
    private final Loki loki = new Loki();

    @Valid
    private final Events events = new Events();

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

    public String getDataDir() {
        return dataDir;
    }

    public void setDataDir(String dataDir) {
        this.dataDir = dataDir;
    }

    public DataSize getDataDirMinFree() {
        return dataDirMinFree;
    }

    public void setDataDirMinFree(DataSize dataDirMinFree) {
        this.dataDirMinFree = dataDirMinFree;
    }

    public Loki getLoki() {
        return loki;
    }

    public Events getEvents() {
        return events;
    }

    /** The Loki event sink. Without a URL, events go to local JSON-lines files instead. */
    public static class Loki {
        /** What goes over the wire. */
        public enum Format { PROTOBUF, JSON, OTLP }

        /** Base URL, e.g. http://loki:3100; empty means local event files. */
        private String url = "";

        private Format format = Format.PROTOBUF;

        /** X-Scope-OrgID; empty sends none. */
        private String tenant = "";

        private String username = "";
        private String password = "";
        private String bearerToken = "";

        /** Trust any certificate (testing only). */
        private boolean insecureSkipVerify = false;

        /** PEM file of CA certificates to trust in addition to the JVM's. */
        private String caFile = "";

        /** A batch is sent once it holds this much protobuf... */
        @NotNull
        private DataSize batchSize = DataSize.ofMegabytes(1);

        /** ...or once its oldest record has waited this long. */
        @NotNull
        private Duration batchWait = Duration.ofSeconds(1);

        @NotNull
        private Duration timeout = Duration.ofSeconds(30);

        /** How often each Loki's sender looks at its queue (its own loop, dev.odin.delivery.QueuedSender). */
        @NotNull
        private Duration deliveryInterval = Duration.ofMillis(100);

        @NotNull
        private Duration minBackoff = Duration.ofMillis(500);

        @NotNull
        private Duration maxBackoff = Duration.ofSeconds(30);

        /** Bound of the disk queue; past it the oldest batches are dropped, or requests refused. */
        @NotNull
        private DataSize queueMaxSize = DataSize.ofMegabytes(1024);

        /** false: refuse new OTLP log requests (503 / UNAVAILABLE) instead of dropping queued ones. */
        private boolean dropOldestWhenFull = true;

        /** Resource attributes that become stream labels (Loki 3.x defaults). */
        private List<String> streamLabels = new ArrayList<>(List.of("service.name", "service.namespace",
                "service.instance.id", "deployment.environment", "deployment.environment.name", "cloud.region",
                "cloud.availability_zone", "k8s.cluster.name", "k8s.namespace.name", "k8s.pod.name",
                "k8s.container.name", "container.name", "k8s.replicaset.name", "k8s.deployment.name",
                "k8s.statefulset.name", "k8s.daemonset.name", "k8s.cronjob.name", "k8s.job.name"));

        /** Extra resource attributes to promote to stream labels. */
        private List<String> promote = new ArrayList<>();

        /** Attributes (resource, scope or record) dropped entirely. */
        private List<String> drop = new ArrayList<>();

        @Min(1)
        private int maxStreamLabels = 15;

        @Min(1)
        private int maxMetadataEntries = 128;

        @NotNull
        private DataSize maxMetadataSize = DataSize.ofKilobytes(64);

        @NotNull
        private DataSize maxLineSize = DataSize.ofKilobytes(256);

        /** Loki's max_label_value_length: longer stream label values are trimmed, not refused by Loki. */
        @NotNull
        private DataSize maxLabelValueSize = DataSize.ofBytes(2048);

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public Format getFormat() { return format; }
        public void setFormat(Format format) { this.format = format; }
        public String getTenant() { return tenant; }
        public void setTenant(String tenant) { this.tenant = tenant; }
        public String getUsername() { return username; }
        public void setUsername(String username) { this.username = username; }
        public String getPassword() { return password; }
        public void setPassword(String password) { this.password = password; }
        public String getBearerToken() { return bearerToken; }
        public void setBearerToken(String bearerToken) { this.bearerToken = bearerToken; }
        public boolean isInsecureSkipVerify() { return insecureSkipVerify; }
        public void setInsecureSkipVerify(boolean insecureSkipVerify) { this.insecureSkipVerify = insecureSkipVerify; }
        public String getCaFile() { return caFile; }
        public void setCaFile(String caFile) { this.caFile = caFile; }
        public DataSize getBatchSize() { return batchSize; }
        public void setBatchSize(DataSize batchSize) { this.batchSize = batchSize; }
        public Duration getBatchWait() { return batchWait; }
        public void setBatchWait(Duration batchWait) { this.batchWait = batchWait; }
        public Duration getDeliveryInterval() { return deliveryInterval; }
        public void setDeliveryInterval(Duration deliveryInterval) { this.deliveryInterval = deliveryInterval; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration timeout) { this.timeout = timeout; }
        public Duration getMinBackoff() { return minBackoff; }
        public void setMinBackoff(Duration minBackoff) { this.minBackoff = minBackoff; }
        public Duration getMaxBackoff() { return maxBackoff; }
        public void setMaxBackoff(Duration maxBackoff) { this.maxBackoff = maxBackoff; }
        public DataSize getQueueMaxSize() { return queueMaxSize; }
        public void setQueueMaxSize(DataSize queueMaxSize) { this.queueMaxSize = queueMaxSize; }
        public boolean isDropOldestWhenFull() { return dropOldestWhenFull; }
        public void setDropOldestWhenFull(boolean dropOldestWhenFull) { this.dropOldestWhenFull = dropOldestWhenFull; }
        public List<String> getStreamLabels() { return streamLabels; }
        public void setStreamLabels(List<String> streamLabels) { this.streamLabels = streamLabels; }
        public List<String> getPromote() { return promote; }
        public void setPromote(List<String> promote) { this.promote = promote; }
        public List<String> getDrop() { return drop; }
        public void setDrop(List<String> drop) { this.drop = drop; }
        public int getMaxStreamLabels() { return maxStreamLabels; }
        public void setMaxStreamLabels(int maxStreamLabels) { this.maxStreamLabels = maxStreamLabels; }
        public int getMaxMetadataEntries() { return maxMetadataEntries; }
        public void setMaxMetadataEntries(int maxMetadataEntries) { this.maxMetadataEntries = maxMetadataEntries; }
        public DataSize getMaxMetadataSize() { return maxMetadataSize; }
        public void setMaxMetadataSize(DataSize maxMetadataSize) { this.maxMetadataSize = maxMetadataSize; }
        public DataSize getMaxLineSize() { return maxLineSize; }
        public void setMaxLineSize(DataSize maxLineSize) { this.maxLineSize = maxLineSize; }
        public DataSize getMaxLabelValueSize() { return maxLabelValueSize; }
        public void setMaxLabelValueSize(DataSize maxLabelValueSize) { this.maxLabelValueSize = maxLabelValueSize; }
    }

    /** Local JSON-lines event files, used when no Loki URL is set. */
    public static class Events {
        /** Files older than this many days are deleted. */
        @Min(1)
        private int retentionDays = 7;

        /** A file is rotated (events-DATE.N.jsonl) when it reaches this size. */
        @NotNull
        private DataSize maxFileSize = DataSize.ofMegabytes(100);

        /**
         * Log record bodies longer than this are trimmed (with a marker) before any sink; below
         * Loki's max_line_size (256KB) so Loki never refuses the line.
         */
        @NotNull
        private DataSize maxBodySize = DataSize.ofKilobytes(64);

        /**
         * Attribute values (resource, scope, record) longer than this are trimmed (with a marker)
         * before any sink: 16 of them fill Loki's structured metadata per entry (64KB).
         */
        @NotNull
        private DataSize maxAttributeValueSize = DataSize.ofKilobytes(4);

        /** Attributes whose key is longer than this are dropped (Loki's max_label_name_length). */
        @NotNull
        private DataSize maxAttributeKeySize = DataSize.ofBytes(1024);

        public int getRetentionDays() { return retentionDays; }
        public void setRetentionDays(int retentionDays) { this.retentionDays = retentionDays; }
        public DataSize getMaxFileSize() { return maxFileSize; }
        public void setMaxFileSize(DataSize maxFileSize) { this.maxFileSize = maxFileSize; }
        public DataSize getMaxBodySize() { return maxBodySize; }
        public void setMaxBodySize(DataSize maxBodySize) { this.maxBodySize = maxBodySize; }
        public DataSize getMaxAttributeValueSize() { return maxAttributeValueSize; }
        public void setMaxAttributeValueSize(DataSize maxAttributeValueSize) { this.maxAttributeValueSize = maxAttributeValueSize; }
        public DataSize getMaxAttributeKeySize() { return maxAttributeKeySize; }
        public void setMaxAttributeKeySize(DataSize maxAttributeKeySize) { this.maxAttributeKeySize = maxAttributeKeySize; }
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

        /**
         * Threads that handle calls. Bounded, unlike grpc-java's default cached pool, which
         * grows a thread (and its stack) per concurrent call under overload.
         */
        @Min(1)
        private int threads = 16;

        /** Calls one connection may have open at once; more wait on the client. */
        @Min(1)
        private int maxConcurrentCallsPerConnection = 100;

        public int getThreads() {
            return threads;
        }

        public void setThreads(int threads) {
            this.threads = threads;
        }

        public int getMaxConcurrentCallsPerConnection() {
            return maxConcurrentCallsPerConnection;
        }

        public void setMaxConcurrentCallsPerConnection(int maxConcurrentCallsPerConnection) {
            this.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection;
        }

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

        /** Expose counters born from a delta at 0 first (for zero-first-window), so increase() sees all of it. */
        private boolean zeroFirst = true;

        /**
         * How long a counter or histogram born from a delta is exposed at 0 after its creation,
         * whoever scrapes: at least the longest scrape interval of any Prometheus that must see the
         * first increment, with a margin. The first value shows this much later.
         */
        @NotNull
        @org.hibernate.validator.constraints.time.DurationMin(millis = 1)
        private Duration zeroFirstWindow = dev.odin.series.StoreLimits.DEFAULT_ZERO_FIRST_WINDOW;

        /** Hard cap on live series across all metrics (target_info included). */
        @Min(1)
        private int maxSeries = 200_000;

        /** Hard cap on live series of one metric name. */
        @Min(1)
        private int maxSeriesPerMetric = 50_000;

        /** A data point with a longer label value is rejected (characters). */
        @Min(1)
        private int maxLabelValueLength = 4096;

        /** Cap on live series that the requests of one tenant may create; 0: a quarter of max-series. */
        @Min(0)
        private int maxSeriesPerTenant = 0;

        /** A metric whose OTLP or Prometheus name is longer is refused (characters). */
        @Min(1)
        private int maxNameLength = 255;

        /** A data point with a longer attribute key (label name) is refused (characters). */
        @Min(1)
        private int maxLabelNameLength = 128;

        /** Resource and scope attribute values (target_info, job, otel_scope_*) are cut to this (characters). */
        @Min(1)
        private int maxResourceAttributeValueLength = 4096;

        /** Metric descriptions (HELP) are cut to this (characters). */
        @Min(1)
        private int maxHelpLength = 1024;

        public int getMaxSeriesPerTenant() {
            return maxSeriesPerTenant;
        }

        public void setMaxSeriesPerTenant(int maxSeriesPerTenant) {
            this.maxSeriesPerTenant = maxSeriesPerTenant;
        }

        /** The per-tenant cap in force: the setting, or a quarter of max-series when it is 0. */
        public int maxSeriesPerTenant() {
            return maxSeriesPerTenant > 0 ? Math.min(maxSeriesPerTenant, maxSeries) : Math.max(1, maxSeries / 4);
        }

        public int getMaxNameLength() {
            return maxNameLength;
        }

        public void setMaxNameLength(int maxNameLength) {
            this.maxNameLength = maxNameLength;
        }

        public int getMaxLabelNameLength() {
            return maxLabelNameLength;
        }

        public void setMaxLabelNameLength(int maxLabelNameLength) {
            this.maxLabelNameLength = maxLabelNameLength;
        }

        public int getMaxResourceAttributeValueLength() {
            return maxResourceAttributeValueLength;
        }

        public void setMaxResourceAttributeValueLength(int maxResourceAttributeValueLength) {
            this.maxResourceAttributeValueLength = maxResourceAttributeValueLength;
        }

        public int getMaxHelpLength() {
            return maxHelpLength;
        }

        public void setMaxHelpLength(int maxHelpLength) {
            this.maxHelpLength = maxHelpLength;
        }

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

        public Duration getZeroFirstWindow() {
            return zeroFirstWindow;
        }

        public void setZeroFirstWindow(Duration zeroFirstWindow) {
            this.zeroFirstWindow = zeroFirstWindow;
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
