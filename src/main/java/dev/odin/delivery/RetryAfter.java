package dev.odin.delivery;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** An HTTP Retry-After header (RFC 9110 10.2.3) as the delay a {@link Outcome#retryLater} asks for. */
public final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * @param header delay-seconds or an HTTP-date; null or blank for none
     * @return the delay (a date in the past: zero), or null when there is none or it cannot be read
     */
    public static Duration parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Duration.ofMillis(Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis()));
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }
}
