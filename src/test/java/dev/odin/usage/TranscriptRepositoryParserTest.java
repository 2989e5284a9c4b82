package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cwd and gitBranch of a transcript line. */
class TranscriptRepositoryParserTest {

    private static final String USAGE = "\"type\":\"assistant\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"sessionId\":\"s\","
            + "\"requestId\":\"r\",\"message\":{\"id\":\"m\",\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":1,"
            + "\"output_tokens\":2}}";

    @Test
    void cwdAndGitBranchAreRead() {
        UsageRecord r = new TranscriptParser().parse(TranscriptParserTest.assistant("msg_1", "req_1",
                "claude-sonnet-4-5", 1, 2, 0, 0, 0, "{\"type\":\"text\"}", false), "proj");
        assertThat(r.cwd()).isEqualTo("/home/u/proj");
        assertThat(r.gitBranch()).isEqualTo("main");
    }

    @Test
    void missingEmptyOrNonTextFieldsAreNullAndTheUsageStillCounts() {
        TranscriptParser p = new TranscriptParser();
        UsageRecord none = p.parse("{" + USAGE + "}", "proj");
        assertThat(none.cwd()).isNull();
        assertThat(none.gitBranch()).isNull();
        assertThat(none.usage()).isEqualTo(new TokenUsage(1, 2, 0, 0, 0));
        UsageRecord odd = p.parse("{" + USAGE + ",\"cwd\":42,\"gitBranch\":\"\"}", "proj");
        assertThat(odd.cwd()).isNull();
        assertThat(odd.gitBranch()).isNull();
        UsageRecord nulls = p.parse("{" + USAGE + ",\"cwd\":null,\"gitBranch\":{\"x\":1}}", "proj");
        assertThat(nulls.cwd()).isNull();
        assertThat(nulls.gitBranch()).isNull();
        assertThat(p.malformed()).isZero();
    }

    @Test
    void aDetachedHeadIsKeptAsClaudeCodeWritesIt() {
        UsageRecord r = new TranscriptParser().parse("{" + USAGE + ",\"cwd\":\"/w\",\"gitBranch\":\"HEAD\"}", "p");
        assertThat(r.cwd()).isEqualTo("/w");
        assertThat(r.gitBranch()).isEqualTo("HEAD");
    }
}
