package dev.odin.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.embedded.tomcat.ConnectorStartFailedException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * A port of the Collector compatibility mode (odin.collector-compat.*) is taken: Tomcat reports
 * an extra connector that failed to start, which Spring Boot words without saying which port it
 * is; this says, in the same words as {@link PortInUseAnalyzer}.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class CompatPortAnalyzer extends AbstractFailureAnalyzer<ConnectorStartFailedException> {

    private final Environment environment;

    public CompatPortAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConnectorStartFailedException cause) {
        int port = cause.getPort();
        String key;
        String what;
        if (port == environment.getProperty("odin.collector-compat.metrics-port", Integer.class, -1)) {
            key = "odin.collector-compat.metrics-port";
            what = "the Collector-compatible metrics port (/metrics)";
        } else if (port == environment.getProperty("odin.collector-compat.health-port", Integer.class, -1)) {
            key = "odin.collector-compat.health-port";
            what = "the Collector-compatible health port";
        } else {
            return null; // Spring Boot's own analysis
        }
        String address = environment.getProperty("odin.bind-address", new OdinProperties().getBindAddress());
        // Tomcat logged the bind failure and kept it: try the port again to say whether it is taken
        Throwable why = cause;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName(address))) {
            why = new IllegalStateException("its connector failed to start (the log above says why)");
        } catch (java.io.IOException inUse) {
            why = inUse instanceof java.net.BindException ? new IllegalStateException("Address already in use") : inUse;
        }
        return new FailureAnalysis("ODIN refuses to start: " + PortInUseAnalyzer.cannotBind(what, address, port, key,
                why),
                "Free the port or set another one, as the line above says (docs/configuration.md).", cause);
    }
}
