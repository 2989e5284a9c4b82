package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The follower attributes each request to its line's repository and branch. */
class TranscriptFollowerRepositoryTest {

    @TempDir
    Path tmp;

    @Test
    void eachRequestGetsItsLinesRepositoryAndBranchOrItsProjectWithoutCwd() throws Exception {
        Path checkout = Files.createDirectories(tmp.resolve("src/app/.git")).getParent();
        Files.writeString(checkout.resolve(".git/config"), "[remote \"origin\"]\n\turl = git@github.com:org/app.git\n");
        Path root = Files.createDirectories(tmp.resolve("projects"));
        Path project = Files.createDirectories(root.resolve("-src-app"));
        String inRepo = Transcripts.assistant("s1", "2026-11-22T10:00:00Z", "m1", "r1", "claude-sonnet-4-5", 10, 1, 0, 0,
                0, "text", false).replace("/home/u/proj", checkout.resolve("lib").toString())
                .replace("\"gitBranch\":\"main\"", "\"gitBranch\":\"fix/42\"");
        // a line of an older version: no cwd, no gitBranch
        String bare = Transcripts.assistant("s1", "2026-11-22T10:01:00Z", "m2", "r2", "claude-sonnet-4-5", 10, 1, 0, 0,
                0, "text", false).replace("\"cwd\":\"/home/u/proj\",", "").replace("\"gitBranch\":\"main\",", "");
        Files.writeString(project.resolve("s1.jsonl"), inRepo + bare);
        UsageStore store = new UsageStore(tmp.resolve("usage"), 400);
        TranscriptFollower f = new TranscriptFollower(root, new TranscriptOffsets(tmp.resolve("offsets.json")),
                new TranscriptParser(), new UsageLedger(100), Pricing.builtIn(),
                new UsageRecorder(store, new SimpleMeterRegistry(),
                        Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC)),
                "laptop", "me", "", new GitRepositories(10));
        List<UsageEvent> events = f.read(project.resolve("s1.jsonl"));
        assertThat(events).extracting(UsageEvent::repository, UsageEvent::branch).containsExactly(
                org.assertj.core.groups.Tuple.tuple("github.com/org/app", "fix/42"),
                org.assertj.core.groups.Tuple.tuple("-src-app", ""));
        List<UsageEvent> stored = new java.util.ArrayList<>();
        store.read(null, stored::add);
        assertThat(stored).isEqualTo(events);
        // and in the events for the sink
        var logs = UsageLogRecords.of(events, Instant.EPOCH);
        assertThat(logs.getResourceLogs(0).getScopeLogs(0).getLogRecords(0).getAttributesList())
                .anyMatch(kv -> kv.getKey().equals("repository") && kv.getValue().getStringValue().equals("github.com/org/app"))
                .anyMatch(kv -> kv.getKey().equals("branch") && kv.getValue().getStringValue().equals("fix/42"));
    }
}
