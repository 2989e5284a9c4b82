package dev.odin.receiver.otlp;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the HTTP receivers take request bodies ({@code odin.http.*}); docs/security.md. Bodies are
 * read without holding a thread, so these caps bound connections and memory, not threads.
 *
 * @param bodyTimeout the whole body must arrive within this time of the request's headers (408
 *        and the connection closed after it); a 1-byte-a-second sender is cut off here
 * @param maxReceiving bodies being received at once, over all clients (503 + Retry-After past it)
 * @param maxReceivingPerClient bodies being received at once from one client address (429 +
 *        Retry-After past it); 0 for no per-client cap. Behind a proxy or SNAT every client has
 *        the proxy's address: raise it there
 * @param maxReceivingBytes bytes buffered by the bodies being received, together
 */
@ConfigurationProperties(prefix = "odin.http")
public record HttpIntakeProperties(
        @DefaultValue("30s") Duration bodyTimeout,
        @DefaultValue("256") int maxReceiving,
        @DefaultValue("16") int maxReceivingPerClient,
        @DefaultValue("64MB") DataSize maxReceivingBytes) {

    public HttpIntakeProperties {
        if (bodyTimeout.isNegative() || bodyTimeout.isZero()) {
            throw new IllegalArgumentException("odin.http.body-timeout must be positive");
        }
        if (maxReceiving < 1 || maxReceivingPerClient < 0) {
            throw new IllegalArgumentException("odin.http.max-receiving must be at least 1 and"
                    + " odin.http.max-receiving-per-client at least 0");
        }
    }
}
