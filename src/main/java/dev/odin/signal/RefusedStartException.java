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
        return key + " (" + env(key) + ")";
    }

    /** The environment variable for a key (relaxed binding): {@code odin.otlp.grpc.port} -> {@code ODIN_OTLP_GRPC_PORT}. */
    public static String env(String key) {
        return key.replace('.', '_').replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }
}
