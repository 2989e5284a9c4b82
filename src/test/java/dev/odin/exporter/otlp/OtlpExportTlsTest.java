package dev.odin.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.odin.delivery.Outcome;
import dev.odin.signal.Signal;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * insecure-skip-verify over a real TLS handshake: a self-signed certificate for another host name
 * (what a homelab's central ODIN often has) is taken with the setting, refused without it.
 */
class OtlpExportTlsTest {

    @TempDir
    Path tmp;
    HttpsServer server;

    @BeforeEach
    void start() throws Exception {
        Path ks = tmp.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=central.other.example",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        keytool.getInputStream().readAllBytes();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Outcome export(boolean insecure) {
        OtlpExportProperties p = new OtlpExportProperties();
        p.setEndpoint("https://127.0.0.1:" + server.getAddress().getPort());
        p.setInsecureSkipVerify(insecure);
        p.setTimeout(Duration.ofSeconds(10));
        return new OtlpHttpTransport(p).export(Signal.METRICS, ExportMetricsServiceRequest.getDefaultInstance()
                .toByteArray()).outcome();
    }

    @Test
    void skipVerifyTakesASelfSignedCertificateForAnotherHostNameAndNothingElseDoes() {
        assertThat(export(true).kind()).isEqualTo(Outcome.Kind.DELIVERED);
        assertThat(export(false).kind()).isNotEqualTo(Outcome.Kind.DELIVERED);
    }
}
