package dev.odin.limits;

import dev.odin.settings.SettingChecks;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/** Plan limits from Claude Code's statusline ({@code odin.limits.*}); docs/usage.md "Plan limits". */
public class LimitsProperties {

    /** A statusline JSON body larger than this is refused (413) unread; Claude Code's is about 1-2 KB. */
    private DataSize maxBodySize = DataSize.ofKilobytes(64);

    /**
     * Statusline bodies read at once; one more is answered 503 with Retry-After (counted as
     * outcome "busy"). The body is read on a Tomcat thread of the OTLP/HTTP port, so a client
     * that sends slowly holds one until server.tomcat.connection-timeout: this bounds how many.
     */
    private int maxConcurrentReads = 4;

    /**
     * The most (window, machine, user) series the plan-limit gauges keep; a reading for a new one
     * past it is not kept and counted in odin_claude_plan_series_dropped_total.
     */
    private int maxSeries = 1000;

    /**
     * A reading not refreshed for this long is removed (a machine that stopped running Claude
     * Code); a reading is removed in any case once its window has reset.
     */
    private Duration staleAfter = Duration.ofHours(24);

    public DataSize getMaxBodySize() { return maxBodySize; }
    public void setMaxBodySize(DataSize maxBodySize) { this.maxBodySize = maxBodySize; }
    public int getMaxConcurrentReads() { return maxConcurrentReads; }
    public void setMaxConcurrentReads(int maxConcurrentReads) { this.maxConcurrentReads = maxConcurrentReads; }
    public int getMaxSeries() { return maxSeries; }
    public void setMaxSeries(int maxSeries) { this.maxSeries = maxSeries; }
    public Duration getStaleAfter() { return staleAfter; }
    public void setStaleAfter(Duration staleAfter) { this.staleAfter = staleAfter; }

    /** The rules of these settings (OdinProperties runs them at binding). */
    public void check(SettingChecks c) {
        c.notNull("maxBodySize", maxBodySize).min("maxConcurrentReads", maxConcurrentReads, 1)
                .min("maxSeries", maxSeries, 1).notNull("staleAfter", staleAfter);
    }
}
