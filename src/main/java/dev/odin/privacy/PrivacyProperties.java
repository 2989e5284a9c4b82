package dev.odin.privacy;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Attribute rules applied before any sink ({@code odin.privacy.*}); docs/privacy.md. Each list
 * replaces its default when set.
 *
 * @param hashKeyFile the HMAC key for {@code hash}; empty: a random key generated once and kept
 *        in {@code <data-dir>/privacy/hash.key}, so hashes stay the same across restarts
 * @param metrics rules for metric attributes (resource, scope and data point), before they become labels
 * @param events rules for event attributes (resource, scope and log record), before the event sink
 * @param traces rules for span attributes (resource, scope, span, span event and link), before
 *        spans leave ODIN through the OTLP export (ODIN keeps no spans itself)
 */
@ConfigurationProperties(prefix = "odin.privacy")
public record PrivacyProperties(
        @DefaultValue("") String hashKeyFile,
        @DefaultValue List<Rule> metrics,
        @DefaultValue List<Rule> events,
        @DefaultValue List<Rule> traces) {

    /** What happens to a matching attribute. */
    public enum Action { DROP, HASH, REDACT }

    /**
     * One rule: an attribute name, or a regular expression the whole name must match, and what
     * to do with the attribute.
     */
    public record Rule(String attribute, String pattern, Action action) {
    }

    /**
     * The defaults: user.email hashed in metric labels; prompt text never stored; spans (which
     * carry both: the standard attributes and the events' keys) get both, and Claude Code's
     * interaction span attribute user_prompt (its prompt text with OTEL_LOG_USER_PROMPTS=1) is dropped.
     */
    public PrivacyProperties {
        metrics = metrics == null || metrics.isEmpty() ? List.of(new Rule("user.email", null, Action.HASH)) : metrics;
        events = events == null || events.isEmpty() ? List.of(new Rule("prompt", null, Action.DROP),
                new Rule("prompt_text", null, Action.DROP)) : events;
        traces = traces == null || traces.isEmpty() ? List.of(new Rule("user.email", null, Action.HASH),
                new Rule("prompt", null, Action.DROP), new Rule("prompt_text", null, Action.DROP),
                new Rule("user_prompt", null, Action.DROP)) : traces;
    }
}
