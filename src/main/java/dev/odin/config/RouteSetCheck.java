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
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.MulticastDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.WireTapDefinition;

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
 * ({@link #REQUIRED_STEPS}) where they run for every request, on the request's own thread: in
 * its route, in a route it sends to over {@code direct:}, in a {@code multicast}, or in every
 * branch of a {@code choice} (its {@code otherwise} included). A step only in a {@code wireTap}
 * (another thread: its failure no longer reaches the client) or under a {@code filter} (not
 * every request) does not count, except where a requirement says a filter may decide (the
 * webhook stores only the alerts that are new). A privacy step must come before the sink or
 * the translation it protects. A missing or misplaced one refuses the start with one line naming
 * the route and the step, so no edit silently loses or leaks data.
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
    record Required(String pipeline, String step, List<String> anyOf, boolean mayBeFiltered, List<String> before,
            boolean conditional) {
        Required(String pipeline, String step, String... anyOf) {
            this(pipeline, step, List.of(anyOf), false, List.of(), false);
        }

        /** This step, and it must run before any of {@code later} (a privacy rule before the sink). */
        Required before(String... later) {
            return new Required(pipeline, step, anyOf, mayBeFiltered, List.of(later), conditional);
        }

        /**
         * Required only on a route that holds one of the {@link #before} steps (a route that keeps
         * nothing, the drop-traces recipe, needs no privacy step), and then before it.
         */
        Required onlyWhereLater() {
            return new Required(pipeline, step, anyOf, mayBeFiltered, before, true);
        }

        /** A {@code filter} may decide whether this step runs (the webhook stores only new alerts). */
        Required filterMayDecide() {
            return new Required(pipeline, step, anyOf, true, before, conditional);
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
            new Required("direct:otlp-metrics", "the metric privacy step", "applyMetricPrivacy")
                    .before("translateMetrics"),
            new Required("direct:otlp-metrics", "the translation into series", "translateMetrics"),
            new Required("direct:otlp-logs", "the event privacy step", "applyEventPrivacy")
                    .before("odin-loki:", "odin-files:"),
            new Required("direct:otlp-logs", "the event privacy step", "applyEventPrivacy")
                    .before("odin-otlp:"),
            // the rewrite itself: attachRules only hands the rules to the translation
            new Required("direct:otlp-export-metrics", "the metric privacy rewrite", "applyMetricPrivacy.applyRules",
                    "applyMetricPrivacy.process").before("odin-otlp:"),
            new Required("direct:otlp-export-traces", "the trace privacy step", "applyTracePrivacy")
                    .before("odin-otlp:"),
            // spans kept (metrics, the store) or forwarded: after the trace rules
            new Required("direct:otlp-traces", "the trace privacy step", "applyTracePrivacy")
                    .before("traces.toMetrics", "traces.store", "odin-otlp:traces").onlyWhereLater(),
            new Required("direct:otlp-logs", "an event sink", "odin-loki:", "odin-files:"),
            new Required("platform-http:/alertmanager/webhook", "the webhook decoding", "alertIntake.decode"),
            new Required("platform-http:/alertmanager/webhook", "an event sink for the alerts", "odin-loki:",
                    "odin-files:").filterMayDecide(),
            new Required("platform-http:/alertmanager/webhook", "the alerts' commit", "alertIntake.commit"),
            // without it the route would answer with the request's own body
            new Required("platform-http:/api/statusline", "the statusline intake", "statusline.ingest"));

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
        for (Required need : required) {
            RouteDefinition route = byInput.get(plain(need.pipeline()));
            if (route == null) {
                continue;
            }
            if (need.conditional() && new Path(byInput, true, true).first(route.getOutputs(),
                    step -> matches(step, need.before())) < 0) {
                continue;
            }
            Path path = new Path(byInput, need.mayBeFiltered());
            int at = path.first(route.getOutputs(), step -> matches(step, need.anyOf()));
            if (at < 0) {
                String line = "route " + route.getRouteId() + " (from " + need.pipeline() + ") lacks "
                        + need.describe() + " on every request's path (not only in a wireTap, a filter or"
                        + " some branches of a choice)";
                if (!lacking.contains(line)) { // a step required before more than one kind of sink
                    lacking.add(line);
                }
                continue;
            }
            if (!need.before().isEmpty()) {
                int later = new Path(byInput, true, true).first(route.getOutputs(),
                        step -> matches(step, need.before()));
                if (later >= 0 && later < at) {
                    lacking.add("route " + route.getRouteId() + " (from " + need.pipeline() + ") runs "
                            + need.describe() + " only after " + String.join(" or ", need.before()));
                }
            }
        }
        return lacking;
    }

    /** Whether one step (its keys: bean:ref, bean:ref.method, to:uri) is any of {@code anyOf}. */
    private static boolean matches(Set<String> keys, List<String> anyOf) {
        for (String a : anyOf) {
            if (keys.contains(a.contains(":") ? "to:" + plain(a) : "bean:" + a)
                    || a.endsWith(":") && keys.stream().anyMatch(k -> k.startsWith("to:" + a))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where a step runs for every request on its own thread: the position, among a route's
     * top-level steps, of the first whose run holds it. A direct: route it sends to, a multicast
     * (any of its outputs) and a choice (every branch, otherwise included) hold what they hold on
     * every path; a wireTap never; a filter only when the requirement allows it.
     */
    private static final class Path {
        private final Map<String, RouteDefinition> byInput;
        private final boolean filtersCount;
        // true: a step that runs for some requests counts (in any branch, filter or wireTap), as a
        // sink a privacy step must precede does: one branch before the rules is one leak
        private final boolean anyBranch;
        private final Set<RouteDefinition> visiting = Collections.newSetFromMap(new IdentityHashMap<>());

        Path(Map<String, RouteDefinition> byInput, boolean filtersCount) {
            this(byInput, filtersCount, false);
        }

        Path(Map<String, RouteDefinition> byInput, boolean filtersCount, boolean anyBranch) {
            this.byInput = byInput;
            this.filtersCount = filtersCount || anyBranch;
            this.anyBranch = anyBranch;
        }

        /** Index of the first step of {@code steps} whose run holds the wanted step; -1 if none. */
        int first(List<ProcessorDefinition<?>> steps, java.util.function.Predicate<Set<String>> wanted) {
            if (steps == null) {
                return -1;
            }
            for (int i = 0; i < steps.size(); i++) {
                if (holds(steps.get(i), wanted)) {
                    return i;
                }
            }
            return -1;
        }

        private boolean holds(ProcessorDefinition<?> step, java.util.function.Predicate<Set<String>> wanted) {
            if (step instanceof WireTapDefinition<?> && !anyBranch) {
                return false; // another thread: a refusal there never reaches the client
            }
            Set<String> keys = keys(step);
            if (!keys.isEmpty() && wanted.test(keys)) {
                return true;
            }
            if (step instanceof SendDefinition<?> send && send.getEndpointUri() != null) {
                RouteDefinition next = byInput.get(plain(send.getEndpointUri()));
                if (next != null && plain(send.getEndpointUri()).startsWith("direct:") && visiting.add(next)) {
                    try {
                        return first(next.getOutputs(), wanted) >= 0;
                    } finally {
                        visiting.remove(next);
                    }
                }
                return false;
            }
            if (step instanceof ChoiceDefinition choice && anyBranch) {
                for (WhenDefinition when : choice.getWhenClauses()) {
                    if (first(when.getOutputs(), wanted) >= 0) {
                        return true;
                    }
                }
                return choice.getOtherwise() != null && first(choice.getOtherwise().getOutputs(), wanted) >= 0;
            }
            if (step instanceof ChoiceDefinition choice) {
                if (choice.getOtherwise() == null || choice.getWhenClauses().isEmpty()) {
                    return false; // a request no branch takes skips the step
                }
                for (WhenDefinition when : choice.getWhenClauses()) {
                    if (first(when.getOutputs(), wanted) < 0) {
                        return false;
                    }
                }
                return first(choice.getOtherwise().getOutputs(), wanted) >= 0;
            }
            if (step instanceof FilterDefinition) {
                return filtersCount && first(step.getOutputs(), wanted) >= 0;
            }
            if (step instanceof MulticastDefinition) {
                return first(step.getOutputs(), wanted) >= 0;
            }
            return false;
        }
    }

    /** bean:ref (and bean:ref.method) and to:plain-uri for one step; empty for a container. */
    private static Set<String> keys(ProcessorDefinition<?> step) {
        Set<String> found = new HashSet<>();
        if (step instanceof BeanDefinition b && b.getRef() != null) {
            found.add("bean:" + b.getRef());
            if (b.getMethod() != null) {
                // bean:ref.method, the method without its arguments: one bean, several steps
                String m = b.getMethod();
                found.add("bean:" + b.getRef() + "." + (m.contains("(") ? m.substring(0, m.indexOf('(')) : m).trim());
            }
        } else if (step instanceof ProcessDefinition p && p.getRef() != null) {
            found.add("bean:" + p.getRef());
            found.add("bean:" + p.getRef() + ".process");
        } else if (step instanceof SendDefinition<?> send && send.getEndpointUri() != null) {
            sent(send.getEndpointUri(), found);
        } else if (step instanceof ToDynamicDefinition dynamic && !(step instanceof WireTapDefinition<?>)
                && dynamic.getUri() != null) {
            sent(dynamic.getUri(), found);
        }
        return found;
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
