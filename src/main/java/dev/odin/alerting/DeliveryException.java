package dev.odin.alerting;

import java.time.Duration;

/**
 * A delivery the channel did not take, and whether trying again can help. Permanent: the
 * message can never be accepted as it is (the request could not be built, the service answered
 * a 4xx other than 408/429, the SMTP server a 5xx): it is dead-lettered at once. Otherwise it is
 * retried with backoff, bounded by {@code odin.alerting.retry.max-attempts} and {@code max-age}.
 */
final class DeliveryException extends Exception {

    private final boolean permanent;
    private final String reason;
    private final Duration retryAfter;

    private DeliveryException(boolean permanent, String reason, String message, Duration retryAfter,
            Throwable cause) {
        super(message, cause);
        this.permanent = permanent;
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    /** The channel can never take this message; {@code reason} is the metric label (http_400, invalid). */
    static DeliveryException permanent(String reason, String message, Throwable cause) {
        return new DeliveryException(true, reason, message, null, cause);
    }

    /** Worth another attempt later; {@code retryAfter} is what the service asked for, or null. */
    static DeliveryException retryable(String reason, String message, Duration retryAfter, Throwable cause) {
        return new DeliveryException(false, reason, message, retryAfter, cause);
    }

    boolean permanent() {
        return permanent;
    }

    String reason() {
        return reason;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
