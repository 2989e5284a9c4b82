package dev.odin.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;

/**
 * The routes loaded from {@code odin.routes.include} must include every pipeline a receiver
 * sends to; otherwise ODIN would start healthy with receivers that answer 404 (OTLP/HTTP) or
 * hang (OTLP/gRPC). "Needed" is, by the endpoint a route consumes from (route ids may be edited):
 * <ul>
 * <li>{@code platform-http:/v1/metrics}, {@code /v1/logs}, {@code /v1/traces}: the OTLP/HTTP receiver;
 * <li>{@code otlp-grpc:metrics}, {@code otlp-grpc:logs}, {@code otlp-grpc:traces}: the OTLP/gRPC
 * receiver (while gRPC is on), for each signal whose OTLP/HTTP receiver and pipeline are there: a
 * signal is received on both transports, or the route set is refused;
 * <li>{@code direct:otlp-metrics}, {@code direct:otlp-logs}, {@code direct:otlp-traces}: the
 * pipelines both receivers hand requests to;
 * <li>{@code direct:event-sink}: where log events, alert notifications and usage records go;
 * <li>{@code timer:loki-delivery}, when {@code odin.loki.url} is set: what empties the Loki queue.
 * </ul>
 * Each must be there and started. Optional routes (probes, alerting, transcripts, expiry) are
 * not required: leaving one out is a way to switch it off.
 */
public final class RouteSetCheck {

    private RouteSetCheck() {
    }

    /** What must consume from which endpoint. */
    static Map<String, String> needed(boolean loki, boolean grpc, Set<String> consumed) {
        Map<String, String> needed = new LinkedHashMap<>();
        needed.put("platform-http:/v1/metrics", "the OTLP/HTTP metrics receiver");
        needed.put("platform-http:/v1/logs", "the OTLP/HTTP logs receiver");
        needed.put("platform-http:/v1/traces", "the OTLP/HTTP traces receiver");
        for (String signal : List.of("metrics", "logs", "traces")) {
            if (grpc && consumed.contains(plain("platform-http:/v1/" + signal))
                    && consumed.contains(plain("direct:otlp-" + signal))) {
                needed.put("otlp-grpc:" + signal, "the OTLP/gRPC " + signal + " receiver");
            }
        }
        needed.put("direct:otlp-metrics", "the metrics pipeline");
        needed.put("direct:otlp-logs", "the logs pipeline");
        needed.put("direct:otlp-traces", "the traces pipeline");
        needed.put("direct:event-sink", "the event sink");
        if (loki) {
            needed.put("timer:loki-delivery", "the Loki delivery (odin.loki.url is set)");
        }
        return needed;
    }

    /** scheme:path without slashes after the colon or a query: platform-http:///v1/logs?x=y -> platform-http:v1/logs. */
    static String plain(String uri) {
        int q = uri.indexOf('?');
        return (q < 0 ? uri : uri.substring(0, q)).replaceFirst("^([A-Za-z0-9+.-]+):/*", "$1:");
    }

    /**
     * Refuses the start when a needed route is missing or not started.
     *
     * @param grpc whether OTLP/gRPC is on (odin.otlp.grpc.enabled)
     */
    public static void check(CamelContext camel, boolean loki, boolean grpc, String include) {
        List<String> missing = new ArrayList<>();
        Set<String> consumed = new HashSet<>();
        for (Route route : camel.getRoutes()) {
            consumed.add(plain(route.getEndpoint().getEndpointUri()));
        }
        for (Map.Entry<String, String> need : needed(loki, grpc, consumed).entrySet()) {
            boolean found = false;
            for (Route route : camel.getRoutes()) {
                if (plain(route.getEndpoint().getEndpointUri()).equals(plain(need.getKey()))) {
                    ServiceStatus status = camel.getRouteController().getRouteStatus(route.getRouteId());
                    found |= status != null && status.isStarted();
                }
            }
            if (!found) {
                missing.add(need.getValue() + " (a started route from " + need.getKey() + ")");
            }
        }
        if (!missing.isEmpty()) {
            String setting = Settings.named("odin.routes.include");
            throw new RefusedStartException("the routes of " + setting + " " + include + " lack "
                    + String.join(", ", missing) + ": copy every file of routes/ there, not only the edited ones");
        }
    }
}
