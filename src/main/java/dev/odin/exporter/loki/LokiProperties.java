package dev.odin.exporter.loki;

import dev.odin.settings.SettingChecks;
import dev.odin.exporter.prometheus.NamingStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The Loki event sink. Without a URL, events go to local JSON-lines files instead. */
public class LokiProperties {
    /** What goes over the wire. */
    public enum Format { PROTOBUF, JSON, OTLP }

    /** Base URL, e.g. http://loki:3100; empty means local event files. */
    private String url = "";

    /**
     * PROTOBUF: the push API, snappy-compressed; JSON: the push API as JSON (Loki 2.x,
     * metadata appended to the line); OTLP: the requests forwarded to Loki's /otlp/v1/logs.
     */
    private Format format = Format.PROTOBUF;

    /** X-Scope-OrgID; empty sends none. */
    private String tenant = "";

    /** Basic auth user name (with the password); empty sends none. */
    private String username = "";

    /** Basic auth password. */
    private String password = "";

    /** Bearer token; wins over basic auth. */
    private String bearerToken = "";

    /** Trust any certificate (testing only). */
    private boolean insecureSkipVerify = false;

    /** PEM file of CA certificates to trust in addition to the JVM's. */
    private String caFile = "";

    /** A batch is sent once it holds this much protobuf... */
    private DataSize batchSize = DataSize.ofMegabytes(1);

    /** ...or once its oldest record has waited this long. */
    private Duration batchWait = Duration.ofSeconds(1);

    /** Connect and request timeout of one push. */
    private Duration timeout = Duration.ofSeconds(30);

    /** How often each Loki's sender looks at its queue (its own loop, dev.odin.delivery.QueuedSender). */
    private Duration deliveryInterval = Duration.ofMillis(100);

    /** The first retry's delay after a failed push; it doubles (with jitter) up to max-backoff. */
    private Duration minBackoff = Duration.ofMillis(500);

    /** The longest delay between retries (a Retry-After from Loki wins). */
    private Duration maxBackoff = Duration.ofSeconds(30);

    /** Bound of the disk queue; past it the oldest batches are dropped, or requests refused. */
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

    /** Loki's cap on stream labels (max_label_names_per_series). */
    private int maxStreamLabels = 15;

    /** Loki's cap on structured metadata entries per log line. */
    private int maxMetadataEntries = 128;

    /** Loki's cap on structured metadata per entry (max_structured_metadata_size). */
    private DataSize maxMetadataSize = DataSize.ofKilobytes(64);

    /** Loki's line size limit (max_line_size). */
    private DataSize maxLineSize = DataSize.ofKilobytes(256);

    /** Loki's max_label_value_length: longer stream label values are trimmed, not refused by Loki. */
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

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.notNull("batchSize", batchSize).notNull("batchWait", batchWait).notNull("timeout", timeout)
                .notNull("deliveryInterval", deliveryInterval).notNull("minBackoff", minBackoff)
                .notNull("maxBackoff", maxBackoff).notNull("queueMaxSize", queueMaxSize)
                .min("maxStreamLabels", maxStreamLabels, 1).min("maxMetadataEntries", maxMetadataEntries, 1)
                .notNull("maxMetadataSize", maxMetadataSize).notNull("maxLineSize", maxLineSize)
                .notNull("maxLabelValueSize", maxLabelValueSize);
    }
}
