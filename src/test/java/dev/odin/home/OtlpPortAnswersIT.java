package dev.odin.home;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.TokensFile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The OTLP/HTTP port's own answers with receiver tokens required: {@code /} says what the port is
 * to anyone (GET and HEAD; other methods 405), everything else still needs a token, and a path
 * nothing serves is a plain-text 404, not Spring's Whitelabel page.
 */
class OtlpPortAnswersIT extends OdinIntegrationTest {

    private static final String TOKEN = "home-it-token-0123456789abcdef";
    private static final Path TOKENS = TokensFile.create("# tokens for OtlpPortAnswersIT", TOKEN + " team-home");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.auth.tokens-file", TOKENS::toString);
    }

    private HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(otlpHttp(path))).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rootSaysWhatThePortIsWithoutAToken() throws Exception {
        HttpResponse<String> r = send("GET", "/", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
        assertThat(r.body()).startsWith("ODIN: OpenTelemetry (OTLP) receiver.\n")
                .contains("  /v1/metrics  /v1/logs  /v1/traces\n")
                .contains("OTLP/gRPC listens on port " + grpcServer.port() + ".\n")
                .contains("are on the management port " + managementPort + ": http://<this host>:" + managementPort
                        + "/\n")
                .doesNotContain(TOKEN).doesNotContain("team-home");
        assertThat(send("GET", "/", TOKEN).body()).isEqualTo(r.body());

        HttpResponse<String> head = send("HEAD", "/", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();

        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
            HttpResponse<String> refused = send(method, "/", null);
            assertThat(refused.statusCode()).as(method).isEqualTo(405);
            assertThat(refused.headers().firstValue("Allow")).as(method).hasValue("GET, HEAD");
        }
        assertThat(send("POST", "/", null).body()).isEqualTo("405 Method Not Allowed: / answers GET and HEAD; OTLP"
                + " is POSTed to /v1/metrics, /v1/logs or /v1/traces\n");
    }

    @Test
    void otherPathsStillNeedATokenAndUnknownOnesAreAPlainNotFound() throws Exception {
        assertThat(send("GET", "/nothing-here", null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/v1/metrics", null).statusCode()).isEqualTo(401);

        HttpResponse<String> missing = send("GET", "/nothing-here", TOKEN);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
        assertThat(missing.body()).isEqualTo("404 Not Found: nothing is served at /nothing-here on ODIN's OTLP/HTTP"
                + " port. OTLP is POSTed to /v1/metrics, /v1/logs or /v1/traces; GET / says more.\n");
        String longPath = "/" + "a".repeat(1000);
        HttpResponse<String> longOne = send("GET", longPath, TOKEN);
        assertThat(longOne.statusCode()).isEqualTo(404);
        assertThat(longOne.body()).contains("/" + "a".repeat(OtlpPortAnswers.MAX_PATH_SHOWN - 1) + "...")
                .hasSizeLessThan(400);

        // the receivers' own refusals are unchanged: GET on an OTLP path is 405 with Allow: POST
        HttpResponse<String> get = send("GET", "/v1/metrics", TOKEN);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }
}
