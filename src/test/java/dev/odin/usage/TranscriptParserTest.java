package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Synthetic transcript lines in Claude Code's layout. */
class TranscriptParserTest {

    static String assistant(String msg, String req, String model, int in, int out, int write5m, int write1h, int read,
            String block, boolean sidechain) {
        return "{\"parentUuid\":\"p\",\"isSidechain\":" + sidechain + ",\"userType\":\"external\",\"cwd\":\"/home/u/proj\","
                + "\"sessionId\":\"s-1\",\"version\":\"2.1.330\",\"gitBranch\":\"main\",\"message\":{\"id\":\"" + msg
                + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[" + block
                + "],\"stop_reason\":null,\"usage\":{\"input_tokens\":" + in + ",\"cache_creation_input_tokens\":"
                + (write5m + write1h) + ",\"cache_read_input_tokens\":" + read + ",\"cache_creation\":{"
                + "\"ephemeral_5m_input_tokens\":" + write5m + ",\"ephemeral_1h_input_tokens\":" + write1h
                + "},\"output_tokens\":" + out + ",\"service_tier\":\"standard\",\"server_tool_use\":{}}},\"requestId\":\""
                + req + "\",\"type\":\"assistant\",\"uuid\":\"u\",\"timestamp\":\"2026-11-22T10:00:00.000Z\","
                + "\"someFutureField\":[1,2]}";
    }

    @Test
    void parsesTheUsageOfAnAssistantLine() {
        TranscriptParser p = new TranscriptParser();
        UsageRecord r = p.parse(assistant("msg_1", "req_1", "claude-sonnet-4-5-20250929", 4, 120, 6502, 100, 11150,
                "{\"type\":\"text\",\"text\":\"hi\"}", false), "proj");
        assertThat(r.messageId()).isEqualTo("msg_1");
        assertThat(r.requestId()).isEqualTo("req_1");
        assertThat(r.sessionId()).isEqualTo("s-1");
        assertThat(r.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(r.timestamp()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
        assertThat(r.usage()).isEqualTo(new TokenUsage(4, 120, 6502, 100, 11150));
        assertThat(r.project()).isEqualTo("proj");
    }

    @Test
    void skipsLinesWithoutUsageAndCountsMalformedOnes() {
        TranscriptParser p = new TranscriptParser();
        assertThat(p.parse("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}", "x")).isNull();
        assertThat(p.parse("{\"type\":\"summary\",\"summary\":\"s\",\"leafUuid\":\"l\"}", "x")).isNull();
        assertThat(p.parse("", "x")).isNull();
        assertThat(p.malformed()).isZero();
        assertThat(p.parse("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1", "x")).isNull();
        assertThat(p.parse("{\"type\":\"assistant\",\"timestamp\":\"yesterday\",\"message\":{\"usage\":{}}}", "x"))
                .isNull();
        assertThat(p.malformed()).isEqualTo(2);
    }

    @Test
    void anOlderLineWithoutTheCacheSplitCountsItsWritesAsFiveMinute() {
        String line = "{\"type\":\"assistant\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"message\":{\"id\":\"m\","
                + "\"model\":\"claude-opus-4-1\",\"usage\":{\"input_tokens\":10,\"output_tokens\":5,"
                + "\"cache_creation_input_tokens\":700,\"cache_read_input_tokens\":0}},\"requestId\":\"r\"}";
        assertThat(new TranscriptParser().parse(line, "x").usage()).isEqualTo(new TokenUsage(10, 5, 700, 0, 0));
    }

    @Test
    void contentBlocksStreamingPartialsAndRereadLinesCountOnce() {
        TranscriptParser p = new TranscriptParser();
        UsageLedger ledger = new UsageLedger(10_000);
        List<String> lines = new ArrayList<>();
        // one message written as three content blocks (thinking, text, tool_use) with the same usage
        for (String block : new String[] {"{\"type\":\"thinking\"}", "{\"type\":\"text\"}", "{\"type\":\"tool_use\"}"}) {
            lines.add(assistant("msg_a", "req_a", "claude-sonnet-4-5", 10, 300, 1000, 0, 5000, block, false));
        }
        // a streaming partial of the next message, then its final line
        lines.add(assistant("msg_b", "req_b", "claude-sonnet-4-5", 3, 1, 0, 0, 6000, "{\"type\":\"text\"}", false));
        lines.add(assistant("msg_b", "req_b", "claude-sonnet-4-5", 3, 250, 0, 0, 6000, "{\"type\":\"text\"}", false));
        // a subagent (sidechain) request of its own
        lines.add(assistant("msg_c", "req_c", "claude-haiku-4-5", 800, 40, 0, 0, 0, "{\"type\":\"text\"}", true));
        // a resumed session copies the first message into its new file: read again
        lines.add(assistant("msg_a", "req_a", "claude-sonnet-4-5", 10, 300, 1000, 0, 5000, "{\"type\":\"text\"}", false));
        lines.add("not json at all");

        long in = 0;
        long out = 0;
        long write = 0;
        long read = 0;
        for (String line : lines) {
            UsageRecord r = p.parse(line, "proj");
            if (r != null) {
                TokenUsage d = ledger.add(r);
                in += d.input();
                out += d.output();
                write += d.cacheWrite5m() + d.cacheWrite1h();
                read += d.cacheRead();
            }
        }
        assertThat(in).isEqualTo(10 + 3 + 800);
        assertThat(out).isEqualTo(300 + 250 + 40);
        assertThat(write).isEqualTo(1000);
        assertThat(read).isEqualTo(5000 + 6000);
        assertThat(p.malformed()).isEqualTo(1);
    }
}
