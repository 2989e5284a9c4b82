package dev.odin.usage;

import static dev.odin.usage.Transcripts.assistant;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.Await;
import dev.odin.testing.ExternalTool;
import dev.odin.testing.OdinIntegrationTest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The usage page in a real headless Chromium (Debian's chromium) at a phone's size: the DOM it
 * renders shows today's spend and the active block with its burn rate, and the screenshot has
 * the 30-day chart's bars in it.
 */
class UsagePageIT extends OdinIntegrationTest {

    private static final Path TRANSCRIPTS = Transcripts.tempProject("-home-u-web");


    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        r.add("odin.claude.transcripts-dir", () -> TRANSCRIPTS.getParent().toString());
        r.add("odin.claude.poll-interval", () -> "200ms");
    }

    private String chromium(Path chromium, String... args) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        String[] cmd = new String[args.length + 6];
        cmd[0] = chromium.toString();
        cmd[1] = "--headless=new";
        cmd[2] = "--no-sandbox"; // CI runs as root
        cmd[3] = "--disable-gpu";
        cmd[4] = "--user-data-dir=" + profile;
        cmd[5] = "--virtual-time-budget=10000"; // let the page's fetches finish before the dump
        System.arraycopy(args, 0, cmd, 6, args.length);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void thePageShowsTodaysSpendAndTheBlockInChromium() throws Exception {
        Path chromium = ExternalTool.require("chromium", "chromium");
        // two requests 2 minutes apart, ending now: today's spend and an active block with a burn rate
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Files.writeString(TRANSCRIPTS.resolve("web.jsonl"),
                assistant("web", now.minus(2, ChronoUnit.MINUTES).toString(), "m1", "r1", "claude-opus-4-5", 100_000,
                        20_000, 0, 0, 0, "text", false)
                + assistant("web", now.toString(), "m2", "r2", "claude-opus-4-5", 100_000, 20_000, 0, 0, 0, "text", false));
        // each: 100,000 x 5 + 20,000 x 25 = 1,000,000 micro-USD = $1.00; the block: $2.00 in 2 minutes
        Await.until("the usage in the API", Duration.ofSeconds(20), () -> scrape().value(
                "odin_claude_usage_cost_usd_total{machine=\"" + java.net.InetAddress.getLocalHost().getHostName()
                        + "\",model=\"claude-opus-4-5\",project=\"-home-u-web\",source=\"transcript\"}") != null);
        String url = "http://127.0.0.1:" + managementPort + "/usage";

        String dom = chromium(chromium, "--dump-dom", url);
        assertThat(dom).contains("<div class=\"value\" id=\"today\">$2.00</div>")
                .contains("<div class=\"value\" id=\"block\">$2.00</div>")
                .contains("burn rate $60.00/h") // $2.00 over the 2 minutes between the requests
                .contains("30 days: $2.00, 240,000 tokens")
                .doesNotContain("id=\"error\">"); // the error paragraph stays hidden and empty

        Path shot = Path.of("target", "usage-page.png");
        Files.deleteIfExists(shot);
        chromium(chromium, "--window-size=412,915", "--screenshot=" + shot.toAbsolutePath(), url);
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(image.getWidth()).isEqualTo(412);
        assertThat(image.getHeight()).isEqualTo(915);
        int bars = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.abs(r - 0xd9) < 12 && Math.abs(g - 0x77) < 12 && Math.abs(b - 0x57) < 12) {
                    bars++; // the chart's bar colour (#d97757)
                }
            }
        }
        assertThat(bars).as("pixels of the 30-day chart's bars in the screenshot").isGreaterThan(100);
    }
}
