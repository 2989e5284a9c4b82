package dev.odin.usage;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Usage by repository and branch, the session join of telemetry and the telemetry-loss
 * comparison ({@code odin.claude.repositories.*}); docs/usage.md.
 *
 * @param labelLimit distinct repositories in the repository usage metrics; usage of any further
 *        one is counted under repository "other" (and odin_claude_repository_label_overflow_total)
 * @param branchLimit distinct branches per repository in the repository usage metrics; further
 *        ones are counted under branch "other"
 * @param directories directories whose repository (git remote) is remembered
 * @param sessions sessions remembered for the telemetry join and the telemetry-loss comparison
 * @param sessionInfoLimit sessions exposed in odin_claude_session_repository_info (the most
 *        recently active); 0: none
 * @param lossMaxAge usage older than this when it is recorded (a backfill, a replayed backlog)
 *        is left out of the telemetry-loss comparison
 */
@ConfigurationProperties(prefix = "odin.claude.repositories")
public record RepositoryProperties(
        @DefaultValue("100") int labelLimit,
        @DefaultValue("20") int branchLimit,
        @DefaultValue("1000") int directories,
        @DefaultValue("10000") int sessions,
        @DefaultValue("200") int sessionInfoLimit,
        @DefaultValue("15m") Duration lossMaxAge) {

    public RepositoryProperties {
        if (labelLimit < 1 || branchLimit < 1 || directories < 1 || sessions < 1 || sessionInfoLimit < 0) {
            throw new IllegalArgumentException("odin.claude.repositories: label-limit, branch-limit, directories and"
                    + " sessions must be at least 1, session-info-limit at least 0");
        }
        if (lossMaxAge == null || lossMaxAge.isNegative() || lossMaxAge.isZero()) {
            throw new IllegalArgumentException("odin.claude.repositories.loss-max-age must be above 0");
        }
    }

    /** The defaults, as documented. */
    public static RepositoryProperties defaults() {
        return new RepositoryProperties(100, 20, 1000, 10000, 200, Duration.ofMinutes(15));
    }
}
