package dev.odin.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reads the lines Claude Code writes to {@code ~/.claude/projects/<project>/<session>.jsonl}.
 * Only assistant messages with {@code message.usage} carry tokens; every other line (user
 * turns, summaries, tool results, fields added by newer versions) is skipped. A line that is not
 * JSON, or an assistant line without the fields usage needs, is counted as malformed and
 * skipped: one bad line never stops the file. The line's {@code cwd} and {@code gitBranch} say
 * where the request was made (null when missing or not a string; usage still counts). What else
 * the price depends on is passed on in the {@link TokenUsage}: {@code usage.speed} (fast mode),
 * {@code usage.inference_geo} ({@code "us"}: US-only inference) and
 * {@code usage.server_tool_use.web_search_requests}.
 */
public final class TranscriptParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LongAdder malformed = new LongAdder();

    /** @return the usage on this line, or null when it carries none (or is malformed) */
    public UsageRecord parse(String line, String project) {
        if (line == null || line.isBlank()) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            malformed.increment();
            return null;
        }
        if (n == null || !n.isObject() || !"assistant".equals(n.path("type").asText())) {
            return null;
        }
        JsonNode message = n.path("message");
        JsonNode usage = message.path("usage");
        if (!usage.isObject()) {
            return null;
        }
        Instant time;
        try {
            time = Instant.parse(n.path("timestamp").asText());
        } catch (DateTimeParseException e) {
            malformed.increment();
            return null;
        }
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
        JsonNode split = usage.path("cache_creation");
        long write1h = split.isObject() ? split.path("ephemeral_1h_input_tokens").asLong(0) : 0;
        long write5m = split.isObject() ? split.path("ephemeral_5m_input_tokens").asLong(0) : cacheWrite;
        if (split.isObject() && write5m + write1h < cacheWrite) {
            write5m = cacheWrite - write1h; // older lines split only part of it: the rest is 5-minute
        }
        JsonNode serverTools = usage.path("server_tool_use");
        long webSearches = serverTools.isObject() ? Math.max(0, serverTools.path("web_search_requests").asLong(0)) : 0;
        TokenUsage tokens = new TokenUsage(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
                write5m, write1h, usage.path("cache_read_input_tokens").asLong(0), webSearches, fast(usage.get("speed")),
                usage.path("inference_geo").isTextual() && "us".equals(usage.path("inference_geo").asText()));
        return new UsageRecord(text(n, "sessionId"), text(message, "id"), text(n, "requestId"),
                text(message, "model"), time, project, n.path("isSidechain").asBoolean(false), tokens,
                textual(n, "cwd"), textual(n, "gitBranch"));
    }

    /**
     * Whether {@code usage.speed} bills the request at fast rates. As Claude Code prices it:
     * {@code "fast"} does, {@code "standard"}, null or missing do not, and any other value (a speed
     * newer than this table) is billed as fast rather than under-priced.
     */
    static boolean fast(JsonNode speed) {
        if (speed == null || speed.isNull() || !speed.isTextual() || speed.asText().isEmpty()) {
            return false;
        }
        return !"standard".equals(speed.asText());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A string field's value; null when missing, empty or not a string (a number is no directory). */
    private static String textual(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() || v.asText().isEmpty() ? null : v.asText();
    }

    /** Counts a line the caller could not hand over (too long to hold). */
    public void countMalformed() {
        malformed.increment();
    }

    /** Lines that could not be read. */
    public long malformed() {
        return malformed.sum();
    }
}
