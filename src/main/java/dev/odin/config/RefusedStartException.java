package dev.odin.config;

/**
 * ODIN will not start this way, for a reason an operator can fix by configuration; the message
 * says what and how. {@link RefusedStartAnalyzer} prints it without a stack trace.
 */
public final class RefusedStartException extends RuntimeException {

    public RefusedStartException(String message) {
        super(message);
    }
}
