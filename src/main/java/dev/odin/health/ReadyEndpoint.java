package dev.odin.health;

import dev.odin.loki.DiskQueue;
import dev.odin.loki.LokiSink;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;

/**
 * {@code GET /ready} on the management port: 200 when ODIN takes traffic (the application is
 * ready and Camel's routes run), 503 otherwise; the body says why and reports the event backlog
 * waiting for Loki, so an operator sees a growing queue before it becomes a problem.
 */
@WebEndpoint(id = "ready")
public class ReadyEndpoint {

    private final ApplicationAvailability availability;
    private final CamelContext camel;
    private final ObjectProvider<LokiSink> loki;

    public ReadyEndpoint(ApplicationAvailability availability, CamelContext camel, ObjectProvider<LokiSink> loki) {
        this.availability = availability;
        this.camel = camel;
        this.loki = loki;
    }

    @ReadOperation
    public WebEndpointResponse<Map<String, Object>> ready() throws IOException {
        boolean accepting = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        boolean routes = camel.isStarted();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", accepting && routes ? "READY" : "NOT_READY");
        body.put("readiness", availability.getReadinessState().toString());
        body.put("routes", camel.getStatus().toString());
        LokiSink sink = loki.getIfAvailable();
        if (sink != null) {
            DiskQueue q = sink.queue();
            long oldest = q.oldestEnqueuedMillis();
            Map<String, Object> backlog = new LinkedHashMap<>();
            backlog.put("records", q.pendingRecords());
            backlog.put("bytes", q.pendingBytes());
            backlog.put("oldestSeconds", oldest < 0 ? 0 : (System.currentTimeMillis() - oldest) / 1000);
            backlog.put("lokiRetrying", sink.retrying());
            body.put("lokiBacklog", backlog);
        }
        return new WebEndpointResponse<>(body, accepting && routes ? 200 : 503);
    }
}
