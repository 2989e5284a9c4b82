package dev.odin.usage;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Usage ODIN counted once: one API request's tokens and cost (or what a later line of the same
 * request added), from a transcript or from telemetry, with where it happened.
 *
 * @param cost USD; null when the model is not in the price table (telemetry: the cost it reported)
 * @param messageId the API message id (transcripts; null from telemetry), with requestId what the
 *        de-duplication of lines is keyed on
 * @param user who: odin.claude.user for transcripts, user.email (or user.id) from telemetry
 * @param team the team: odin.claude.team for transcripts, the bearer token's tenant for telemetry
 */
public record UsageEvent(Instant timestamp, String source, String machine, String project, String sessionId,
        String model, TokenUsage tokens, BigDecimal cost, String messageId, String requestId, String user,
        String team) {

    public static final String TRANSCRIPT = "transcript";
    public static final String TELEMETRY = "telemetry";
}
