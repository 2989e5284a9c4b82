package dev.odin.signal;

/**
 * ODIN will not start this way, for a reason an operator can fix by configuration; the message
 * says what and how. {@link RefusedStartAnalyzer} prints it without a stack trace.
 */
public final class RefusedStartException extends RuntimeException {

    public RefusedStartException(String message) {
        super(message);
    }

    /** {@code odin.data-dir (ODIN_DATADIR)}: how a refusal names the setting to change. */
    public static String setting(String key) {
        return key + " (" + key.replace('.', '_').replace("-", "").toUpperCase(java.util.Locale.ROOT) + ")";
    }
}
