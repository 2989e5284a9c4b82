package dev.odin.usage;

/**
 * The tokens of one API request, by the kinds Anthropic prices differently, and what else its
 * price depends on. Cache writes are split by lifetime (5 minutes, 1 hour) because a 1-hour write
 * costs more.
 *
 * @param webSearchRequests the request's server-side web searches ({@code usage.server_tool_use.web_search_requests}),
 *     priced per search on top of the tokens
 * @param fast the request ran in fast mode ({@code usage.speed}: {@code "fast"}), priced at the model's fast rates
 * @param usOnly the request was served by US-only inference ({@code usage.inference_geo}: {@code "us"}), its
 *     token cost multiplied by the table's US-only multiplier (1.1)
 */
public record TokenUsage(long input, long output, long cacheWrite5m, long cacheWrite1h, long cacheRead,
        long webSearchRequests, boolean fast, boolean usOnly) {

    /** The tokens of a request at standard speed, global inference, without web searches. */
    public TokenUsage(long input, long output, long cacheWrite5m, long cacheWrite1h, long cacheRead) {
        this(input, output, cacheWrite5m, cacheWrite1h, cacheRead, 0, false, false);
    }

    /** Everything the model read: what decides the long-context tier. */
    public long promptTokens() {
        return input + cacheWrite5m + cacheWrite1h + cacheRead;
    }

    public long total() {
        return promptTokens() + output;
    }

    /** The same counts priced as {@code other} is (its speed and inference region). */
    public TokenUsage billedAs(TokenUsage other) {
        return new TokenUsage(input, output, cacheWrite5m, cacheWrite1h, cacheRead, webSearchRequests, other.fast,
                other.usOnly);
    }

    /** Whether the counts (tokens, web searches) are the same; speed and region aside. */
    public boolean sameCounts(TokenUsage o) {
        return input == o.input && output == o.output && cacheWrite5m == o.cacheWrite5m && cacheWrite1h == o.cacheWrite1h
                && cacheRead == o.cacheRead && webSearchRequests == o.webSearchRequests;
    }
}
