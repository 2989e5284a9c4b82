package dev.odin.config;

import dev.odin.signal.RefusedStartException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.WhenDefinition;

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
 * </ul>
 * Each must be there and started. Optional routes (probes, alerting, transcripts, expiry) are
 * not required: leaving one out is a way to switch it off.
 *
 * <p>Then each pipeline that is there must hold the steps it cannot do without
 * ({@link #REQUIRED_STEPS}), anywhere in its route: nested in choice, filter, multicast or
 * wireTap, or in a route it sends to over {@code direct:}. A missing one refuses the start with
 * one line naming the route and the step, so no edit silently loses or leaks data.
 */
public final class RouteSetCheck {

    private RouteSetCheck() {
    }

    /**
     * A step a pipeline must hold: the pipeline by the endpoint its route consumes from, what the
     * step is (for the refusal), and what counts as the step, any of: a bean ref (called as
     * {@code bean:} or {@code process:}, or a {@code bean:} URI; {@code ref.method} for one method
     * of a bean called as {@code bean:} with that method) or, with a colon, an endpoint
     * the route sends to ({@code direct:event-sink}; ending in a colon: any endpoint of that scheme).
     */
    record Required(String pipeline, String step, List<String> anyOf) {
        Required(String pipeline, String step, String... anyOf) {
            this(pipeline, step, List.of(anyOf));
        }

        String describe() {
            List<String> names = new ArrayList<>();
            for (String a : anyOf) {
                names.add(a.contains(":") ? "to " + a : "bean " + a);
            }
            return step + " (" + String.join(" or ", names) + ")";
        }
    }

    /** The steps each pipeline must hold: the one list to edit when a step is renamed or added. */
    static final List<Required> REQUIRED_STEPS = List.of(
            new Required("direct:otlp-metrics", "the metric privacy step", "applyMetricPrivacy"),
            new Required("direct:otlp-metrics", "the translation into series", "translateMetrics"),
            new Required("direct:otlp-logs", "the event privacy step", "applyEventPrivacy"),
            new Required("direct:otlp-logs", "an event sink", "direct:event-sink", "odin-loki:", "odin-files:"),
            new Required("platform-http:/alertmanager/webhook", "the webhook decoding", "alertIntake.decode"),
            new Required("platform-http:/alertmanager/webhook", "the alerts' commit", "alertIntake.commit"));

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
        List<RouteDefinition> started = new ArrayList<>();
        if (camel instanceof ModelCamelContext model) {
            for (RouteDefinition d : model.getRouteDefinitions()) {
                ServiceStatus status = camel.getRouteController().getRouteStatus(d.getRouteId());
                if (status != null && status.isStarted()) {
                    started.add(d);
                }
            }
        }
        List<String> lacking = missingSteps(started, REQUIRED_STEPS);
        if (!lacking.isEmpty()) {
            String setting = Settings.named("odin.routes.include");
            throw new RefusedStartException("the routes of " + setting + " " + include + ": "
                    + String.join("; ", lacking) + ": put the step back (docs/routes.md, Start-up validation)");
        }
    }

    /**
     * For each required step a present pipeline lacks: "route R (from E) lacks S". A pipeline no
     * route consumes from is not this check's business (see {@link #needed}).
     */
    static List<String> missingSteps(List<RouteDefinition> routes, List<Required> required) {
        Map<String, RouteDefinition> byInput = new LinkedHashMap<>();
        for (RouteDefinition r : routes) {
            if (r.getInput() != null && r.getInput().getEndpointUri() != null) {
                byInput.putIfAbsent(plain(r.getInput().getEndpointUri()), r);
            }
        }
        List<String> lacking = new ArrayList<>();
        Map<String, Set<String>> done = new LinkedHashMap<>();
        for (Required need : required) {
            RouteDefinition route = byInput.get(plain(need.pipeline()));
            if (route == null) {
                continue;
            }
            Set<String> reached = done.computeIfAbsent(need.pipeline(), p -> reached(route, byInput));
            boolean found = false;
            for (String a : need.anyOf()) {
                found |= reached.contains(a.contains(":") ? "to:" + plain(a) : "bean:" + a)
                        || a.endsWith(":") && reached.stream().anyMatch(r -> r.startsWith("to:" + a));
            }
            if (!found) {
                lacking.add("route " + route.getRouteId() + " (from " + need.pipeline() + ") lacks "
                        + need.describe());
            }
        }
        return lacking;
    }

    /** "bean:ref" and "to:plain-uri" for every step of the route and of the direct: routes it sends to. */
    private static Set<String> reached(RouteDefinition start, Map<String, RouteDefinition> byInput) {
        Set<String> found = new java.util.HashSet<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<RouteDefinition> todo = new ArrayList<>(List.of(start));
        while (!todo.isEmpty()) {
            RouteDefinition r = todo.remove(todo.size() - 1);
            if (seen.add(r)) {
                walk(r.getOutputs(), found, seen);
                for (String f : List.copyOf(found)) {
                    RouteDefinition next = f.startsWith("to:direct:") ? byInput.get(f.substring(3)) : null;
                    if (next != null && !seen.contains(next)) {
                        todo.add(next);
                    }
                }
            }
        }
        return found;
    }

    private static void walk(List<ProcessorDefinition<?>> steps, Set<String> found, Set<Object> seen) {
        if (steps == null) {
            return;
        }
        for (ProcessorDefinition<?> step : steps) {
            if (!seen.add(step)) {
                continue;
            }
            if (step instanceof BeanDefinition b && b.getRef() != null) {
                found.add("bean:" + b.getRef());
                if (b.getMethod() != null) {
                    // bean:ref.method, the method without its arguments: one bean, several steps
                    String m = b.getMethod();
                    found.add("bean:" + b.getRef() + "." + (m.contains("(") ? m.substring(0, m.indexOf('(')) : m).trim());
                }
            } else if (step instanceof ProcessDefinition p && p.getRef() != null) {
                found.add("bean:" + p.getRef());
            } else if (step instanceof SendDefinition<?> send && send.getEndpointUri() != null) {
                sent(send.getEndpointUri(), found);
            } else if (step instanceof ToDynamicDefinition dynamic && dynamic.getUri() != null) {
                // wireTap, toD
                sent(dynamic.getUri(), found);
            }
            if (step instanceof ChoiceDefinition choice) {
                for (WhenDefinition when : choice.getWhenClauses()) {
                    walk(when.getOutputs(), found, seen);
                }
                if (choice.getOtherwise() != null) {
                    walk(choice.getOtherwise().getOutputs(), found, seen);
                }
            } else {
                walk(step.getOutputs(), found, seen);
            }
        }
    }

    private static void sent(String uri, Set<String> found) {
        String p = plain(uri);
        found.add("to:" + p);
        if (p.startsWith("bean:")) {
            String ref = p.substring("bean:".length());
            found.add("bean:" + ref);
        }
    }
}
