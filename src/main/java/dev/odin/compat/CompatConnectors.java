package dev.odin.compat;

import org.apache.catalina.Lifecycle;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;

/**
 * The Collector's two ports as extra connectors of the management server's Tomcat. They take
 * the management connector's settings (connection timeout, keep-alive, header size, body swallow
 * limit) and run on its thread pool when they start, so they add no threads of their own and a
 * slow client is cut off exactly as on the management port.
 */
public final class CompatConnectors {

    private final Connector metrics;
    private final Connector health;
    private volatile Connector management;

    public CompatConnectors(String bindAddress, int metricsPort, int healthPort) {
        this.metrics = connector(bindAddress, metricsPort);
        this.health = connector(bindAddress, healthPort);
    }

    private Connector connector(String address, int port) {
        Connector c = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        c.setPort(port);
        c.setProperty("address", address);
        c.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                adopt(c);
            }
        });
        return c;
    }

    /** Adds both to the management server's factory and notes its own connector. */
    public void addTo(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(main -> this.management = main);
        factory.addAdditionalTomcatConnectors(metrics, health);
    }

    /** The management connector's settings and executor (it starts first: Tomcat starts connectors in order). */
    private void adopt(Connector compat) {
        Connector main = management;
        if (main == null) {
            return;
        }
        ProtocolHandler from = main.getProtocolHandler();
        ProtocolHandler to = compat.getProtocolHandler();
        if (from.getExecutor() != null) {
            to.setExecutor(from.getExecutor());
        }
        if (from instanceof AbstractProtocol<?> f && to instanceof AbstractProtocol<?> t) {
            t.setConnectionTimeout(f.getConnectionTimeout());
            t.setKeepAliveTimeout(f.getKeepAliveTimeout());
            t.setMaxConnections(f.getMaxConnections());
            t.setAcceptCount(f.getAcceptCount());
        }
        if (from instanceof AbstractHttp11Protocol<?> f && to instanceof AbstractHttp11Protocol<?> t) {
            t.setMaxHttpRequestHeaderSize(f.getMaxHttpRequestHeaderSize());
            t.setMaxSwallowSize(f.getMaxSwallowSize());
            t.setMaxKeepAliveRequests(f.getMaxKeepAliveRequests());
        }
        compat.setMaxPostSize(main.getMaxPostSize());
    }

    /** The metrics port as bound (the configured one, or the one chosen for 0); -1 before it is. */
    public int metricsPort() {
        return metrics.getLocalPort();
    }

    /** The health port as bound; -1 before it is. */
    public int healthPort() {
        return health.getLocalPort();
    }

    /** The configured metrics port (0: any free one). */
    public int configuredMetricsPort() {
        return metrics.getPort();
    }

    /** The configured health port. */
    public int configuredHealthPort() {
        return health.getPort();
    }

    /** Whether this connector shares the management connector's executor (for tests and /health). */
    boolean sharesExecutor() {
        Connector main = management;
        return main != null && metrics.getProtocolHandler().getExecutor() == main.getProtocolHandler().getExecutor()
                && health.getProtocolHandler().getExecutor() == main.getProtocolHandler().getExecutor();
    }
}
