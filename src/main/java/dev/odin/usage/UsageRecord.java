package dev.odin.usage;

import java.time.Instant;

/**
 * One assistant message's usage as a Claude Code transcript line records it.
 *
 * @param cwd the directory Claude Code ran in (the line's {@code cwd}); null when the line has none
 * @param gitBranch the branch checked out there (the line's {@code gitBranch}); null when none
 */
public record UsageRecord(String sessionId, String messageId, String requestId, String model, Instant timestamp,
        String project, boolean sidechain, TokenUsage usage, String cwd, String gitBranch) {

    /** A record without the line's directory and branch. */
    public UsageRecord(String sessionId, String messageId, String requestId, String model, Instant timestamp,
            String project, boolean sidechain, TokenUsage usage) {
        this(sessionId, messageId, requestId, model, timestamp, project, sidechain, usage, null, null);
    }
}
