package dev.odin.health.endpoint;

import org.apache.camel.CamelContext;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code GET /healthz} on the management port: liveness. 200 "OK" while the process and the
 * Camel context run, 503 "Unhealthy" otherwise. Does no probe work: a liveness check must be
 * cheap, and a slow GPU or a failing probe is no reason to restart the service.
 */
@WebEndpoint(id = "healthz")
public class HealthzEndpoint {

    private final CamelContext camel;

    public HealthzEndpoint(CamelContext camel) {
        this.camel = camel;
    }

    @ReadOperation(produces = "text/plain")
    public WebEndpointResponse<String> healthz() {
        boolean alive = camel.isStarted() || camel.isStarting();
        return new WebEndpointResponse<>(alive ? "OK" : "Unhealthy", alive ? 200 : 503);
    }
}
