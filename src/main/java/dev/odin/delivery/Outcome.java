package dev.odin.delivery;

import java.time.Duration;

/**
 * What a {@link Transport} made of one batch.
 *
 * @param kind delivered, retry later, or drop permanently (dead-lettered, never retried)
 * @param status the remote status (an HTTP status), 0 when there was no answer
 * @param reason a short reason for the dead-letter metrics and file (e.g. {@code permanent},
 *     {@code unreadable}); null for the default, {@code permanent}
 * @param message what went wrong, for the log, the health details and the dead-letter file
 * @param retryAfter how long the remote asked to wait (Retry-After), or null
 */
public record Outcome(Kind kind, int status, String reason, String message, Duration retryAfter) {

    public enum Kind { DELIVERED, RETRY_LATER, DROP_PERMANENTLY }

    public static Outcome delivered() {
        return new Outcome(Kind.DELIVERED, 200, null, "", null);
    }

    public static Outcome retryLater(int status, String message, Duration retryAfter) {
        return new Outcome(Kind.RETRY_LATER, status, null, message, retryAfter);
    }

    public static Outcome dropPermanently(int status, String reason, String message) {
        return new Outcome(Kind.DROP_PERMANENTLY, status, reason, message, null);
    }

    /** The status as a metric label: the number, or {@code connection} without an answer. */
    public String statusLabel() {
        return status == 0 ? "connection" : Integer.toString(status);
    }
}
