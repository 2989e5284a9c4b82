package dev.odin.exporter.loki;

import dev.odin.delivery.RetryAfter;
import dev.odin.delivery.DiskQueue;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.config.OdinProperties;
import dev.odin.events.EventJson;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.LabelPairAdapter;
import dev.odin.loki.wire.PushRequest;
import dev.odin.loki.wire.StreamAdapter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.xerial.snappy.Snappy;

/**
 * Sends one batch of queued records to Loki and says what became of it: delivered, worth
 * retrying (429, 5xx, no connection; with the server's Retry-After), or refused for good (other
 * 4xx). Three wire formats: Loki's protobuf push (snappy), its JSON push for Loki 2.x (which has
 * no structured metadata, so the metadata is appended to the line as logfmt), or the original
 * OTLP requests to Loki's own /otlp/v1/logs.
 */
public final class LokiClient {

    /** Queue record types. */
    public static final byte PUSH_REQUEST = 1;
    public static final byte OTLP_REQUEST = 2;

    public enum Kind { DELIVERED, RETRY, PERMANENT }

    /** {@code status} is the HTTP status, or 0 when there was no answer. */
    public record Outcome(Kind kind, int status, String message, Duration retryAfter) {
    }

    private final LokiProperties config;
    private final HttpClient http;
    private final URI pushUri;
    private final URI otlpUri;

    public LokiClient(LokiProperties config) {
        this.config = config;
        String base = config.getUrl().endsWith("/") ? config.getUrl().substring(0, config.getUrl().length() - 1)
                : config.getUrl();
        this.pushUri = URI.create(base + "/loki/api/v1/push");
        this.otlpUri = URI.create(base + "/otlp/v1/logs");
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.getTimeout())
                .version(HttpClient.Version.HTTP_1_1);
        if (config.isInsecureSkipVerify() || !config.getCaFile().isEmpty()) {
            b.sslContext(sslContext(config));
        }
        this.http = b.build();
    }

    /** Records must all be of one type; they go to the configured tenant. */
    public Outcome push(List<DiskQueue.Record> records) {
        return push(records, "");
    }

    /** Records must all be of one type; {@code tenant} (empty: the configured one) is X-Scope-OrgID. */
    public Outcome push(List<DiskQueue.Record> records, String tenant) {
        HttpRequest.Builder req;
        try {
            byte type = records.get(0).type();
            byte[] raw = concat(records);
            if (type == OTLP_REQUEST) {
                req = HttpRequest.newBuilder(otlpUri).header("Content-Type", "application/x-protobuf")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(raw));
            } else if (config.getFormat() == LokiProperties.Format.JSON) {
                req = HttpRequest.newBuilder(pushUri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(json(PushRequest.parseFrom(raw))));
            } else {
                // concatenated PushRequest messages are one PushRequest: repeated fields append
                req = HttpRequest.newBuilder(pushUri).header("Content-Type", "application/x-protobuf")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(raw)));
            }
        } catch (IOException e) {
            return new Outcome(Kind.PERMANENT, 0, "queued batch cannot be encoded: " + e.getMessage(), null);
        }
        req.timeout(config.getTimeout()).header("User-Agent", "odin");
        String orgId = tenant.isEmpty() ? config.getTenant() : tenant;
        if (!orgId.isEmpty()) {
            req.header("X-Scope-OrgID", orgId);
        }
        if (!config.getBearerToken().isEmpty()) {
            req.header("Authorization", "Bearer " + config.getBearerToken());
        } else if (!config.getUsername().isEmpty()) {
            req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (config.getUsername() + ":" + config.getPassword()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Outcome(Kind.RETRY, 0, "no answer from Loki: " + e, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Kind.RETRY, 0, "interrupted", null);
        }
        String body = readSome(r.body());
        int status = r.statusCode();
        if (status >= 200 && status < 300) {
            return new Outcome(Kind.DELIVERED, status, "", null);
        }
        if (status == 429 || status >= 500) {
            return new Outcome(Kind.RETRY, status, body,
                    retryAfter(r.headers().firstValue("Retry-After").orElse(null)));
        }
        return new Outcome(Kind.PERMANENT, status, body, null);
    }

    private static byte[] concat(List<DiskQueue.Record> records) {
        int size = 0;
        for (DiskQueue.Record r : records) {
            size += r.payload().length;
        }
        byte[] out = new byte[size];
        int pos = 0;
        for (DiskQueue.Record r : records) {
            System.arraycopy(r.payload(), 0, out, pos, r.payload().length);
            pos += r.payload().length;
        }
        return out;
    }

    /** Loki 2.x JSON push; structured metadata goes into the line as logfmt. */
    static byte[] json(PushRequest push) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8); JsonGenerator g = EventJson.generator(w)) {
            g.writeStartObject();
            g.writeArrayFieldStart("streams");
            for (StreamAdapter s : push.getStreamsList()) {
                g.writeStartObject();
                g.writeObjectFieldStart("stream");
                for (var l : MappedLogs.parseSelector(s.getLabels()).entrySet()) {
                    g.writeStringField(l.getKey(), l.getValue());
                }
                g.writeEndObject();
                g.writeArrayFieldStart("values");
                for (EntryAdapter e : s.getEntriesList()) {
                    g.writeStartArray();
                    g.writeString(Long.toString(e.getTimestamp().getSeconds() * 1_000_000_000L + e.getTimestamp().getNanos()));
                    StringBuilder line = new StringBuilder(e.getLine());
                    for (LabelPairAdapter p : e.getStructuredMetadataList()) {
                        line.append(' ').append(p.getName()).append('=');
                        logfmtValue(line, p.getValue());
                    }
                    g.writeString(line.toString());
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    private static void logfmtValue(StringBuilder sb, String v) {
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c <= ' ' || c == '=' || c == '"';
        }
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        MappedLogs.appendEscaped(sb, v);
        sb.append('"');
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

    private static SSLContext sslContext(LokiProperties config) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            TrustManager[] trust;
            if (config.isInsecureSkipVerify()) {
                trust = new TrustManager[] {new X509TrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                }};
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(config.getCaFile()))) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("ca-" + i++, c);
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers();
            }
            ctx.init(null, trust, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("Loki TLS settings cannot be used: " + e.getMessage(), e);
        }
    }
}
