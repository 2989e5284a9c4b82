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
 * @param repository where: the normalised git remote of the transcript's cwd (github.com/org/repo),
 *        else that directory; for telemetry the repository of its session's transcript when ODIN
 *        reads it ({@link SessionJoin}); empty when not known (and in records stored before it existed)
 * @param branch the transcript's gitBranch (telemetry: its session's); empty when not known
 */
public record UsageEvent(Instant timestamp, String source, String machine, String project, String sessionId,
        String model, TokenUsage tokens, BigDecimal cost, String messageId, String requestId, String user,
        String team, String repository, String branch) {

    public UsageEvent {
        repository = repository == null ? "" : repository;
        branch = branch == null ? "" : branch;
    }

    /** An event whose repository and branch are not known. */
    public UsageEvent(Instant timestamp, String source, String machine, String project, String sessionId,
            String model, TokenUsage tokens, BigDecimal cost, String messageId, String requestId, String user,
            String team) {
        this(timestamp, source, machine, project, sessionId, model, tokens, cost, messageId, requestId, user, team,
                "", "");
    }

    /** This event attributed to a repository and branch. */
    public UsageEvent withRepository(String repository, String branch) {
        return new UsageEvent(timestamp, source, machine, project, sessionId, model, tokens, cost, messageId,
                requestId, user, team, repository, branch);
    }

    public static final String TRANSCRIPT = "transcript";
    public static final String TELEMETRY = "telemetry";
}
