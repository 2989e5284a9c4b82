package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.OdinApplication;
import dev.odin.testing.Certificates;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * TLS and mutual TLS on ODIN's listeners, with certificates generated here: the OpenTelemetry
 * Java SDK's exporters (gRPC and HTTP) connect with the CA and a client certificate and are
 * refused without one, or with one from another CA; the management port serves TLS without
 * asking for a client certificate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {

    private Path dir;
    private Certificates pki;
    private Certificates.Pem server;
    private Certificates.Pem client;
    private Certificates.Pem stranger;
    private ConfigurableApplicationContext odin;
    private int httpPort;
    private int managementPort;
    private int grpcPort;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("odin-tls");
        pki = new Certificates(dir.resolve("pki"), "odin-test-ca");
        server = pki.server("odin-server");
        client = pki.client("claude-code-laptop");
        stranger = new Certificates(dir.resolve("other"), "other-ca").client("stranger");
        managementPort = freePort();
        odin = new SpringApplicationBuilder(OdinApplication.class).run("--server.port=0",
                "--management.server.port=" + managementPort, "--odin.otlp.grpc.port=0",
                "--odin.data-dir=" + dir.resolve("data"), "--odin.tls.cert-file=" + server.cert(),
                "--odin.tls.key-file=" + server.key(), "--odin.tls.client-ca-file=" + pki.ca().cert(),
                "--odin.probes.host.enabled=false", "--odin.probes.gpu.enabled=false",
                "--odin.probes.power.enabled=false", "--odin.probes.process.enabled=false");
        httpPort = ((ServletWebServerApplicationContext) odin).getWebServer().getPort();
        grpcPort = odin.getBean(OtlpGrpcServer.class).port();
    }

    @AfterAll
    void stop() {
        if (odin != null) {
            odin.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private MetricExporter exporter(String transport, Certificates.Pem clientCert) throws IOException {
        if (transport.equals("grpc")) {
            var b = OtlpGrpcMetricExporter.builder().setEndpoint("https://127.0.0.1:" + grpcPort)
                    .setTrustedCertificates(pki.ca().certBytes()).setTimeout(Duration.ofSeconds(10));
            if (clientCert != null) {
                b.setClientTls(clientCert.keyBytes(), clientCert.certBytes());
            }
            return b.build();
        }
        var b = OtlpHttpMetricExporter.builder().setEndpoint("https://127.0.0.1:" + httpPort + "/v1/metrics")
                .setTrustedCertificates(pki.ca().certBytes()).setTimeout(Duration.ofSeconds(10));
        if (clientCert != null) {
            b.setClientTls(clientCert.keyBytes(), clientCert.certBytes());
        }
        return b.build();
    }

    /** Exports one counter through the exporter; true when ODIN accepted it. */
    private static boolean export(MetricExporter exporter, String name) {
        // the reader's forceFlush succeeds whatever the export did, so ask the exporter itself
        AtomicReference<CompletableResultCode> exported = new AtomicReference<>();
        MetricExporter watched = new MetricExporter() {
            @Override
            public CompletableResultCode export(Collection<MetricData> metrics) {
                CompletableResultCode r = exporter.export(metrics);
                exported.set(r);
                return r;
            }

            @Override
            public CompletableResultCode flush() {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return exporter.shutdown();
            }

            @Override
            public AggregationTemporality getAggregationTemporality(InstrumentType type) {
                return exporter.getAggregationTemporality(type);
            }
        };
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "tls-it")))
                .registerMetricReader(PeriodicMetricReader.builder(watched).setInterval(Duration.ofHours(1)).build())
                .build();
        LongCounter counter = provider.get("tls").counterBuilder(name).build();
        counter.add(7, Attributes.empty());
        provider.forceFlush().join(20, TimeUnit.SECONDS);
        provider.shutdown().join(10, TimeUnit.SECONDS);
        CompletableResultCode r = exported.get();
        return r != null && r.join(20, TimeUnit.SECONDS).isSuccess();
    }

    private HttpClient trustingClient() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pki.ca().certBytes())));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = trustingClient().send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + managementPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void sdkExportersConnectWithTheCaAndAClientCertificate() throws Exception {
        assertThat(export(exporter("grpc", client), "tls_grpc_ok")).isTrue();
        assertThat(export(exporter("http", client), "tls_http_ok")).isTrue();
        String metrics = scrape();
        assertThat(metrics).contains("tls_grpc_ok_total{job=\"tls-it\",otel_scope_name=\"tls\"} 7.0")
                .contains("tls_http_ok_total{job=\"tls-it\",otel_scope_name=\"tls\"} 7.0");
    }

    @Test
    void refusedWithoutAClientCertificateOrWithOneFromAnotherCa() throws Exception {
        for (String transport : new String[] {"grpc", "http"}) {
            assertThat(export(exporter(transport, null), "tls_no_client_" + transport)).as(transport).isFalse();
            assertThat(export(exporter(transport, stranger), "tls_stranger_" + transport)).as(transport).isFalse();
        }
        assertThat(scrape()).doesNotContain("tls_no_client").doesNotContain("tls_stranger");
    }

    @Test
    void plaintextIsRefusedOnTheOtlpPort() throws Exception {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // Tomcat answers a plaintext request on a TLS port with a plaintext 400 and nothing else
        HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/v1/metrics")).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("TLS");
        assertThat(export(OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + grpcPort)
                .setTimeout(Duration.ofSeconds(5)).build(), "tls_plaintext")).isFalse();
    }
}
