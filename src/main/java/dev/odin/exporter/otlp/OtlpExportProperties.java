package dev.odin.exporter.otlp;

import dev.odin.settings.SettingChecks;
import dev.odin.signal.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.unit.DataSize;

/**
 * OTLP export ({@code odin.otlp-export.*}): what arrives (metrics, logs, traces, after the
 * privacy rules) forwarded to another OTLP endpoint through the durable sender
 * {@code otlp-export}. Without an endpoint nothing is exported.
 */
public class OtlpExportProperties {

    private static final java.util.regex.Pattern PROTOCOL = java.util.regex.Pattern.compile("http/protobuf|grpc");

    /** What goes over the wire. */
    public enum Compression { GZIP, NONE }

    /**
     * The OTLP endpoint; empty: no export. http/protobuf: a base URL ({@code http://central:4318}),
     * to which /v1/metrics, /v1/logs, /v1/traces are appended; grpc: {@code http://host:4317}
     * (plaintext) or {@code https://host:4317} (TLS).
     */
    private String endpoint = "";

    /** {@code http/protobuf} or {@code grpc}. */
    private String protocol = "http/protobuf";

    /** The signals forwarded; the others stay local. */
    private List<Signal> signals = new ArrayList<>(List.of(Signal.METRICS, Signal.LOGS, Signal.TRACES));

    /** Headers sent with every export (HTTP headers, gRPC metadata), e.g. Authorization. */
    private Map<String, String> headers = new LinkedHashMap<>();

    /** gzip or none. */
    private Compression compression = Compression.GZIP;

    /** Connect and request timeout of one export (the gRPC deadline). */
    private Duration timeout = Duration.ofSeconds(10);

    /** PEM file of CA certificates an https endpoint (HTTP or gRPC) may present, in addition to the JVM's. */
    private String caFile = "";

    /** Trust any certificate of an https endpoint (testing only). */
    private boolean insecureSkipVerify = false;

    /**
     * Queued requests of one signal are merged (their resource_* lists concatenated, which is
     * protobuf merging) into one export of at most this many bytes before compression; a larger
     * request goes alone.
     */
    private DataSize batchSize = DataSize.ofMegabytes(1);

    /** Bound of the disk queue ({@code <data dir>/otlp-export-queue}). */
    private DataSize queueMaxSize = DataSize.ofMegabytes(512);

    /**
     * false: a full queue refuses new requests (503 / UNAVAILABLE, the client retries; nothing
     * acknowledged is lost); true: the oldest queued requests are dropped and counted.
     */
    private boolean dropOldestWhenFull = false;

    /** How often the sender looks at its queue. */
    private Duration deliveryInterval = Duration.ofMillis(100);

    /** The first retry's delay; it doubles (with jitter) up to max-backoff. */
    private Duration minBackoff = Duration.ofMillis(500);

    /** The longest delay between retries; a Retry-After or RetryInfo asking more is capped here. */
    private Duration maxBackoff = Duration.ofSeconds(30);

    public boolean enabled() {
        return !endpoint.isBlank();
    }

    public boolean grpc() {
        return "grpc".equals(protocol);
    }

    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint == null ? "" : endpoint.trim(); }
    public String getProtocol() { return protocol; }
    public void setProtocol(String protocol) { this.protocol = protocol; }
    public List<Signal> getSignals() { return signals; }
    public void setSignals(List<Signal> signals) { this.signals = signals; }
    public Map<String, String> getHeaders() { return headers; }
    public void setHeaders(Map<String, String> headers) { this.headers = headers; }
    public Compression getCompression() { return compression; }
    public void setCompression(Compression compression) { this.compression = compression; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public String getCaFile() { return caFile; }
    public void setCaFile(String caFile) { this.caFile = caFile; }
    public boolean isInsecureSkipVerify() { return insecureSkipVerify; }
    public void setInsecureSkipVerify(boolean insecureSkipVerify) { this.insecureSkipVerify = insecureSkipVerify; }
    public DataSize getBatchSize() { return batchSize; }
    public void setBatchSize(DataSize batchSize) { this.batchSize = batchSize; }
    public DataSize getQueueMaxSize() { return queueMaxSize; }
    public void setQueueMaxSize(DataSize queueMaxSize) { this.queueMaxSize = queueMaxSize; }
    public boolean isDropOldestWhenFull() { return dropOldestWhenFull; }
    public void setDropOldestWhenFull(boolean dropOldestWhenFull) { this.dropOldestWhenFull = dropOldestWhenFull; }
    public Duration getDeliveryInterval() { return deliveryInterval; }
    public void setDeliveryInterval(Duration deliveryInterval) { this.deliveryInterval = deliveryInterval; }
    public Duration getMinBackoff() { return minBackoff; }
    public void setMinBackoff(Duration minBackoff) { this.minBackoff = minBackoff; }
    public Duration getMaxBackoff() { return maxBackoff; }
    public void setMaxBackoff(Duration maxBackoff) { this.maxBackoff = maxBackoff; }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.notNull("protocol", protocol).matches("protocol", protocol, PROTOCOL, "is http/protobuf or grpc")
                .notNull("signals", signals).notNull("headers", headers).notNull("compression", compression)
                .notNull("timeout", timeout).notNull("batchSize", batchSize).notNull("queueMaxSize", queueMaxSize)
                .notNull("deliveryInterval", deliveryInterval).notNull("minBackoff", minBackoff)
                .notNull("maxBackoff", maxBackoff);
    }
}
