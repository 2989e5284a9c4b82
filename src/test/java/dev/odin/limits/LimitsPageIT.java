package dev.odin.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The usage page's "Plan limits" block in a real headless Chromium: the latest reading per
 * window after a statusline post, and a machine name sent by a client shown as text, never as
 * markup.
 */
@TestPropertySource(properties = "odin.limits.max-series=50")
class LimitsPageIT extends OdinIntegrationTest {

    @Test
    void thePageShowsThePlanLimitsAsText() throws Exception {
        Path chromium = ExternalTool.require("chromium", "chromium");
        byte[] example = Files.readAllBytes(Path.of("src/test/resources/statusline/statusline-input.json"));
        assertThat(post("/api/statusline", "application/json", example, "X-Odin-Machine",
                "<img src=x onerror=alert(1)>", "X-Odin-User", "page-user").statusCode()).isEqualTo(200);
        Path profile = Files.createTempDirectory("chromium-profile");
        Process p = new ProcessBuilder(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom",
                "http://127.0.0.1:" + managementPort + "/usage").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(dom).contains("<div class=\"card\" id=\"limits\" style=\"margin-top:12px\">")
                .containsPattern("<div class=\"limit\">5-hour window: 24% used, resets in \\d+d \\d+h \\(&lt;img src=x"
                        + " onerror=alert\\(1\\)&gt;, [0-9a-f]+\\)</div>")
                .containsPattern("<div class=\"limit\">7-day window: 41% used, resets in \\d+d \\d+h")
                .doesNotContain("<img src=x");
    }
}
