package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * OTLP/HTTP sent to the gRPC port (an exporter configured with the wrong port or protocol) gets
 * an HTTP/1.1 400 saying where OTLP/HTTP is, and ODIN's log one line, not a trace per attempt.
 */
@ExtendWith(OutputCaptureExtension.class)
class Http1OnGrpcPortIT extends OdinIntegrationTest {

    @Test
    void http1OnTheGrpcPortIsAnsweredWith400AndLoggedOnce(CapturedOutput output) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + grpcServer.port() + "/v1/metrics")).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[100])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("this is the OTLP/gRPC port; OTLP/HTTP is on :" + httpPort + "\n");
        }
        assertThat(output.getAll().lines().filter(l -> l.contains("on the OTLP/gRPC port, answered 400")))
                .singleElement().asString().contains("HTTP/1 request \"POST /v1/metrics HTTP/1.1\" from /127.0.0.1:")
                .endsWith("(OTLP/HTTP is on :" + httpPort + ")");
        assertThat(output.getAll()).doesNotContain("Http2Exception").doesNotContain("Unexpected HTTP/1.x request");
        assertThat(scrape().value("odin_otlp_grpc_http1_requests_total")).isGreaterThanOrEqualTo(3.0);
        assertThat(grpcServer.running()).isTrue();
    }
}
