package dev.odin.exporter.remotewrite;

import dev.odin.delivery.RetryAfter;
import dev.odin.signal.RefusedStartException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One POST of a snappy-compressed write request, with the headers of its protocol version and
 * the configured tenant and credentials (never queued on disk: a rotated token or password applies
 * to what is already queued).
 */
final class RemoteWriteClient {

    static final String V1_CONTENT_TYPE = "application/x-protobuf";
    static final String V2_CONTENT_TYPE = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    static final String WRITTEN_SAMPLES = "X-Prometheus-Remote-Write-Samples-Written";
    static final String WRITTEN_HISTOGRAMS = "X-Prometheus-Remote-Write-Histograms-Written";
    /** Headers ODIN sets itself; the same in odin.remote-write.headers are ignored. */
    private static final Set<String> OWN = Set.of("content-type", "content-encoding", "x-prometheus-remote-write-version",
            "content-length", "host");

    /** {@code status} 0: no answer; {@code writtenHeaders}: the 2.0 written-count headers came back. */
    record Response(int status, String body, Duration retryAfter, boolean writtenHeaders) {
    }

    private final RemoteWriteProperties config;
    private final HttpClient http;
    private final URI uri;
    private final String userAgent;

    /** @throws RefusedStartException for a URL or header the HTTP client would refuse at every request */
    RemoteWriteClient(RemoteWriteProperties config, String version) {
        this.config = config;
        this.uri = checkedUri(config.getUrl());
        for (Map.Entry<String, String> h : config.getHeaders().entrySet()) {
            if (OWN.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                continue; // ODIN's own: never sent from the map
            }
            try {
                HttpRequest.newBuilder(uri).header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException e) {
                throw new RefusedStartException(RefusedStartException.setting("odin.remote-write.headers") + ": header "
                        + h.getKey() + " cannot be sent (" + e.getMessage() + ")");
            }
        }
        this.userAgent = "odin/" + version;
        this.http = HttpClient.newBuilder().connectTimeout(config.getTimeout()).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    private static URI checkedUri(String url) {
        URI u;
        try {
            u = new URI(url.trim());
        } catch (java.net.URISyntaxException e) {
            throw new RefusedStartException(RefusedStartException.setting("odin.remote-write.url") + " is no URL: "
                    + e.getMessage());
        }
        if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) || u.getHost() == null) {
            throw new RefusedStartException(RefusedStartException.setting("odin.remote-write.url") + " must be an http(s)"
                    + " URL with a host, e.g. http://prometheus:9090/api/v1/write, not " + url);
        }
        if (u.getRawUserInfo() != null) {
            // the JDK's client ignores user:password@ (every request a 401, dead-lettered), and the URL
            // is logged: credentials go in username/password or bearer-token instead
            throw new RefusedStartException(RefusedStartException.setting("odin.remote-write.url") + " holds"
                    + " credentials (user:password@host): set odin.remote-write.username and"
                    + " odin.remote-write.password (or bearer-token) instead");
        }
        return u;
    }

    Response post(byte[] snappyBody, boolean v2) throws InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(config.getTimeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(snappyBody));
        for (Map.Entry<String, String> h : config.getHeaders().entrySet()) {
            if (!OWN.contains(h.getKey().toLowerCase(Locale.ROOT))
                    && !(h.getKey().equalsIgnoreCase("X-Scope-OrgID") && !config.getTenant().isEmpty())) {
                req.header(h.getKey(), h.getValue());
            }
        }
        req.setHeader("Content-Encoding", "snappy")
                .setHeader("Content-Type", v2 ? V2_CONTENT_TYPE : V1_CONTENT_TYPE)
                .setHeader("X-Prometheus-Remote-Write-Version", v2 ? "2.0.0" : "0.1.0")
                .setHeader("User-Agent", userAgent);
        if (!config.getTenant().isEmpty()) {
            req.setHeader("X-Scope-OrgID", config.getTenant());
        }
        try {
            String auth = authorization();
            if (auth != null) {
                req.setHeader("Authorization", auth);
            }
        } catch (IOException e) {
            return new Response(0, "bearer token file " + config.getBearerTokenFile() + " cannot be read: " + e, null,
                    false);
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Response(0, "no answer from " + uri + ": " + e, null, false);
        }
        String body = readSome(r.body());
        boolean written = r.headers().firstValue(WRITTEN_SAMPLES).isPresent()
                || r.headers().firstValue(WRITTEN_HISTOGRAMS).isPresent();
        return new Response(r.statusCode(), body, retryAfter(r.headers().firstValue("Retry-After").orElse(null)),
                written);
    }

    private String authorization() throws IOException {
        if (!config.getBearerToken().isEmpty()) {
            return "Bearer " + config.getBearerToken();
        }
        if (!config.getBearerTokenFile().isEmpty()) {
            return "Bearer " + Files.readString(Path.of(config.getBearerTokenFile()), StandardCharsets.UTF_8).trim();
        }
        if (!config.getUsername().isEmpty()) {
            return "Basic " + Base64.getEncoder().encodeToString(
                    (config.getUsername() + ":" + config.getPassword()).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    static Duration retryAfter(String header) {
        return RetryAfter.parse(header);
    }

    private static String readSome(InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(1024);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(b, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
