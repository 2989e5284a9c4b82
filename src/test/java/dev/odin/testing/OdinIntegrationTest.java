package dev.odin.testing;

import dev.odin.receiver.otlp.OtlpGrpcServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Starts the whole application on free loopback ports (OTLP/HTTP, management, OTLP/gRPC) with
 * its real routes. Subclasses with the same configuration share one running application, so
 * each test uses metric names or attributes of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "management.server.port=0", "odin.otlp.grpc.port=0", "odin.bind-address=127.0.0.1",
    "odin.data-dir=target/test-data/${random.uuid}",
    // zero-first holds delta-born series at 0 for a time (90 s by default): tests that read values
    // see them at once; the tests of zero-first itself turn it on with a short window
    "odin.metrics.zero-first=false",
    // never the developer's own ~/.claude: tests that follow transcripts point at their own
    "odin.claude.transcripts-dir=target/test-data/no-transcripts"})
@AutoConfigureObservability
public abstract class OdinIntegrationTest {

    /** The captured inputs under src/test/resources/fixtures. */
    public static final Path FIXTURES = Fixtures.DIR;

    @LocalServerPort
    protected int httpPort;

    @LocalManagementPort
    protected int managementPort;

    @Autowired
    protected OtlpGrpcServer grpcServer;

    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    protected String otlpHttp(String path) {
        return "http://127.0.0.1:" + httpPort + path;
    }

    protected String grpcEndpoint() {
        return "http://127.0.0.1:" + grpcServer.port();
    }

    protected HttpResponse<byte[]> post(String path, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(otlpHttp(path)))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    protected Exposition scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/metrics")).timeout(Duration.ofSeconds(30))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        return new Exposition(r.body());
    }

    protected static byte[] fixture(String relative) throws IOException {
        return Files.readAllBytes(FIXTURES.resolve(relative));
    }
}
