package dev.odin.usage.forward;

import dev.odin.settings.SettingChecks;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/**
 * Many machines ({@code odin.usage-forward.*}, docs/usage.md "Many machines"): a laptop ODIN
 * forwards every transcript usage record it counts to a central ODIN through the durable sender
 * {@code usage-forward}; the central counts each request once per machine, whatever is replayed.
 */
public class UsageForwardProperties {

    /**
     * The central ODIN's OTLP/HTTP base URL ({@code http://central:4318}); /v1/logs is appended.
     * Empty: this ODIN forwards nothing.
     */
    private String url = "";

    /** The bearer token sent to the central (one of its odin.auth.tokens-file tokens); empty: none. */
    private String token = "";

    /** Connect and request timeout of one delivery to the central. */
    private Duration timeout = Duration.ofSeconds(10);

    /** Queued usage records travel together in one request of at most this many bytes. */
    private DataSize batchSize = DataSize.ofKilobytes(512);

    /** Bound of the disk queue under the data dir; at the bound the oldest records are dropped (counted). */
    private DataSize queueMaxSize = DataSize.ofMegabytes(256);

    /** The longest delay between retries while the central is down or answers 5xx / 429. */
    private Duration maxBackoff = Duration.ofSeconds(30);

    /** Count the usage other ODINs forward to this one's /v1/logs (the central's side). */
    private boolean receive = true;

    /**
     * The central remembers each forwarded request of this many days (rebuilt from the usage
     * history on start) to recognise repeats; forwarded usage older than this is not counted.
     */
    private int dedupDays = 35;

    /**
     * Most forwarded requests the central remembers; past it the oldest are forgotten (counted).
     * Each takes about 300 bytes of heap: the default about 30 MB, which the shipped -Xmx256m holds
     * beside the series; raise the heap with it (a team's central: 10,000 requests a day for 35
     * days is 350,000, about 105 MB).
     */
    private int dedupMaxRequests = 100_000;

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public DataSize getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(DataSize batchSize) {
        this.batchSize = batchSize;
    }

    public DataSize getQueueMaxSize() {
        return queueMaxSize;
    }

    public void setQueueMaxSize(DataSize queueMaxSize) {
        this.queueMaxSize = queueMaxSize;
    }

    public Duration getMaxBackoff() {
        return maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public boolean isReceive() {
        return receive;
    }

    public void setReceive(boolean receive) {
        this.receive = receive;
    }

    public int getDedupDays() {
        return dedupDays;
    }

    public void setDedupDays(int dedupDays) {
        this.dedupDays = dedupDays;
    }

    public int getDedupMaxRequests() {
        return dedupMaxRequests;
    }

    public void setDedupMaxRequests(int dedupMaxRequests) {
        this.dedupMaxRequests = dedupMaxRequests;
    }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.notNull("token", token).notNull("timeout", timeout).notNull("batchSize", batchSize)
                .notNull("queueMaxSize", queueMaxSize).notNull("maxBackoff", maxBackoff)
                .min("dedupDays", dedupDays, 1).min("dedupMaxRequests", dedupMaxRequests, 1000);
    }
}
