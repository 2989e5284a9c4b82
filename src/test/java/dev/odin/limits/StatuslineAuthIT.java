package dev.odin.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.OdinIntegrationTest;
import dev.odin.testing.TokensFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With odin.auth.tokens-file set, POST /api/statusline needs an OTLP token, as /v1/* does; the script sends ODIN_TOKEN. */
class StatuslineAuthIT extends OdinIntegrationTest {

    static final String TOKEN = "statusline-token-0123456789abcdef";
    private static final Path TOKENS = TokensFile.create("# tokens for StatuslineAuthIT", TOKEN + " team-a");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("odin.auth.tokens-file", TOKENS::toString);
    }

    @AfterAll
    static void stop() throws Exception {
        Files.deleteIfExists(TOKENS);
    }

    @Test
    void aTokenIsNeeded() throws Exception {
        byte[] example = Files.readAllBytes(Path.of("src/test/resources/statusline/statusline-input.json"));
        HttpResponse<byte[]> none = post("/api/statusline", "application/json", example);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(new String(none.body())).contains("credentials required for /api/statusline");
        assertThat(post("/api/statusline", "application/json", example, "Authorization", "Bearer wrong-token-0123456789")
                .statusCode()).isEqualTo(401);
        // a refusal before the body: an oversized body without a token is 401, never read
        assertThat(post("/api/statusline", "application/json", new byte[100_000]).statusCode()).isEqualTo(401);
        assertThat(scrape().metric("claude_code_plan_usage_ratio")).isEmpty();
        HttpResponse<byte[]> ok = post("/api/statusline", "application/json", example, "Authorization", "Bearer " + TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(scrape().metric("claude_code_plan_usage_ratio")).hasSize(2);

        String url = "http://127.0.0.1:" + httpPort;
        StatuslineScript.Run without = StatuslineScript.run(example, Map.of("ODIN_URL", url, "ODIN_STATUSLINE_TIMEOUT", "10"));
        assertThat(without.exitCode()).isZero();
        assertThat(without.line()).isEqualTo("Opus 4.8 \u00b7 session $1.23 \u00b7 5h 24% \u00b7 7d 41% \u00b7 ODIN 401");
        for (String python : new String[] {"0", "1"}) {
            StatuslineScript.Run with = StatuslineScript.run(example, Map.of("ODIN_URL", url, "ODIN_TOKEN", TOKEN,
                    "ODIN_STATUSLINE_TIMEOUT", "10", "ODIN_STATUSLINE_PYTHON", python));
            assertThat(with.exitCode()).isZero();
            assertThat(with.line()).startsWith("$").endsWith(" today \u00b7 5h 24% \u00b7 7d 41%");
        }
    }
}
