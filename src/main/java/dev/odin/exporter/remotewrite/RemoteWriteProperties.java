package dev.odin.exporter.remotewrite;

import dev.odin.settings.SettingChecks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.util.unit.DataSize;

/**
 * Prometheus remote write: every series of the store pushed, cumulative, every {@code interval}
 * to a receiver (Prometheus with --web.enable-remote-write-receiver, Mimir, Thanos Receive,
 * VictoriaMetrics, Grafana Cloud) through the durable queued sender. Off without a URL.
 */
public class RemoteWriteProperties {

    private static final java.util.regex.Pattern PROTOCOL = java.util.regex.Pattern.compile("1\\.0|2\\.0");

    /** The receiver's write URL, e.g. http://prometheus:9090/api/v1/write; empty: no remote write. */
    private String url = "";

    /**
     * 1.0 (prometheus.WriteRequest) or 2.0 (io.prometheus.write.v2.Request); a receiver that
     * answers 2.0 with 415, with none of 2.0's written-count headers, or with 400 while it takes
     * the same data as 1.0, gets 1.0 from then on.
     */
    private String protocol = "1.0";

    /**
     * How often the whole store is sent. 30s: half of Prometheus' default one-minute scrape, so
     * rate(x[1m]) always has two samples, and 1M series cost 33k samples/s, what one Mimir
     * ingester takes in its stride.
     */
    private Duration interval = Duration.ofSeconds(30);

    /** A snapshot is split into requests of at most this many samples (Prometheus' own max_samples_per_send). */
    private int maxSamplesPerRequest = 2000;

    /** X-Scope-OrgID (Mimir, Cortex); empty: none. */
    private String tenant = "";

    /** Basic auth user name (with the password); empty: none. */
    private String username = "";

    /** Basic auth password. */
    private String password = "";

    /** Bearer token; wins over basic auth and the token file. */
    private String bearerToken = "";

    /** File holding the bearer token, read at every request (rotation); empty: none. */
    private String bearerTokenFile = "";

    /** Headers added to every request (after the ones above; not Content-Type or Content-Encoding). */
    private Map<String, String> headers = new LinkedHashMap<>();

    /** Connect and request timeout of one request. */
    private Duration timeout = Duration.ofSeconds(30);

    /** The first retry's delay after a failed request; it doubles (with jitter) up to max-backoff. */
    private Duration minBackoff = Duration.ofMillis(500);

    /** The longest delay between retries (a Retry-After of the receiver wins, up to this). */
    private Duration maxBackoff = Duration.ofSeconds(30);

    /**
     * Bound of the disk queue (snappy-compressed requests); past it the oldest are dropped and
     * counted (odin_delivery_dropped_total{sender="remote-write"}): values are cumulative, so a
     * dropped snapshot costs resolution, not counts.
     */
    private DataSize queueMaxSize = DataSize.ofMegabytes(512);

    /**
     * A series gone from the store (expired, removed) is sent once more as a stale marker, so the
     * receiver ends it at once instead of after its 5-minute lookback; costs about 60 bytes of heap
     * per series.
     */
    private boolean staleMarkers = true;

    public String getUrl() { return url; }

    public void setUrl(String url) { this.url = url; }

    public String getProtocol() { return protocol; }

    public void setProtocol(String protocol) { this.protocol = protocol; }

    public Duration getInterval() { return interval; }

    public void setInterval(Duration interval) { this.interval = interval; }

    public int getMaxSamplesPerRequest() { return maxSamplesPerRequest; }

    public void setMaxSamplesPerRequest(int maxSamplesPerRequest) { this.maxSamplesPerRequest = maxSamplesPerRequest; }

    public String getTenant() { return tenant; }

    public void setTenant(String tenant) { this.tenant = tenant; }

    public String getUsername() { return username; }

    public void setUsername(String username) { this.username = username; }

    public String getPassword() { return password; }

    public void setPassword(String password) { this.password = password; }

    public String getBearerToken() { return bearerToken; }

    public void setBearerToken(String bearerToken) { this.bearerToken = bearerToken; }

    public String getBearerTokenFile() { return bearerTokenFile; }

    public void setBearerTokenFile(String bearerTokenFile) { this.bearerTokenFile = bearerTokenFile; }

    public Map<String, String> getHeaders() { return headers; }

    public void setHeaders(Map<String, String> headers) { this.headers = headers; }

    public Duration getTimeout() { return timeout; }

    public void setTimeout(Duration timeout) { this.timeout = timeout; }

    public Duration getMinBackoff() { return minBackoff; }

    public void setMinBackoff(Duration minBackoff) { this.minBackoff = minBackoff; }

    public Duration getMaxBackoff() { return maxBackoff; }

    public void setMaxBackoff(Duration maxBackoff) { this.maxBackoff = maxBackoff; }

    public DataSize getQueueMaxSize() { return queueMaxSize; }

    public void setQueueMaxSize(DataSize queueMaxSize) { this.queueMaxSize = queueMaxSize; }

    public boolean isStaleMarkers() { return staleMarkers; }

    public void setStaleMarkers(boolean staleMarkers) { this.staleMarkers = staleMarkers; }

    public boolean enabled() {
        return url != null && !url.isBlank();
    }

    public boolean v2() {
        return "2.0".equals(protocol);
    }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.notNull("protocol", protocol).matches("protocol", protocol, PROTOCOL, "must be 1.0 or 2.0")
                .notNull("interval", interval).min("maxSamplesPerRequest", maxSamplesPerRequest, 1)
                .max("maxSamplesPerRequest", maxSamplesPerRequest, 1_000_000).notNull("timeout", timeout)
                .notNull("minBackoff", minBackoff).notNull("maxBackoff", maxBackoff)
                .notNull("queueMaxSize", queueMaxSize);
    }
}
