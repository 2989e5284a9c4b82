package dev.odin.health.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class HealthzEndpointTest {

    @Test
    void unhealthyUnlessCamelRuns() {
        DefaultCamelContext camel = new DefaultCamelContext();
        HealthzEndpoint endpoint = new HealthzEndpoint(camel);
        assertEquals(503, endpoint.healthz().getStatus());
        assertEquals("Unhealthy", endpoint.healthz().getBody());
        camel.start();
        assertEquals(200, endpoint.healthz().getStatus());
        assertEquals("OK", endpoint.healthz().getBody());
        camel.stop();
        assertEquals(503, endpoint.healthz().getStatus());
    }
}
