package dev.odin.usage;

import static dev.odin.usage.Transcripts.assistant;
import static dev.odin.usage.Transcripts.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transcript follower on synthetic transcripts in the real layout: several content blocks per
 * message, streaming partials, a subagent (sidechain) file, a resumed session copying earlier
 * lines, a malformed line, a line still being written, a file truncated and rewritten, and a
 * restart: token totals exact after de-duplication, nothing counted twice.
 */
class TranscriptFollowerTest {

    private static final String SONNET = "claude-sonnet-4-5-20250929";
    private static final String HAIKU = "claude-haiku-4-5-20251001";

    @TempDir
    Path tmp;
    private Path root;
    private Path project;
    private UsageStore store;
    private final Pricing pricing = Pricing.builtIn();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("projects"));
        project = Files.createDirectories(root.resolve("-home-u-proj"));
        store = new UsageStore(tmp.resolve("data/usage"), 400);
    }

    private TranscriptFollower follower() throws Exception {
        UsageLedger ledger = new UsageLedger(10_000);
        store.read(null, e -> ledger.remember(e.messageId(), e.requestId(), e.tokens())); // as after a restart
        return new TranscriptFollower(root, new TranscriptOffsets(tmp.resolve("data/usage/offsets.json")),
                new TranscriptParser(), ledger, pricing, new UsageRecorder(store, new SimpleMeterRegistry(), clock),
                "laptop", "dev", "team-a");
    }

    private List<UsageEvent> stored() throws Exception {
        List<UsageEvent> all = new ArrayList<>();
        store.read(null, all::add);
        return all;
    }

    private long[] totals() throws Exception {
        long[] t = new long[5];
        for (UsageEvent e : stored()) {
            t[0] += e.tokens().input();
            t[1] += e.tokens().output();
            t[2] += e.tokens().cacheWrite5m();
            t[3] += e.tokens().cacheWrite1h();
            t[4] += e.tokens().cacheRead();
        }
        return t;
    }

    private static void append(Path f, String text) throws Exception {
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void countsEachRequestOnceAcrossBlocksPartialsSubagentsResumesAndRestarts() throws Exception {
        Path s1 = project.resolve("s1.jsonl");
        StringBuilder sb = new StringBuilder(user("s1", "2026-11-22T10:00:00Z"));
        for (String block : new String[] {"thinking", "text", "tool_use"}) {
            sb.append(assistant("s1", "2026-11-22T10:00:05Z", "msg_a", "req_a", SONNET, 10, 300, 1000, 0, 5000, block, false));
        }
        sb.append(assistant("s1", "2026-11-22T10:01:00Z", "msg_b", "req_b", SONNET, 3, 1, 0, 0, 6000, "text", false));
        sb.append(assistant("s1", "2026-11-22T10:01:02Z", "msg_b", "req_b", SONNET, 3, 250, 0, 2000, 6000, "text", false));
        sb.append("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":\n"); // malformed
        append(s1, sb.toString());
        Path agent = project.resolve("s1/subagents/agent-a1.jsonl");
        append(agent, assistant("s1", "2026-11-22T10:02:00Z", "msg_c", "req_c", HAIKU, 800, 40, 0, 0, 0, "text", true));

        TranscriptFollower f = follower();
        f.read(s1);
        f.read(agent);
        assertThat(totals()).containsExactly(10 + 3 + 800, 300 + 250 + 40, 1000, 2000, 5000 + 6000);
        assertThat(stored()).extracting(UsageEvent::project).containsOnly("-home-u-proj");
        assertThat(stored()).extracting(UsageEvent::machine).containsOnly("laptop");

        // a resumed session copies msg_a into its new file, then goes on
        Path s2 = project.resolve("s2.jsonl");
        append(s2, assistant("s2", "2026-11-22T10:00:05Z", "msg_a", "req_a", SONNET, 10, 300, 1000, 0, 5000, "text", false)
                + assistant("s2", "2026-11-22T11:00:00Z", "msg_d", "req_d", SONNET, 5, 7, 0, 0, 0, "text", false));
        f.read(s2);
        assertThat(totals()).containsExactly(818, 597, 1000, 2000, 11000);
        UsageEvent d = stored().stream().filter(e -> "msg_d".equals(e.messageId())).findFirst().orElseThrow();
        assertThat(d.cost()).isEqualByComparingTo(new BigDecimal("0.000120")); // 5 x 3 + 7 x 15 per million

        // a line still being written is left for the next poll
        append(s2, assistant("s2", "2026-11-22T11:05:00Z", "msg_e", "req_e", SONNET, 1, 1, 0, 0, 0, "text", false)
                .replace("\n", ""));
        f.read(s2);
        assertThat(totals()[0]).isEqualTo(818);
        append(s2, "\n");
        f.read(s2);
        assertThat(totals()[0]).isEqualTo(819);

        // a restart: offsets and the ledger come back; reading everything again adds nothing
        TranscriptFollower again = follower();
        again.read(s1);
        again.read(agent);
        again.read(s2);
        assertThat(totals()).containsExactly(819, 598, 1000, 2000, 11000);
        append(s1, assistant("s1", "2026-11-22T11:30:00Z", "msg_f", "req_f", HAIKU, 100, 10, 0, 0, 0, "text", false));
        again.read(s1);
        assertThat(totals()).containsExactly(919, 608, 1000, 2000, 11000);

        // s2 truncated and rewritten with other content: read again from the start, repeats not counted
        Files.writeString(s2, assistant("s2", "2026-11-22T12:00:00Z", "msg_g", "req_g", SONNET, 2, 2, 0, 0, 0, "text",
                false) + assistant("s2", "2026-11-22T11:00:00Z", "msg_d", "req_d", SONNET, 5, 7, 0, 0, 0, "text", false));
        again.read(s2);
        assertThat(again.rewinds()).isEqualTo(1);
        assertThat(totals()).containsExactly(921, 610, 1000, 2000, 11000);
    }

    @Test
    void theProjectIsTheFirstDirectoryUnderTheRoot() throws Exception {
        TranscriptFollower f = follower();
        assertThat(f.project(project.resolve("s.jsonl"))).isEqualTo("-home-u-proj");
        assertThat(f.project(project.resolve("s/subagents/a.jsonl"))).isEqualTo("-home-u-proj");
        assertThat(f.project(root.resolve("loose.jsonl"))).isEmpty();
    }
}
