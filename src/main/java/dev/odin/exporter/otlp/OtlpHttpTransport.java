package dev.odin.exporter.otlp;

import dev.odin.signal.RefusedStartException;
import dev.odin.signal.Signal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP/HTTP with protobuf bodies: POST {@code <endpoint>/v1/<signal>}. 2xx: delivered (its
 * partial_success read); 429, 502, 503, 504 or no answer: retry later, honouring Retry-After;
 * any other status: refused for good (the OTLP specification's retryable set).
 */
final class OtlpHttpTransport implements ExportTransport {

    private final OtlpExportProperties config;
    private final HttpClient http;
    private final Map<Signal, URI> uris;

    OtlpHttpTransport(OtlpExportProperties config) {
        this.config = config;
        String base = config.getEndpoint().replaceAll("/+$", "");
        try {
            URI u = URI.create(base);
            if (u.getScheme() == null || !u.getScheme().matches("(?i)https?") || u.getHost() == null) {
                throw new IllegalArgumentException("an OTLP/HTTP endpoint is http://host:port or https://host:port");
            }
            this.uris = Map.of(Signal.METRICS, URI.create(base + "/v1/metrics"), Signal.LOGS,
                    URI.create(base + "/v1/logs"), Signal.TRACES, URI.create(base + "/v1/traces"));
        } catch (IllegalArgumentException e) {
            throw new RefusedStartException(RefusedStartException.setting("odin.otlp-export.endpoint") + " "
                    + config.getEndpoint() + ": " + e.getMessage());
        }
        try { // a header the JDK's client refuses (Host, Content-Length, a bad name) would fail every send
            HttpRequest.Builder probe = HttpRequest.newBuilder(uris.get(Signal.METRICS));
            config.getHeaders().forEach(probe::header);
        } catch (IllegalArgumentException e) {
            throw new RefusedStartException(RefusedStartException.setting("odin.otlp-export.headers")
                    + " cannot be sent: " + e.getMessage());
        }
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.getTimeout())
                .version(HttpClient.Version.HTTP_1_1);
        if (base.startsWith("https:") && (config.isInsecureSkipVerify() || !config.getCaFile().isEmpty())) {
            b.sslContext(Tls.sslContext(config));
        }
        this.http = b.build();
    }

    static boolean retryable(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    @Override
    public ExportAnswer export(Signal signal, byte[] request) {
        HttpRequest.Builder req = HttpRequest.newBuilder(uris.get(signal)).timeout(config.getTimeout())
                .header("Content-Type", "application/x-protobuf").header("User-Agent", "odin");
        for (Map.Entry<String, String> h : config.getHeaders().entrySet()) {
            req.header(h.getKey(), h.getValue());
        }
        byte[] body = request;
        if (config.getCompression() == OtlpExportProperties.Compression.GZIP) {
            body = gzip(request);
            req.header("Content-Encoding", "gzip");
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return ExportAnswer.retry(0, "no answer from " + uris.get(signal) + ": " + e, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExportAnswer.retry(0, "interrupted", null);
        }
        int status = r.statusCode();
        byte[] answer = read(r.body(), status / 100 == 2 ? 1 << 20 : 1024);
        if (status / 100 == 2) {
            String type = r.headers().firstValue("Content-Type").orElse("");
            return ExportAnswer.accepted(signal, type.contains("protobuf") ? answer : null);
        }
        String message = "HTTP " + status + " from " + uris.get(signal) + ": "
                + new String(answer, StandardCharsets.UTF_8).trim();
        if (retryable(status)) {
            return ExportAnswer.retry(status, message,
                    ExportAnswer.retryAfter(r.headers().firstValue("Retry-After").orElse(null)));
        }
        return ExportAnswer.permanent(status, message);
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // in memory: does not happen
        }
        return out.toByteArray();
    }

    private static byte[] read(InputStream in, int max) {
        try (in) {
            byte[] b = in.readNBytes(max);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return b;
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
