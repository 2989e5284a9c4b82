package dev.odin.usage;

import java.time.Instant;

/** One assistant message's usage as a Claude Code transcript line records it. */
public record UsageRecord(String sessionId, String messageId, String requestId, String model, Instant timestamp,
        String project, boolean sidechain, TokenUsage usage) {
}
