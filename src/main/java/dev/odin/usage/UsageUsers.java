package dev.odin.usage;

import dev.odin.privacy.PrivacyProperties;
import dev.odin.privacy.AttributeRules;

/**
 * The privacy rules for who the usage history names (docs/privacy.md): before a user is written
 * to {@code <data-dir>/usage/}, the attribute rule that names its attribute ({@code user.email},
 * {@code user.id}) applies, the same keyed hash the metrics path gives {@code user.email}.
 * Sessions, machines and projects are kept as the event rules left them, as the event sink has
 * them (the report matches telemetry to transcripts by session id).
 * Telemetry arrives after the event rules ({@code odin.privacy.events}) ran on it, so a value an
 * event rule already changed is kept as it is (hashing a hash would give another hash); any
 * other value gets the metric rule ({@code odin.privacy.metrics}), whose default hashes
 * {@code user.email}. Values configured for ODIN itself ({@code odin.claude.user}, a budget's
 * name) stand for {@code user.email} and get its rule, so the same person has the same key from
 * transcripts, telemetry and budgets.
 */
public final class UsageUsers {

    public static final String USER_EMAIL = "user.email";

    private static final UsageUsers NONE = new UsageUsers(null, null);

    private final AttributeRules eventRules;
    private final AttributeRules metricRules;

    /**
     * @param eventRules the rules the events already went through (may be null: none)
     * @param metricRules the rules for what was not already changed (may be null: none)
     */
    public UsageUsers(AttributeRules eventRules, AttributeRules metricRules) {
        this.eventRules = eventRules;
        this.metricRules = metricRules;
    }

    /** Keeps every value as it is (tests of the history that are not about privacy). */
    public static UsageUsers none() {
        return NONE;
    }

    /** A value of attribute {@code attribute} from an event, after the event rules. */
    public String telemetry(String attribute, String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        if (eventRules != null && eventRules.actionFor(attribute) != null) {
            return value; // the event rule already did its work
        }
        return apply(metricRules, attribute, value);
    }

    /** A value configured for ODIN (odin.claude.user, a user budget's name): user.email's rule. */
    public String configured(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        if (eventRules != null && eventRules.actionFor(USER_EMAIL) != null) {
            return apply(eventRules, USER_EMAIL, value);
        }
        return apply(metricRules, USER_EMAIL, value);
    }

    /** True when a user value written in clear before these rules would now be changed. */
    boolean changesUsers() {
        return !"a@b".equals(configured("a@b"));
    }

    private static String apply(AttributeRules rules, String attribute, String value) {
        if (rules == null) {
            return value;
        }
        PrivacyProperties.Action a = rules.actionFor(attribute);
        if (a == null) {
            return value;
        }
        return switch (a) {
            case DROP -> "";
            case HASH -> rules.hash(value);
            case REDACT -> AttributeRules.REDACTED;
        };
    }
}
