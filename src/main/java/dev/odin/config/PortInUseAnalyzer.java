package dev.odin.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * The OTLP/HTTP port or the management port is taken: one line naming which one and the setting
 * that moves it (ahead of Spring Boot's own analysis, which names neither).
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class PortInUseAnalyzer extends AbstractFailureAnalyzer<PortInUseException> {

    private final Environment environment;

    public PortInUseAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
        int port = cause.getPort();
        String address = environment.getProperty("odin.bind-address", new OdinProperties().getBindAddress());
        String what;
        String key;
        if (port == environment.getProperty("management.server.port", Integer.class, -1)) {
            what = "the management port (/metrics, /health, /ready)";
            key = "management.server.port";
        } else {
            what = "the OTLP/HTTP port";
            key = "server.port";
        }
        return new FailureAnalysis("ODIN refuses to start: " + cannotBind(what, address, port, key, cause),
                "Free the port or set another one, as the line above says (docs/configuration.md).", cause);
    }

    /** The one line for a port ODIN cannot listen on. */
    static String cannotBind(String what, String address, int port, String key, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage();
        String reason = root instanceof PortInUseException || message.contains("in use")
                ? "it is in use by another process" : message.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        return what + " " + port + " cannot be bound on " + address + " (" + reason + "): free it or set "
                + Settings.named(key) + " to another port";
    }
}
