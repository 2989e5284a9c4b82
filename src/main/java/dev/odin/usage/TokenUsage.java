package dev.odin.usage;

/**
 * The tokens of one API request, by the kinds Anthropic prices differently. Cache writes are
 * split by lifetime (5 minutes, 1 hour) because a 1-hour write costs more.
 */
public record TokenUsage(long input, long output, long cacheWrite5m, long cacheWrite1h, long cacheRead) {

    /** Everything the model read: what decides the long-context tier. */
    public long promptTokens() {
        return input + cacheWrite5m + cacheWrite1h + cacheRead;
    }

    public long total() {
        return promptTokens() + output;
    }
}
